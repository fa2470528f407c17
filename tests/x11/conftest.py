"""Client mode under a real X server: Xvfb, the openbox window manager and the real app.

The pytest process runs offscreen Qt (tests/conftest.py) and cannot switch platform, so the app
runs in a subprocess (tests/x11/driver.py) on a private Xvfb display with QT_QPA_PLATFORM=xcb;
the attacks come from outside it (xdotool, wmctrl, xrandr, other X clients), and what is on
screen is read from the X server and the window manager (tests/x11/harness.py).

Without the tools (Xvfb, openbox, xdotool, x11-utils, wmctrl, xrandr) or the X11 libraries of
Qt's xcb plugin these tests skip and say what is missing; `python3 dev.py test` installs them
on CI. Screenshots go to $TANDEM_X11_SHOTS when set, else to
a pytest temporary folder (its path is printed in the summary).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.x11.harness import AppProcess, Screen, XServer, missing_tools


@pytest.fixture(scope="session")
def x_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XServer]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"X11 client-mode tests need {', '.join(missing)} (on CI, as root, "
                    "`python3 dev.py test` installs them)")
    server = XServer(tmp_path_factory.mktemp("xvfb"))
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"Xvfb with openbox could not start here: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screen(x_server: XServer) -> Screen:
    return Screen(x_server)


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("TANDEM_X11_SHOTS")
    if wanted:
        folder = Path(wanted)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("x11-screens")


@pytest.fixture(scope="module")
def tandem(x_server: XServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The real app on the X display, unlocked on the demo vault, in client mode (ORS)."""
    home = tmp_path_factory.mktemp("x11-home")
    try:
        app = AppProcess(x_server, home, None)
    except RuntimeError as exc:
        if "Could not load the Qt platform plugin" in str(exc):
            pytest.skip("Qt's xcb platform plugin cannot load here (missing X11 libraries; "
                        "on CI `python3 dev.py test` installs them)")
        raise
    yield app
    app.stop()
