"""Letters in the vault: facts in one read, letters kept byte for byte, templates, the audit."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.clients import ClientDetails, ContactDetails, Referral
from app.errors import InvalidInput, VaultDamaged
from app.exposure import StepDraft, TrialRecord
from app.letters import LetterRequest, LetterTemplate, compose, load_letter_templates
from app.measures import load_definitions
from app.notes import load_templates
from app.practice_profile import PracticeProfile
from app.resources import resource_dir
from storage import crypto, profile_repo, schema
from storage.connection import configure, connect
from storage.exposure import ExposureStore
from storage.letters import LettersStore
from storage.practice import PracticeStore
from storage.ratings import RatingInput, RatingsStore
from storage.vault import Vault

NAME = "Zoë Ñúñez-O'Brien"
PROCESS_TEXT = "PROCESSONLY dream about the lighthouse"


def letters_store(vault: Vault) -> LettersStore:
    return LettersStore(vault, load_definitions(resource_dir() / "measures"),
                        load_letter_templates(resource_dir() / "letters"))


def populate(vault: Vault) -> dict[str, Any]:
    """A client with sessions, a signed and a draft note, ratings, a ladder, process notes."""
    from app.sessions import Attendance, SessionDetails

    store = PracticeStore(vault, load_templates(resource_dir() / "templates"))
    client = store.create_client(ClientDetails(
        NAME, "Zoë", "", date(1991, 4, 3), "",
        ContactDetails("+44 20 7946 0123", "zoe.n@example.org", "14 Larch Crescent\nLeeds"),
        Referral("GP", "Dr Imogen Hale", "General practitioner", "Hale Surgery\nLeeds")),
        started_on=date(2026, 1, 5)).result()
    sessions = [store.create_session(client.id, SessionDetails(
        date(2026, 1, 5 + 7 * i), "10:00", 50,
        Attendance.CANCELLED if i == 2 else Attendance.ATTENDED)).result() for i in range(4)]
    signed = store.save_draft(sessions[0].id, "free", {"note": "Zoë spoke about work."}).result()
    store.sign_note(signed.note_id).result()
    draft = store.save_draft(sessions[1].id, "free", {"note": "Unsigned thoughts."}).result()
    store.save_process_notes(client.id, PROCESS_TEXT).result()
    store.set_goals(client.id, ["Speak up at work"]).result()
    ratings = RatingsStore(vault, load_definitions(resource_dir() / "measures"))
    for session, total in ((sessions[0], 180), (sessions[1], 240)):
        ratings.record(RatingInput(client.id, session.id, "ors", "paper_total",
                                   total=total)).result()
    exposure = ExposureStore(vault)
    ladder = exposure.create_ladder(client.id, "Being judged", "Speak up", steps=[
        StepDraft("Say hello", 20), StepDraft("Ask a question", 40)]).result()
    step = exposure.steps(ladder).result()[0]
    exposure.log_trial(step.id, TrialRecord(vault.clock.now(), suds_before=30, suds_peak=50,
                                            suds_after=20, learned="It passed.")).result()
    profile_repo.save_profile(vault, PracticeProfile("Dr Miriam Okafor", "DClinPsy")).result()
    return {"client": client.id, "signed": signed.note_id, "draft": draft.note_id,
            "sessions": sessions}


def test_facts_hold_the_record_the_letter_needs(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    facts = letters_store(vault).facts(LetterRequest(ids["client"], "progress",
                                                     quoted_note_ids=(ids["signed"],))).result()
    assert facts.client.name == NAME
    assert facts.episode_start == date(2026, 1, 5)
    assert [s.attendance.value for s in facts.sessions] == ["attended", "attended",
                                                            "cancelled", "attended"]
    assert [s.number for s in facts.sessions] == [1, 2, 0, 3]
    assert [g.text for g in facts.goals] == ["Speak up at work"]
    assert [a.total for a in facts.administrations] == [180, 240]
    assert facts.ladders[0].steps[0].trials == 1
    assert facts.ladders[0].learned[0].text == "It passed."
    assert [n.text for n in facts.notes] == ["Zoë spoke about work."]
    assert facts.notes[0].session_number == 1
    assert facts.profile.practitioner_name == "Dr Miriam Okafor"


def test_process_notes_are_never_drawn_in(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    store = letters_store(vault)
    process_id = vault.call(lambda c: c.execute("SELECT id FROM process_notes").fetchone()[0])
    note_ids = vault.call(lambda c: [r[0] for r in c.execute("SELECT id FROM notes")])
    for candidate in {process_id, 999, *note_ids}:
        request = LetterRequest(ids["client"], "progress", quoted_note_ids=(candidate,))
        try:
            facts = store.facts(request).result()
        except InvalidInput as exc:
            assert "psychotherapy notes are never quoted" in exc.message or \
                "draft" in exc.message
            continue
        content = compose(facts, store.template("progress").result(), request)
        assert PROCESS_TEXT not in repr(content)


def test_a_draft_note_cannot_be_quoted(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    with pytest.raises(InvalidInput, match="draft: sign it"):
        letters_store(vault).facts(LetterRequest(ids["client"], "progress",
                                                 quoted_note_ids=(ids["draft"],))).result()


def test_another_client_s_note_cannot_be_quoted(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    other = PracticeStore(vault, {}).create_client(ClientDetails("Ann Lee")).result()
    with pytest.raises(InvalidInput, match="not one of this client's progress notes"):
        letters_store(vault).facts(LetterRequest(other.id, "progress",
                                                 quoted_note_ids=(ids["signed"],))).result()


def test_a_kept_letter_comes_back_byte_for_byte_and_is_audited(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    store = letters_store(vault)
    request = LetterRequest(ids["client"], "progress")
    content = compose(store.facts(request).result(), store.template("progress").result(),
                      request)
    pdf = b"%PDF-1.4 pretend letter \x00\xff"
    record = store.save(content, pdf).result()
    assert record.sha256 == hashlib.sha256(pdf).hexdigest()
    assert record.size == len(pdf) and record.recipient == "Dr Imogen Hale " \
        "(General practitioner)"
    assert store.pdf(record.id).result() == pdf
    assert store.letters(ids["client"]).result() == [record]
    assert store.letter(record.id).result() == record
    store.record_export(record.id, protected=True).result()
    entries = [(e.event, dict(e.detail)) for e in vault.audit_entries(newest_first=False)]
    saved = next(d for e, d in entries if e == "letter.saved")
    assert saved == {"client": ids["client"], "letter": record.id, "template": "progress",
                     "deidentified": False, "sha256": record.sha256}
    assert ("letter.exported", {"client": ids["client"], "letter": record.id,
                                "protected": True}) in entries
    assert "Zo" not in json.dumps([d for _, d in entries], ensure_ascii=False)


def test_a_letter_whose_bytes_changed_is_refused(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    store = letters_store(vault)
    request = LetterRequest(ids["client"], "progress")
    content = compose(store.facts(request).result(), store.template("progress").result(),
                      request)
    record = store.save(content, b"%PDF original").result()
    vault.write(lambda c: c.execute("UPDATE letters SET pdf = ? WHERE id = ?",
                                    (b"%PDF tampered", record.id))).result()
    with pytest.raises(VaultDamaged, match="SHA-256"):
        store.pdf(record.id).result()


def test_user_templates_are_kept_in_the_vault_and_win_over_built_in_ones(
        vault_factory: Any) -> None:
    vault, _ = vault_factory()
    store = letters_store(vault)
    raw = store.template("progress").result().to_json()
    raw["name"] = "My progress letter"
    mine = LetterTemplate.from_json(raw, builtin=False)
    store.save_template(mine).result()
    assert store.templates().result()["progress"].name == "My progress letter"
    assert not store.template("progress").result().builtin
    store.delete_template("progress").result()
    assert store.template("progress").result().builtin
    with pytest.raises(InvalidInput, match="Only your own"):
        store.delete_template("progress").result()
    with pytest.raises(InvalidInput, match="no letter template called 'nope'"):
        store.template("nope").result()


def test_a_stored_template_that_no_longer_validates_is_skipped(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    vault.write(lambda c: c.execute(
        "INSERT INTO letter_templates(id, definition, created_at, updated_at) "
        "VALUES ('broken', '{\"format\": \"tandem-letter-template\"}', 'x', 'x')")).result()
    assert "broken" not in letters_store(vault).templates().result()


def test_migration_7_keeps_letters_written_before_it(tmp_path: Path) -> None:
    conn = connect(tmp_path / "v.db", crypto.random_key(), create=True)
    try:
        configure(conn)
        migrations = schema.all_migrations()
        for migration in migrations[:6]:
            schema.apply(conn, migration)
        conn.execute("INSERT INTO clients(id, name, pseudonym, created_at) "
                     "VALUES (1, 'A', 'Oak 1', 'x')")
        conn.execute("INSERT INTO letters(client_id, template, created_at, pdf, sha256) "
                     "VALUES (1, 'progress', 'x', X'2550', 'abc')")
        schema.apply(conn, next(m for m in migrations if m.version == 7))
        row = conn.execute("SELECT template, file_name, template_name, pdf FROM letters"
                           ).fetchone()
        assert tuple(row[:3]) == ("progress", "", "") and bytes(row[3]) == b"%P"
        assert conn.execute("SELECT count(*) FROM letter_templates").fetchone()[0] == 0
    finally:
        conn.close()


def test_only_signed_progress_notes_are_offered_for_quoting(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    offered = letters_store(vault).quotable_notes(ids["client"]).result()
    assert [(n.note_id, n.session_number, n.preview) for n in offered] == [
        (ids["signed"], 1, "Zoë spoke about work.")]
