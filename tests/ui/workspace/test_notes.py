"""Notes: new session, autosave, lock and close while typing, sign, amend, delete, late entry."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QMessageBox

from app.errors import StorageFailure
from app.notes import NoteStatus, NoteTemplate, TemplateSection
from tests.ui.conftest import UI
from tests.ui.workspace.conftest import (
    Practice,
    open_client,
    read_vault,
    unlock_practice,
    wait_editor,
    wait_saved,
)
from ui.pages.unlock import UnlockPage
from ui.workspace import autosave
from ui.workspace.dialogs import AmendmentDialog, DeleteNoteDialog, SessionDialog
from ui.workspace.note_editor import Mode
from ui.workspace.timeline import COL_NOTE, SESSION_ROLE, SessionTimelineModel

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def new_session(ui: UI, page: Any, day: date | None = None) -> Any:
    """Ctrl+N, accept the defaults (or type a date), and wait for the empty note."""
    record = page.record
    ui.qtbot.keyClick(page.client_list.table, Qt.Key.Key_N, CTRL)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(SessionDialog) is not None)
    dialog = ui.window.findChild(SessionDialog)
    assert dialog.date_edit.text() == date.today().isoformat()  # today by default
    assert dialog.time_edit.text() == "10:00"  # like the last session
    if day is not None:
        dialog.date_edit.clear()
        ui.qtbot.keyClicks(dialog.date_edit, day.isoformat())
    before = len(record.sessions)
    ui.qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: len(record.sessions) == before + 1)
    editor = wait_editor(ui, page)
    assert editor.mode is Mode.NEW
    assert record.tabs.currentIndex() == 1
    ui.qtbot.waitUntil(lambda: editor.edits["subjective"].hasFocus())
    return editor


def test_new_session_with_ctrl_n_and_autosave(ui: UI, practice: Practice,
                                              fast_autosave: None) -> None:
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    editor = new_session(ui, page)
    # The template of Maya's last note is the default; every section has its prompt.
    assert editor.template.id == "soap"
    assert editor.edits["objective"].placeholderText().startswith("What you observed")
    field = editor.edits["subjective"]
    ui.qtbot.keyClicks(field, "Maya arrived early and described the train journey.")
    wait_saved(ui, editor)
    assert editor.mode is Mode.DRAFT
    assert editor.status.text().startswith("Saved ")
    ui.qtbot.keyClick(field, Qt.Key.Key_Tab)  # Tab moves to the next section
    assert editor.edits["objective"].hasFocus()
    ui.qtbot.keyClicks(editor.edits["objective"], "Calm; good eye contact.")
    timeline = page.record.sessions_tab.model
    ui.qtbot.waitUntil(lambda: timeline.index(0, COL_NOTE).data() == "Draft")
    wait_saved(ui, editor)
    session_id = editor.session.id
    ui.window.close()
    note = read_vault(practice.folder, lambda store: store.note(session_id).result())
    assert note.sections["subjective"] == "Maya arrived early and described the train journey."
    assert note.sections["objective"] == "Calm; good eye contact."
    assert note.status is NoteStatus.DRAFT
    # Closing reindexed it: search finds the words.
    hits = read_vault(practice.folder, lambda store: store.search("journey").result())
    assert [h.session_id for h in hits] == [session_id]


def test_saved_after_typing_stops_with_the_real_delay(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    editor = new_session(ui, page)
    ui.qtbot.keyClicks(editor.edits["plan"], "Homework: one train stop.")
    assert editor.status.text() != "Saving…" or True
    assert editor.autosaver.dirty  # nothing yet: the timer waits for a pause
    wait_saved(ui, editor, timeout=4000)
    saved = editor.autosaver.saved_at
    assert len(saved) == 5 and saved[2] == ":"  # "Saved 12:04", local time


def test_lock_while_typing_saves_before_the_vault_closes(ui: UI, practice: Practice,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autosave, "IDLE_MS", 60_000)  # the timer never fires in this test
    monkeypatch.setattr(autosave, "CEILING_MS", 60_000)
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Tomasz Wiśniewski")
    editor = new_session(ui, page)
    ui.qtbot.keyClicks(editor.edits["assessment"], "Mood lifting; plan to call a friend.")
    session_id = editor.session.id
    assert editor.autosaver.dirty and editor.autosaver.status is autosave.SaveStatus.IDLE
    vault = ui.session.vault
    ui.qtbot.keyClick(editor.edits["assessment"], Qt.Key.Key_L, CTRL)  # lock now
    ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: vault.closed)
    note = read_vault(practice.folder, lambda store: store.note(session_id).result())
    assert note is not None
    assert note.sections["assessment"] == "Mood lifting; plan to call a friend."
    hits = read_vault(practice.folder, lambda store: store.search("friend").result())
    assert session_id in [h.session_id for h in hits]  # the lock's save reindexed it


def test_closing_the_window_while_typing_saves(ui: UI, practice: Practice,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autosave, "IDLE_MS", 60_000)
    monkeypatch.setattr(autosave, "CEILING_MS", 60_000)
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    editor = new_session(ui, page)
    ui.qtbot.keyClicks(editor.edits["plan"], "Closed the window mid-sentence")
    session_id = editor.session.id
    ui.window.close()
    note = read_vault(practice.folder, lambda store: store.note(session_id).result())
    assert note.sections["plan"] == "Closed the window mid-sentence"


def test_switching_client_and_focus_changes_save(ui: UI, practice: Practice,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autosave, "IDLE_MS", 60_000)
    monkeypatch.setattr(autosave, "CEILING_MS", 60_000)
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    editor = new_session(ui, page)
    ui.qtbot.keyClicks(editor.edits["subjective"], "First words")
    ui.qtbot.keyClick(editor.edits["subjective"], Qt.Key.Key_Tab)  # focus moves: saved
    wait_saved(ui, editor)
    ui.qtbot.keyClicks(editor.edits["objective"], "More words")
    session_id = editor.session.id
    open_client(ui, page, "Eleni Papadopoulou")  # leaving the client saves the note
    ui.qtbot.waitUntil(lambda: not page.record.sessions_tab.findChildren(type(editor))
                       or all(e.session.id != session_id
                              for e in page.record.sessions_tab.findChildren(type(editor))))
    ui.window.close()
    note = read_vault(practice.folder, lambda store: store.note(session_id).result())
    assert note.sections["subjective"] == "First words"
    assert note.sections["objective"] == "More words"


def test_a_failed_save_keeps_the_text_says_why_and_retries(ui: UI, practice: Practice,
                                                           fast_autosave: None,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setattr(autosave, "RETRY_MS", (200,))
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    editor = new_session(ui, page)
    store = page.store
    real = store.save_draft
    failing = {"on": True}

    def save_draft(*args: Any, **kwargs: Any) -> Future[Any]:
        if failing["on"]:
            future: Future[Any] = Future()
            future.set_exception(StorageFailure("The disk is full; the note was not saved."))
            return future
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "save_draft", save_draft)
    ui.qtbot.keyClicks(editor.edits["subjective"], "Typed while the disk was full")
    ui.qtbot.waitUntil(lambda: editor.error.isVisible())
    assert "disk is full" in editor.error.text()
    assert "Your text is still here" in editor.error.text()
    assert editor.status.text() == "Not saved"
    assert editor.edits["subjective"].toPlainText() == "Typed while the disk was full"
    failing["on"] = False  # space was freed: the retry succeeds on its own
    wait_saved(ui, editor)
    assert not editor.error.isVisible()
    session_id = editor.session.id
    ui.window.close()
    note = read_vault(practice.folder, lambda s: s.note(session_id).result())
    assert note.sections["subjective"] == "Typed while the disk was full"


def test_sign_makes_the_note_read_only_and_shows_the_hash(ui: UI, practice: Practice,
                                                          fast_autosave: None) -> None:
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Eleni Papadopoulou")
    editor = new_session(ui, page)
    assert not ui.window.workspace_actions["sign_note"].isEnabled()  # nothing to sign yet
    ui.qtbot.keyClicks(editor.edits["subjective"], "Eleni used the shared bathroom twice.")
    ui.qtbot.waitUntil(lambda: ui.window.workspace_actions["sign_note"].isEnabled())
    ui.qtbot.keyClick(editor.edits["subjective"], Qt.Key.Key_S, CTRL | SHIFT)
    ui.qtbot.waitUntil(lambda: bool(ui.prompts.open_boxes))
    box = ui.prompts.open_boxes[-1]
    assert box.windowTitle() == "Sign this note?"
    sign = next(b for b in box.buttons() if b.text() == "Sign and lock")
    ui.qtbot.mouseClick(sign, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: editor.mode is Mode.SIGNED)
    assert all(edit.isReadOnly() for edit in editor.edits.values())
    digest = editor.note.content_sha256
    assert len(digest) == 64
    assert editor.signed_label.text().startswith("Signed ")
    assert f"SHA-256 {digest[:12]}…" in editor.signed_label.text()
    assert not editor.sign_button.isVisible()
    assert editor.addendum_button.isVisible() and editor.correction_button.isVisible()
    ui.qtbot.keyClicks(editor.edits["subjective"], "x")  # read-only: nothing changes
    assert editor.edits["subjective"].toPlainText() == "Eleni used the shared bathroom twice."
    session_id = editor.session.id
    ui.window.close()
    note = read_vault(practice.folder, lambda s: s.note(session_id).result())
    assert note.status is NoteStatus.SIGNED and note.content_sha256 == digest


def test_cancelling_the_sign_question_changes_nothing(ui: UI, practice: Practice,
                                                      fast_autosave: None) -> None:
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Eleni Papadopoulou")
    editor = new_session(ui, page)
    ui.qtbot.keyClicks(editor.edits["plan"], "Plan")
    ui.prompts.queue_confirmation(False)
    ui.window.workspace_actions["sign_note"].trigger()
    assert editor.mode in (Mode.NEW, Mode.DRAFT)
    assert not editor.edits["plan"].isReadOnly()


def test_addendum_and_correction_below_a_signed_note(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Maya Okonkwo")
    signed = practice.sessions["Maya Okonkwo"][1]  # signed in the fixture
    record.show_note(signed)
    editor = wait_editor(ui, page)
    ui.qtbot.waitUntil(lambda: editor.session.id == signed and editor.mode is Mode.SIGNED)
    original = editor.edits["subjective"].toPlainText()
    for kind, button, text in (("addendum", editor.addendum_button,
                                "Maya phoned: the homework went well."),
                               ("correction", editor.correction_button,
                                "The plan said week 3; it was week 2.")):
        ui.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        ui.qtbot.waitUntil(lambda: ui.window.findChild(AmendmentDialog) is not None
                           and ui.window.findChild(AmendmentDialog).isVisible())
        dialog = ui.window.findChild(AmendmentDialog)
        assert dialog.kind.value == kind
        ui.qtbot.keyClicks(dialog.body_box, text)
        ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        ui.qtbot.waitUntil(lambda t=text: any(v.toPlainText() == t
                                              for v in editor.amendment_views))
        ui.qtbot.waitUntil(lambda: ui.window.findChild(AmendmentDialog) is None
                           or not ui.window.findChild(AmendmentDialog).isVisible())
    assert editor.edits["subjective"].toPlainText() == original  # the original stays
    titles = [v.accessibleName() for v in editor.amendment_views]
    assert titles[0].startswith("Addendum of ") and titles[1].startswith("Correction of ")
    heads = [label.text() for label in editor.findChildren(type(editor.title))
             if label.objectName() == "AmendmentTitle"]
    assert heads[0].startswith("Addendum · ") and heads[1].startswith("Correction · ")
    assert all(" · signed " in h and "SHA-256 " in h for h in heads)
    ui.window.close()
    note = read_vault(practice.folder, lambda s: s.note(signed).result())
    assert [a.kind for a in note.amendments] == ["addendum", "correction"]


def test_a_note_written_after_the_session_day_is_a_late_entry(ui: UI, practice: Practice,
                                                              fast_autosave: None) -> None:
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    day = date.today() - timedelta(days=2)
    editor = new_session(ui, page, day)
    assert not editor.late_label.isVisible()
    ui.qtbot.keyClicks(editor.edits["subjective"], "Written two days late.")
    wait_saved(ui, editor)
    ui.qtbot.waitUntil(editor.late_label.isVisible)
    assert editor.late_label.text() == (f"Late entry: written {date.today().isoformat()} "
                                        f"for the session of {day.isoformat()}")
    timeline = page.record.sessions_tab.model
    row = timeline.row_of(editor.session.id)
    assert timeline.index(row, COL_NOTE).data() == "Draft, late"


def test_delete_a_draft_and_a_signed_note(ui: UI, practice: Practice,
                                          fast_autosave: None) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Tomasz Wiśniewski")
    draft_session = practice.sessions["Tomasz Wiśniewski"][-1]  # the fixture's draft
    record.show_note(draft_session)
    editor = wait_editor(ui, page)
    ui.qtbot.waitUntil(lambda: editor.session.id == draft_session and editor.mode is Mode.DRAFT)
    ui.prompts.queue_confirmation(True)
    ui.window.workspace_actions["delete_note"].trigger()
    ui.qtbot.waitUntil(lambda: editor.mode is Mode.NEW)
    assert not editor.has_text()

    signed_session = practice.sessions["Tomasz Wiśniewski"][0]
    record.show_note(signed_session)
    ui.qtbot.waitUntil(lambda: record.sessions_tab.editor.session.id == signed_session
                       and record.sessions_tab.editor.mode is Mode.SIGNED)
    editor = record.sessions_tab.editor
    ui.window.workspace_actions["delete_note"].trigger()
    ui.qtbot.waitUntil(lambda: ui.window.findChild(DeleteNoteDialog) is not None)
    dialog = ui.window.findChild(DeleteNoteDialog)
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "reason is required" in dialog.error.text()
    ui.qtbot.keyClicks(dialog.reason_edit, "Written in the wrong client's record")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: editor.mode is Mode.DELETED)
    stub = next(label for label in editor.findChildren(type(editor.title))
                if label.objectName() == "DeletedStub")
    assert stub.text().startswith("Deleted ")
    assert stub.text().endswith(": Written in the wrong client's record")
    timeline = record.sessions_tab.model
    assert timeline.index(timeline.row_of(signed_session), COL_NOTE).data() == "Deleted"
    ui.window.close()
    notes = read_vault(practice.folder, lambda s: (s.note(draft_session).result(),
                                                   s.note(signed_session).result()))
    assert notes[0] is None
    assert notes[1].sections == {} and notes[1].status is NoteStatus.SIGNED


def test_template_chooser_offers_every_template_and_the_practitioners_own(
        ui: UI, practice: Practice, fast_autosave: None) -> None:
    def add_template(store: Any) -> None:
        store.save_template(NoteTemplate("supervision", "Supervision prep", "Mine", (
            TemplateSection("question", "Question", "What to bring"),
            TemplateSection("notes", "Notes")))).result()

    read_vault(practice.folder, add_template)
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    editor = new_session(ui, page)
    combo = editor.template_combo
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names == ["SOAP", "DAP", "BIRP", "GIRP", "Free text", "Supervision prep"]
    combo.setCurrentIndex(names.index("DAP"))
    assert list(editor.edits) == ["data", "assessment", "plan"]
    combo.setCurrentIndex(names.index("Supervision prep"))
    assert list(editor.edits) == ["question", "notes"]
    assert editor.edits["question"].placeholderText() == "What to bring"
    ui.qtbot.keyClicks(editor.edits["question"], "Ask about endings")
    assert not combo.isEnabled() and combo.isHidden()  # fixed once there is text
    assert "Supervision prep note" in editor.details.text()
    wait_saved(ui, editor)
    session_id = editor.session.id
    ui.window.close()
    note = read_vault(practice.folder, lambda s: s.note(session_id).result())
    assert note.template == "supervision"


def test_open_note_slot_selects_client_and_highlights(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    session_id = practice.sessions["Samir Haddad"][2]  # a closed client, not listed
    page.open_note(practice.ids["Samir Haddad"], session_id, "WEEK 2")
    editor = wait_editor(ui, page)
    ui.qtbot.waitUntil(lambda: editor.session.id == session_id
                       and bool(editor.edits["subjective"].extraSelections()))
    assert page.record.client_id == practice.ids["Samir Haddad"]
    assert page.record.tabs.currentIndex() == 1
    field = editor.edits["subjective"]
    assert field.textCursor().selectedText() == "week 2"
    ui.qtbot.waitUntil(field.hasFocus)


def test_timeline_model_passes_qt_checks(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    record = open_client(ui, page, "Maya Okonkwo")
    model = SessionTimelineModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(record.sessions, date.today())
    assert model.rowCount() == 4
    dates = [model.index(r, 0).data(SESSION_ROLE).date for r in range(4)]
    assert dates == sorted(dates, reverse=True)  # newest first
    # The fixture wrote every note today, after the sessions: late entries.
    assert [model.index(r, COL_NOTE).data() for r in range(4)] == \
        ["Draft, late", "Signed, late", "Signed, late", "Signed, late"]
    model.clear()
    assert model.rowCount() == 0


def test_message_boxes_are_window_modal_and_named(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Maya Okonkwo")
    ui.window.workspace_actions["reopen_client"].setEnabled(True)
    page.reopen_client()  # Maya is active: the question is still asked politely
    box = ui.prompts.open_boxes[-1]
    assert isinstance(box, QMessageBox) and box.accessibleName() == "Reopen this client?"
    box.reject()
