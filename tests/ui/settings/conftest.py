"""Helpers for the Settings, backup and shortcuts tests: an unlocked window, the dialog."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.conftest import PASSPHRASE
from tests.ui.conftest import UI, ClosedVault


def unlock(ui: UI, passphrase: str = PASSPHRASE) -> Any:
    """Type the passphrase, press Enter, wait for the workspace and the background work."""
    from ui.pages.unlock import UnlockPage
    from ui.pages.workspace import WorkspacePage

    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, passphrase)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    workspace = ui.wait_for_page(WorkspacePage)
    ui.wait_idle()
    return workspace


@pytest.fixture
def unlocked(ui: UI, closed_vault: ClosedVault) -> UI:
    ui.session.show_vault(closed_vault.folder)
    unlock(ui)
    return ui


def open_settings(ui: UI, tab: int | None = None) -> Any:
    from ui.dialogs.settings import SettingsDialog

    ui.window.settings_action.trigger()
    dialog = ui.window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    ui.qtbot.waitUntil(lambda: dialog.loaded)
    if tab is not None:
        dialog.tabs.setCurrentIndex(tab)
    return dialog
