"""Hostile import files: every value anywhere replaced by junk; odd bytes; huge and deep input.

What must hold for every input: the import either succeeds — and then every view of the vault
still works (client list, notes, ratings, ladders, trials, letters and their bytes, letter
templates, search, a new export) — or it is
refused with InvalidInput whose message names the place in the file ("clients[0].sessions[1].
date: not a date"), and then nothing stored has changed, not a row.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.clients import ClientDetails, ContactDetails, Referral, RiskArea, RiskLevel, RiskRecord
from app.errors import InvalidInput
from app.exposure import StepDraft, TrialRecord
from app.letters import LetterRequest, LetterTemplate, compose, load_letter_templates
from app.measures import load_definitions
from app.notes import AmendmentKind, load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from app.workspace import StatusFilter
from storage.exposure import ExposureStore
from storage.letters import LettersStore
from storage.portability import export_record, import_record, read_export
from storage.practice import PracticeStore
from storage.ratings import RatingInput, RatingsStore
from storage.vault import Vault
from tests.hostile.strategies import any_text, deep, examples, json_junk, json_paths, set_at
from tests.support.vaults import snapshot

TEMPLATES = load_templates(resource_dir() / "templates")
DEFINITIONS = load_definitions(resource_dir() / "measures")
LETTER_TEMPLATES = load_letter_templates(resource_dir() / "letters")


def _filled(vault: Vault) -> None:
    """One client with something of everything an export can hold."""
    store = PracticeStore(vault, TEMPLATES)
    zoe = store.create_client(ClientDetails(
        "Zoë Ñúñez", "Zo", date_of_birth=date(1990, 2, 3),
        contact=ContactDetails(phone="+44 20 7946 0000", email="zoe@example.org"),
        referral=Referral("GP", "Dr Hale", "General practitioner", "1 High St"))).result().id
    store.record_risk(zoe, RiskRecord(RiskLevel.LOW, (RiskArea("Self-neglect", RiskLevel.LOW),),
                                      "Review monthly")).result()
    store.set_goals(zoe, ["Ride the tram alone"]).result()
    first = store.create_session(zoe, SessionDetails(date(2026, 1, 5), "09:30")).result().id
    note = store.save_draft(first, "birp", {"behaviour": "Anxious", "plan": "Tram"}).result()
    store.sign_note(note.note_id).result()
    store.add_amendment(note.note_id, AmendmentKind.ADDENDUM, "Went two stops").result()
    second = store.create_session(zoe, SessionDetails(date(2026, 1, 12))).result().id
    store.save_draft(second, "free", {"note": "draft note"}).result()
    store.save_process_notes(zoe, "private").result()
    exposure = ExposureStore(vault)
    ladder = exposure.create_ladder(zoe, "Trams", "Ride alone",
                                    steps=[StepDraft("One stop", 30, "", ("Music",))]).result()
    step = exposure.steps(ladder).result()[0].id
    exposure.log_trial(step, TrialRecord(datetime(2026, 1, 5, 9, tzinfo=UTC), suds_before=30,
                                         suds_peak=60, suds_after=20, expectancy_before=80,
                                         expectancy_after=30, outcome_occurred=False,
                                         suds_readings=((0, 30), (5, 60), (10, 20))),
                       session_id=first, reading_interval_min=5).result()
    RatingsStore(vault, DEFINITIONS).record(
        RatingInput(zoe, first, "ors", "screen", (50, 61, 72, 83))).result()
    RatingsStore(vault, DEFINITIONS).record(
        RatingInput(zoe, first, "srs", "paper_total", (), 360)).result()
    letters = LettersStore(vault, DEFINITIONS, LETTER_TEMPLATES)
    raw = LETTER_TEMPLATES["end-of-treatment"].to_json()
    raw.update(id="mine", name="My ending letter")
    mine = letters.save_template(LetterTemplate.from_json(raw, builtin=False)).result()
    request = LetterRequest(zoe, "mine")
    # Composed for real; the PDF is small stand-in bytes, so that every accepted import (and the
    # export after it) stays quick: the format check reads only the header, size and hash.
    content = compose(letters.facts(request).result(), mine, request)
    letters.save(content, b"%PDF-1.4\n% a letter\n%%EOF\n").result()


@pytest.fixture
def document(vault_factory: Any) -> dict[str, Any]:
    vault, _ = vault_factory("Source")
    _filled(vault)
    return json.loads(json.dumps(export_record(vault)))


@pytest.fixture
def target(vault_factory: Any) -> Vault:
    vault, _ = vault_factory("Target")
    PracticeStore(vault, TEMPLATES).create_client(ClientDetails("Already Here")).result()
    return vault


def _render(path: tuple[Any, ...]) -> str:
    """A path as the validator writes it: clients[0].sessions[1].date."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _views_still_work(vault: Vault) -> None:
    """Everything the window shows for every client, after an import that was accepted."""
    store, ratings, exposure = (PracticeStore(vault, TEMPLATES), RatingsStore(vault, DEFINITIONS),
                                ExposureStore(vault))
    letters = LettersStore(vault, DEFINITIONS, LETTER_TEMPLATES)
    letters.templates().result()
    for row in store.list_clients(status=StatusFilter.ALL).result():
        store.client(row.id, audit_view=False).result()
        for session in store.sessions(row.id).result():
            store.note(session.id).result()
        ratings.administrations(row.id).result()
        ratings.summary(row.id).result()
        for ladder in exposure.ladders(row.id).result():
            for step in exposure.steps(ladder.id).result():
                exposure.trials(step.id).result()
        exposure.latest_learning(row.id).result()
        for letter in letters.letters(row.id).result():
            letters.pdf(letter.id).result()  # the bytes still match the hash they arrived with
    store.search("note").result()
    export_record(vault)


