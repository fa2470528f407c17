"""Progress notes: templates, drafts, signing and locking, addenda and corrections, late entries.

Record-keeping rules (shared/reference/measures.md §3): a signed note is immutable — its content
hash and signing time are stored, and any later change is an *addendum* (new information) or a
*correction* (the original stays visible), each dated and signed with its own hash. A note first
written on a later day than its session is a *late entry*, labelled with both dates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.errors import InvalidInput
from app.text import NOTE_MAX_CHARS, clean_text

TEMPLATE_FORMAT = "tandem-note-template"


class NoteStatus(StrEnum):
    """Draft notes can change; signed notes never do."""

    DRAFT = "draft"
    SIGNED = "signed"


class AmendmentKind(StrEnum):
    """What kind of change to a signed note."""

    ADDENDUM = "addendum"
    CORRECTION = "correction"


@dataclass(frozen=True)
class TemplateSection:
    """One heading of a note template, with a prompt shown while it is empty."""

    key: str
    title: str
    prompt: str = ""


@dataclass(frozen=True)
class NoteTemplate:
    """A note layout: SOAP, DAP, BIRP, GIRP, free, or the practitioner's own."""

    id: str
    name: str
    description: str
    sections: tuple[TemplateSection, ...]

    @classmethod
    def from_json(cls, raw: Any) -> NoteTemplate:
        """Parse a template definition; InvalidInput names what is wrong."""
        if not isinstance(raw, dict) or raw.get("format") != TEMPLATE_FORMAT:
            raise InvalidInput("Not a Tandem note template.")
        sections_raw = raw.get("sections")
        if not isinstance(sections_raw, list) or not sections_raw:
            raise InvalidInput("A note template needs at least one section.")
        sections = []
        for item in sections_raw:
            if not isinstance(item, dict):
                raise InvalidInput("Each template section needs a key and a title.")
            key = clean_text(str(item.get("key", "")), "A section key", required=True)
            title = clean_text(str(item.get("title", "")), "A section title", required=True)
            prompt = clean_text(str(item.get("prompt", "")), "A section prompt", max_chars=500)
            sections.append(TemplateSection(key, title, prompt))
        keys = [s.key for s in sections]
        if len(set(keys)) != len(keys):
            raise InvalidInput("Two sections of the template share a key.")
        template_id = clean_text(str(raw.get("id", "")), "The template id", required=True)
        name = clean_text(str(raw.get("name", "")), "The template name", required=True)
        description = clean_text(str(raw.get("description", "")), "The description")
        return cls(template_id, name, description, tuple(sections))

    def to_json(self) -> dict[str, Any]:
        """The definition as stored."""
        return {"format": TEMPLATE_FORMAT, "version": 1, "id": self.id, "name": self.name,
                "description": self.description,
                "sections": [{"key": s.key, "title": s.title, "prompt": s.prompt}
                             for s in self.sections]}


def load_templates(folder: Path) -> dict[str, NoteTemplate]:
    """Every template in `folder` (*.json), by id; a broken file is skipped, never fatal."""
    templates: dict[str, NoteTemplate] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            template = NoteTemplate.from_json(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, InvalidInput):
            continue
        templates[template.id] = template
    return templates


def clean_sections(template: NoteTemplate, sections: Mapping[str, str]) -> dict[str, str]:
    """The note's sections in template order, validated; unknown sections are kept at the end.

    Keeping unknown sections means text is never dropped when a template changes.
    """
    cleaned: dict[str, str] = {}
    total = 0
    titles = {s.key: s.title for s in template.sections}
    ordered = [s.key for s in template.sections] + [k for k in sections if k not in titles]
    for key in ordered:
        text = clean_text(sections.get(key, ""), f"The {titles.get(key, key)} section",
                          max_chars=NOTE_MAX_CHARS, multiline=True)
        total += len(text)
        cleaned[key] = text
    if total > NOTE_MAX_CHARS:
        raise InvalidInput(
            f"The note is too long ({total:,} characters; the limit is {NOTE_MAX_CHARS:,}). "
            "Nothing was saved.")
    return cleaned


def plain_text(template: NoteTemplate, sections: Mapping[str, str]) -> str:
    """The note as one text (headings and sections) for search, previews and letters."""
    titles = {s.key: s.title for s in template.sections}
    filled = [(key, text.strip()) for key, text in sections.items() if text.strip()]
    if len(template.sections) == 1 and [k for k, _ in filled] in ([], [template.sections[0].key]):
        return filled[0][1] if filled else ""  # a one-section note needs no heading
    return "\n\n".join(f"{titles.get(key, key)}\n{text}" for key, text in filled)


def preview(text: str, length: int = 160) -> str:
    """The first words of a note on one line, for lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def content_hash(kind: str, body: Mapping[str, str] | str, signed_at: str) -> str:
    """SHA-256 over a canonical form of what was signed and when.

    Database ids are left out on purpose: an export imported into another vault gets new ids,
    and its signatures must still verify there.
    """
    payload = json.dumps({"kind": kind, "body": body, "signed_at": signed_at},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def is_late_entry(session_day: date, written_day: date) -> bool:
    """True when the note was first written on a later day than the session."""
    return written_day > session_day


def late_entry_label(session_day: date, written_day: date) -> str:
    """The label a late entry carries, with both dates."""
    return (f"Late entry: written {written_day.isoformat()} "
            f"for the session of {session_day.isoformat()}")


def check_can_edit(status: NoteStatus) -> None:
    """Signed notes are locked; say what to do instead."""
    if status is NoteStatus.SIGNED:
        raise InvalidInput("This note is signed and locked. Add an addendum or a correction.")


def check_can_sign(status: NoteStatus, sections: Mapping[str, str]) -> None:
    """A note is signed once, and only with something in it."""
    if status is NoteStatus.SIGNED:
        raise InvalidInput("This note is already signed.")
    if not any(text.strip() for text in sections.values()):
        raise InvalidInput("An empty note cannot be signed.")
