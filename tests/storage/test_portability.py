"""Export → import round-trips exactly; a malformed file is named and changes nothing."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clients import ClientDetails, ContactDetails, Referral, RiskArea, RiskLevel, RiskRecord
from app.errors import InvalidInput
from app.export_format import validate_export
from app.notes import AmendmentKind, load_templates
from app.resources import resource_dir
from app.sessions import Attendance, SessionDetails
from storage.portability import export_record, import_record, read_export, write_export
from storage.practice import PracticeStore

TEMPLATES = load_templates(resource_dir() / "templates")


@pytest.fixture
def filled(vault_factory) -> PracticeStore:
    vault, _ = vault_factory("Source")
    store = PracticeStore(vault, TEMPLATES)
    zoe = store.create_client(ClientDetails(
        "Zoë Ñúñez-O'Brien", "Zo", date_of_birth=date(1990, 2, 3),
        contact=ContactDetails(phone="+44 20 7946 0000", email="zoe@example.org"),
        referral=Referral("GP", "Dr Imogen Hale", "General practitioner", "1 High St\nLeeds"),
    )).result().id
    store.record_risk(zoe, RiskRecord(RiskLevel.LOW, (RiskArea("Self-neglect", RiskLevel.LOW),),
                                      "Review monthly")).result()
    store.set_goals(zoe, ["Ride the tram alone"]).result()
    first = store.create_session(zoe, SessionDetails(date(2026, 10, 1), "09:30")).result().id
    store.create_session(zoe, SessionDetails(date(2026, 10, 8),
                                             attendance=Attendance.NO_SHOW)).result()
    note = store.save_draft(first, "birp", {"behaviour": "Anxious 😟 שלום",
                                            "plan": "Tram, one stop"}).result()
    store.sign_note(note.note_id).result()
    store.add_amendment(note.note_id, AmendmentKind.ADDENDUM, "Phoned: went two stops").result()
    store.save_process_notes(zoe, "Private reflection").result()
    bruno = store.create_client(ClientDetails("Bruno Costa")).result().id
    store.close_client(bruno, "Moved away").result()
    return store


def fresh_vault(vault_factory, name: str = "Target"):
    vault, _ = vault_factory(name)
    return vault


def without_time(document: dict) -> dict:
    document = copy.deepcopy(document)
    document.pop("exported_at")
    return document


def test_export_import_export_is_identical(filled: PracticeStore, vault_factory) -> None:
    first = export_record(filled.vault, include_process_notes=True)
    target = fresh_vault(vault_factory)
    report = import_record(target, json.loads(json.dumps(first)), TEMPLATES)
    assert (report.clients, report.sessions, report.notes, report.amendments) == (2, 2, 1, 1)
    second = export_record(target, include_process_notes=True)
    assert without_time(second) == without_time(first)
    hits = PracticeStore(target, TEMPLATES).search("tram").result()
    assert {h.client_name for h in hits} == {"Zoë Ñúñez-O'Brien"}


def test_process_notes_are_left_out_unless_asked(filled: PracticeStore) -> None:
    plain = json.dumps(export_record(filled.vault), ensure_ascii=False)
    assert "Private reflection" not in plain
    assert "Private reflection" in json.dumps(
        export_record(filled.vault, include_process_notes=True), ensure_ascii=False)


def test_export_is_audited_and_written_atomically(filled: PracticeStore, tmp_path: Path) -> None:
    target = tmp_path / "out" / "record.json"
    target.parent.mkdir()
    assert write_export(filled.vault, target) == 2
    assert read_export(target)["clients"][0]["name"] == "Zoë Ñúñez-O'Brien"
    assert [p.name for p in target.parent.iterdir()] == ["record.json"]
    assert filled.vault.audit_entries()[0].event == "record.exported"


def corrupt(document: dict, path: list, value: object) -> dict:
    document = copy.deepcopy(document)
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


@pytest.mark.parametrize(("path", "value", "message"), [
    (["format"], "something-else", "not a Tandem export"),
    (["version"], 99, "version 99"),
    (["clients", 0, "name"], "", r"clients\[0\]\.name"),
    (["clients", 0, "sessions", 0, "date"], "2026-13-01", r"sessions\[0\]\.date: not a date"),
    (["clients", 0, "sessions", 0, "duration_min"], -5, "between 0 and 600"),
    (["clients", 0, "sessions", 0, "attendance"], "maybe", "must be one of"),
    (["clients", 0, "sessions", 0, "note", "sections", "behaviour"], "changed after signing",
     "altered after signing"),
    (["clients", 0, "sessions", 0, "note", "amendments", 0, "body"], "rewritten",
     "altered after signing"),
    (["clients", 0, "name"], "nul\x00byte", "control character"),
    (["clients", 0, "status"], None, "must be one of"),
    (["clients"], {"not": "a list"}, "expected a list"),
])
def test_malformed_imports_name_the_problem_and_change_nothing(
        filled: PracticeStore, vault_factory, path: list, value: object, message: str) -> None:
    good = export_record(filled.vault)
    target = fresh_vault(vault_factory)
    store = PracticeStore(target, TEMPLATES)
    store.create_client(ClientDetails("Already Here")).result()
    before = export_record(target)
    with pytest.raises(InvalidInput, match=message):
        import_record(target, corrupt(good, path, value), TEMPLATES)
    assert without_time(export_record(target)) == without_time(before)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[]", b"null",
                                     b"[" * 100_000 + b"]" * 100_000])
def test_unreadable_files_get_a_clear_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InvalidInput):
        read_export(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_is_either_valid_or_an_invalid_input(value: object) -> None:
    with contextlib.suppress(InvalidInput):
        validate_export(value)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["name", "pseudonym", "status", "created_at", "date_of_birth",
                        "episodes", "sessions", "measures", "ladders", "contact"]),
       json_values)
def test_any_field_replaced_by_junk_is_rejected_cleanly(key: str, junk: object) -> None:
    document = {"format": "tandem-export", "version": 1, "clients": [{
        "name": "A", "pseudonym": "Oak 11", "status": "active",
        "created_at": "2026-01-01T00:00:00Z"}]}
    document["clients"][0][key] = junk
    with contextlib.suppress(InvalidInput):
        validate_export(document)


def test_ladders_and_ratings_round_trip(filled: PracticeStore, vault_factory) -> None:
    from datetime import UTC, datetime

    from app.exposure import StepDraft, TrialRecord
    from app.measures import load_definitions
    from storage.exposure import ExposureStore
    from storage.ratings import RatingInput, RatingsStore

    vault = filled.vault
    client = filled.list_clients().result()[0].id
    session = filled.sessions(client).result()[0].id
    exposure = ExposureStore(vault)
    ladder = exposure.create_ladder(client, "Trams", "Ride alone",
                                    steps=[StepDraft("One stop", 30, "", ("Music",))]).result()
    step = exposure.steps(ladder).result()[0].id
    exposure.log_trial(step, TrialRecord(datetime(2026, 10, 1, 9, tzinfo=UTC), suds_before=30,
                                         suds_peak=60, suds_after=20,
                                         suds_readings=((0, 30), (5, 60), (10, 20))),
                       session_id=session, reading_interval_min=5).result()
    RatingsStore(vault, load_definitions(resource_dir() / "measures")).record(
        RatingInput(client, session, "ors", "screen", (50, 61, 72, 83))).result()
    first = export_record(vault)
    target = fresh_vault(vault_factory)
    import_record(target, json.loads(json.dumps(first)), TEMPLATES)
    assert without_time(export_record(target)) == without_time(first)
