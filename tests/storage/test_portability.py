"""Export → import round-trips exactly; a malformed file is named and changes nothing.

Letters sent (their exact PDF bytes) and the practitioner's letter templates travel too; a letter
altered after it was sent is refused like an altered signed note.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clients import ClientDetails, ContactDetails, Referral, RiskArea, RiskLevel, RiskRecord
from app.errors import InvalidInput, VaultDamaged
from app.export_format import MAX_LETTER_BYTES, validate_export
from app.letters import LetterRequest, LetterTemplate
from app.notes import AmendmentKind, load_templates
from app.resources import resource_dir
from app.sessions import Attendance, SessionDetails
from storage.portability import export_record, import_record, read_export, write_export
from storage.practice import PracticeStore
from storage.vault import Vault
from tests.support.vaults import snapshot
from ui.letters.service import LetterService

TEMPLATES = load_templates(resource_dir() / "templates")
MY_TEMPLATE = "my-progress"


def my_template(service: LetterService, name: str = "My progress letter 📝") -> LetterTemplate:
    """The practitioner's own template: the built-in progress letter, renamed."""
    raw = service.template("progress").to_json()
    raw.update(id=MY_TEMPLATE, name=name, subject="Progress: {client.name}")
    return LetterTemplate.from_json(raw, builtin=False)


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
    letters = LetterService(store.vault)
    letters.save_template(my_template(letters))
    letters.send(LetterRequest(zoe, MY_TEMPLATE, quoted_note_ids=(note.note_id,)))
    letters.send(LetterRequest(zoe, "supervision"))  # de-identified
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
    assert (report.letters, report.letter_templates) == (2, 1)
    second = export_record(target, include_process_notes=True)
    assert without_time(second) == without_time(first)
    hits = PracticeStore(target, TEMPLATES).search("tram").result()
    assert {h.client_name for h in hits} == {"Zoë Ñúñez-O'Brien"}


def test_letters_arrive_byte_for_byte_with_their_templates(filled: PracticeStore,
                                                            vault_factory) -> None:
    source = LetterService(filled.vault)
    zoe = filled.list_clients().result()[0].id
    sent = sorted(source.letters(zoe), key=lambda r: r.id)
    target = fresh_vault(vault_factory)
    import_record(target, json.loads(json.dumps(export_record(filled.vault))), TEMPLATES)
    moved = LetterService(target)
    new_zoe = next(c.id for c in PracticeStore(target, TEMPLATES).list_clients().result()
                   if c.name == "Zoë Ñúñez-O'Brien")
    arrived = sorted(moved.letters(new_zoe), key=lambda r: r.id)
    assert [(r.template, r.template_name, r.recipient, r.created_at, r.deidentified, r.sha256,
             r.size, r.file_name) for r in arrived] == \
        [(r.template, r.template_name, r.recipient, r.created_at, r.deidentified, r.sha256,
          r.size, r.file_name) for r in sent]
    assert [r.deidentified for r in arrived] == [False, True]
    assert arrived[0].recipient == "Dr Imogen Hale (General practitioner)"
    assert arrived[0].template_name == "My progress letter 📝"
    for old, new in zip(sent, arrived, strict=True):
        assert moved.pdf(new.id) == source.pdf(old.id)  # read back through the hash check
    theirs = moved.templates()[MY_TEMPLATE]
    assert not theirs.builtin
    assert theirs.to_json() == source.template(MY_TEMPLATE).to_json()


def test_export_holds_each_letter_as_base64_with_its_hash(filled: PracticeStore) -> None:
    document = export_record(filled.vault)
    letters = document["clients"][0]["letters"]
    assert [letter["template"] for letter in letters] == [MY_TEMPLATE, "supervision"]
    for letter in letters:
        pdf = base64.b64decode(letter["pdf_base64"], validate=True)
        assert pdf.startswith(b"%PDF-")
        assert hashlib.sha256(pdf).hexdigest() == letter["sha256"]
        assert letter["file_name"].endswith(".pdf")
    assert document["clients"][1]["letters"] == []
    assert [t["id"] for t in document["letter_templates"]] == [MY_TEMPLATE]
    assert document["version"] == 2
    assert filled.vault.audit_entries()[0].detail["letters"] == 2


def test_process_notes_are_left_out_unless_asked(filled: PracticeStore) -> None:
    default = export_record(filled.vault)
    plain = json.dumps(default, ensure_ascii=False)
    assert "Private reflection" not in plain
    assert len(default["clients"][0]["letters"]) == 2  # letters are part of the record
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


# -- letters and letter templates: refused by name, nothing changed ---------------------------

LETTER = ["clients", 0, "letters", 0]


@pytest.fixture
def occupied(vault_factory) -> Vault:
    """A vault that already has a client, a letter and its own template of the imported id."""
    vault = fresh_vault(vault_factory)
    here = PracticeStore(vault, TEMPLATES).create_client(ClientDetails(
        "Already Here", referral=Referral("GP", "Dr Hale", "General practitioner"))).result().id
    service = LetterService(vault)
    service.save_template(my_template(service, "Their own version"))
    service.send(LetterRequest(here, "progress"))
    return vault


