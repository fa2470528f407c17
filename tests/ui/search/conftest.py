"""A demo vault made once per test run and copied into each test's own data folder."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import UI


@pytest.fixture
def demo_ui(demo: UI) -> UI:
    """The window unlocked on a copy of the demo vault (the shared `demo` fixture)."""
    return demo


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
