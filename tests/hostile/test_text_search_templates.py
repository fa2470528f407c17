"""Hostile text: note bodies, client names, search queries and letter templates.

- Note text and names with NUL, other controls, lone surrogates, bidirectional overrides, emoji,
  combining accents, 5 MB pastes: stored and read back exactly (NFC, CRLF as LF — the stated
  normalisation of app/text.py) or refused with a message; a refusal changes nothing.
- Search (the full-text index and the client filter) with FTS5 syntax, unbalanced quotes, column
  filters, LIKE wildcards, any Unicode: never raises, and every hit is a real, visible note.
- Letter templates (app/merge_fields.parse): unknown fields and nested or lone braces give
  InvalidInput with a message that says what is wrong, never another exception.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.clients import ClientDetails
from app.errors import InvalidInput
from app.merge_fields import FIELDS, parse
from app.notes import load_templates
from app.resources import resource_dir
from app.search import parse_query
from app.sessions import SessionDetails
from app.text import NOTE_MAX_CHARS
from app.workspace import HIGHLIGHT_END, HIGHLIGHT_START, StatusFilter
from storage.practice import PracticeStore
from storage.vault import Vault
from tests.hostile.strategies import ODD_CHARACTERS, any_text, examples, odd_text
from tests.support.vaults import snapshot

TEMPLATES = load_templates(resource_dir() / "templates")
FTS_SYNTAX = ['"', "*", "NEAR(", "NEAR", ")", "(", "-", "+", "AND", "OR", "NOT", "^", ":",
              "body:", "notes_fts:", "{", "}", "'", "%", "_", "\\", "\x00", " ", "panic",
              "pan*", '"panic attacks', "ÄÖÜ", "שלום", "😟", "NEAR(panic attacks, 2)", "col:x",
              "- -", "**", '""', "AND OR", "OR AND NOT", "rank:", "bm25(", ";--", "' OR 1=1"]


def _stored_form(text: str, multiline: bool = True) -> str:
    """What app/text.py promises to store for `text`: NFC, CRLF as LF (one-line: stripped)."""
    out = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return out if multiline else out.strip()


class Practice:
    """One vault per test function: a client with a session to write notes into."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.store = PracticeStore(vault, TEMPLATES)
        client = self.store.create_client(ClientDetails("Panic Client")).result().id
        self.sessions = [self.store.create_session(client, SessionDetails(date(2026, 1, d)))
                         .result().id for d in (5, 12)]
        self.store.save_draft(self.sessions[1], "free", {
            "note": "The client reported panic attacks at night. NEAR the station."},
            reindex=True).result()
        other = self.store.save_draft(self.sessions[0], "free", {"note": "signed: panic"},
                                      reindex=True).result()
        self.store.sign_note(other.note_id).result()


@pytest.fixture
def practice(vault_factory: Any) -> Practice:
    vault, _ = vault_factory("Hostile")
    return Practice(vault)


@examples(150)
@given(text=any_text | odd_text)
def test_note_text_is_stored_exactly_or_refused(practice: Practice, text: str) -> None:
    store, session = practice.store, practice.sessions[1]
    before = practice.vault.call(snapshot)
    try:
        store.save_draft(session, "free", {"note": text}, reindex=True).result()
    except InvalidInput as exc:
        assert exc.message and len(exc.message) < 400
        assert practice.vault.call(snapshot) == before
        return
    view = store.note(session).result()
    assert view is not None and view.sections == {"note": _stored_form(text)}
    words = [w for w in _stored_form(text).split() if w.isalnum()][:3]
    if words:  # what was saved can be found
        hits = store.search(" ".join(words)).result()
        assert view.id in {h.note_id for h in hits}, words


@pytest.mark.parametrize("text", [
    "x" * 5_000_000,  # a 5 MB paste
    "y" * (NOTE_MAX_CHARS + 1),
    "nul \x00 byte", "escape \x1b[31m red", "bell \x07", "lone \ud800 surrogate",
    "\udfff at the start", "delete \x7f",
])
def test_refused_note_text_says_why_and_changes_nothing(practice: Practice, text: str) -> None:
    before = practice.vault.call(snapshot)
    with pytest.raises(InvalidInput) as info:
        practice.store.save_draft(practice.sessions[1], "free", {"note": text}).result()
    assert any(w in info.value.message for w in ("too long", "control character", "U+")), \
        info.value.message
    assert practice.vault.call(snapshot) == before
    assert practice.store.search("panic").result()  # search still works


