"""The app side of the X11 escape matrix: the real Tandem window under Xvfb, driven over stdin.

Run by tests/x11/conftest.py as `python -m tests.x11.driver` with DISPLAY set and
QT_QPA_PLATFORM=xcb (the pytest process itself runs offscreen Qt and cannot switch platform).
It builds the real window (`ui.app.build`), unlocks the demo vault by typing its passphrase into
the unlock page, sets a therapist PIN and starts client mode the way the therapist does (Note ▸
ORS on an open session). Then it answers one JSON command per line on stdin with one JSON line on
stdout; the attacks themselves (xdotool, wmctrl, xrandr, other X clients) come from outside.

The clocks are real plus an offset the test can move ("advance"), so the idle lock and the
sleep detection of `ui.inactivity` can be driven without waiting minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QRect, QSocketNotifier, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

PIN = "4827"
CLIENT = "Maya Okonkwo"
"""The demo client whose ORS the matrix runs; none of her data may ever be on screen."""


class ShiftedClock:
    """The real clocks plus offsets a test moves forward (idle time, a sleeping laptop)."""

    def __init__(self) -> None:
        self.mono_offset = 0.0
        self.wall_offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.mono_offset

    def wall(self) -> float:
        return time.time() + self.wall_offset

    def advance(self, seconds: float, *, slept: bool = False) -> None:
        self.wall_offset += seconds
        if not slept:
            self.mono_offset += seconds


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Run the event loop until `condition()` holds; False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def pump(seconds: float) -> None:
    """Let the event loop run for `seconds` (X events, timers, the WM's replies)."""
    wait_until(lambda: False, seconds)


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


class Driver:
    """The running application and the commands the tests send it."""

    def __init__(self) -> None:
        from ui.app import build

        self.clock = ShiftedClock()
        self.session, self.window = build(monotonic=self.clock.monotonic, wall=self.clock.wall)
        self.window.save_geometry_on_close = False
        self.app = QApplication.instance()
        self.intruder: QWidget | None = None
        self._buffer = b""
        self._notifier: QSocketNotifier | None = None

    # -- getting to client mode -----------------------------------------------------------

    def open_demo(self) -> None:
        from ui.demo import ensure_demo_vault

        ensure_demo_vault(self.session.paths.demo_vault)
        self.window.resize(1100, 700)
        self.window.show()
        self.session.open_demo()
        self.unlock()

    def unlock(self) -> None:
        """Type the passphrase into the unlock page, as the therapist does."""
        from ui.demo import DEMO_PASSPHRASE
        from ui.pages.unlock import UnlockPage
        from ui.pages.workspace import WorkspacePage

        self._require(lambda: isinstance(self.window.page, UnlockPage), "unlock page")
        page = self.window.page
        self._require(lambda: page.secret_edit.isEnabled() and page.secret_edit.isVisible(),
                      "unlock field")
        page.secret_edit.setFocus()
        QTest.keyClicks(page.secret_edit, DEMO_PASSPHRASE)
        QTest.keyClick(page.secret_edit, Qt.Key.Key_Return)
        self._require(lambda: isinstance(self.window.page, WorkspacePage), "workspace", 20)
        workspace = self.window.page
        self._require(lambda: workspace.client_model.loaded, "client list")

    def start_client_mode(self) -> None:
        """Open the client's latest session and press Note ▸ ORS (what the therapist does)."""
        from storage.pin_repo import pin_hash, set_pin

        vault = self.session.vault
        if pin_hash(vault).result() is None:
            set_pin(vault, PIN).result()
        page = self.window.page
        client = next(c for c in page.store.list_clients(text=CLIENT.split()[0]).result()
                      if c.name == CLIENT)
        page.open_client(int(client.id))
        record = page.record
        self._require(lambda: not record.is_loading and record.client is not None
                      and record.sessions_tab.editor is not None, "client record", 15)
        action = self.window.workspace_actions["start_ors"]
        self._require(action.isEnabled, "Note ▸ ORS enabled")
        action.trigger()
        runner = self.window.client_mode
        self._require(lambda: runner.controller.active, "client mode", 15)
        window = runner.controller.window
        self._require(lambda: window.isVisible() and window.windowHandle() is not None
                      and window.windowHandle().isExposed(), "client window exposed")
        pump(0.3)

    def _require(self, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        if not wait_until(condition, timeout):
            raise RuntimeError(f"timed out waiting for: {what}")

    # -- what is on screen ----------------------------------------------------------------

    @property
    def client(self) -> Any:
        return self.window.client_mode.controller.window

    def state(self) -> dict[str, Any]:
        """What the app believes: which window and page is up, where, and whether it has focus."""
        from ui.pages.unlock import UnlockPage
        from ui.pages.workspace import WorkspacePage

        client = self.client
        main = self.window
        page = main.page
        if isinstance(page, WorkspacePage):
            main_page = "workspace"
        elif isinstance(page, UnlockPage):
            main_page = "lock"
        else:
            main_page = type(page).__name__
        out: dict[str, Any] = {
            "client_mode": client is not None,
            "main_page": main_page,
            "main_title": main.windowTitle(),
            "main_win_id": int(main.winId()),
            "main_visible": main.isVisible(),
            "main_geometry": rect(main.frameGeometry()),
            "session_state": self.session.state.name,
            "monitor_running": self.session.monitor.idle_lock_active,
            "active_window": type(QApplication.activeWindow()).__name__
            if QApplication.activeWindow() else None,
            "screens": {s.name(): rect(s.geometry()) for s in QGuiApplication.screens()},
            "primary": QGuiApplication.primaryScreen().name(),
            "top_levels": [
                {"class": type(w).__name__, "title": w.windowTitle(), "win_id": int(w.winId()),
                 "geometry": rect(w.frameGeometry())}
                for w in QApplication.topLevelWidgets() if w.isVisible()],
        }
        if client is not None:
            state = client.windowState()
            handle = client.windowHandle()
            out.update({
                "page": client.page,
                "title": client.windowTitle(),
                "native_title": handle.title() if handle else None,
                "win_id": int(client.winId()),
                "visible": client.isVisible(),
                "exposed": bool(handle and handle.isExposed()),
                "full_screen": bool(state & Qt.WindowState.WindowFullScreen),
                "minimized": bool(state & Qt.WindowState.WindowMinimized),
                "is_active": client.isActiveWindow(),
                "geometry": rect(client.geometry()),
                "screen": client.screen().name() if client.screen() else None,
                "marks": [line.tenths for line in client.lines],
            })
        return out

    def grab(self, path: str) -> dict[str, Any]:
        """Capture the X server's root window (every screen) and compare it with our windows.

        `client_match` is the share of sampled pixels of each screen that are exactly what the
        client window itself renders at that place; `main_match` the same for the main window.
        """
        screens = QGuiApplication.screens()
        virtual = QGuiApplication.primaryScreen().virtualGeometry()
        # grabWindow(0) reads the root window from the X server: what is really on screen.
        shot = QGuiApplication.primaryScreen().grabWindow(
            0, virtual.x(), virtual.y(), virtual.width(), virtual.height()).toImage()
        shot = shot.convertToFormat(QImage.Format.Format_RGB32)
        shot.save(path)
        result: dict[str, Any] = {"path": path, "size": [shot.width(), shot.height()],
                                  "screens": {}}
        renders: dict[str, tuple[QImage, QRect] | None] = {"client": None, "main": None}
        if self.client is not None and self.client.isVisible():
            renders["client"] = (self.client.grab().toImage().convertToFormat(
                QImage.Format.Format_RGB32), self.client.geometry())
        if self.window.isVisible():
            renders["main"] = (self.window.grab().toImage().convertToFormat(
                QImage.Format.Format_RGB32), self.window.geometry())
        for screen in screens:
            area = screen.geometry().translated(-virtual.x(), -virtual.y())
            stats: dict[str, float] = {}
            for name, render in renders.items():
                stats[f"{name}_match"] = _match(shot, area, render)
                if render is not None:  # over the window's own part of this screen
                    own = render[1].translated(-virtual.x(), -virtual.y()).intersected(area)
                    stats[f"{name}_own_match"] = _match(shot, own, render) if own.isValid() \
                        else 0.0
            colours = set()
            for y in range(area.top(), area.bottom(), 37):
                for x in range(area.left(), area.right(), 23):
                    colours.add(shot.pixel(x, y))
            stats["colours"] = len(colours)
            result["screens"][screen.name()] = stats
        return result

    # -- commands -------------------------------------------------------------------------

    def cmd_state(self) -> dict[str, Any]:
        return self.state()

    def cmd_grab(self, path: str) -> dict[str, Any]:
        QApplication.processEvents()
        return self.grab(path)

    def cmd_settle(self, seconds: float = 0.3) -> dict[str, Any]:
        pump(seconds)
        return self.state()

    def cmd_wait_for(self, key: str, value: Any, timeout: float = 5.0) -> dict[str, Any]:
        wait_until(lambda: self.state().get(key) == value, timeout)
        return self.state()

    def guarded(self) -> bool:
        """The client window holds the screen: mapped, full screen, in front, focused."""
        client = self.client
        if client is None:
            return False
        handle = client.windowHandle()
        return bool(client.isVisible() and handle is not None and handle.isExposed()
                    and client.windowState() & Qt.WindowState.WindowFullScreen
                    and not client.windowState() & Qt.WindowState.WindowMinimized
                    and client.isActiveWindow())

    def cmd_wait_guarded(self, timeout: float = 3.0, settle: float = 0.25) -> dict[str, Any]:
        """Give the attack `settle` seconds to land, then wait for the window to hold again."""
        pump(settle)
        began = time.monotonic()
        wait_until(self.guarded, timeout)
        waited = time.monotonic() - began
        pump(0.1)  # the paint after the last change
        return {**self.state(), "guarded": self.guarded(), "waited": round(waited, 2)}

    def cmd_ensure(self) -> dict[str, Any]:
        """A clean start for the next attack: the blank form, nothing else of ours showing.

        A full reset (client mode ended and started again) only when the last attack left the
        window anything but guarded; marks are cleared as a timed SUDS does (a new reading).
        """
        self._close_extras()
        client = self.client
        if client is not None and self.guarded():
            if client.page == "exit":
                client.escape_pressed()
            if client.page != "form" or any(line.is_marked for line in client.lines):
                client.show_form_again()
            pump(0.05)
            if self.guarded() and client.page == "form":
                return self.state()
        return self.cmd_reset()

    def _close_extras(self) -> None:
        if self.intruder is not None:
            self.intruder.close()
            self.intruder.deleteLater()
            self.intruder = None
        self.session.prompts.close_all()

    def cmd_line_point(self, index: int, fraction: float) -> dict[str, Any]:
        """Where on the screen a point `fraction` along rating line `index` is."""
        line = self.client.lines[index]
        point = line.mapToGlobal(line.rect().topLeft())
        return {"x": point.x() + line.x0 + round(fraction * line.length),
                "y": point.y() + line.line_y()}

    def cmd_exit_panel(self) -> dict[str, Any]:
        panel = self.client.exit_panel
        wait_until(lambda: not panel.busy, 15)
        return {"busy": panel.busy, "message": panel.message.text() if panel.message.isVisible()
                else "", "mode": panel.mode}

    def cmd_wait_main(self, page: str, timeout: float = 15.0) -> dict[str, Any]:
        """Wait until client mode is over and the main window shows `page`."""
        wait_until(lambda: self.client is None and self.state()["main_page"] == page, timeout)
        pump(0.3)
        return self.state()

    def cmd_reset(self) -> dict[str, Any]:
        """Back to a fresh client mode on the form page (whatever the last scenario did)."""
        from ui.pages.unlock import UnlockPage

        self._close_extras()
        if self.client is not None:
            self.window.client_mode.abort()  # only the app may do this (it does when quitting)
            self._require(lambda: self.client is None, "client mode ended")
        if isinstance(self.window.page, UnlockPage):
            self.unlock()
        self.start_client_mode()
        pump(0.2)
        return self.state()

    def cmd_intruder(self) -> dict[str, Any]:
        """Another Tandem top-level window asks for the screen (a message popping up)."""
        widget = QWidget(None, Qt.WindowType.Window)
        widget.setWindowTitle("Intruder")
        layout = QVBoxLayout(widget)
        layout.addWidget(QLabel("A second top-level window of the app, raised and activated."))
        widget.setStyleSheet("background: #ff00ff;")
        widget.setGeometry(100, 100, 500, 300)
        widget.show()
        widget.raise_()
        widget.activateWindow()
        self.intruder = widget
        pump(0.3)
        return self.state()

    def cmd_message(self) -> dict[str, Any]:
        """The app's own prompt path shows a message (e.g. a background job reporting)."""
        self.session.prompts.inform(self.window, "Backup", "The automatic backup finished.")
        pump(0.3)
        return self.state()

    def cmd_advance(self, seconds: float, slept: bool = False) -> dict[str, Any]:
        if slept:
            self.clock.advance(seconds, slept=True)
        else:  # awake time passes tick by tick: one jump of minutes would look like a sleep
            left = seconds
            while left > 0:
                self.clock.advance(min(20.0, left))
                self.session.monitor.check()
                left -= 20.0
        pump(1.3)  # the inactivity monitor checks once a second
        return self.state()

    def cmd_lock(self, reason: str) -> dict[str, Any]:
        """The session locks as it does on the OS screen lock or a suspend signal."""
        self.session.lock(reason)
        pump(0.3)
        return self.state()

    def cmd_lock_minutes(self) -> dict[str, Any]:
        snapshot = self.session.snapshot
        return {"minutes": snapshot.lock_after_minutes if snapshot else None}

    def cmd_present_on(self, name: str) -> dict[str, Any]:
        """Move the client window to the named screen (the therapist's screen choice)."""
        from ui.client_mode import screen_by_name

        self.client.present(screen_by_name(name))
        pump(0.5)
        return self.state()

    def cmd_quit(self) -> dict[str, Any]:
        self.window.client_mode.abort()
        self.window.close()
        self.session.shutdown()
        self.app.quit()
        return {"bye": True}

    # -- the line protocol ----------------------------------------------------------------

    def serve(self) -> None:
        self._notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._readable)
        reply({"ready": True, **self.state()})

    def _readable(self) -> None:
        assert self._notifier is not None
        data = os.read(sys.stdin.fileno(), 65536)
        if not data:
            self._notifier.setEnabled(False)
            self.cmd_quit()
            return
        self._buffer += data
        self._notifier.setEnabled(False)
        try:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                request = json.loads(line)
                name = request.pop("cmd")
                try:
                    result = getattr(self, f"cmd_{name}")(**request)
                except Exception as exc:  # reported to the test, which fails with it
                    result = {"error": f"{type(exc).__name__}: {exc}",
                              "trace": traceback.format_exc()}
                reply(result)
                if name == "quit":
                    return
        finally:
            self._notifier.setEnabled(True)


def _match(shot: QImage, area: QRect, render: tuple[QImage, QRect] | None) -> float:
    """Share of sampled pixels of `area` in `shot` equal to `render` painted at its place."""
    if render is None:
        return 0.0
    image, where = render
    same = total = 0
    for y in range(area.top(), area.bottom() + 1, 9):
        for x in range(area.left(), area.right() + 1, 7):
            total += 1
            rx, ry = x - where.x(), y - where.y()
            if 0 <= rx < image.width() and 0 <= ry < image.height() \
                    and image.pixel(rx, ry) == shot.pixel(x, y):
                same += 1
    return round(same / total, 4) if total else 0.0


def reply(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main() -> int:
    import keyring

    from storage import keychain
    from tests.support.memory_keyring import QUALNAME, MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # no desktop keychain under Xvfb
    keychain.TRUSTED_BACKENDS = keychain.TRUSTED_BACKENDS | {QUALNAME}
    if QGuiApplication.platformName() not in ("", "xcb") or os.environ.get(
            "QT_QPA_PLATFORM") != "xcb":
        print("driver: needs QT_QPA_PLATFORM=xcb", file=sys.stderr)
        return 2
    template = os.environ.get("TANDEM_X11_DEMO_TEMPLATE")
    driver = Driver()
    if template and not driver.session.paths.demo_vault.exists():
        shutil.copytree(template, driver.session.paths.demo_vault)
    try:
        driver.open_demo()
        driver.start_client_mode()
    except Exception as exc:
        reply({"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()})
        return 1
    driver.serve()
    return int(driver.app.exec())


if __name__ == "__main__":
    sys.exit(main())
