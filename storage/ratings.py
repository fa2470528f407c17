"""Outcome and alliance ratings in the vault: record, void, read back, summarise, discuss.

Each administration stores its item scores (tenths), total, how it was collected (client on
screen, or entered from paper), who completed it, the raw capture (mark positions, line length
in px, screen DPI) and the hash of the definition used — whose JSON is kept in the vault too, so
a report can always show the wording and rules that were in force. Voiding keeps the row, marked
void with a reason, and audits it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.clients import age_on
from app.clock import iso
from app.errors import InvalidInput
from app.measures import AlertKind, MeasureDefinition, fmt, total_tenths
from app.notes import AmendmentKind, NoteStatus, NoteTemplate, content_hash, plain_text
from app.ratings import Administration, RatingsSummary, summarise
from app.text import clean_text
from storage import audit_log, settings_repo
from storage.connection import Connection
from storage.vault import Vault

MODES = ("screen", "paper_items", "paper_total")


@dataclass(frozen=True)
class RatingInput:
    """A completed rating as the client screen or the paper-entry dialog hands it over."""

    client_id: int
    session_id: int | None
    measure: str
    mode: str
    items: tuple[int, ...] = ()  # tenths, one per item (screen, paper_items)
    total: int | None = None  # tenths (paper_total)
    completed_by: str = "client"
    capture: Mapping[str, Any] | None = None


def _capture_json(capture: Mapping[str, Any] | None) -> str:
    """The raw capture (mark positions, line length, DPI) as storable JSON, whatever it holds.

    It is metadata about how a rating was collected: an odd value in it (NaN from a screen
    that reports no DPI, a value that is not JSON) must never cost the client's rating, so such
    values are stored as null or as text instead of being refused.
    """
    def plain(value: Any, depth: int = 0) -> Any:
        if value is None or isinstance(value, bool | str):
            return value if not isinstance(value, str) else \
                value.encode("utf-8", "replace").decode("utf-8")
        if isinstance(value, int):
            return value if abs(value) < 2**63 else None
        if isinstance(value, float):
            return value if math.isfinite(value) else None
        if depth < 8 and isinstance(value, Mapping):
            return {plain(str(k)): plain(v, depth + 1) for k, v in value.items()}
        if depth < 8 and isinstance(value, list | tuple):
            return [plain(v, depth + 1) for v in value]
        return None
    if capture is not None and not isinstance(capture, Mapping):
        capture = {}
    return json.dumps(plain(dict(capture or {})), ensure_ascii=False, allow_nan=False)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class RatingsStore:
    """Use cases for ratings on one open vault."""

    def __init__(self, vault: Vault, definitions: Mapping[str, MeasureDefinition],
                 templates: Mapping[str, NoteTemplate] | None = None) -> None:
        self.vault = vault
        self.templates = dict(templates or {})
        self.definitions = dict(definitions)

    def _definition(self, measure: str) -> MeasureDefinition:
        definition = self.definitions.get(measure)
        if definition is None:
            raise InvalidInput(f"There is no measure called {measure!r}.")
        return definition

    def _validate(self, rating: RatingInput) -> tuple[tuple[int, ...], int]:
        definition = self._definition(rating.measure)
        if rating.mode not in MODES:
            raise InvalidInput(f"Unknown way of collecting a rating: {str(rating.mode)[:40]!r}.")
        if rating.mode == "paper_total":
            if rating.total is None or rating.items:
                raise InvalidInput("A total from paper has a total and no items.")
            if isinstance(rating.total, bool) or not isinstance(rating.total, int) or \
                    not 0 <= rating.total <= definition.max_total_tenths:
                raise InvalidInput(f"The total must be between 0.0 and "
                                   f"{fmt(definition.max_total_tenths)}.")
            return (), rating.total
        for index, value in enumerate(rating.items):
            if isinstance(value, bool) or not isinstance(value, int) or \
                    not 0 <= value <= definition.item_max_tenths:
                label = (definition.items[index].label if index < len(definition.items)
                         else f"Item {index + 1}")
                raise InvalidInput(f"{label}: a score must be between 0.0 and "
                                   f"{fmt(definition.item_max_tenths)}.")
        return tuple(rating.items), total_tenths(list(rating.items), definition)

    def record(self, rating: RatingInput) -> Future[Administration]:
        """Store a completed rating (validated first; nothing is stored if anything is off)."""
        items, total = self._validate(rating)
        definition = self._definition(rating.measure)
        who = clean_text(rating.completed_by, "Completed by", max_chars=100) or "client"
        capture = _capture_json(rating.capture)

        def run(conn: Connection) -> Administration:
            if conn.execute("SELECT 1 FROM clients WHERE id = ? AND destroyed_at IS NULL",
                            (rating.client_id,)).fetchone() is None:
                raise InvalidInput("That client does not exist.")
            if rating.session_id is not None and conn.execute(
                    "SELECT 1 FROM sessions WHERE id = ? AND client_id = ?",
                    (rating.session_id, rating.client_id)).fetchone() is None:
                raise InvalidInput("That session is not this client's.")
            now = self.vault.clock.now()
            conn.execute(
                "INSERT OR IGNORE INTO measure_definitions(hash, measure, definition, "
                "first_used) VALUES (?, ?, ?, ?)",
                (definition.hash, definition.id, definition.source_json, iso(now)))
            cursor = conn.execute(
                "INSERT INTO measure_administrations(client_id, session_id, measure, "
                "definition_hash, administered_at, completed_by, mode, items, total, capture) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                (rating.client_id, rating.session_id, definition.id, definition.hash, iso(now),
                 who, rating.mode, json.dumps([v / 10 for v in items]), total / 10, capture))
            administration_id = int(cursor.lastrowid or 0)
            audit_log.append(conn, "measure.recorded", {
                "client": rating.client_id, "administration": administration_id,
                "measure": definition.id, "mode": rating.mode}, now)
            return self._administrations(conn, rating.client_id, administration_id)[0]
        return self.vault.write(run)

    def void(self, administration_id: int, reason: str) -> Future[None]:
        """Mark a rating void (kept, never counted), with a reason; audited."""
        why = clean_text(reason, "The reason", max_chars=500, required=True)

        def run(conn: Connection) -> None:
            row = conn.execute("SELECT client_id, voided_at FROM measure_administrations "
                               "WHERE id = ?", (administration_id,)).fetchone()
            if row is None:
                raise InvalidInput("That rating does not exist.")
            if row[1]:
                raise InvalidInput("That rating is already void.")
            now = self.vault.clock.now()
            conn.execute("UPDATE measure_administrations SET voided_at = ?, void_reason = ? "
                         "WHERE id = ?", (iso(now), why, administration_id))
            audit_log.append(conn, "measure.voided", {"client": row[0],
                                                      "administration": administration_id}, now)
        return self.vault.write(run)

    def _administrations(self, conn: Connection, client_id: int,
                         only_id: int | None = None) -> list[Administration]:
        sql = ("SELECT a.id, a.client_id, a.session_id, s.number, a.measure, a.definition_hash, "
               "a.administered_at, a.completed_by, a.mode, a.items, a.total, a.voided_at, "
               "a.void_reason, e.started_on FROM measure_administrations a "
               "LEFT JOIN sessions s ON s.id = a.session_id "
               "LEFT JOIN episodes e ON e.id = s.episode_id WHERE a.client_id = ?")
        params: list[Any] = [client_id]
        if only_id is not None:
            sql += " AND a.id = ?"
            params.append(only_id)
        sql += " ORDER BY a.administered_at, a.id"
        return [Administration(
            r[0], r[1], r[2], r[3] or None, r[4], r[5], _moment(r[6]), r[7], r[8],
            tuple(round(v * 10) for v in json.loads(r[9])), round(r[10] * 10), bool(r[11]),
            r[12], date.fromisoformat(r[13]) if r[13] else None)
            for r in conn.execute(sql, params)]

    def administrations(self, client_id: int) -> Future[list[Administration]]:
        """Every rating of the client, oldest first, voided ones included (marked)."""
        return self.vault.submit(lambda conn: self._administrations(conn, client_id))

    def _summary(self, conn: Connection, client_id: int) -> RatingsSummary:
        settings = settings_repo.read_all(conn)
        no_improvement_by = int(settings["measures.no_improvement_by"])
        cors_rc = int(settings["measures.cors_reliable_change"])
        administrations = self._administrations(conn, client_id)
        row = conn.execute("SELECT date_of_birth FROM clients WHERE id = ?",
                           (client_id,)).fetchone()
        age = None
        valid = [a for a in administrations if not a.voided]
        if row and row[0]:
            when = valid[-1].administered_at.date() if valid else date.today()
            age = age_on(date.fromisoformat(row[0]), when)
        return summarise(administrations, self.definitions, age, no_improvement_by,
                         {"cors": cors_rc} if cors_rc else None)

    def summary(self, client_id: int) -> Future[RatingsSummary]:
        """Trajectories, change category (age band at the latest rating) and alerts.

        The practice's settings apply: no improvement by session N; a CORS reliable change.
        """
        return self.vault.submit(lambda conn: self._summary(conn, client_id))

    def flags(self, client_ids: list[int]) -> Future[dict[int, tuple[str, ...]]]:
        """Short flag words for the client list (latest ratings' alerts), by client id."""
        def run(conn: Connection) -> dict[int, tuple[str, ...]]:
            words = {AlertKind.ORS_DETERIORATED: "Deteriorating",
                     AlertKind.NO_IMPROVEMENT_BY_SESSION: "Not improving",
                     AlertKind.SRS_TOTAL_LOW: "Alliance low", AlertKind.SRS_ITEM_LOW: "Alliance",
                     AlertKind.SRS_DROPPED: "Alliance dropped"}
            out: dict[int, tuple[str, ...]] = {}
            for client_id in client_ids:
                summary = self._summary(conn, client_id)
                kinds = dict.fromkeys(words[a.kind] for a in summary.latest_alerts)
                if kinds:
                    out[client_id] = tuple(kinds)
            return out
        return self.vault.submit(run)

    def responses(self, client_id: int) -> Future[dict[tuple[int, str], str]]:
        """The "discussed with client" responses, by (administration, alert)."""
        def run(conn: Connection) -> dict[tuple[int, str], str]:
            return {(r[0], r[1]): r[2] for r in conn.execute(
                "SELECT r.administration_id, r.alert, r.response FROM alert_responses r "
                "JOIN measure_administrations a ON a.id = r.administration_id "
                "WHERE a.client_id = ?", (client_id,))}
        return self.vault.submit(run)

    def mark_discussed(self, administration_id: int, alert: AlertKind, message: str,
                       response: str) -> Future[None]:
        """Record that an alert was discussed, and write it into the session's note.

        A draft note gets a paragraph at the end of its last section; a signed note gets a
        signed addendum (its content is locked); a session without a note gets a new draft.
        """
        text = clean_text(response, "The response", max_chars=2000, multiline=True,
                          required=True)
        paragraph = f"Feedback discussed with client: {message} Response: {text}"

        def run(conn: Connection) -> None:
            row = conn.execute("SELECT client_id, session_id FROM measure_administrations "
                               "WHERE id = ?", (administration_id,)).fetchone()
            if row is None:
                raise InvalidInput("That rating does not exist.")
            client_id, session_id = row
            now = self.vault.clock.now()
            conn.execute("INSERT INTO alert_responses(administration_id, alert, response, "
                         "discussed_at) VALUES (?, ?, ?, ?) ON CONFLICT(administration_id, "
                         "alert) DO UPDATE SET response = excluded.response, "
                         "discussed_at = excluded.discussed_at",
                         (administration_id, alert.value, text, iso(now)))
            if session_id is not None:
                self._write_into_note(conn, session_id, paragraph, now)
            audit_log.append(conn, "measure.alert_discussed",
                             {"client": client_id, "administration": administration_id,
                              "alert": alert.value}, now)
        return self.vault.write(run)

    def _write_into_note(self, conn: Connection, session_id: int, paragraph: str,
                         now: datetime) -> None:
        note = conn.execute("SELECT id, status, sections, template FROM notes "
                            "WHERE session_id = ? "
                            "AND deleted_at IS NULL", (session_id,)).fetchone()
        stamp = iso(now)
        if note is None:
            sections = {"note": paragraph}
            conn.execute(
                "INSERT INTO notes(session_id, template, body, sections, status, created_at, "
                "updated_at) VALUES (?, 'free', ?, ?, 'draft', ?, ?)",
                (session_id, paragraph, json.dumps(sections, ensure_ascii=False), stamp, stamp))
            return
        if NoteStatus(note[1]) is NoteStatus.SIGNED:
            conn.execute(
                "INSERT INTO note_amendments(note_id, kind, body, created_at, signed_at, "
                "content_sha256) VALUES (?, ?, ?, ?, ?, ?)",
                (note[0], AmendmentKind.ADDENDUM.value, paragraph, stamp, stamp,
                 content_hash(AmendmentKind.ADDENDUM.value, paragraph, stamp)))
            return
        sections = json.loads(note[2])
        last = list(sections)[-1] if sections else "note"
        sections[last] = (sections.get(last, "").rstrip() + "\n\n" + paragraph).strip()
        template = self.templates.get(note[3], NoteTemplate(note[3], note[3], "", ()))
        body = plain_text(template, sections)
        conn.execute("UPDATE notes SET sections = ?, body = ?, updated_at = ? WHERE id = ?",
                     (json.dumps(sections, ensure_ascii=False), body, stamp, note[0]))