def letter_pdf(document: dict, index: int = 0) -> bytes:
    return base64.b64decode(document["clients"][0]["letters"][index]["pdf_base64"])


def with_pdf(document: dict, pdf: bytes, digest: str | None = None) -> dict:
    """The first letter replaced by `pdf`, with its true hash unless `digest` is given."""
    document = corrupt(document, [*LETTER, "pdf_base64"], base64.b64encode(pdf).decode())
    return corrupt(document, [*LETTER, "sha256"], digest or hashlib.sha256(pdf).hexdigest())


def flip_last_byte(pdf: bytes) -> bytes:
    return pdf[:-1] + bytes([pdf[-1] ^ 0x01])


def destroyed_with_letters(document: dict) -> dict:
    document = corrupt(document, ["clients", 1, "destroyed_at"], "2026-11-01T10:00:00Z")
    document = corrupt(document, ["clients", 1, "name"], "")
    return corrupt(document, ["clients", 1, "letters"], document["clients"][0]["letters"])


def twice(document: dict) -> dict:
    return corrupt(document, ["letter_templates"], document["letter_templates"] * 2)


WHERE = r"^clients\[0\]\.letters\[0\]\."
REFUSALS = [
    ("bad base64", lambda d: corrupt(d, [*LETTER, "pdf_base64"], "JVBERi0x!!*"),
     WHERE + r"pdf_base64: not valid base64"),
    ("bad padding", lambda d: corrupt(d, [*LETTER, "pdf_base64"], "JVBERi0xLj"),
     WHERE + r"pdf_base64: not valid base64"),
    ("line breaks", lambda d: corrupt(d, [*LETTER, "pdf_base64"],
                                      d["clients"][0]["letters"][0]["pdf_base64"][:76] + "\n"
                                      + d["clients"][0]["letters"][0]["pdf_base64"][76:]),
     WHERE + r"pdf_base64: not valid base64"),
    ("not text", lambda d: corrupt(d, [*LETTER, "pdf_base64"], 12345),
     WHERE + r"pdf_base64: expected the PDF as base64"),
    ("one byte changed", lambda d: with_pdf(d, flip_last_byte(letter_pdf(d)),
                                            d["clients"][0]["letters"][0]["sha256"]),
     WHERE + r"sha256: does not match the PDF: the letter was altered after it was sent"),
    ("another letter's hash", lambda d: corrupt(d, [*LETTER, "sha256"],
                                                d["clients"][0]["letters"][1]["sha256"]),
     WHERE + r"sha256: does not match the PDF"),
    ("hash not hex", lambda d: corrupt(d, [*LETTER, "sha256"], "ABC"),
     WHERE + r"sha256: expected a SHA-256"),
    ("not a PDF", lambda d: with_pdf(d, b"<html>Dear Dr Hale</html>"),
     WHERE + r"pdf_base64: not a PDF \(it does not start with %PDF-\)"),
    ("empty", lambda d: with_pdf(d, b""), WHERE + r"pdf_base64: not a PDF"),
    ("one byte over the cap", lambda d: with_pdf(d, b"%PDF-" + bytes(MAX_LETTER_BYTES - 4)),
     WHERE + r"pdf_base64: the letter is larger than 20 MB"),
    ("far over the cap", lambda d: corrupt(d, [*LETTER, "pdf_base64"], "A" * (40 * 1024**2)),
     WHERE + r"pdf_base64: the letter is larger than 20 MB"),
    ("de-identified as text", lambda d: corrupt(d, [*LETTER, "deidentified"], "yes"),
     WHERE + r"deidentified: expected true or false"),
    ("file name with a folder", lambda d: corrupt(d, [*LETTER, "file_name"], "../../x.pdf"),
     WHERE + r"file_name: expected a plain file name"),
    ("file name not a PDF", lambda d: corrupt(d, [*LETTER, "file_name"], "letter.exe"),
     WHERE + r"file_name: expected a plain file name"),
    ("no date", lambda d: corrupt(d, [*LETTER, "created_at"], "yesterday"),
     WHERE + r"created_at: not a timestamp"),
    ("no template", lambda d: corrupt(d, [*LETTER, "template"], ""),
     WHERE + r"template: text cannot be empty"),
    ("letters not a list", lambda d: corrupt(d, ["clients", 0, "letters"], {"a": 1}),
     r"^clients\[0\]\.letters: expected a list"),
    ("letters of a destroyed record", destroyed_with_letters,
     r"^clients\[1\]\.letters: a destroyed record keeps no letters"),
    ("template without sections", lambda d: corrupt(d, ["letter_templates", 0, "sections"], []),
     r"^letter_templates\[0\]: The template “My progress letter 📝” needs at least one section"),
    ("unknown block", lambda d: corrupt(d, ["letter_templates", 0, "sections", 0, "block"],
                                        "horoscope"),
     r"^letter_templates\[0\]: Unknown automatic block 'horoscope'"),
    ("unknown merge field", lambda d: corrupt(d, ["letter_templates", 0, "subject"],
                                              "About {client.shoe_size}"),
     r"^letter_templates\[0\]: Unknown merge field \{client\.shoe_size\} in the subject"),
    ("not a template", lambda d: corrupt(d, ["letter_templates", 0], ["a", "list"]),
     r"^letter_templates\[0\]: Not a Tandem letter template"),
    ("bad template id", lambda d: corrupt(d, ["letter_templates", 0, "id"], "../Progress"),
     r"^letter_templates\[0\]: A template id uses lower-case letters"),
    ("same template twice", twice,
     r"^letter_templates\[1\]\.id: 'my-progress' is also the id of letter_templates\[0\]"),
]