@pytest.mark.parametrize("text", [
    "RTL \u202eevil\u202c override", "\u200f\u05e9\u05dc\u05d5\u05dd mark", "BOM \ufeff inside",
    "emoji 👩\u200d💻 👍🏽 🇬🇧", "e\u0301 combining", "zero\u200bwidth", "line\u2028separator",
    "tab\tand\r\nCRLF and lone\rCR", "z" * NOTE_MAX_CHARS,
])
def test_odd_but_printable_note_text_round_trips(practice: Practice, text: str) -> None:
    practice.store.save_draft(practice.sessions[1], "free", {"note": text}, reindex=True).result()
    view = practice.store.note(practice.sessions[1]).result()
    assert view is not None and view.sections["note"] == _stored_form(text)


@examples(120)
@given(name=any_text | odd_text, preferred=any_text)
def test_client_names_are_stored_exactly_or_refused(practice: Practice, name: str,
                                                    preferred: str) -> None:
    store = practice.store
    before = practice.vault.call(snapshot)
    try:
        client = store.create_client(ClientDetails(name, preferred)).result()
    except InvalidInput as exc:
        assert exc.message and len(exc.message) < 400
        assert practice.vault.call(snapshot) == before
        return
    stored = store.client(client.id, audit_view=False).result()
    assert stored.details.name == _stored_form(name, multiline=False)
    assert stored.details.preferred_name == _stored_form(preferred, multiline=False)
    # The client list filter finds them by any word of their name (LIKE wildcards escaped).
    word = stored.details.name.split()[0]
    rows = store.list_clients(text=word, status=StatusFilter.ALL, limit=10_000).result()
    assert client.id in {r.id for r in rows}


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "x" * 201, "nul\x00", "\ud800"])
def test_refused_names_say_why(practice: Practice, name: str) -> None:
    with pytest.raises(InvalidInput) as info:
        practice.store.create_client(ClientDetails(name)).result()
    assert info.value.message.startswith("The client's name")


@examples(300)
@given(typed=st.lists(st.sampled_from(FTS_SYNTAX) | st.sampled_from(ODD_CHARACTERS)
                      | st.text(max_size=6), max_size=14).map("".join) | any_text)
def test_any_search_query_never_raises_and_hits_are_real(practice: Practice, typed: str) -> None:
    hits = practice.store.search(typed, limit=20).result()
    assert len(hits) <= 20
    notes = {practice.store.note(s).result().id for s in practice.sessions}
    for hit in hits:
        assert hit.note_id in notes
        assert hit.snippet.count(HIGHLIGHT_START) == hit.snippet.count(HIGHLIGHT_END)
    query = parse_query(typed)
    assert (query is None) <= (hits == [])  # no query, no hits
    rows = practice.store.list_clients(text=typed, status=StatusFilter.ALL).result()
    assert all(r.name == "Panic Client" for r in rows)


@pytest.mark.parametrize(("typed", "finds"), [
    ("panic", 2), ('"panic attacks"', 1), ("pan*", 2), ("NEAR(", 1), ("body:panic", 0),
    ("-panic", 2), ('"unbalanced', 0), ("AND OR", 0), ("^panic", 2), ("panic)", 2),
    ("%", 0), ("_", 0), ("' OR 1=1 --", 0), ("p" * 10_000, 0), ("panic " * 1000, 2),
])
def test_search_syntax_means_what_a_person_expects(practice: Practice, typed: str,
                                                   finds: int) -> None:
    assert len(practice.store.search(typed).result()) == finds


@examples(300)
@given(text=st.lists(st.sampled_from(["{", "}", "{{", "}}", "client.name", "a", "{a{b}}",
                                      "{{a}", "{client.first_name}", "{ today }", "{}",
                                      "{recipient.nam}", "\x00", "😟", "{" * 3, "}" * 3])
                     | any_text, max_size=12).map("".join))
def test_letter_templates_parse_or_say_what_is_wrong(text: str) -> None:
    try:
        template = parse(text, "the letter")
    except InvalidInput as exc:
        assert "merge field" in exc.message, exc.message
        assert len(exc.message) < 300 or len(text) > 200, exc.message[:300]
        return
    empty, filled = (template.fill(dict.fromkeys(FIELDS, value)) for value in ("", "XY"))
    assert len(filled) - len(empty) == 2 * len(template.fields)


@pytest.mark.parametrize(("text", "says"), [
    ("{{a}", "lone “}”"), ("{a{b}}", "lone “{”"), ("{client.nmae}", "Did you mean"),
    ("{secret.password}", "Unknown merge field"), ("{", "lone “{”"), ("}", "lone “}”"),
    ("{client.name", "lone “{”"), ("{{{", "lone “{”"),
])
def test_nested_and_unknown_fields_are_named(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse(text)
