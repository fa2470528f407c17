"""Xvfb, a window manager, the app process and the outside view of the screen.

`XServer` starts `Xvfb -displayfd` (the server picks a free display number itself) with
`-nolisten tcp`, then openbox, and waits until the window manager has taken the screen.
`AppProcess` runs tests/x11/driver.py on that display (QT_QPA_PLATFORM=xcb) and talks to it with
one JSON line per command. `Screen` reads what the X server and the window manager say is on
screen (`_NET_CLIENT_LIST_STACKING`, `xwininfo`, `xprop`), independently of what Qt believes.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.home import home_env

ROOT = Path(__file__).resolve().parents[2]
SCREEN_SIZE = (1280, 800)
REQUIRED_TOOLS = ("Xvfb", "openbox", "xdotool", "xwininfo", "xprop", "xmessage", "wmctrl",
                  "xrandr")


def missing_tools() -> list[str]:
    """The programs this suite needs that are not on PATH (dev.py installs them on CI)."""
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


class XServer:
    """A private Xvfb display with openbox managing it."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.display = ""
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._wm: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        """The environment of every X client here: this display, and a home in the log folder
        (openbox writes its cache and log there, not into the real home)."""
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
        env.update({"DISPLAY": self.display, "HOME": str(self.log_dir),
                    "XDG_CONFIG_HOME": str(self.log_dir / ".config"),
                    "XDG_CACHE_HOME": str(self.log_dir / ".cache")})
        return env

    def start(self, timeout: float = 15.0) -> None:
        read_fd, write_fd = os.pipe()
        width, height = SCREEN_SIZE
        with open(self.log_dir / "xvfb.log", "wb") as log:
            self._xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                 "-nolisten", "tcp", "-noreset"],
                pass_fds=(write_fd,), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + timeout
        with os.fdopen(read_fd, "rb", buffering=0) as pipe:
            selector = selectors.DefaultSelector()
            selector.register(pipe, selectors.EVENT_READ)
            while not number.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    break
                chunk = pipe.read(16)
                if not chunk:
                    break
                number += chunk
        if not number.strip().isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not start: " + self._log("xvfb.log"))
        self.display = f":{number.strip().decode()}"
        with open(self.log_dir / "openbox.log", "wb") as log:
            self._wm = subprocess.Popen(["openbox", "--sm-disable"], env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        while time.monotonic() < deadline:
            if "window id #" in self.run("xprop", "-root", "_NET_SUPPORTING_WM_CHECK"):
                return
            if self._wm.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("openbox did not take the screen: " + self._log("openbox.log"))

    def _log(self, name: str) -> str:
        path = self.log_dir / name
        return path.read_text(errors="replace")[-800:] if path.exists() else ""

    def run(self, *cmd: str, timeout: float = 10.0, check: bool = False) -> str:
        """Run an X client on this display; its stdout."""
        done = subprocess.run(list(cmd), env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
        return done.stdout

    def spawn(self, *cmd: str) -> subprocess.Popen[bytes]:
        """Start a long-running X client (another application's window)."""
        return subprocess.Popen(list(cmd), env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self) -> None:
        for proc in (self._wm, self._xvfb):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        self._wm = self._xvfb = None


class AppProcess:
    """tests/x11/driver.py on the X display: the real Tandem window, answering commands."""

    def __init__(self, server: XServer, home: Path, demo_template: Path | None) -> None:
        self.server = server
        self.home = home
        self.stderr_path = home / "driver.stderr"
        env = server.env
        env.update(home_env(home))
        env.update({"QT_QPA_PLATFORM": "xcb", "PYTHONDONTWRITEBYTECODE": "1"})
        env.pop("QT_QPA_PLATFORMTHEME", None)
        if demo_template is not None:
            env["TANDEM_X11_DEMO_TEMPLATE"] = str(demo_template)
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.x11.driver"], cwd=ROOT,
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, start_new_session=True)
        self._selector = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self._selector.register(self.proc.stdout, selectors.EVENT_READ)
        self._pending = b""
        self.ready = self._read(60.0)

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not self._selector.select(left):
                raise RuntimeError("the app did not answer in time\n" + self.stderr_tail())
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError("the app exited\n" + self.stderr_tail())
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        result: dict[str, Any] = json.loads(line)
        if "error" in result:
            raise RuntimeError(f"app: {result['error']}\n{result.get('trace', '')}")
        return result

    def call(self, cmd: str, timeout: float = 30.0, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps({"cmd": cmd, **args}) + "\n").encode())
        self.proc.stdin.flush()
        return self._read(timeout)

    def stderr_tail(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.call("quit", timeout=10)
                self.proc.wait(10)
            except (RuntimeError, OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)
        self._stderr.close()


@dataclass(frozen=True)
class XWindow:
    """A window the window manager manages, as the X server reports it."""

    id: int
    name: str
    viewable: bool
    x: int
    y: int
    width: int
    height: int
    desktop: int | None
    state: tuple[str, ...]

    def covers(self, x: int, y: int, width: int, height: int) -> bool:
        return (self.x <= x and self.y <= y and self.x + self.width >= x + width
                and self.y + self.height >= y + height)


class Screen:
    """What is on screen, read from the X server and the window manager (not from Qt)."""

    def __init__(self, server: XServer) -> None:
        self.server = server

    def _root_ids(self, prop: str) -> list[int]:
        out = self.server.run("xprop", "-root", prop)
        return [int(h, 16) for h in re.findall(r"0x[0-9a-fA-F]+", out.split("#", 1)[-1])]

    def current_desktop(self) -> int | None:
        out = self.server.run("xprop", "-root", "_NET_CURRENT_DESKTOP")
        found = re.search(r"=\s*(\d+)", out)
        return int(found.group(1)) if found else None

    def active_window(self) -> int | None:
        ids = self._root_ids("_NET_ACTIVE_WINDOW")
        return ids[0] if ids and ids[0] else None

    def window(self, win_id: int) -> XWindow:
        info = self.server.run("xwininfo", "-id", hex(win_id))
        props = self.server.run("xprop", "-id", hex(win_id), "_NET_WM_NAME", "WM_NAME",
                                "_NET_WM_DESKTOP", "_NET_WM_STATE")

        def number(label: str) -> int:
            found = re.search(rf"{label}:\s*(-?\d+)", info)
            return int(found.group(1)) if found else 0

        name = re.search(r'_NET_WM_NAME\(UTF8_STRING\) = "(.*)"', props) or re.search(
            r'WM_NAME\(\w+\) = "(.*)"', props)
        desktop = re.search(r"_NET_WM_DESKTOP\(CARDINAL\) = (\d+)", props)
        state = re.search(r"_NET_WM_STATE\(ATOM\) = (.*)", props)
        return XWindow(
            win_id, name.group(1) if name else "", "IsViewable" in info,
            number("Absolute upper-left X"), number("Absolute upper-left Y"), number("Width"),
            number("Height"), int(desktop.group(1)) if desktop else None,
            tuple(s.strip() for s in state.group(1).split(",")) if state else ())

    def stacking(self) -> list[XWindow]:
        """Every managed window, bottom to top."""
        windows = []
        for win_id in self._root_ids("_NET_CLIENT_LIST_STACKING"):
            try:
                windows.append(self.window(win_id))
            except subprocess.SubprocessError:
                continue
        return windows

    def visible_windows(self, area: tuple[int, int, int, int]) -> list[XWindow]:
        """Viewable windows of which some part of `area` is not hidden by a window above."""
        stack = [w for w in self.stacking() if w.viewable and w.width > 1 and w.height > 1]
        ax, ay, aw, ah = area
        seen: list[XWindow] = []
        for index, win in enumerate(stack):
            above = stack[index + 1:]
            uncovered = False
            for y in range(max(win.y, ay), min(win.y + win.height, ay + ah), 8):
                for x in range(max(win.x, ax), min(win.x + win.width, ax + aw), 8):
                    if not any(o.x <= x < o.x + o.width and o.y <= y < o.y + o.height
                               for o in above):
                        uncovered = True
                        break
                if uncovered:
                    break
            if uncovered:
                seen.append(win)
        return seen

    def text_properties(self, win_id: int) -> str:
        """Every title-like property of a window (what a task bar or switcher could show)."""
        return self.server.run("xprop", "-id", hex(win_id), "WM_NAME", "_NET_WM_NAME",
                               "WM_ICON_NAME", "_NET_WM_ICON_NAME", "WM_CLASS",
                               "WM_WINDOW_ROLE", "_NET_WM_VISIBLE_NAME")