@pytest.mark.parametrize(("change", "message"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_a_bad_letter_or_letter_template_is_refused_by_name_and_changes_nothing(
        filled: PracticeStore, occupied: Vault, change, message: str) -> None:
    good = json.loads(json.dumps(export_record(filled.vault)))
    validate_export(good)  # the file itself is fine: the change alone is refused
    before = occupied.call(snapshot)
    trail = len(occupied.audit_entries())
    with pytest.raises(InvalidInput, match=message) as refused:
        import_record(occupied, change(good), TEMPLATES)
    assert len(refused.value.message) < 400
    assert occupied.call(snapshot) == before
    assert len(occupied.audit_entries()) == trail  # no "record.imported" for a refusal


def test_the_total_of_letters_is_capped(filled: PracticeStore, monkeypatch) -> None:
    import app.export_format as export_format

    document = json.loads(json.dumps(export_record(filled.vault)))
    both = len(letter_pdf(document, 0)) + len(letter_pdf(document, 1))
    monkeypatch.setattr(export_format, "MAX_LETTERS_TOTAL_BYTES", both)
    assert len(validate_export(document)["clients"][0]["letters"]) == 2  # exactly at the cap
    monkeypatch.setattr(export_format, "MAX_LETTERS_TOTAL_BYTES", both - 1)
    with pytest.raises(InvalidInput, match=r"^clients\[0\]\.letters\[1\]\.pdf_base64: the "
                                           r"letters in this file come to more than"):
        validate_export(document)


def test_an_imported_template_replaces_one_of_the_same_id(filled: PracticeStore,
                                                          occupied: Vault) -> None:
    service = LetterService(occupied)
    assert service.template(MY_TEMPLATE).name == "Their own version"
    import_record(occupied, json.loads(json.dumps(export_record(filled.vault))), TEMPLATES)
    assert service.template(MY_TEMPLATE).name == "My progress letter 📝"
    entry = occupied.audit_entries()[0]
    assert (entry.event, entry.detail["letters"], entry.detail["letter_templates"]) == \
        ("record.imported", 2, 1)
    assert "Zo" not in json.dumps(dict(entry.detail), ensure_ascii=False)


def test_a_version_1_file_without_letters_is_still_read(filled: PracticeStore,
                                                        vault_factory) -> None:
    current = json.loads(json.dumps(export_record(filled.vault)))
    old = copy.deepcopy(current)
    old["version"] = 1
    del old["letter_templates"]
    for client in old["clients"]:
        del client["letters"]
    target = fresh_vault(vault_factory)
    report = import_record(target, old, TEMPLATES)
    assert (report.clients, report.letters, report.letter_templates) == (2, 0, 0)
    again = without_time(export_record(target))
    assert again["version"] == 2 and again["letter_templates"] == []
    assert [c["letters"] for c in again["clients"]] == [[], []]
    expected = without_time(current)
    expected["letter_templates"] = []
    for client in expected["clients"]:
        client["letters"] = []
    assert again == expected


def test_a_newer_version_is_refused_with_a_message_to_update(filled: PracticeStore) -> None:
    document = corrupt(export_record(filled.vault), ["version"], 3)
    with pytest.raises(InvalidInput, match=r"version 3; this Tandem reads versions 1 to 2\. "
                                           r"Update Tandem"):
        validate_export(document)


def test_a_letter_damaged_in_the_vault_stops_the_export(filled: PracticeStore,
                                                        tmp_path: Path) -> None:
    vault = filled.vault
    vault.write(lambda c: c.execute(
        "UPDATE letters SET pdf = CAST('%PDF-1.4 tampered' AS BLOB) WHERE id = "
        "(SELECT max(id) FROM letters)")).result()
    trail = len(vault.audit_entries())
    target = tmp_path / "record.json"
    with pytest.raises(VaultDamaged, match=r"Letter \d+ no longer matches the SHA-256"):
        write_export(vault, target)
    assert not target.exists()
    assert len(vault.audit_entries()) == trail  # the trail does not claim an export