def _names_its_place(message: str, path: tuple[Any, ...]) -> bool:
    if "far outside any range" in message:  # storage's safety net under the same validator
        return True
    if path[0] in ("format", "version"):
        return "export" in message.lower()
    places = {_render(path[:n]) for n in range(1, len(path) + 1)}
    return any(message.startswith(place + ":") or message.startswith(place + ".")
               or message.startswith(place + "[") for place in places)


@examples(120)
@given(data=st.data())
def test_any_value_anywhere_is_imported_or_refused_by_name(document: dict[str, Any],
                                                           target: Vault, data: Any) -> None:
    path = data.draw(st.sampled_from(json_paths(document)), label="path")
    junk = data.draw(json_junk, label="junk")
    before = target.call(snapshot)
    try:
        import_record(target, set_at(document, path, junk), TEMPLATES)
    except InvalidInput as exc:
        assert target.call(snapshot) == before, "a refused import changed the vault"
        assert _names_its_place(exc.message, path), (_render(path), exc.message)
        assert len(exc.message) < 400, exc.message[:400]  # bounded, the version's included
    else:
        _views_still_work(target)


@examples(60)
@given(key=st.sampled_from(["items", "total", "suds_readings", "suds_peak", "capture", "rule",
                            "safety_used", "episode", "number", "late_entry", "areas",
                            "deidentified", "file_name", "sha256", "pdf_base64", "block"]),
       junk=json_junk)
def test_fields_that_feed_later_views_accept_only_what_the_views_can_show(
        document: dict[str, Any], target: Vault, key: str, junk: Any) -> None:
    """Values the validator passes straight to storage are read back by the views later."""
    places = [p for p in json_paths(document) if p[-1] == key]
    for path in places:
        try:
            import_record(target, set_at(document, path, junk), TEMPLATES)
        except InvalidInput as exc:
            assert _names_its_place(exc.message, path), (_render(path), exc.message)
        else:
            _views_still_work(target)


