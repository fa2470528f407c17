"""A draft note offers what the client learned in their last exposure; a signed one never does."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.notes import NoteStatus
from storage.exposure import ExposureStore
from storage.practice import PracticeStore
from tests.ui.conftest import UI, client_id
from ui.workspace.note_editor_learning import note_text


def open_note(ui: UI, name: str, pick: Any) -> Any:
    """The client's record on the Sessions tab with the note of the session `pick` chooses."""
    page = ui.window.page
    page.open_client(client_id(ui, name))
    record = page.record
    ui.qtbot.waitUntil(lambda: not record.is_loading and record.client is not None)
    record.tabs.setCurrentWidget(record.sessions_tab)
    session = pick(record.sessions)
    record.show_note(session.id)
    tab = record.sessions_tab
    ui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.session.id == session.id
                       and tab.editor.mode.value != "loading")
    ui.wait_idle()
    return tab.editor, session


def expected_quote(ui: UI, name: str, day: Any) -> Any:
    until = datetime.combine(day + timedelta(days=1), time()).astimezone().astimezone(UTC)
    return ExposureStore(ui.session.vault).learning_for_note(client_id(ui, name), until).result()


def test_the_latest_learning_is_offered_and_inserted_at_the_cursor(demo: UI) -> None:
    ui = demo
    editor, session = open_note(ui, "Jonas Berg", lambda sessions: max(
        (s for s in sessions if s.note_status is None), key=lambda s: s.date))
    assert editor.mode.value == "new"
    quote = expected_quote(ui, "Jonas Berg", session.date)
    assert quote is not None and quote.text
    ui.qtbot.waitUntil(lambda: editor.learning_offered)
    assert quote.text in editor.learning.text.text()
    assert editor.learning.text.text().startswith("From the last exposure (")
    edits = list(editor.edits.values())
    assert all(not e.toPlainText() for e in edits)
    assert not editor.learning.insert_button.hasFocus()  # offered, never in the way

    # The therapist types in the second section, then clicks Insert: the words go in there,
    # at the cursor, and the note saves itself as after any typing.
    target = edits[1]
    ui.qtbot.mouseClick(target.viewport(), Qt.MouseButton.LeftButton)
    ui.qtbot.keyClicks(target, "Reviewed homework.")
    target.moveCursor(QTextCursor.MoveOperation.End)
    ui.qtbot.mouseClick(editor.learning.insert_button, Qt.MouseButton.LeftButton)
    assert target.toPlainText() == f"Reviewed homework. {note_text(quote)}"
    assert not editor.learning_offered  # used: not offered again
    assert target.hasFocus()
    store = PracticeStore(ui.session.vault, {})
    ui.qtbot.waitUntil(lambda: (note := store.note(session.id).result()) is not None
                       and quote.text in "".join(note.sections.values()), timeout=8000)
    # Opening the note again: it holds the words already, so nothing is offered.
    again, _ = open_note(ui, "Jonas Berg", lambda sessions: next(
        s for s in sessions if s.id != session.id and s.note_status is NoteStatus.SIGNED))
    again, _ = open_note(ui, "Jonas Berg", lambda sessions: next(
        s for s in sessions if s.id == session.id))
    ui.wait_idle()
    assert again.mode.value == "draft" and not again.learning_offered


def test_a_signed_note_is_never_offered_and_not_now_hides_it(demo: UI) -> None:
    ui = demo
    signed, session = open_note(ui, "Maya Okonkwo", lambda sessions: max(
        (s for s in sessions if s.note_status is NoteStatus.SIGNED), key=lambda s: s.date))
    assert expected_quote(ui, "Maya Okonkwo", session.date) is not None  # there is one
    ui.wait_idle()
    assert signed.mode.value == "signed" and not signed.learning_offered
    assert signed.learning.quote is None  # not even asked for

    draft, session = open_note(ui, "Maya Okonkwo", lambda sessions: max(
        (s for s in sessions if s.note_status is NoteStatus.DRAFT), key=lambda s: s.date))
    ui.qtbot.waitUntil(lambda: draft.learning_offered)
    ui.qtbot.mouseClick(draft.learning.dismiss_button, Qt.MouseButton.LeftButton)
    assert not draft.learning_offered
    ui.qtbot.keyClicks(next(iter(draft.edits.values())), " More.")
    assert not draft.learning_offered  # dismissed stays dismissed for this note
    # "Not now" is for now: the note opened again offers it again. Signing ends that.
    open_note(ui, "Maya Okonkwo", lambda sessions: signed.session)
    draft, _ = open_note(ui, "Maya Okonkwo", lambda sessions: session)
    ui.qtbot.waitUntil(lambda: draft.learning_offered)
    ui.prompts.queue_confirmation(True)
    ui.window.workspace_actions["sign_note"].trigger()
    ui.qtbot.waitUntil(lambda: draft.mode.value == "signed", timeout=8000)
    assert not draft.learning_offered
