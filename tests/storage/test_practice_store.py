"""The practice's records in a real vault: what a therapist does all day, and what must hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.clients import ClientDetails, ClientStatus, RiskArea, RiskLevel, RiskRecord
from app.errors import InvalidInput
from app.notes import AmendmentKind, NoteStatus, load_templates
from app.resources import resource_dir
from app.sessions import Attendance, SessionDetails
from app.workspace import HIGHLIGHT_END, HIGHLIGHT_START, ClientOrder, StatusFilter
from storage.connection import DatabaseError
from storage.practice import PracticeStore


@pytest.fixture
def store(vault_factory) -> PracticeStore:
    vault, _ = vault_factory()
    return PracticeStore(vault, load_templates(resource_dir() / "templates"))


def add_client(store: PracticeStore, name: str, preferred: str = "") -> int:
    return store.create_client(ClientDetails(name, preferred)).result().id


def add_session(store: PracticeStore, client_id: int, day: date,
                attendance: Attendance = Attendance.ATTENDED) -> int:
    return store.create_session(client_id, SessionDetails(day, attendance=attendance)).result().id


def test_client_list_filters_by_any_name_and_status(store: PracticeStore) -> None:
    ana = add_client(store, "Ana Silva", "Annie")
    add_client(store, "Bruno Costa")
    pseudonym = store.client(ana).result().details.pseudonym
    assert [r.name for r in store.list_clients(text="ann").result()] == ["Ana Silva"]
    assert [r.name for r in store.list_clients(text=pseudonym.split()[0]).result()] == [
        "Ana Silva"]
    assert [r.name for r in store.list_clients(text="%").result()] == []
    store.close_client(ana, "Goals met").result()
    assert [r.name for r in store.list_clients().result()] == ["Bruno Costa"]
    assert [r.name for r in store.list_clients(status=StatusFilter.CLOSED).result()] == [
        "Ana Silva"]
    assert len(store.list_clients(status=StatusFilter.ALL).result()) == 2
    assert store.client(ana).result().status is ClientStatus.CLOSED


def test_list_sorts_by_last_session(store: PracticeStore) -> None:
    a = add_client(store, "Ana Silva")
    b = add_client(store, "Bruno Costa")
    add_session(store, a, date(2026, 1, 5))
    add_session(store, b, date(2026, 3, 5))
    rows = store.list_clients(order=ClientOrder.LAST_SESSION).result()
    assert [(r.name, r.last_session) for r in rows] == [("Bruno Costa", date(2026, 3, 5)),
                                                        ("Ana Silva", date(2026, 1, 5))]


def test_sessions_are_numbered_within_the_episode_skipping_missed_ones(
        store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    add_session(store, client, date(2026, 1, 12))
    add_session(store, client, date(2026, 1, 5))
    add_session(store, client, date(2026, 1, 19), Attendance.NO_SHOW)
    add_session(store, client, date(2026, 1, 26))
    numbers = {r.date.day: r.number for r in store.sessions(client).result()}
    assert numbers == {5: 1, 12: 2, 19: 0, 26: 3}


def test_draft_sign_lock_and_addendum(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    session = add_session(store, client, date(2026, 11, 20))
    saved = store.save_draft(session, "soap", {"subjective": "Slept badly 😟",
                                               "plan": "Keep the sleep diary"}).result()
    assert saved.late_entry  # written after the session day
    signed = store.sign_note(saved.note_id).result()
    assert signed.status is NoteStatus.SIGNED
    assert len(signed.content_sha256 or "") == 64 and signed.signed_at
    with pytest.raises(InvalidInput, match="signed and locked"):
        store.save_draft(session, "soap", {"subjective": "changed"}).result()
    # The database refuses too, even if some future code forgot the rule.
    with pytest.raises(DatabaseError, match="locked"):
        store.vault.call(lambda c: c.execute("UPDATE notes SET body = 'x' WHERE id = ?",
                                             (saved.note_id,)))
    store.add_amendment(saved.note_id, AmendmentKind.CORRECTION,
                        "Diary kept on paper, not app").result()
    note = store.note(session).result()
    assert note is not None
    assert note.sections["subjective"] == "Slept badly 😟"
    assert [a.kind for a in note.amendments] == ["correction"]
    events = [e.event for e in store.vault.audit_entries()]
    assert "note.signed" in events and "note.correction_signed" in events


def test_search_finds_notes_and_amendments_with_highlights(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    session = add_session(store, client, date(2026, 11, 2))
    note = store.save_draft(session, "dap", {"data": "Panic attacks on the tram"}).result()
    hits = store.search("panic").result()
    assert [h.client_name for h in hits] == ["Ana Silva"]
    assert f"{HIGHLIGHT_START}Panic{HIGHLIGHT_END}" in hits[0].snippet
    store.sign_note(note.note_id).result()
    store.add_amendment(note.note_id, AmendmentKind.ADDENDUM, "Tram ridden alone").result()
    assert len(store.search("tram").result()) == 2
    assert store.search('"ridden alone"').result()[0].note_id == note.note_id
    for hostile in ['"', "*", "NEAR(", "-", "AND", "'); DROP TABLE notes;--"]:
        store.search(hostile).result()  # never raises


def test_deleting_a_signed_note_leaves_a_stub_and_no_searchable_text(
        store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    session = add_session(store, client, date(2026, 11, 2))
    note = store.save_draft(session, "free", {"note": "Zanzibar holiday plans"}).result()
    store.sign_note(note.note_id).result()
    store.delete_note(note.note_id, "Written in the wrong client's record").result()
    stub = store.note(session).result()
    assert stub is not None and stub.sections == {} and stub.content_sha256
    assert store.search("zanzibar").result() == []


def test_destroying_a_client_leaves_a_stub_and_erases_text(store: PracticeStore,
                                                         tmp_path: Path) -> None:
    client = add_client(store, "Quentin Marlowe-Ystad")
    session = add_session(store, client, date(2026, 11, 2))
    store.save_draft(session, "free", {"note": "Xylophonist with stage fright"}).result()
    store.destroy_client(client).result()
    assert store.list_clients(status=StatusFilter.ALL).result() == []
    assert store.search("xylophonist").result() == []
    stub = store.client(client, audit_view=False).result()
    assert stub.destroyed_at and stub.name == "" and stub.details.pseudonym
    store.vault.close()
    for path in store.vault.folder.iterdir():
        data = path.read_bytes()
        assert b"Xylophonist" not in data and b"Marlowe" not in data


def test_risk_and_goals_round_trip(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    assert store.risk(client).result() is None
    store.record_risk(client, RiskRecord(RiskLevel.MODERATE,
                                         (RiskArea("Self-harm", RiskLevel.MODERATE),),
                                         "Safety plan reviewed")).result()
    risk = store.risk(client).result()
    assert risk is not None and risk.areas[0].area == "Self-harm"
    assert store.list_clients().result()[0].risk is RiskLevel.MODERATE
    store.set_goals(client, ["Sleep 7 hours", "Return to work"]).result()
    assert [g.text for g in store.goals(client).result()] == ["Sleep 7 hours", "Return to work"]


def test_bad_input_changes_nothing(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    session = add_session(store, client, date(2026, 11, 2))
    store.save_draft(session, "soap", {"plan": "original"}).result()
    for sections in ({"plan": "a\x00b"}, {"plan": "x" * 300_000}):
        with pytest.raises(InvalidInput):
            store.save_draft(session, "soap", sections).result()
    note = store.note(session).result()
    assert note is not None and note.sections["plan"] == "original"
    with pytest.raises(InvalidInput):
        store.create_client(ClientDetails("")).result()
    assert len(store.list_clients().result()) == 1


def test_process_notes_are_kept_apart_and_not_searched(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    store.save_process_notes(client, "Countertransference: protective feelings").result()
    assert store.process_notes(client).result().startswith("Countertransference")
    assert store.search("countertransference").result() == []


def test_autosave_defers_the_search_index_until_asked(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    session = add_session(store, client, date(2026, 11, 2))
    note = store.save_draft(session, "free", {"note": "first words"}).result()
    assert store.search("first").result()  # a new note is searchable at once
    store.save_draft(session, "free", {"note": "quokka sighting"}).result()
    assert store.note(session).result().sections["note"] == "quokka sighting"  # saved
    assert store.search("quokka").result() == []  # index not yet refreshed
    assert store.reindex_note(session).result() is True
    assert store.search("quokka").result()
    store.save_draft(session, "free", {"note": "wombat"}, reindex=True).result()
    assert store.search("wombat").result() and not store.search("quokka").result()
    store.save_draft(session, "free", {"note": "platypus at dusk"}).result()
    store.sign_note(note.note_id).result()  # signing indexes exactly what was signed
    assert store.search("platypus").result()


def test_search_lists_newest_sessions_first(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    for day in (date(2026, 3, 1), date(2026, 9, 1), date(2026, 5, 1)):
        session = add_session(store, client, day)
        store.save_draft(session, "free", {"note": "breathing practice"}).result()
    assert [h.session_date.month for h in store.search("breathing").result()] == [9, 5, 3]


def test_a_deleted_note_stub_says_when_and_why(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    session = add_session(store, client, date(2026, 11, 2))
    note = store.save_draft(session, "free", {"note": "Wrong client"}).result()
    store.sign_note(note.note_id).result()
    store.delete_note(note.note_id, "Written in the wrong record").result()
    stub = store.note(session).result()
    assert stub is not None and stub.deleted_at and stub.deleted_reason == \
        "Written in the wrong record"


def test_one_section_notes_have_no_heading_in_their_text(store: PracticeStore) -> None:
    client = add_client(store, "Ana Silva")
    session = add_session(store, client, date(2026, 11, 2))
    store.save_draft(session, "free", {"note": "Walked to the park"}).result()
    assert store.sessions(client).result()[0].note_preview == "Walked to the park"
