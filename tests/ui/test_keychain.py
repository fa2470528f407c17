"""'Remember on this computer': opt-in, offered as a button, forgettable, off without a keychain."""

from __future__ import annotations

import base64

import pytest
from PySide6.QtCore import Qt

from storage import keychain
from tests.conftest import PASSPHRASE
from tests.ui.conftest import UI, ClosedVault
from ui.pages.unlock import NO_KEYCHAIN_TIP, UnlockPage
from ui.pages.workspace import WorkspacePage


def remember_and_unlock(ui: UI, closed_vault: ClosedVault) -> WorkspacePage:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.keychain_checked)
    assert page.remember_box.isEnabled()
    assert not page.keychain_button.isVisible()  # nothing remembered yet
    ui.qtbot.mouseClick(page.remember_box, Qt.MouseButton.LeftButton)
    assert page.remember_box.isChecked()
    ui.qtbot.keyClicks(page.secret_edit, PASSPHRASE)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    return ui.open_overview(ui.wait_for_page(WorkspacePage))


def test_remember_stores_the_key_in_the_keychain(ui: UI, closed_vault: ClosedVault,
                                                 memory_keyring) -> None:
    workspace = remember_and_unlock(ui, closed_vault)
    stored = memory_keyring.store[(keychain.SERVICE, closed_vault.vault_id)]
    assert base64.b64decode(stored) == ui.session.vault.remembered_key()
    events = [workspace.model.index(r, 1).data() for r in range(workspace.model.rowCount())]
    assert "Remembered on this computer" in events
    ui.wait_idle()
    assert ui.window.forget_action.isEnabled()


def test_keychain_unlock_is_offered_not_automatic(ui: UI, closed_vault: ClosedVault) -> None:
    remember_and_unlock(ui, closed_vault)
    ui.session.lock()
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.keychain_button.isVisible())
    ui.wait_idle()
    assert ui.session.vault is None  # offered, never used by itself
    ui.qtbot.mouseClick(page.keychain_button, Qt.MouseButton.LeftButton)
    workspace = ui.open_overview(ui.wait_for_page(WorkspacePage))
    assert workspace.model.index(0, 2).data() == "with this computer's keychain"


def test_forget_removes_the_key(ui: UI, closed_vault: ClosedVault, memory_keyring) -> None:
    remember_and_unlock(ui, closed_vault)
    ui.wait_idle()
    ui.window.forget_action.trigger()
    ui.qtbot.waitUntil(lambda: (keychain.SERVICE, closed_vault.vault_id)
                       not in memory_keyring.store)
    ui.wait_idle()
    assert not ui.window.forget_action.isEnabled()
    assert ui.prompts.shown[-1][0] == "Forgotten on this computer"
    assert isinstance(ui.page, WorkspacePage)
    workspace = ui.page.overview
    ui.qtbot.waitUntil(lambda: workspace.model.index(0, 1).data() == "Forgotten on this computer")
    ui.session.lock()
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.keychain_checked)
    assert not page.keychain_button.isVisible()


def test_forget_works_from_the_lock_screen(ui: UI, closed_vault: ClosedVault,
                                           memory_keyring) -> None:
    remember_and_unlock(ui, closed_vault)
    ui.session.lock()
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.keychain_button.isVisible())
    ui.window.forget_action.trigger()
    ui.qtbot.waitUntil(lambda: not page.keychain_button.isVisible())
    assert (keychain.SERVICE, closed_vault.vault_id) not in memory_keyring.store


def test_a_key_that_vanished_says_so(ui: UI, closed_vault: ClosedVault, memory_keyring) -> None:
    remember_and_unlock(ui, closed_vault)
    ui.session.lock()
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.keychain_button.isVisible())
    memory_keyring.store.clear()  # e.g. the keychain was reset behind Tandem's back
    ui.qtbot.mouseClick(page.keychain_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: page.error.isVisible())
    assert "Nothing is remembered" in page.error.text()
    ui.qtbot.waitUntil(lambda: not page.keychain_button.isVisible())


def test_without_a_secure_keychain_the_option_is_disabled(ui: UI, closed_vault: ClosedVault,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keychain, "TRUSTED_BACKENDS", frozenset())
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.keychain_checked)
    assert not page.remember_box.isEnabled()
    assert page.remember_box.toolTip() == NO_KEYCHAIN_TIP
    assert page.remember_help.text() == NO_KEYCHAIN_TIP
    assert not page.keychain_button.isVisible()
    ui.unlock()
    assert not ui.window.forget_action.isEnabled()
