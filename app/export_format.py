"""The whole-record export format (docs/export-format.md): validation before anything is imported.

An import is all-or-nothing. This module checks a parsed file completely — types, ranges, enums,
sizes, dates, that every signed note and amendment still matches its content hash, that every
letter's PDF decodes and still matches the SHA-256 recorded when it was sent, and that every
letter template passes the same parser as the app's template editor — and returns the first
problem with its JSON path ("clients[3].sessions[12].date: not a date"), so the file can be
fixed. Storage then writes the validated data in one transaction.

Versions: a file names its format version, and a reader refuses any version it does not know
(with a message to update Tandem) rather than import part of it. Version 2 added letters and
letter templates. Unknown keys are otherwise ignored, so a version-1 reader would have imported
a file with letters *without* them, silently: that is why adding them bumped the version.
Version-1 files are still read (they have no letters).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.errors import InvalidInput
from app.letters import LetterTemplate
from app.notes import content_hash
from app.text import NOTE_MAX_CHARS, clean_text

FORMAT = "tandem-export"
VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_FILE_BYTES = 2 * 1024**3
MAX_CLIENTS = 100_000
MAX_ITEMS = 1_000_000
LONG = 5000

# Letters: a real one is tens to hundreds of kilobytes (a logo and a signature image at most).
# The caps bound what one import can make the vault hold before anything is decoded.
MAX_LETTER_BYTES = 20 * 1024**2
MAX_LETTERS_TOTAL_BYTES = 1024**3
MAX_LETTERS_PER_CLIENT = 10_000
MAX_LETTER_TEMPLATES = 1000
PDF_MAGIC = b"%PDF-"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FILE_NAME_REFUSED = re.compile(r'[\\/:*?"<>|]')

ATTENDANCE = ("attended", "cancelled", "no_show")
MODALITY = ("in_person", "video", "phone")
RISK = ("none", "low", "moderate", "high")
MEASURE_MODES = ("screen", "paper_items", "paper_total")
STEP_STATUS = ("planned", "in_progress", "mastered", "dropped")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Checker:
    """Walks one object, reading typed fields and naming where a problem is."""

    def __init__(self, obj: Any, path: str) -> None:
        if not isinstance(obj, dict):
            raise InvalidInput(f"{path or 'The file'}: expected an object")
        self.obj: dict[str, Any] = obj
        self.path = path

    def fail(self, key: str, problem: str) -> InvalidInput:
        return InvalidInput(f"{_join(self.path, key)}: {problem}")

    def text(self, key: str, *, max_chars: int = 200, multiline: bool = False,
             required: bool = False, default: str = "") -> str:
        value = self.obj.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, "expected text")
        try:
            return clean_text(value, "text", max_chars=max_chars, multiline=multiline,
                              required=required)
        except InvalidInput as exc:
            raise self.fail(key, exc.message) from None

    def optional_date(self, key: str) -> str | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, "expected a date like 2026-11-23")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.fail(key, f"not a date: {value[:40]!r}") from None

    def day(self, key: str) -> str:
        value = self.optional_date(key)
        if value is None:
            raise self.fail(key, "a date is required")
        return value

    def optional_moment(self, key: str) -> str | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, "expected a timestamp")
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(key, f"not a timestamp: {value[:40]!r}") from None
        return value

    def moment(self, key: str) -> str:
        value = self.optional_moment(key)
        if value is None:
            raise self.fail(key, "a timestamp is required")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self.obj.get(key, default)
        if value not in options:
            raise self.fail(key, f"must be one of {', '.join(options)}")
        return str(value)

    def integer(self, key: str, low: int, high: int, *, optional: bool = False,
                default: int | None = None) -> int | None:
        value = self.obj.get(key, default)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "expected a whole number")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high}")
        return value

    def flag(self, key: str) -> bool:
        """A required true/false: a letter's marks are never guessed from other values."""
        value = self.obj.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false")
        return value

    def number(self, key: str, low: float, high: float) -> float:
        value = self.obj.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "expected a number")
        # Compare before float(): a 400-digit integer overflows a float; NaN fails both sides.
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high}")
        return float(value)

    def items(self, key: str, *, max_items: int = MAX_ITEMS) -> list[Any]:
        value = self.obj.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        if len(value) > max_items:
            raise self.fail(key, f"more than {max_items:,} entries")
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.obj.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "expected an object")
        return value

    def each(self, key: str, check: Callable[[Any, str], dict[str, Any]], *,
             max_items: int = MAX_ITEMS) -> list[dict[str, Any]]:
        return [check(item, f"{_join(self.path, key)}[{i}]")
                for i, item in enumerate(self.items(key, max_items=max_items))]


