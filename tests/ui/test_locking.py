"""Locking: Ctrl+L, inactivity, sleep. The lock screen replaces everything that showed the vault."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from storage import settings_repo
from tests.conftest import PASSPHRASE
from tests.ui.conftest import PRACTICE_NAME, UI, ClosedVault
from ui.dialogs.change_passphrase import ChangePassphraseDialog
from ui.dialogs.vault_settings import VaultSettingsDialog
from ui.pages.unlock import UnlockPage
from ui.pages.workspace import WorkspacePage


def assert_nothing_of_the_vault_is_left(ui: UI) -> None:
    texts = "\n".join(ui.visible_texts())
    assert PRACTICE_NAME not in texts
    assert "Vault created" not in texts
    assert "Vault unlocked" not in texts
    assert not ui.window.findChildren(WorkspacePage)
    assert not ui.window.findChildren(QDialog)
    assert ui.window.windowTitle() == "Tandem"


def test_ctrl_l_locks_and_tears_the_workspace_down(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock()
    overview = ui.open_overview(workspace)
    vault = ui.session.vault
    assert PRACTICE_NAME in "\n".join(ui.visible_texts())
    assert "Vault created" in "\n".join(ui.visible_texts())

    ui.qtbot.keyClick(overview.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    page = ui.wait_for_page(UnlockPage)
    assert_nothing_of_the_vault_is_left(ui)  # at once, before Qt's deferred delete ran
    ui.qtbot.waitUntil(lambda: not shiboken6.isValid(workspace))  # then really deleted
    ui.qtbot.waitUntil(lambda: vault.closed)
    assert ui.session.vault is None
    assert page.secret_edit.hasFocus() or page.secret_edit.isVisible()
    assert not ui.window.lock_action.isEnabled()
    assert not ui.window.backup_action.isEnabled()
    assert ui.window.state_label.text() == "Locked"


def test_lock_audits_and_unlocking_again_rebuilds(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    first = ui.unlock()
    ui.window.lock_action.trigger()
    ui.wait_for_page(UnlockPage)
    second = ui.unlock()
    assert second is not first
    second = ui.open_overview(second)
    events = [second.model.index(r, 1).data() for r in range(second.model.rowCount())]
    assert events[:3] == ["Vault unlocked", "Vault locked", "Vault unlocked"]
    assert second.title.text() == PRACTICE_NAME


def test_lock_button_on_the_workspace(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock_to_overview()
    ui.qtbot.mouseClick(workspace.lock_button, Qt.MouseButton.LeftButton)
    ui.wait_for_page(UnlockPage)
    assert_nothing_of_the_vault_is_left(ui)


def test_idle_lock_after_the_configured_minutes(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    monitor = ui.session.monitor
    assert monitor.running
    for _ in range(29):  # 4 min 50 s, in ten-second ticks
        ui.clock.advance(10)
        monitor.check()
    assert ui.session.vault is not None
    ui.clock.advance(10)
    monitor.check()
    page = ui.wait_for_page(UnlockPage)
    assert "5 minutes without activity" in page.reason.text()
    assert page.reason.isVisible()
    assert_nothing_of_the_vault_is_left(ui)


def test_input_resets_the_idle_time(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock()
    monitor = ui.session.monitor
    for _ in range(24):  # 4 minutes
        ui.clock.advance(10)
        monitor.check()
    ui.qtbot.keyClick(workspace.client_list.table, Qt.Key.Key_Down)
    for _ in range(24):  # 4 more minutes: 8 in all, but only 4 since the key press
        ui.clock.advance(10)
        monitor.check()
    assert isinstance(ui.page, WorkspacePage)
    for _ in range(6):
        ui.clock.advance(10)
        monitor.check()
    ui.wait_for_page(UnlockPage)


def test_sleep_locks(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    ui.clock.advance(1)
    ui.session.monitor.check()
    ui.clock.advance(90, slept=True)  # the wall clock moved, the monotonic clock did not
    ui.session.monitor.check()
    page = ui.wait_for_page(UnlockPage)
    assert "went to sleep" in page.reason.text()


def test_sleep_does_not_lock_when_switched_off(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    settings_repo.put(ui.session.vault, "lock.on_suspend", False)
    ui.window.lock_action.trigger()
    ui.unlock()
    assert ui.session.snapshot.lock_on_suspend is False
    ui.clock.advance(90, slept=True)
    ui.session.monitor.check()
    assert isinstance(ui.page, WorkspacePage)


def test_settings_dialog_changes_the_idle_limit(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    ui.window.settings_action.trigger()
    dialog = ui.window.findChild(VaultSettingsDialog)
    assert dialog is not None and dialog.minutes.value() == 5
    dialog.minutes.selectAll()
    ui.qtbot.keyClicks(dialog.minutes, "2")
    dialog.on_suspend.setChecked(False)
    with ui.qtbot.waitSignal(dialog.accepted):
        ui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert settings_repo.get(ui.session.vault, "lock.after_minutes") == 2
    assert settings_repo.get(ui.session.vault, "lock.on_suspend") is False
    assert ui.session.snapshot.lock_after_minutes == 2
    for _ in range(12):
        ui.clock.advance(10)
        ui.session.monitor.check()
    page = ui.wait_for_page(UnlockPage)
    assert "2 minutes" in page.reason.text()


def test_settings_dialog_refuses_out_of_range_values(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    ui.window.settings_action.trigger()
    dialog = ui.window.findChild(VaultSettingsDialog)
    assert (dialog.minutes.minimum(), dialog.minutes.maximum()) == (1, 120)


def test_locking_closes_open_dialogs(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    ui.window.passphrase_action.trigger()
    dialog = ui.window.findChild(ChangePassphraseDialog)
    assert dialog is not None and dialog.isVisible()
    ui.qtbot.keyClicks(dialog.current_edit, PASSPHRASE)
    ui.window.show_about()
    assert ui.prompts.open_boxes
    ui.session.lock("idle")
    ui.wait_for_page(UnlockPage)
    assert not ui.window.findChildren(QDialog)
    assert not ui.prompts.open_boxes
    assert dialog.current_edit.text() == "" if shiboken6.isValid(dialog) else True


def test_ctrl_l_works_while_a_dialog_has_focus(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    ui.window.settings_action.trigger()
    dialog = ui.window.findChild(VaultSettingsDialog)
    dialog.activateWindow()
    ui.qtbot.waitUntil(dialog.isActiveWindow)
    ui.qtbot.keyClick(dialog.minutes, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    ui.wait_for_page(UnlockPage)
    assert not ui.window.findChildren(QDialog)


def test_closing_the_window_closes_the_vault(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    vault = ui.session.vault
    ui.window.close()
    assert vault.closed
    assert ui.session.vault is None


def test_lock_while_the_recovery_key_is_shown(ui: UI, tmp_path) -> None:
    from ui.pages.recovery_key import RecoveryKeyPage

    ui.session.create_vault(tmp_path / "Fresh.tandem", PRACTICE_NAME, PASSPHRASE,
                            lambda message: None)
    page = ui.wait_for_page(RecoveryKeyPage)
    groups = ui.session.recovery_key_groups
    ui.session.lock()
    ui.wait_for_page(UnlockPage)
    assert not shiboken6.isValid(page) or all(not label.text() for label in page.group_labels)
    texts = "\n".join(ui.visible_texts())
    assert not any(group in texts for group in groups)
    assert ui.session.recovery_key_groups == []
