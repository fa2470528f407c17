"""A forgotten passphrase: a new one offered after a recovery-key unlock, and from the dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from storage.vault import PASSPHRASE_RESET, Secret, Vault
from tests.conftest import PASSPHRASE
from tests.ui.conftest import UI, ClosedVault
from ui.dialogs.change_passphrase import ChangePassphraseDialog
from ui.pages.new_passphrase import NewPassphrasePage
from ui.pages.unlock import UnlockPage
from ui.pages.workspace import WorkspacePage

NEW = "violet kettle orbit meadow 42"


def unlock_with_recovery_key(ui: UI, cv: ClosedVault) -> NewPassphrasePage:
    """The unlock page in recovery-key mode, the key typed as on paper, Enter."""
    ui.session.show_vault(cv.folder)
    page = ui.wait_for_page(UnlockPage)
    assert not page.recovery_help.isVisible()
    ui.qtbot.mouseClick(page.mode_link, Qt.MouseButton.LeftButton)
    assert page.recovery_help.isVisible()  # says a new passphrase can be chosen once in
    ui.qtbot.keyClicks(page.secret_edit, str(cv.recovery_key))
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    offer = ui.wait_for_page(NewPassphrasePage)
    # Offscreen Qt does not always give activation back after the unlock page's busy state.
    ui.window.activateWindow()
    ui.qtbot.waitUntil(ui.window.isActiveWindow)
    return offer


def texts_when_the_page_goes(ui: UI, page: NewPassphrasePage) -> list[tuple[str, str]]:
    """What the page's fields hold right after the window retired it (before Qt deletes it).

    Connected after the window's own slot, so it runs once the page has been taken down.
    """
    seen: list[tuple[str, str]] = []
    fields = page.fields

    def record() -> None:
        ui.session.state_changed.disconnect(record)
        seen.append((fields.passphrase_edit.text(), fields.repeat_edit.text()))

    ui.session.state_changed.connect(record)
    return seen


def expect_unlock_refused(ui: UI, passphrase: str) -> None:
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, passphrase)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: page.error.isVisible())
    assert "does not open" in page.error.text()
    assert ui.session.vault is None


def lock(ui: UI) -> None:
    ui.window.lock_action.trigger()
    ui.wait_for_page(UnlockPage)
    ui.wait_idle()  # the vault is closed: its folder may be opened again


def events(folder: Path) -> list[str]:
    with Vault.open(folder, Secret(passphrase=NEW)) as vault:
        return [e.event for e in vault.audit_entries(newest_first=False)]


def test_recovery_unlock_offers_a_new_passphrase(ui: UI, closed_vault: ClosedVault) -> None:
    page = unlock_with_recovery_key(ui, closed_vault)
    assert "You opened the vault with your recovery key" in page.notice.text()
    assert page.notice.isVisible()
    assert ui.session.offering_new_passphrase
    # The vault is open (Ctrl+L locks) but nothing of the workspace is reachable yet.
    assert ui.window.lock_action.isEnabled()
    assert not ui.window.passphrase_action.isEnabled()
    assert not ui.window.backup_action.isEnabled()
    ui.qtbot.waitUntil(lambda: page.fields.passphrase_edit.hasFocus())
    assert not page.set_button.isEnabled()

    # The rule vault creation applies: strong enough, and typed the same twice.
    ui.qtbot.keyClicks(page.fields.passphrase_edit, "short")
    assert "not strong enough" in page.fields.meter.verdict.text()
    assert not page.set_button.isEnabled()
    assert page.set_button.toolTip() == "The new passphrase is not strong enough yet."
    page.fields.passphrase_edit.clear()
    ui.qtbot.keyClicks(page.fields.passphrase_edit, NEW)
    ui.qtbot.keyClick(page.fields.passphrase_edit, Qt.Key.Key_Return)  # moves on, sets nothing
    assert page.fields.repeat_edit.hasFocus()
    ui.qtbot.keyClicks(page.fields.repeat_edit, NEW + "x")
    assert page.fields.mismatch.isVisible()
    assert not page.set_button.isEnabled()
    ui.qtbot.keyClick(page.fields.repeat_edit, Qt.Key.Key_Backspace)
    assert not page.fields.mismatch.isVisible()
    assert page.set_button.isEnabled()

    # The KDF runs in the background: the page shows it is busy and takes no more input.
    left_behind = texts_when_the_page_goes(ui, page)
    ui.qtbot.keyClick(page.fields.repeat_edit, Qt.Key.Key_Return)
    assert page.busy.isVisible()
    assert not page.fields.isEnabled() and not page.later_button.isEnabled()
    ui.wait_for_page(WorkspacePage)
    assert left_behind == [("", "")]
    assert not ui.session.offering_new_passphrase
    assert ui.prompts.shown[-1][0] == "New passphrase set"
    assert "recovery key still works" in ui.prompts.shown[-1][1]

    lock(ui)
    expect_unlock_refused(ui, PASSPHRASE)
    ui.unlock(NEW)  # straight to the workspace: no offer after a passphrase unlock
    lock(ui)
    assert events(closed_vault.folder).count(PASSPHRASE_RESET) == 1
    # The recovery key keeps working.
    Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key)).close()


def test_later_keeps_the_old_passphrase(ui: UI, closed_vault: ClosedVault) -> None:
    page = unlock_with_recovery_key(ui, closed_vault)
    ui.qtbot.keyClicks(page.fields.passphrase_edit, NEW)
    # Escape is not a way out: skipping takes a deliberate "Later".
    ui.qtbot.keyClick(page.fields.passphrase_edit, Qt.Key.Key_Escape)
    assert ui.page is page

    # "Later" asks once more and says which passphrase stays; Cancel goes back to the page.
    ui.qtbot.mouseClick(page.later_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: bool(ui.prompts.open_boxes))
    box = ui.prompts.open_boxes[-1]
    assert "passphrase you used before" in box.text()
    assert "recovery key again" in box.text()
    box.reject()
    ui.qtbot.waitUntil(lambda: not ui.prompts.open_boxes)
    assert ui.page is page
    assert page.fields.passphrase_edit.text() == NEW

    ui.qtbot.mouseClick(page.later_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: bool(ui.prompts.open_boxes))
    box = ui.prompts.open_boxes[-1]
    (keep,) = [b for b in box.buttons() if b.text() == "Keep current passphrase"]
    left_behind = texts_when_the_page_goes(ui, page)
    ui.qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    ui.wait_for_page(WorkspacePage)
    assert left_behind == [("", "")]  # wiped as the page went
    assert not ui.session.offering_new_passphrase

    lock(ui)
    expect_unlock_refused(ui, NEW)
    ui.unlock(PASSPHRASE)


def test_lock_on_the_offer_clears_it(ui: UI, closed_vault: ClosedVault) -> None:
    page = unlock_with_recovery_key(ui, closed_vault)
    ui.qtbot.keyClicks(page.fields.passphrase_edit, NEW)
    ui.qtbot.keyClicks(page.fields.repeat_edit, NEW)
    left_behind = texts_when_the_page_goes(ui, page)
    ui.window.lock_action.trigger()
    assert left_behind == [("", "")]
    assert not ui.session.offering_new_passphrase
    ui.wait_for_page(UnlockPage)
    ui.wait_idle()
    ui.unlock(PASSPHRASE)  # nothing was changed, and no offer after a passphrase unlock
    lock(ui)
    expect_unlock_refused(ui, NEW)


def open_dialog(ui: UI) -> ChangePassphraseDialog:
    ui.window.passphrase_action.trigger()
    dialog = ui.window.findChild(ChangePassphraseDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_change_passphrase_dialog_with_the_recovery_key(ui: UI, closed_vault: ClosedVault,
                                                        tmp_path: Path) -> None:
    other, other_key = Vault.create(tmp_path / "Other.tandem", PASSPHRASE)
    other.close()
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    dialog = open_dialog(ui)
    ui.qtbot.mouseClick(dialog.mode_link, Qt.MouseButton.LeftButton)
    assert dialog.using_recovery_key
    assert dialog.current_label.text() == "Recovery &key"
    assert dialog.current_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert "recovery key does not change" in dialog.intro.text()
    assert dialog.mode_link.text() == "Use the current passphrase instead"
    ui.qtbot.keyClicks(dialog.new_edit, NEW)
    ui.qtbot.keyClicks(dialog.repeat_edit, NEW)
    assert not dialog.change_button.isEnabled()  # nothing typed in the key field yet

    # A typo is caught before anything runs, and kept so it can be fixed.
    key = str(closed_vault.recovery_key)
    typo = key[:-1] + ("0" if key[-1] != "0" else "1")
    ui.qtbot.keyClicks(dialog.current_edit, typo)
    ui.qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert "mistyped" in dialog.error.text()
    assert ui.session.tasks.pending == 0
    assert dialog.current_edit.text() == typo

    # Another vault's key: refused after trying, the field emptied for another go.
    dialog.current_edit.clear()
    ui.qtbot.keyClicks(dialog.current_edit, str(other_key))
    ui.qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: dialog.error.isVisible() and "does not open" in dialog.error.text())
    assert dialog.current_edit.text() == ""

    ui.qtbot.keyClicks(dialog.current_edit, key.lower().replace("-", " "))
    edits = (dialog.current_edit, dialog.new_edit, dialog.repeat_edit)
    left_behind: list[list[str]] = []
    dialog.accepted.connect(lambda: left_behind.append([edit.text() for edit in edits]))
    with ui.qtbot.waitSignal(dialog.accepted, timeout=10000):
        ui.qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert left_behind == [["", "", ""]]
    assert ui.prompts.shown[-1][0] == "Passphrase changed"

    lock(ui)
    expect_unlock_refused(ui, PASSPHRASE)
    ui.unlock(NEW)
    lock(ui)
    assert events(closed_vault.folder).count(PASSPHRASE_RESET) == 1
    Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key)).close()


def test_dialog_switches_back_and_clears_on_close(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    ui.unlock()
    dialog = open_dialog(ui)
    ui.qtbot.keyClicks(dialog.current_edit, "typed current")
    ui.qtbot.mouseClick(dialog.mode_link, Qt.MouseButton.LeftButton)
    assert dialog.current_edit.text() == ""  # a passphrase never shows in the clear key field
    ui.qtbot.keyClicks(dialog.current_edit, str(closed_vault.recovery_key))
    ui.qtbot.mouseClick(dialog.mode_link, Qt.MouseButton.LeftButton)
    assert not dialog.using_recovery_key
    assert dialog.current_edit.text() == ""
    assert dialog.current_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.current_label.text() == "&Current passphrase"
    ui.qtbot.keyClicks(dialog.current_edit, PASSPHRASE)
    ui.qtbot.keyClicks(dialog.new_edit, NEW)
    ui.qtbot.keyClicks(dialog.repeat_edit, NEW)
    edits = (dialog.current_edit, dialog.new_edit, dialog.repeat_edit)
    ui.window.lock_action.trigger()  # a lock closes the dialog and empties it (deleted later)
    assert [edit.text() for edit in edits] == ["", "", ""]
    ui.wait_for_page(UnlockPage)


def test_offer_and_recovery_mode_are_named_and_in_order(ui: UI,
                                                        closed_vault: ClosedVault) -> None:
    from tests.ui.test_accessibility import focus_chain, unnamed_controls

    page = unlock_with_recovery_key(ui, closed_vault)
    assert unnamed_controls(page) == []
    ui.qtbot.keyClicks(page.fields.passphrase_edit, NEW)
    ui.qtbot.keyClicks(page.fields.repeat_edit, NEW)
    order = [page.fields.repeat_edit, page.later_button, page.set_button]
    chain = focus_chain(page, page.fields.passphrase_edit)
    assert [w for w in chain if w in order] == order
    ui.prompts.queue_confirmation(True)
    ui.qtbot.mouseClick(page.later_button, Qt.MouseButton.LeftButton)
    ui.wait_for_page(WorkspacePage)
    dialog = open_dialog(ui)
    ui.qtbot.mouseClick(dialog.mode_link, Qt.MouseButton.LeftButton)
    assert unnamed_controls(dialog) == []
    assert dialog.current_edit.accessibleName() == "Recovery key"
