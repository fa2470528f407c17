"""A demo vault made once per test run and copied into each test's own data folder."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import UI
from tests.ui.settings.conftest import unlock


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ui.demo import ensure_demo_vault

    folder = tmp_path_factory.mktemp("demo-template") / "Demo.tandem"
    ensure_demo_vault(folder)
    return folder


@pytest.fixture
def demo_ui(ui: UI, demo_template: Path) -> UI:
    """The window unlocked on a copy of the demo vault, in this test's data folder."""
    from ui.demo import DEMO_PASSPHRASE

    shutil.copytree(demo_template, ui.session.paths.demo_vault)
    ui.session.open_demo()
    unlock(ui, DEMO_PASSPHRASE)
    ui.wait_idle()
    # The demo's unlock page shows its DEMO badge and passphrase note before they have a
    # parent, as tiny top-level windows for an instant, which takes activation away from the
    # main window (ui/pages/unlock.py; reported). Give it back so window shortcuts work.
    ui.window.activateWindow()
    ui.qtbot.waitUntil(ui.window.isActiveWindow)
    return ui


def open_palette(ui: UI) -> Any:
    from ui.search.palette import SearchPalette

    if not ui.window.isActiveWindow():
        # Offscreen Qt does not give the window its activation back when a dialog closes.
        ui.window.activateWindow()
        ui.qtbot.waitUntil(ui.window.isActiveWindow)
    target = ui.window.focusWidget() or ui.window
    ui.qtbot.keyClick(target, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    ui.qtbot.waitUntil(lambda: any(p.isVisible() for p in ui.window.findChildren(SearchPalette)))
    palette = next(p for p in ui.window.findChildren(SearchPalette) if p.isVisible())
    ui.qtbot.waitUntil(palette.query.hasFocus)
    return palette