@pytest.mark.parametrize(("name", "content"), [
    ("huge integer", b'{"format": "tandem-export", "version": ' + b"9" * 5000 + b"}"),
    ("huge integer deep inside", b'{"format": "tandem-export", "version": 1, "clients": [{'
                                 b'"sessions": [{"number": ' + b"1" * 4400 + b"}]}]}"),
    ("NaN literal", b'{"format": "tandem-export", "version": NaN}'),
    ("Infinity", b'{"format": "tandem-export", "version": 1, "clients": [{"name": Infinity}]}'),
    ("1e400", b'{"format": "tandem-export", "version": 1e400}'),
    ("lone surrogate", b'{"format": "tandem-export", "version": 1, "clients": [{"name": '
                       b'"\\ud800"}]}'),
    ("byte-order mark", b"\xef\xbb\xbf{}"),
    ("UTF-16", '{"format": "tandem-export"}'.encode("utf-16")),
    ("invalid UTF-8", b'{"a": "\xc3\x28"}'),
    ("deep lists", b"[" * 50_000 + b"]" * 50_000),
    ("deep objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("duplicate keys", b'{"format": "x", "format": "tandem-export", "version": 1}'),
    ("only whitespace", b"   \n\t  "),
    ("NUL bytes", b"\x00" * 100),
    ("top-level string", b'"tandem-export"'),
])
def test_odd_files_are_refused_with_a_message(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / "odd.json"
    path.write_bytes(content)
    try:
        read_export(path)
    except InvalidInput as exc:
        assert exc.message and len(exc.message) < 400, name
    else:  # only the duplicate-key file is a valid (empty) export
        assert name == "duplicate keys"


@examples(40)
@given(content=st.binary(max_size=300) | any_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_read_or_refused(tmp_path_factory: Any, content: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "any.json"
    path.write_bytes(content)
    try:
        read_export(path)
    except InvalidInput as exc:
        assert exc.message


@pytest.mark.parametrize("where", [
    ("clients", 0, "sessions", 1, "note", "sections", "note"),
    ("clients", 0, "ladders", 0, "steps", 0, "trials", 0, "safety_used"),
])
def test_section_and_list_texts_are_refused_by_name(document: dict[str, Any], target: Vault,
                                                     where: tuple[Any, ...]) -> None:
    value = "nul\x00" if where[-1] == "note" else ["nul\x00"]
    with pytest.raises(InvalidInput) as info:
        import_record(target, set_at(document, where, value), TEMPLATES)
    assert info.value.message.startswith(_render(where))


@pytest.mark.parametrize(("where", "value", "message"), [
    (("clients", 0, "sessions", 1, "note", "sections", "note"), "x" * 5_000_000, "too long"),
    (("clients", 0, "process_notes"), "y" * 5_000_000, "too long"),
    (("clients", 0, "name"), "z" * 1_000_000, "too long"),
    (("clients", 0, "measures", 0, "capture"), {"nested": deep(500)}, "nested too deeply"),
    (("clients", 0, "ladders", 0, "rule"), {"drop_percent": math.nan}, "not a finite number"),
    (("clients", 0, "ladders", 0, "steps", 0, "trials", 0, "suds_readings"), [[0, 30]],
     "minute"),
    (("clients", 0, "measures", 0, "capture"), {"\ud800": 1}, "not valid Unicode"),
    (("clients", 0, "measures", 0, "capture"), {"n": 10**30}, "too large"),
    (("clients", 0, "ladders", 0, "rule"), {"kind": "nonsense"}, None),
])
def test_huge_and_deep_values(document: dict[str, Any], target: Vault,
                              where: tuple[Any, ...], value: Any, message: str | None) -> None:
    before = target.call(snapshot)
    mutated = set_at(document, where, value)
    if message is None:
        import_record(target, mutated, TEMPLATES)
        _views_still_work(target)
        return
    with pytest.raises(InvalidInput, match=message) as info:
        import_record(target, mutated, TEMPLATES)
    assert _names_its_place(info.value.message, where), info.value.message
    assert len(info.value.message) < 400
    assert target.call(snapshot) == before
