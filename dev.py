#!/usr/bin/env python3
"""Developer entry point: set up `.venv` from the hashed lock file, then run, test or bench Tandem.

Standard library only, so it works on a fresh Linux, macOS or Windows machine with Python 3.11+:

    python3 dev.py run [ARGS...]   set up, then start Tandem (the demo vault when no ARGS)
    python3 dev.py test [ARGS...]  set up, then run the whole suite headless (ARGS go to pytest)
    python3 dev.py bench [ARGS...] set up, then run the benchmarks on the ten-year vault
    python3 dev.py bundle          set up, then build the one-folder application bundle
    python3 dev.py lock            re-resolve requirements.lock (maintainers; needs `uv`)

The environment is rebuilt only when `requirements.lock` or `pyproject.toml` changed: a stamp file
in `.venv` records the SHA-256 of both, so a second run with an unchanged lock installs nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
STAMP = VENV / ".tandem-setup.sha256"
MIN_PYTHON = (3, 11)


def _venv_bin(name: str) -> Path:
    """Path of an executable inside the venv, on POSIX or Windows."""
    if os.name == "nt":
        exe = name if name.endswith(".exe") else name + ".exe"
        return VENV / "Scripts" / exe
    return VENV / "bin" / name


def _setup_fingerprint() -> str:
    """Hash of everything that decides what is installed: the lock and the project metadata."""
    digest = hashlib.sha256()
    for path in (LOCK, PYPROJECT):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(".".join(map(str, sys.version_info[:2])).encode())
    return digest.hexdigest()


def _run(cmd: list[str], **kwargs: object) -> None:
    """Run a set-up step; stop with its exit code and the command shown if it fails."""
    result = subprocess.run(cmd, cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        print(f"dev.py: set-up step failed ({result.returncode}): {' '.join(cmd)}", file=sys.stderr)
        sys.exit(result.returncode)


def _venv_python_works() -> bool:
    """True when the venv's interpreter exists and starts (a moved or upgraded Python breaks it)."""
    python = _venv_bin("python")
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-c", "import sys"], capture_output=True, check=False)
    return probe.returncode == 0


def ensure_environment() -> Path:
    """Create or refresh `.venv` from the lock file; return the venv's Python."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"dev.py: Tandem needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; "
                 f"this is {sys.version.split()[0]}.")
    fingerprint = _setup_fingerprint()
    if _venv_python_works() and STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return _venv_bin("python")

    if not _venv_python_works():
        if VENV.exists():
            shutil.rmtree(VENV)
        print("dev.py: creating .venv …", flush=True)
        _run([sys.executable, "-m", "venv", str(VENV)])
    STAMP.unlink(missing_ok=True)
    python = str(_venv_bin("python"))
    print("dev.py: installing the locked dependencies (hash-checked) …", flush=True)
    quiet = ["--quiet", "--disable-pip-version-check", "--no-input", "--progress-bar", "off"]
    _run([python, "-m", "pip", "install", *quiet, "--require-hashes", "--no-deps",
          "-r", str(LOCK)])
    print("dev.py: installing Tandem itself (editable) …", flush=True)
    _run([python, "-m", "pip", "install", *quiet, "--no-deps", "--no-build-isolation",
          "--no-index", "--editable", str(ROOT)])
    STAMP.write_text(fingerprint + "\n")
    return _venv_bin("python")


def _exec(cmd: list[str], env: dict[str, str] | None = None) -> int:
    """Run the real command in the foreground and hand back its exit code."""
    try:
        return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 130


def cmd_run(args: list[str]) -> int:
    """Start Tandem; with no arguments it opens the demo vault."""
    ensure_environment()
    return _exec([str(_venv_bin("tandem")), *(args or ["--demo"])])


SYSTEM_TOOLS = {"Xvfb": "xvfb", "openbox": "openbox", "xdotool": "xdotool",
                "xwininfo": "x11-utils", "xrandr": "x11-xserver-utils", "wmctrl": "wmctrl",
                "pdftoppm": "poppler-utils"}
"""Programs the X11 client-mode tests and the PDF render checks use, and their Debian packages."""
QT_XCB_LIBS = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4",
               "xcb-keysyms": "libxcb-keysyms1", "xcb-image": "libxcb-image0",
               "xcb-render-util": "libxcb-render-util0", "xcb-randr": "libxcb-randr0",
               "xcb-shape": "libxcb-shape0", "xcb-xkb": "libxcb-xkb1",
               "xkbcommon-x11": "libxkbcommon-x11-0", "X11-xcb": "libx11-xcb1"}
"""Libraries Qt's X11 platform plugin loads (the app runs on Xvfb with QT_QPA_PLATFORM=xcb)."""


def ensure_system_tools() -> None:
    """On CI (or TANDEM_INSTALL_SYSTEM_TOOLS=1) as root with apt-get: install missing X11/PDF tools.

    CI starts on a clean machine; without these the X11 escape tests would only skip. Failure is
    not fatal: the tests that need a tool then skip and say which one is missing.
    """
    wanted = bool(os.environ.get("CI")) or os.environ.get("TANDEM_INSTALL_SYSTEM_TOOLS") == "1"
    if (not wanted or sys.platform != "linux" or os.geteuid() != 0
            or shutil.which("apt-get") is None):
        return
    import ctypes.util

    missing = sorted({pkg for tool, pkg in SYSTEM_TOOLS.items() if shutil.which(tool) is None}
                     | {pkg for lib, pkg in QT_XCB_LIBS.items()
                        if ctypes.util.find_library(lib) is None})
    if not missing:
        return
    print(f"dev.py: installing system tools for the X11 tests: {' '.join(missing)} …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]):
        try:
            done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, check=False, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            print(f"dev.py: could not install system tools ({exc}); X11 tests will skip.",
                  file=sys.stderr)
            return
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            print(f"dev.py: {' '.join(cmd[:2])} failed ({done.returncode}) {' '.join(tail)}; "
                  "X11 tests will skip.", file=sys.stderr)
            return


def cmd_test(args: list[str]) -> int:
    """Run the whole suite headless; pytest's 'no tests collected' is a failure here."""
    python = ensure_environment()
    ensure_system_tools()
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return _exec([str(python), "-m", "pytest", *args], env=env)


def cmd_bench(args: list[str]) -> int:
    """Run the benchmarks; they print figures and assert nothing."""
    python = ensure_environment()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return _exec([str(python), str(ROOT / "bench" / "run_all.py"), *args], env=env)


def cmd_bundle(args: list[str]) -> int:
    """Build the one-folder bundle for this platform (see installer/README.md)."""
    python = ensure_environment()
    return _exec([str(python), str(ROOT / "installer" / "build.py"), *args])


def cmd_lock(args: list[str]) -> int:
    """Re-resolve the lock for every platform with hashes (maintainers only; needs uv)."""
    uv = shutil.which("uv")
    if uv is None:
        print("dev.py lock: needs `uv` on PATH (pip install uv).", file=sys.stderr)
        return 2
    return _exec([uv, "pip", "compile", str(PYPROJECT), "--extra", "dev", "--universal",
                  "--generate-hashes", "--python-version", "3.11", "--no-header",
                  "-o", str(LOCK), *args])


COMMANDS = {"run": cmd_run, "test": cmd_test, "bench": cmd_bench, "bundle": cmd_bundle,
            "lock": cmd_lock}


def main(argv: list[str]) -> int:
    """Dispatch `dev.py COMMAND [ARGS...]`."""
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
