"""Vault actions from the menus: back up, verify, change passphrase, about, shortcuts, titles."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from app.version import __version__
from storage.backup import EXTENSION
from tests.conftest import PASSPHRASE
from tests.ui.conftest import PRACTICE_NAME, UI, ClosedVault
from ui.dialogs.change_passphrase import ChangePassphraseDialog
from ui.dialogs.shortcuts import ShortcutsDialog
from ui.dialogs.verify_report import VerifyReportDialog
from ui.pages.unlock import UnlockPage

NEW_PASSPHRASE = "violet kettle orbit meadow 42"


def test_back_up_now(ui: UI, closed_vault: ClosedVault, tmp_path: Path) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock_to_overview()
    assert workspace.backup_value.text().startswith("Never")
    target = tmp_path / "backups"
    ui.prompts.queue_folder(target)
    ui.window.backup_action.trigger()
    assert ui.window.busy_bar.isVisible() or ui.session.tasks.pending == 0
    ui.qtbot.waitUntil(lambda: any(t == "Backup made" for t, _ in ui.prompts.shown))
    files = list(target.glob(f"*{EXTENSION}"))
    assert len(files) == 1
    assert files[0].name in ui.prompts.shown[-1][1]
    ui.qtbot.waitUntil(lambda: not workspace.backup_value.text().startswith("Never"))
    ui.qtbot.waitUntil(lambda: workspace.model.index(0, 1).data() == "Backup made")
    assert not ui.window.busy_bar.isVisible()


def test_back_up_cancelled_does_nothing(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    ui.prompts.queue_folder(None)
    ui.window.backup_action.trigger()
    assert ui.session.tasks.pending == 0
    assert ui.prompts.shown == []


def test_back_up_default_folder(ui: UI, closed_vault: ClosedVault, monkeypatch) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    asked: list[Path] = []

    def choose(_parent: QWidget, _title: str, start: Path) -> Path | None:
        asked.append(start)
        return None

    monkeypatch.setattr(ui.prompts, "choose_folder", choose)
    ui.window.backup_action.trigger()
    assert asked == [ui.session.paths.data_dir / "Backups"]


def test_verify_shows_each_check(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock_to_overview()
    ui.qtbot.mouseClick(workspace.verify_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(VerifyReportDialog) is not None)
    dialog = ui.window.findChild(VerifyReportDialog)
    assert len(dialog.rows) == 5
    assert all(passed for _check, passed, _text in dialog.rows)
    ui.qtbot.waitUntil(lambda: workspace.model.index(0, 1).data() == "Vault verified")


def test_change_passphrase(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    ui.window.passphrase_action.trigger()
    dialog = ui.window.findChild(ChangePassphraseDialog)
    assert not dialog.change_button.isEnabled()
    ui.qtbot.keyClicks(dialog.current_edit, "wrong current passphrase")
    ui.qtbot.keyClicks(dialog.new_edit, "short")
    assert not dialog.change_button.isEnabled()
    assert "not strong enough" in dialog.meter.verdict.text()
    dialog.new_edit.clear()
    ui.qtbot.keyClicks(dialog.new_edit, NEW_PASSPHRASE)
    ui.qtbot.keyClicks(dialog.repeat_edit, NEW_PASSPHRASE)
    assert dialog.change_button.isEnabled()
    ui.qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert "passphrase" in dialog.error.text().lower()
    assert dialog.current_edit.text() == ""
    ui.qtbot.keyClicks(dialog.current_edit, PASSPHRASE)
    with ui.qtbot.waitSignal(dialog.accepted, timeout=10000):
        ui.qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert ui.prompts.shown[-1][0] == "Passphrase changed"

    ui.window.lock_action.trigger()
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, PASSPHRASE)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: page.error.isVisible())
    ui.unlock(NEW_PASSPHRASE)


def test_menus_show_their_shortcuts(ui: UI) -> None:
    window = ui.window
    expected = {window.lock_action: "Ctrl+L", window.quit_action: "Ctrl+Q",
                window.open_vault_action: "Ctrl+O",
                window.workspace_actions["new_session"]: "Ctrl+N"}
    for action, keys in expected.items():
        assert action.shortcut() == QKeySequence(keys)
    assert window.new_vault_action.shortcut().isEmpty()  # Ctrl+N is New session
    file_menu = [a.text() for a in window.menus["file"].actions() if a.text()]
    assert file_menu == ["&New vault…", "&Open vault…", "&Lock now", "&Quit"]
    vault_menu = [a.text() for a in window.menus["vault"].actions() if a.text()]
    assert vault_menu == ["Vault &overview", "&Back up now…", "&Verify vault", "Caseload &report…",
                          "&Change passphrase…", "&Forget on this computer", "&Settings…"]
    help_menu = [a.text() for a in window.menus["help"].actions()]
    assert help_menu == ["&Keyboard shortcuts", "&About Tandem"]


def test_ctrl_q_quits(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock()
    vault = ui.session.vault
    ui.qtbot.keyClick(workspace.client_list.table, Qt.Key.Key_Q,
                      Qt.KeyboardModifier.ControlModifier)
    assert not ui.window.isVisible()
    assert vault.closed


def test_about_names_the_version(ui: UI) -> None:
    ui.window.about_action.trigger()
    title, text = ui.prompts.shown[-1]
    assert title == "About Tandem"
    assert __version__ in text


def test_shortcuts_dialog_lists_the_keys(ui: UI) -> None:
    ui.window.shortcuts_action.trigger()
    dialog = ui.window.findChild(ShortcutsDialog)
    table = dialog.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Lock now"] == QKeySequence("Ctrl+L").toString(
        QKeySequence.SequenceFormat.NativeText)


def test_titles_hold_only_tandem_and_the_vault_name(ui: UI, closed_vault: ClosedVault) -> None:
    allowed = {"Tandem", f"Tandem — {PRACTICE_NAME}"}
    seen = []

    def record() -> None:
        seen.append(ui.window.windowTitle())

    ui.session.state_changed.connect(record)
    ui.session.start()
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    record()
    ui.window.lock_action.trigger()
    ui.wait_for_page(UnlockPage)
    record()
    assert set(seen) <= allowed
    assert f"Tandem — {PRACTICE_NAME}" in seen
    for dialog_title in ("Change passphrase", "Vault settings", "Keyboard shortcuts",
                         "Verify vault"):
        assert PRACTICE_NAME not in dialog_title


def test_vault_actions_need_an_unlocked_vault(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.wait_for_page(UnlockPage)
    for action in (ui.window.backup_action, ui.window.verify_action,
                   ui.window.passphrase_action, ui.window.settings_action,
                   ui.window.lock_action):
        assert not action.isEnabled()
    ui.window.change_passphrase()
    ui.window.open_settings()
    assert not ui.window.findChildren(QDialog)


def test_a_lock_while_the_folder_picker_is_open_cancels_the_backup(
        ui: UI, closed_vault: ClosedVault, tmp_path: Path, monkeypatch) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()

    def choose(_parent: QWidget, _title: str, _start: Path) -> Path | None:
        ui.session.lock("idle")  # the idle timer fired while the picker was up
        return tmp_path / "backups"

    monkeypatch.setattr(ui.prompts, "choose_folder", choose)
    ui.window.backup_action.trigger()
    ui.wait_idle()
    assert not (tmp_path / "backups").exists()
    assert isinstance(ui.page, UnlockPage)
