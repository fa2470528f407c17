"""Client, session and note rules: what is kept exactly, what is refused, and why."""

from __future__ import annotations

import random
from datetime import date

import pytest

from app.clients import ClientDetails, ContactDetails, age_on, new_pseudonym, validate_details
from app.errors import InvalidInput
from app.notes import (
    NoteStatus,
    NoteTemplate,
    check_can_edit,
    check_can_sign,
    clean_sections,
    content_hash,
    is_late_entry,
    load_templates,
    plain_text,
)
from app.resources import resource_dir
from app.sessions import SessionDetails, validate_session
from app.text import NOTE_MAX_CHARS, clean_text

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("text", ["Zoë Ñúñez-O'Brien", "Łukasz Żółć", "Γιώργος", "Юлия",
                                  "דוד כהן", "سارة", "Ana 🌿"])
def test_names_in_any_script_are_kept_exactly(text: str) -> None:
    assert clean_text(text, "Name") == text


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\x1bb"])
def test_control_characters_are_refused_with_the_code_point(bad: str) -> None:
    with pytest.raises(InvalidInput, match=r"U\+00"):
        clean_text(bad, "The note", multiline=True)


def test_line_breaks_are_kept_in_notes_but_not_in_names() -> None:
    assert clean_text("one\r\ntwo\tthree", "Note", multiline=True) == "one\ntwo\tthree"
    with pytest.raises(InvalidInput, match="one line"):
        clean_text("first\nsecond", "The name")


def test_a_five_megabyte_note_is_refused_with_its_size() -> None:
    with pytest.raises(InvalidInput, match="too long"):
        clean_text("x" * 5_000_000, "The note", max_chars=NOTE_MAX_CHARS, multiline=True)


def test_client_details_are_validated() -> None:
    ok = validate_details(ClientDetails("  Ana Silva  ", "Ana"), TODAY)
    assert ok.name == "Ana Silva"
    with pytest.raises(InvalidInput, match="name"):
        validate_details(ClientDetails("   "), TODAY)
    with pytest.raises(InvalidInput, match="future"):
        validate_details(ClientDetails("Ana", date_of_birth=date(2027, 1, 1)), TODAY)
    with pytest.raises(InvalidInput, match="email"):
        validate_details(ClientDetails("Ana", contact=ContactDetails(email="ana at home")),
                         TODAY)


def test_age_counts_completed_years() -> None:
    assert age_on(date(2008, 11, 24), TODAY) == 17
    assert age_on(date(2008, 11, 23), TODAY) == 18


def test_pseudonyms_are_unique_within_the_vault() -> None:
    rng = random.Random(3)
    taken: set[str] = set()
    for _ in range(500):
        taken.add(new_pseudonym(taken, rng))
    assert len(taken) == 500


def test_session_times_and_durations_are_checked() -> None:
    assert validate_session(SessionDetails(TODAY, "09:30", 50), TODAY)
    with pytest.raises(InvalidInput, match="09:30"):
        validate_session(SessionDetails(TODAY, "9.30"), TODAY)
    with pytest.raises(InvalidInput, match="duration"):
        validate_session(SessionDetails(TODAY, duration_min=601), TODAY)


def test_the_shipped_templates_load() -> None:
    templates = load_templates(resource_dir() / "templates")
    assert set(templates) == {"soap", "dap", "birp", "girp", "free"}
    assert [s.title for s in templates["soap"].sections] == [
        "Subjective", "Objective", "Assessment", "Plan"]


def test_sections_keep_template_order_and_never_drop_unknown_text() -> None:
    soap = load_templates(resource_dir() / "templates")["soap"]
    cleaned = clean_sections(soap, {"plan": "P", "legacy": "kept", "subjective": "S"})
    assert list(cleaned) == ["subjective", "objective", "assessment", "plan", "legacy"]
    assert plain_text(soap, cleaned) == "Subjective\nS\n\nPlan\nP\n\nlegacy\nkept"


def test_a_broken_template_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="section"):
        NoteTemplate.from_json({"format": "tandem-note-template", "id": "x", "name": "X",
                                "sections": []})


def test_signing_rules() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        check_can_sign(NoteStatus.DRAFT, {"plan": "  "})
    with pytest.raises(InvalidInput, match="already signed"):
        check_can_sign(NoteStatus.SIGNED, {"plan": "x"})
    with pytest.raises(InvalidInput, match="addendum"):
        check_can_edit(NoteStatus.SIGNED)


def test_content_hash_changes_with_any_signed_detail() -> None:
    base = content_hash("note", {"plan": "x"}, "2026-11-23T10:00:00Z")
    assert base != content_hash("note", {"plan": "y"}, "2026-11-23T10:00:00Z")
    assert base != content_hash("addendum", {"plan": "x"}, "2026-11-23T10:00:00Z")
    assert base != content_hash("note", {"plan": "x"}, "2026-11-23T10:00:01Z")


def test_late_entry_is_a_later_day_only() -> None:
    assert not is_late_entry(TODAY, TODAY)
    assert is_late_entry(date(2026, 11, 20), TODAY)