def _strings(c: _Checker, key: str) -> list[str]:
    out = []
    for i, item in enumerate(c.items(key, max_items=1000)):
        if not isinstance(item, str):
            raise c.fail(f"{key}[{i}]", "expected text")
        try:
            out.append(clean_text(item, "text", max_chars=LONG, multiline=True))
        except InvalidInput as exc:
            raise c.fail(f"{key}[{i}]", exc.message) from None
    return out


def _amendment(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    out = {"kind": c.choice("kind", ("addendum", "correction")),
           "body": c.text("body", max_chars=NOTE_MAX_CHARS, multiline=True, required=True),
           "created_at": c.moment("created_at"), "signed_at": c.moment("signed_at"),
           "content_sha256": c.text("content_sha256", max_chars=64, required=True)}
    if content_hash(out["kind"], out["body"], out["signed_at"]) != out["content_sha256"]:
        raise c.fail("content_sha256", "does not match the text: it was altered after signing")
    return out


def _note(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    sections_raw = c.mapping("sections")
    sections = {}
    for key, value in sections_raw.items():
        if not isinstance(value, str):
            raise c.fail(f"sections.{key}", "expected text")
        try:
            sections[clean_text(key, "section key", required=True)] = clean_text(
                value, "text", max_chars=NOTE_MAX_CHARS, multiline=True)
        except InvalidInput as exc:
            raise c.fail(f"sections.{key[:40]}", exc.message) from None
    out: dict[str, Any] = {
        "template": c.text("template", required=True), "sections": sections,
        "status": c.choice("status", ("draft", "signed")),
        "created_at": c.moment("created_at"), "updated_at": c.moment("updated_at"),
        "signed_at": c.optional_moment("signed_at"),
        "content_sha256": c.obj.get("content_sha256"),
        "late_entry": bool(c.obj.get("late_entry", False)),
        "deleted_at": c.optional_moment("deleted_at"),
        "deleted_reason": c.text("deleted_reason", max_chars=500),
        "amendments": c.each("amendments", _amendment, max_items=10_000),
    }
    if out["status"] == "signed":
        if not out["signed_at"] or not isinstance(out["content_sha256"], str):
            raise c.fail("signed_at", "a signed note needs its signing time and hash")
        if out["deleted_at"] is None and content_hash("note", sections, out["signed_at"]) \
                != out["content_sha256"]:
            raise c.fail("content_sha256",
                         "does not match the note: it was altered after signing")
    else:
        out["content_sha256"] = None
        out["signed_at"] = None
    return out


def _session(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    note = c.obj.get("note")
    return {
        "date": c.day("date"), "start_time": c.text("start_time", max_chars=5),
        "duration_min": c.integer("duration_min", 0, 600, default=50),
        "attendance": c.choice("attendance", ATTENDANCE, "attended"),
        "modality": c.choice("modality", MODALITY, "in_person"),
        "number": c.integer("number", 0, 100_000, default=0),
        "episode": c.integer("episode", 0, 10_000, optional=True),
        "ref": c.text("ref", max_chars=40),
        "note": None if note is None else _note(note, f"{path}.note"),
    }


def _measure(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    items = c.items("items", max_items=50)
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, int | float) or \
                not 0.0 <= item <= 10.0:  # compared unconverted: a huge int overflows float()
            raise c.fail(f"items[{i}]", "item scores must be numbers from 0.0 to 10.0")
    return {
        "measure": c.text("measure", max_chars=40, required=True),
        "definition_hash": c.text("definition_hash", max_chars=128, required=True),
        "administered_at": c.moment("administered_at"),
        "completed_by": c.text("completed_by", max_chars=100, default="client"),
        "mode": c.choice("mode", MEASURE_MODES),
        "items": [float(i) for i in items], "total": c.number("total", 0.0, 1000.0),
        "capture": c.mapping("capture"), "session_ref": c.text("session_ref", max_chars=40),
        "voided_at": c.optional_moment("voided_at"),
        "void_reason": c.text("void_reason", max_chars=500),
    }


def _percent(c: _Checker, key: str) -> int | None:
    return c.integer(key, 0, 100, optional=True)


def _trial(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    out: dict[str, Any] = {
        "started_at": c.moment("started_at"),
        "setting": c.choice("setting", ("session", "homework"), "session"),
        "place": c.text("place", max_chars=LONG),
        "accompanied": bool(c.obj.get("accompanied", False)),
        "therapist_present": bool(c.obj.get("therapist_present", False)),
        "planned_minutes": c.integer("planned_minutes", 0, 1440, optional=True),
        "actual_minutes": c.integer("actual_minutes", 0, 1440, optional=True),
        "feared_outcome": c.text("feared_outcome", max_chars=LONG, multiline=True),
        "outcome_occurred": c.obj.get("outcome_occurred"),
        "safety_planned_to_drop": _strings(c, "safety_planned_to_drop"),
        "safety_used": _strings(c, "safety_used"),
        "response_prevention": c.text("response_prevention", max_chars=LONG, multiline=True),
        "learned": c.text("learned", max_chars=LONG, multiline=True),
        "suds_readings": c.items("suds_readings", max_items=1000),
        "session_ref": c.text("session_ref", max_chars=40),
        "reading_interval_min": c.integer("reading_interval_min", 1, 240, optional=True),
    }
    for key in ("suds_before", "suds_peak", "suds_after", "expectancy_before",
                "expectancy_after"):
        out[key] = _percent(c, key)
    if out["outcome_occurred"] not in (None, True, False):
        raise c.fail("outcome_occurred", "expected true, false or null")
    return out


def _step(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    return {"position": c.integer("position", 0, 10_000), "situation": c.text(
        "situation", max_chars=LONG, multiline=True, required=True),
        "suds": c.integer("suds", 0, 100), "status": c.choice("status", STEP_STATUS, "planned"),
        "notes": c.text("notes", max_chars=LONG, multiline=True),
        "safety_behaviours": _strings(c, "safety_behaviours"),
        "trials": c.each("trials", _trial, max_items=10_000)}


def _ladder(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    return {"target_fear": c.text("target_fear", max_chars=LONG, required=True),
            "goal": c.text("goal", max_chars=LONG, multiline=True), "rule": c.mapping("rule"),
            "created_at": c.moment("created_at"), "archived_at": c.optional_moment("archived_at"),
            "steps": c.each("steps", _step, max_items=1000)}


def _episode(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    return {"started_on": c.day("started_on"), "ended_on": c.optional_date("ended_on"),
            "end_reason": c.text("end_reason", max_chars=500)}


def _goal(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    return {"position": c.integer("position", 0, 10_000),
            "text": c.text("text", max_chars=500, required=True),
            "created_on": c.day("created_on"), "achieved_on": c.optional_date("achieved_on")}


def _risk(obj: Any, path: str) -> dict[str, Any]:
    c = _Checker(obj, path)
    areas = []
    for i, area in enumerate(c.items("areas", max_items=100)):
        a = _Checker(area, f"{path}.areas[{i}]")
        areas.append({"area": a.text("area", required=True), "level": a.choice("level", RISK)})
    return {"level": c.choice("level", RISK), "areas": areas,
            "plan": c.text("plan", max_chars=LONG, multiline=True),
            "reviewed_on": c.day("reviewed_on")}


@dataclass
class _Reading:
    """What one file's check carries from client to client."""

    version: int
    letter_bytes_left: int


def _size(size: int) -> str:
    """A limit as people say it: "20 MB", "1 GB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.4g} {unit}"
    return f"{size:,} bytes"


def _pdf(c: _Checker, key: str, reading: _Reading) -> bytes:
    """The letter's PDF from standard base64, refused before decoding when it cannot fit."""
    value = c.obj.get(key)
    if not isinstance(value, str):
        raise c.fail(key, "expected the PDF as base64 text")
    # Four characters per three bytes: anything longer cannot decode to an allowed size.
    if len(value) > 4 * -(-MAX_LETTER_BYTES // 3):
        raise c.fail(key, f"the letter is larger than {_size(MAX_LETTER_BYTES)}, the limit for "
                          "one letter")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):  # ValueError: characters outside ASCII
        raise c.fail(key, "not valid base64 (standard alphabet, padded, no line "
                          "breaks)") from None
    if len(data) > MAX_LETTER_BYTES:
        raise c.fail(key, f"the letter is larger than {_size(MAX_LETTER_BYTES)}, the limit for "
                          "one letter")
    if not data.startswith(PDF_MAGIC):
        raise c.fail(key, "not a PDF (it does not start with %PDF-)")
    if len(data) > reading.letter_bytes_left:
        raise c.fail(key, f"the letters in this file come to more than "
                          f"{_size(MAX_LETTERS_TOTAL_BYTES)}, the limit for one import")
    reading.letter_bytes_left -= len(data)
    return data


def _letter(obj: Any, path: str, reading: _Reading) -> dict[str, Any]:
    c = _Checker(obj, path)
    file_name = c.text("file_name", max_chars=255)
    if file_name and (_FILE_NAME_REFUSED.search(file_name) or file_name.startswith(".")
                      or not file_name.lower().endswith(".pdf")):
        # It is offered as the name when the letter is exported again: never a path.
        raise c.fail("file_name", "expected a plain file name ending in .pdf (no folders, no "
                                  'characters from \\ / : * ? " < > |)')
    out: dict[str, Any] = {
        "template": c.text("template", max_chars=64, required=True),
        "template_name": c.text("template_name"),
        "recipient": c.text("recipient", max_chars=500),
        "created_at": c.moment("created_at"),
        "deidentified": c.flag("deidentified"),
        "file_name": file_name,
    }
    digest = c.obj.get("sha256")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise c.fail("sha256", "expected a SHA-256 as 64 lower-case hexadecimal digits")
    out["sha256"] = digest
    out["pdf"] = _pdf(c, "pdf_base64", reading)
    if hashlib.sha256(out["pdf"]).hexdigest() != digest:
        raise c.fail("sha256", "does not match the PDF: the letter was altered after it was "
                               "sent")
    return out


def _letter_templates(top: _Checker) -> list[LetterTemplate]:
    """The practitioner's letter templates, through the same parser as the template editor."""
    found: list[LetterTemplate] = []
    first_by_id: dict[str, int] = {}
    for index, raw in enumerate(top.items("letter_templates", max_items=MAX_LETTER_TEMPLATES)):
        where = f"letter_templates[{index}]"
        try:
            template = LetterTemplate.from_json(raw, builtin=False)
        except InvalidInput as exc:  # the editor's message, which may quote the file: bounded
            message = exc.message if len(exc.message) <= 300 else exc.message[:299] + "…"
            raise InvalidInput(f"{where}: {message}") from None
        except (ValueError, RecursionError):  # str() of a number past Python's digit limit
            raise InvalidInput(f"{where}: not a Tandem letter template") from None
        if template.id in first_by_id:
            raise InvalidInput(f"{where}.id: {template.id!r} is also the id of "
                               f"letter_templates[{first_by_id[template.id]}]")
        first_by_id[template.id] = index
        found.append(template)
    return found


def _client(obj: Any, path: str, reading: _Reading) -> dict[str, Any]:
    c = _Checker(obj, path)
    contact = _Checker(c.mapping("contact"), f"{path}.contact")
    referral = _Checker(c.mapping("referral"), f"{path}.referral")
    destroyed = c.optional_moment("destroyed_at")
    out: dict[str, Any] = {
        "name": c.text("name", required=destroyed is None),
        "preferred_name": c.text("preferred_name"),
        "pseudonym": c.text("pseudonym", required=True),
        "date_of_birth": c.optional_date("date_of_birth"),
        "age_band": c.text("age_band", max_chars=20),
        "contact": {"phone": contact.text("phone"), "email": contact.text("email"),
                    "address": contact.text("address", max_chars=1000, multiline=True)},
        "referral": {"source": referral.text("source"),
                     "referrer_name": referral.text("referrer_name"),
                     "referrer_role": referral.text("referrer_role"),
                     "referrer_address": referral.text("referrer_address", max_chars=1000,
                                                       multiline=True)},
        "status": c.choice("status", ("active", "closed")),
        "created_at": c.moment("created_at"), "destroyed_at": destroyed,
        "episodes": c.each("episodes", _episode),
        "goals": c.each("goals", _goal),
        "risk_records": c.each("risk_records", _risk),
        "sessions": c.each("sessions", _session),
        "measures": c.each("measures", _measure),
        "ladders": c.each("ladders", _ladder, max_items=1000),
        "process_notes": c.text("process_notes", max_chars=NOTE_MAX_CHARS, multiline=True),
        "letters": [] if reading.version < 2 else c.each(
            "letters", lambda item, where: _letter(item, where, reading),
            max_items=MAX_LETTERS_PER_CLIENT),
    }
    if destroyed is not None and out["letters"]:  # destroying a record deletes its letters
        raise c.fail("letters", "a destroyed record keeps no letters")
    return out


def validate_export(data: Any) -> dict[str, Any]:
    """The export, checked and normalised; InvalidInput names the first problem and its place."""
    top = _Checker(data, "")
    if top.obj.get("format") != FORMAT:
        raise InvalidInput("This is not a Tandem export file (its format is not "
                           f"{FORMAT!r}).")
    version = top.obj.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise InvalidInput(f"This export has format version {str(version)[:20]}; this Tandem "
                           f"reads versions {READABLE_VERSIONS[0]} to {VERSION}. Update Tandem "
                           "to import it.")
    reading = _Reading(int(version), MAX_LETTERS_TOTAL_BYTES)
    templates = top.items("note_templates", max_items=1000)
    for i, template in enumerate(templates):
        if not isinstance(template, dict):
            raise InvalidInput(f"note_templates[{i}]: expected an object")
    return {"format": FORMAT, "version": VERSION,
            "exported_at": top.optional_moment("exported_at"),
            "include_process_notes": bool(top.obj.get("include_process_notes", False)),
            "note_templates": templates,
            "letter_templates": [] if reading.version < 2 else _letter_templates(top),
            "clients": top.each("clients", lambda item, where: _client(item, where, reading),
                                max_items=MAX_CLIENTS)}
