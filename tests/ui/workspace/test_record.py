"""The client record: overview, closing and reopening, destroying, process notes, menus, lock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QTextEdit, QWidget

from app.clients import ClientStatus, RiskLevel
from app.workspace import StatusFilter
from tests.ui.conftest import UI, widget_texts
from tests.ui.test_accessibility import unnamed_controls
from tests.ui.workspace.conftest import (
    Practice,
    open_client,
    read_vault,
    unlock_practice,
    wait_editor,
)
from ui.pages.unlock import UnlockPage
from ui.pages.workspace import WorkspacePage
from ui.workspace.dialogs import (
    ClientDialog,
    CloseClientDialog,
    DestroyClientDialog,
    RiskDialog,
)
from ui.workspace.process_notes import PRIVATE_NOTICE
from ui.workspace.record import TAB_PROCESS

CTRL = Qt.KeyboardModifier.ControlModifier


def texts_of(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_overview_shows_goals_risk_next_session_latest_note_referral(
        ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Tomasz Wiśniewski")
    overview = record.overview
    assert "Goal one of Tomek" in texts_of(overview.goals_card)
    risk = texts_of(overview.risk_card)
    assert "Moderate risk" in risk and "Self-harm (moderate)" in risk
    assert "Plan: Safety plan agreed." in risk and "Reviewed: " in risk
    assert "None booked." in texts_of(overview.next_card)
    assert "Last session: " in texts_of(overview.next_card)
    latest = texts_of(overview.note_card)
    assert "Draft, late" in latest and "Tomek said week 1 was steady." in latest
    assert "No referral recorded." in texts_of(overview.referral_card)
    assert record.risk_label.text() == "Risk: moderate"
    assert not record.risk_shape.isHidden()  # a shape with the word, not colour alone
    assert record.pseudonym_label.text() == \
        f"Pseudonym {practice.pseudonyms['Tomasz Wiśniewski']}"
    assert record.age_label.text() == "Age not recorded"
    assert record.number_label.text() == f"No. {record.client_id}"  # for `tandem letter`


def test_edit_client_and_review_risk(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Maya Okonkwo")
    ui.qtbot.keyClick(page.client_list.table, Qt.Key.Key_E, CTRL)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(ClientDialog) is not None)
    dialog = ui.window.findChild(ClientDialog)
    assert dialog.name_edit.text() == "Maya Okonkwo"
    assert dialog.goals_box.toPlainText() == "Goal one of Maya\nSleep better"
    dialog.age_band_combo.setCurrentIndex(dialog.age_band_combo.findData("26–39"))
    dialog.pseudonym_edit.clear()
    ui.qtbot.keyClicks(dialog.pseudonym_edit, "Heron 42")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: record.pseudonym_label.text() == "Pseudonym Heron 42")
    assert record.age_label.text() == "Age band 26–39"

    ui.window.workspace_actions["review_risk"].trigger()
    ui.qtbot.waitUntil(lambda: ui.window.findChild(RiskDialog) is not None)
    risk = ui.window.findChild(RiskDialog)
    risk.level_combo.setCurrentIndex(risk.level_combo.findData(RiskLevel.HIGH))
    ui.qtbot.keyClicks(risk.area_rows[0][0], "Self-harm")
    risk.area_rows[0][1].setCurrentIndex(risk.area_rows[0][1].findData(RiskLevel.HIGH))
    ui.qtbot.keyClicks(risk.plan_box, "Crisis plan shared.")
    ui.qtbot.mouseClick(risk.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: record.risk_label.text() == "Risk: high")
    assert "Self-harm (high)" in texts_of(record.overview.risk_card)
    model = page.client_model
    ui.qtbot.waitUntil(lambda: model.client_at(model.row_of(record.client_id)).risk
                       is RiskLevel.HIGH)  # the list follows


def test_close_client_asks_the_reason_and_moves_it_to_closed(ui: UI,
                                                             practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Eleni Papadopoulou")
    actions = ui.window.workspace_actions
    assert actions["close_client"].isEnabled() and not actions["reopen_client"].isEnabled()
    actions["close_client"].trigger()
    ui.qtbot.waitUntil(lambda: ui.window.findChild(CloseClientDialog) is not None)
    dialog = ui.window.findChild(CloseClientDialog)
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "why the episode ends" in dialog.error.text()
    ui.qtbot.keyClicks(dialog.reason_combo.lineEdit(), "Moved to another city")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: record.status_label.text() == "Closed")
    model = page.client_model
    ui.qtbot.waitUntil(lambda: model.row_of(record.client_id) < 0)  # gone from Active
    assert "Moved to another city" in texts_of(record.overview.episodes_card)
    assert actions["reopen_client"].isEnabled() and not actions["close_client"].isEnabled()
    page.client_list.set_status(StatusFilter.CLOSED)
    ui.qtbot.waitUntil(lambda: model.row_of(record.client_id) >= 0)
    ui.prompts.queue_confirmation(True)
    actions["reopen_client"].trigger()
    ui.qtbot.waitUntil(lambda: record.status_label.text() == "Active")
    ui.window.close()
    episodes = read_vault(practice.folder, lambda s: s.episodes(
        practice.ids["Eleni Papadopoulou"]).result())
    assert episodes[0].end_reason == "Moved to another city"
    assert episodes[-1].ended_on is None  # the new episode


def test_destroy_record_is_double_confirmed_and_leaves_a_stub(ui: UI,
                                                              practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Maya Okonkwo")
    client_id = record.client_id
    pseudonym = practice.pseudonyms["Maya Okonkwo"]
    actions = ui.window.workspace_actions
    ui.prompts.queue_confirmation(False)  # first question: cancelled
    actions["destroy_client"].trigger()
    assert ui.window.findChild(DestroyClientDialog) is None
    actions["destroy_client"].trigger()  # now answered in the real box
    box = ui.prompts.open_boxes[-1]
    assert box.defaultButton().text() == "Cancel"  # destructive: Cancel is the default
    ui.qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Continue…"),
                        Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(DestroyClientDialog) is not None)
    dialog = ui.window.findChild(DestroyClientDialog)
    assert not dialog.accept_button.isEnabled()
    ui.qtbot.keyClicks(dialog.name_edit, "Maya")
    assert not dialog.accept_button.isEnabled()
    ui.qtbot.keyClicks(dialog.name_edit, " Okonkwo")
    assert dialog.accept_button.isEnabled()
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: record.destroyed)
    assert record.stack.currentWidget() is record.stub
    assert pseudonym in record.stub_text.text() and "destroyed" in record.stub_text.text()
    ui.qtbot.waitUntil(lambda: page.client_model.row_of(client_id) < 0)
    assert "Maya" not in "\n".join(widget_texts(ui.window))
    assert not actions["new_session"].isEnabled()
    ui.window.close()

    def check(store: Any) -> tuple[Any, list[Any]]:
        client = store.client(client_id, audit_view=False).result()
        return client, store.sessions(client_id).result()

    client, sessions = read_vault(practice.folder, check)
    assert client.destroyed_at and client.details.name == "" and sessions == []
    assert client.details.pseudonym == pseudonym  # the stub


def test_process_notes_are_private_and_autosave(ui: UI, practice: Practice,
                                                fast_autosave: None) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Eleni Papadopoulou")
    ui.qtbot.keyClick(page.client_list.table, Qt.Key.Key_3, CTRL)
    tab = record.process_tab
    assert record.tabs.currentIndex() == TAB_PROCESS
    assert record.tabs.tabText(TAB_PROCESS) == "&Process notes (private)"
    assert tab.notice.isVisible() and PRIVATE_NOTICE in tab.notice.text()
    assert "never" in PRIVATE_NOTICE.lower() and "exports" in PRIVATE_NOTICE
    ui.qtbot.waitUntil(lambda: tab.editor.isEnabled())
    ui.qtbot.waitUntil(tab.editor.hasFocus)
    ui.qtbot.keyClicks(tab.editor, "I felt protective; bring to supervision.")
    ui.qtbot.waitUntil(lambda: tab.status.text().startswith("Saved "))
    open_client(ui, page, "Maya Okonkwo")  # another client: Eleni's text leaves the screen
    assert tab.editor.toPlainText() == ""
    ui.window.close()
    body = read_vault(practice.folder, lambda s: s.process_notes(
        practice.ids["Eleni Papadopoulou"]).result())
    assert body == "I felt protective; bring to supervision."
    hits = read_vault(practice.folder, lambda s: s.search("supervision").result())
    assert hits == []  # process notes are not in the searchable record


def test_menus_apply_only_when_they_can(ui: UI, practice: Practice) -> None:
    actions = ui.window.workspace_actions
    assert not actions["new_client"].isEnabled()  # locked: nothing applies
    page = unlock_practice(ui, practice)
    assert actions["new_client"].isEnabled() and actions["find_client"].isEnabled()
    assert not actions["new_session"].isEnabled()  # no client open yet
    assert not actions["sign_note"].isEnabled()
    record = open_client(ui, page, "Tomasz Wiśniewski")
    assert actions["new_session"].isEnabled() and actions["edit_client"].isEnabled()
    record.tabs.setCurrentIndex(1)
    editor = wait_editor(ui, page)
    record.show_note(practice.sessions["Tomasz Wiśniewski"][-1])  # the draft
    ui.qtbot.waitUntil(lambda: record.sessions_tab.editor.mode.value == "draft")
    ui.qtbot.waitUntil(lambda: actions["sign_note"].isEnabled())
    assert not actions["add_addendum"].isEnabled()
    record.show_note(practice.sessions["Tomasz Wiśniewski"][0])  # signed
    ui.qtbot.waitUntil(lambda: record.sessions_tab.editor.mode.value == "signed")
    ui.qtbot.waitUntil(lambda: actions["add_addendum"].isEnabled())
    assert not actions["sign_note"].isEnabled()
    del editor
    menus = ui.window.menus
    client_menu = [a.text() for a in menus["client"].actions() if a.text()]
    assert client_menu[:2] == ["&New client…", "&Find client"]
    note_menu = {a.text(): a.shortcut().toString() for a in menus["note"].actions()
                 if a.text()}
    assert note_menu["&New session…"] == "Ctrl+N"
    assert note_menu["Si&gn note…"] == "Ctrl+Shift+S"
    ui.window.lock_action.trigger()
    ui.wait_for_page(UnlockPage)
    assert not any(a.isEnabled() for a in actions.actions.values())


def test_vault_overview_is_a_view_of_the_workspace(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    overview = ui.open_overview(page)
    assert page.showing_overview and overview.isVisible()
    assert ui.window.workspace_actions["vault_overview"].isChecked()
    ui.qtbot.keyClick(overview.table, Qt.Key.Key_Escape)
    assert not page.showing_overview
    assert page.client_list.isVisible()
    ui.qtbot.keyClick(page.client_list.table, Qt.Key.Key_O,
                      CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert page.showing_overview
    ui.qtbot.mouseClick(overview.back_button, Qt.MouseButton.LeftButton)
    assert not page.showing_overview


def test_every_control_is_named(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Maya Okonkwo")
    for tab in range(3):
        record.tabs.setCurrentIndex(tab)
        wait_editor(ui, page) if tab == 1 else None
        assert unnamed_controls(page) == []
    ui.window.workspace_actions["new_client"].trigger()
    assert unnamed_controls(ui.window.findChild(ClientDialog)) == []


def test_idle_lock_hides_every_client_text(ui: UI, practice: Practice, tmp_path: Path) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Tomasz Wiśniewski")
    record.tabs.setCurrentIndex(1)
    wait_editor(ui, page)
    ui.window.workspace_actions["edit_client"].trigger()  # a dialog full of client data
    ui.qtbot.waitUntil(lambda: ui.window.findChild(ClientDialog) is not None)
    secrets = ["Tomasz", "Tomek", "Wiśniewski", "Maya", "Okonkwo", "Eleni",
               practice.pseudonyms["Tomasz Wiśniewski"], "week 1 was steady", "Safety plan"]
    before = "\n".join(widget_texts(ui.window))
    assert "Tomasz Wiśniewski" in before and "Maya Okonkwo" in before
    ui.window.resize(1280, 800)
    before_png = tmp_path / "before.png"
    assert ui.window.grab().save(str(before_png), "PNG")

    for _ in range(31):  # five minutes without input
        ui.clock.advance(10)
        ui.session.monitor.check()
    ui.wait_for_page(UnlockPage)
    after = "\n".join(widget_texts(ui.window))
    leaked = [s for s in secrets if s in after]
    assert leaked == []
    assert not ui.window.findChildren(WorkspacePage)
    assert not ui.window.findChildren(ClientDialog)
    assert not ui.window.findChildren(QTextEdit)
    for top in QApplication.topLevelWidgets():  # nothing left in another window either
        if top.isVisible():
            assert not [s for s in secrets if s in "\n".join(widget_texts(top))]
    after_png = tmp_path / "after.png"
    assert ui.window.grab().save(str(after_png), "PNG")
    image = QImage(str(after_png))
    assert not image.isNull() and image != QImage(str(before_png))
    ui.qtbot.waitUntil(lambda: ui.session.tasks.pending == 0)


def test_status_of_closed_clients_in_the_record(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    page.client_list.set_status(StatusFilter.ALL)
    ui.qtbot.waitUntil(lambda: page.client_model.rowCount() == 4)
    record = open_client(ui, page, "Samir Haddad")
    assert record.client.status is ClientStatus.CLOSED
    assert record.status_label.text() == "Closed"
    assert "Goals met; planned ending" in texts_of(record.overview.episodes_card)
