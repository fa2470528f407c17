"""The window's composition root: the QApplication, per-computer settings, session and window.

`run_gui` decides which vault to show: `--vault PATH`, `--demo`, the last vault used on this
computer, or the first-run page. `--demo --screenshot FILE` opens and unlocks the demo vault
without any dialog, opens a client and a note, paints the window at 1280×800, saves it as a PNG
and exits.

Start-up stays fast: Qt and the pages are imported here, inside functions, and nothing touches the
keychain before the first paint.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.dialogs.prompts import Prompts
    from ui.main_window import MainWindow
    from ui.paths import AppPaths
    from ui.session import Session

SCREENSHOT_SIZE = (1280, 800)


def no_desktop() -> bool:
    """True on Linux/BSD with no X11 or Wayland display and no platform chosen (SSH, CI)."""
    import os

    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def application() -> QApplication:
    """The QApplication (created once), named and styled."""
    from PySide6.QtWidgets import QApplication

    from app.resources import resource_dir
    from ui.widgets.style import apply_style

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Tandem")
    # Wayland matches windows to the .desktop file (and its icon) by this id.
    app.setDesktopFileName("org.tandempractice.Tandem")
    icon = resource_dir() / "icons" / "tandem.svg"
    if icon.exists():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    apply_style(app)
    return app


def build(paths: AppPaths | None = None, *, prompts: Prompts | None = None,
          monotonic: Callable[[], float] = time.monotonic,
          wall: Callable[[], float] = time.time) -> tuple[Session, MainWindow]:
    """Make the session and main window (tests call this with fake clocks and prompts)."""
    from ui.local_settings import LocalSettings
    from ui.main_window import MainWindow
    from ui.paths import AppPaths
    from ui.session import Session

    application()
    paths = paths or AppPaths.from_environment()
    session = Session(paths, LocalSettings(paths.settings_file), prompts=prompts,
                      monotonic=monotonic, wall=wall)
    window = MainWindow(session)
    return session, window


def run_gui(vault: Path | None = None, demo: bool = False,
            screenshot: Path | None = None) -> int:
    """Start the window; returns the exit code."""
    if screenshot is not None:
        if no_desktop():  # a screenshot needs no screen: paint off-screen (CI, SSH)
            import os

            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return take_screenshot(screenshot, vault)
    if no_desktop():
        print("tandem: no desktop session to show the window on (neither DISPLAY nor "
              "WAYLAND_DISPLAY is set). Start Tandem from the desktop, or use the command-line "
              "commands (tandem --help).", file=sys.stderr)
        return 2
    app = application()
    session, window = build()
    # A quit that bypasses the window's close (the macOS application menu) still closes the vault.
    app.aboutToQuit.connect(session.shutdown)
    window.show()
    session.start(vault=vault, demo=demo)
    return int(app.exec())


def take_screenshot(target: Path, vault: Path | None = None, *,
                    paths: AppPaths | None = None, timeout: float = 20.0) -> int:
    """Unlock the demo vault synchronously, paint the main window, save it as PNG."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt

    from app.errors import UsageError
    from ui.demo import open_demo
    from ui.pages.workspace import WorkspacePage
    from ui.paths import AppPaths

    app = application()
    paths = paths or AppPaths.from_environment()
    if vault is not None and vault.resolve() != paths.demo_vault.resolve():
        raise UsageError("--screenshot unlocks without asking, so it works with --demo only.")
    session, window = build(paths)
    window.save_geometry_on_close = False
    try:
        opened = open_demo(paths.demo_vault)
        try:
            session.adopt_open_vault(opened)
        except BaseException:
            opened.close()
            raise
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        window.resize(*SCREENSHOT_SIZE)
        window.show()
        deadline = time.monotonic() + timeout
        page = window.page
        asked = False
        while time.monotonic() < deadline:
            app.processEvents()
            if isinstance(page, WorkspacePage):
                # The workspace as a therapist sees it: a client open, a note on screen.
                if not asked and page.client_model.loaded:
                    page.show_example()
                    asked = True
                if asked and page.example_ready:
                    break
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(target), "PNG"):
            raise UsageError(f"Could not write the screenshot to {target}.")
    finally:
        window.close()
    return 0
