"""The practice's records in the vault: clients, episodes, goals, risk, sessions, notes, search.

Every public method runs on the vault's single worker thread and returns a Future, so the window
never waits on the database; the command line and tests call `.result()`. Writes are one
transaction each — including their audit entry — so a crash leaves either all of a change or
none of it. The rules (validation, signing, late entries) come from app/; this module only knows
how they are stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app import notes as note_rules
from app.clients import (
    Client,
    ClientDetails,
    ClientStatus,
    ContactDetails,
    Referral,
    RiskArea,
    RiskLevel,
    RiskRecord,
    new_pseudonym,
    validate_details,
)
from app.clock import iso
from app.errors import InvalidInput
from app.notes import AmendmentKind, NoteStatus, NoteTemplate
from app.search import parse_query
from app.sessions import Attendance, Modality, SessionDetails, validate_session
from app.text import NOTE_MAX_CHARS, clean_text
from app.workspace import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Amendment,
    ClientOrder,
    ClientRow,
    NoteView,
    SearchHit,
    SessionRow,
    StatusFilter,
)
from storage import audit_log
from storage.connection import Connection
from storage.vault import Vault

PREVIEW_CHARS = 160


class NotFound(InvalidInput):
    """The record asked for does not exist (or was destroyed)."""


@dataclass(frozen=True)
class Episode:
    """An episode of care."""

    id: int
    client_id: int
    started_on: date
    ended_on: date | None
    end_reason: str


@dataclass(frozen=True)
class Goal:
    """A treatment goal."""

    id: int
    client_id: int
    position: int
    text: str
    created_on: date
    achieved_on: date | None


@dataclass(frozen=True)
class SavedDraft:
    """What the editor's status line says after an autosave."""

    note_id: int
    updated_at: str
    late_entry: bool


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def read_client(conn: Connection, client_id: int) -> Client | None:
    """One client as stored (a destroyed record's stub included); None when there is none."""
    row = conn.execute(
        "SELECT id, name, preferred_name, pseudonym, date_of_birth, age_band, contact, "
        "referral, status, created_at, destroyed_at FROM clients WHERE id = ?",
        (client_id,)).fetchone()
    if row is None:
        return None
    contact = json.loads(row[6] or "{}")
    referral = json.loads(row[7] or "{}")
    details = ClientDetails(
        row[1], row[2], row[3], _d(row[4]), row[5],
        ContactDetails(**{k: str(v) for k, v in contact.items()
                          if k in ("phone", "email", "address")}),
        Referral(**{k: str(v) for k, v in referral.items()
                    if k in ("source", "referrer_name", "referrer_role", "referrer_address")}))
    return Client(row[0], details, ClientStatus(row[8]), row[9], row[10])


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PracticeStore:
    """Use cases over one open vault. Create one per unlock; drop it on lock."""

    def __init__(self, vault: Vault, templates: Mapping[str, NoteTemplate]) -> None:
        self.vault = vault
        self._builtin_templates = dict(templates)

    # -- helpers ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.vault.clock.now()

    def _today(self) -> date:
        return self._now().astimezone().date()

    def _audit(self, conn: Connection, event: str, detail: Mapping[str, Any]) -> None:
        audit_log.append(conn, event, detail, self._now())

    # -- templates --------------------------------------------------------------------------

    def templates(self) -> Future[dict[str, NoteTemplate]]:
        """Built-in templates plus the practitioner's own (theirs win on the same id)."""
        def run(conn: Connection) -> dict[str, NoteTemplate]:
            found = dict(self._builtin_templates)
            for (definition,) in conn.execute("SELECT definition FROM note_templates"):
                try:
                    template = NoteTemplate.from_json(json.loads(definition))
                except (ValueError, InvalidInput):
                    continue
                found[template.id] = template
            return found
        return self.vault.submit(run)

    def save_template(self, template: NoteTemplate) -> Future[None]:
        """Add or replace one of the practitioner's own templates."""
        def run(conn: Connection) -> None:
            conn.execute(
                "INSERT INTO note_templates(id, definition, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET definition = excluded.definition",
                (template.id, json.dumps(template.to_json(), ensure_ascii=False),
                 iso(self._now())))
            self._audit(conn, "template.saved", {"template": template.id})
        return self.vault.write(run)

    def _template(self, conn: Connection, template_id: str) -> NoteTemplate:
        row = conn.execute("SELECT definition FROM note_templates WHERE id = ?",
                           (template_id,)).fetchone()
        if row:
            return NoteTemplate.from_json(json.loads(row[0]))
        if template_id in self._builtin_templates:
            return self._builtin_templates[template_id]
        raise InvalidInput(f"There is no note template called {template_id!r}.")

    # -- clients ----------------------------------------------------------------------------

    _CLIENT_ROW_SQL = """
        SELECT c.id, c.name, c.preferred_name, c.pseudonym, c.status,
               (SELECT max(s.date) FROM sessions s
                 WHERE s.client_id = c.id AND s.date <= :today) AS last_session,
               (SELECT count(*) FROM sessions s WHERE s.client_id = c.id) AS sessions,
               coalesce((SELECT r.level FROM risk_records r WHERE r.client_id = c.id
                         ORDER BY r.reviewed_on DESC, r.id DESC LIMIT 1), 'none') AS risk
          FROM clients c
         WHERE c.destroyed_at IS NULL
    """

    def list_clients(self, *, text: str = "", status: StatusFilter = StatusFilter.ACTIVE,
                     order: ClientOrder = ClientOrder.NAME, limit: int = 200,
                     offset: int = 0) -> Future[list[ClientRow]]:
        """A page of the client list, filtered by name/preferred name/pseudonym and status."""
        def run(conn: Connection) -> list[ClientRow]:
            sql = self._CLIENT_ROW_SQL
            params: dict[str, Any] = {"today": self._today().isoformat(),
                                      "limit": limit, "offset": offset}
            if status is not StatusFilter.ALL:
                sql += " AND c.status = :status"
                params["status"] = status.value
            # A lone surrogate (pasted from a broken source) cannot be sent to SQLite: drop it.
            words = text.encode("utf-8", "ignore").decode("utf-8").split()
            for i, word in enumerate(words[:5]):
                sql += (f" AND (c.name LIKE :w{i} ESCAPE '\\' OR c.preferred_name LIKE :w{i} "
                        f"ESCAPE '\\' OR c.pseudonym LIKE :w{i} ESCAPE '\\')")
                params[f"w{i}"] = _like(word)
            if order is ClientOrder.LAST_SESSION:
                sql += " ORDER BY last_session IS NULL, last_session DESC, c.name COLLATE NOCASE"
            else:
                sql += " ORDER BY c.name COLLATE NOCASE, c.id"
            sql += " LIMIT :limit OFFSET :offset"
            return [ClientRow(r[0], r[1], r[2], r[3], ClientStatus(r[4]), _d(r[5]), r[6],
                              RiskLevel(r[7])) for r in conn.execute(sql, params)]
        return self.vault.submit(run)

    def create_client(self, details: ClientDetails,
                      started_on: date | None = None) -> Future[Client]:
        """Add a client with a first episode of care starting `started_on` (default today)."""
        def run(conn: Connection) -> Client:
            clean = validate_details(details, self._today())
            if not clean.pseudonym:
                taken = {r[0] for r in conn.execute("SELECT pseudonym FROM clients")}
                clean = ClientDetails(clean.name, clean.preferred_name, new_pseudonym(taken),
                                      clean.date_of_birth, clean.age_band, clean.contact,
                                      clean.referral)
            created = iso(self._now())
            cursor = conn.execute(
                "INSERT INTO clients(name, preferred_name, pseudonym, date_of_birth, age_band, "
                "contact, referral, status, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (*self._detail_values(clean), ClientStatus.ACTIVE.value, created))
            client_id = int(cursor.lastrowid or 0)
            conn.execute("INSERT INTO episodes(client_id, started_on) VALUES (?, ?)",
                         (client_id, (started_on or self._today()).isoformat()))
            self._audit(conn, "client.created", {"client": client_id})
            return Client(client_id, clean, ClientStatus.ACTIVE, created)
        return self.vault.write(run)

    @staticmethod
    def _detail_values(d: ClientDetails) -> tuple[Any, ...]:
        contact = {"phone": d.contact.phone, "email": d.contact.email,
                   "address": d.contact.address}
        referral = {"source": d.referral.source, "referrer_name": d.referral.referrer_name,
                    "referrer_role": d.referral.referrer_role,
                    "referrer_address": d.referral.referrer_address}
        return (d.name, d.preferred_name, d.pseudonym,
                d.date_of_birth.isoformat() if d.date_of_birth else None, d.age_band,
                json.dumps(contact, ensure_ascii=False), json.dumps(referral, ensure_ascii=False))

    def update_client(self, client_id: int, details: ClientDetails) -> Future[Client]:
        """Change a client's details (the pseudonym stays unless a new one is given)."""
        def run(conn: Connection) -> Client:
            current = self._client(conn, client_id)
            clean = validate_details(details, self._today())
            if not clean.pseudonym:
                clean = ClientDetails(clean.name, clean.preferred_name,
                                      current.details.pseudonym, clean.date_of_birth,
                                      clean.age_band, clean.contact, clean.referral)
            conn.execute(
                "UPDATE clients SET name=?, preferred_name=?, pseudonym=?, date_of_birth=?, "
                "age_band=?, contact=?, referral=? WHERE id=?",
                (*self._detail_values(clean), client_id))
            self._audit(conn, "client.updated", {"client": client_id})
            return Client(client_id, clean, current.status, current.created_at)
        return self.vault.write(run)

    def _client(self, conn: Connection, client_id: int) -> Client:
        client = read_client(conn, client_id)
        if client is None:
            raise NotFound("That client does not exist.")
        return client

    def client(self, client_id: int, *, audit_view: bool = True) -> Future[Client]:
        """One client's details; opening a record is audited (who viewed what, when)."""
        def run(conn: Connection) -> Client:
            client = self._client(conn, client_id)
            if audit_view:
                self._audit(conn, "client.viewed", {"client": client_id})
            return client
        return self.vault.write(run)

    def close_client(self, client_id: int, reason: str, ended_on: date | None = None
                     ) -> Future[None]:
        """Close the client's open episode with a reason; they stay searchable."""
        def run(conn: Connection) -> None:
            self._client(conn, client_id)
            why = clean_text(reason, "The reason for ending", max_chars=500, required=True)
            day = (ended_on or self._today()).isoformat()
            conn.execute("UPDATE episodes SET ended_on = ?, end_reason = ? "
                         "WHERE client_id = ? AND ended_on IS NULL", (day, why, client_id))
            conn.execute("UPDATE clients SET status = 'closed' WHERE id = ?", (client_id,))
            self._audit(conn, "client.closed", {"client": client_id})
        return self.vault.write(run)

    def reopen_client(self, client_id: int, started_on: date | None = None) -> Future[None]:
        """Start a new episode of care for a closed client."""
        def run(conn: Connection) -> None:
            self._client(conn, client_id)
            conn.execute("UPDATE clients SET status = 'active' WHERE id = ?", (client_id,))
            conn.execute("INSERT INTO episodes(client_id, started_on) VALUES (?, ?)",
                         (client_id, (started_on or self._today()).isoformat()))
            self._audit(conn, "client.reopened", {"client": client_id})
        return self.vault.write(run)

    def destroy_client(self, client_id: int) -> Future[None]:
        """Erase a client's record, leaving a stub (id, pseudonym, when) and an audit entry.

        secure_delete and the FTS secure-delete option make the erased text unrecoverable from
        the vault file.
        """
        def run(conn: Connection) -> None:
            client = self._client(conn, client_id)
            sessions = [r[0] for r in conn.execute("SELECT id FROM sessions WHERE client_id = ?",
                                                   (client_id,))]
            marks = ",".join("?" * len(sessions))
            if sessions:
                conn.execute("DELETE FROM note_amendments WHERE note_id IN (SELECT id FROM notes "
                             f"WHERE session_id IN ({marks}))", sessions)
                conn.execute(f"DELETE FROM notes WHERE session_id IN ({marks})", sessions)
            conn.execute("DELETE FROM exposure_trials WHERE step_id IN (SELECT s.id FROM "
                         "ladder_steps s JOIN ladders l ON l.id = s.ladder_id "
                         "WHERE l.client_id = ?)", (client_id,))
            conn.execute("DELETE FROM ladder_steps WHERE ladder_id IN (SELECT id FROM ladders "
                         "WHERE client_id = ?)", (client_id,))
            for table in ("ladders", "measure_administrations", "letters", "process_notes",
                          "goals", "risk_records"):
                conn.execute(f"DELETE FROM {table} WHERE client_id = ?", (client_id,))
            conn.execute("DELETE FROM sessions WHERE client_id = ?", (client_id,))
            conn.execute("DELETE FROM episodes WHERE client_id = ?", (client_id,))
            conn.execute(
                "UPDATE clients SET name = '', preferred_name = '', date_of_birth = NULL, "
                "contact = '{}', referral = '{}', status = 'closed', destroyed_at = ? "
                "WHERE id = ?", (iso(self._now()), client_id))
            self._audit(conn, "client.destroyed",
                        {"client": client_id, "pseudonym": client.details.pseudonym,
                         "sessions": len(sessions)})
        return self.vault.write(run)

    # -- episodes, goals, risk --------------------------------------------------------------

    def episodes(self, client_id: int) -> Future[list[Episode]]:
        """The client's episodes of care, oldest first."""
        def run(conn: Connection) -> list[Episode]:
            return [Episode(r[0], r[1], date.fromisoformat(r[2]), _d(r[3]), r[4])
                    for r in conn.execute(
                        "SELECT id, client_id, started_on, ended_on, end_reason FROM episodes "
                        "WHERE client_id = ? ORDER BY started_on, id", (client_id,))]
        return self.vault.submit(run)

    def goals(self, client_id: int) -> Future[list[Goal]]:
        """Treatment goals in the therapist's order."""
        def run(conn: Connection) -> list[Goal]:
            return [Goal(r[0], r[1], r[2], r[3], date.fromisoformat(r[4]), _d(r[5]))
                    for r in conn.execute(
                        "SELECT id, client_id, position, text, created_on, achieved_on FROM goals "
                        "WHERE client_id = ? ORDER BY position, id", (client_id,))]
        return self.vault.submit(run)

    def set_goals(self, client_id: int, texts: list[str]) -> Future[None]:
        """Replace the list of open goals (achieved ones are kept)."""
        def run(conn: Connection) -> None:
            self._client(conn, client_id)
            cleaned = [clean_text(t, "A goal", max_chars=500) for t in texts]
            conn.execute("DELETE FROM goals WHERE client_id = ? AND achieved_on IS NULL",
                         (client_id,))
            today = self._today().isoformat()
            conn.executemany(
                "INSERT INTO goals(client_id, position, text, created_on) VALUES (?, ?, ?, ?)",
                [(client_id, i, t, today) for i, t in enumerate(cleaned) if t])
            self._audit(conn, "client.goals_changed", {"client": client_id})
        return self.vault.write(run)

    def risk(self, client_id: int) -> Future[RiskRecord | None]:
        """The latest risk review, or None when risk was never recorded."""
        def run(conn: Connection) -> RiskRecord | None:
            row = conn.execute(
                "SELECT level, areas, plan, reviewed_on FROM risk_records WHERE client_id = ? "
                "ORDER BY reviewed_on DESC, id DESC LIMIT 1", (client_id,)).fetchone()
            if row is None:
                return None
            areas = tuple(RiskArea(str(a["area"]), RiskLevel(a["level"]))
                          for a in json.loads(row[1]))
            return RiskRecord(RiskLevel(row[0]), areas, row[2], _d(row[3]))
        return self.vault.submit(run)

    def record_risk(self, client_id: int, record: RiskRecord) -> Future[None]:
        """Add a risk review (history is kept)."""
        def run(conn: Connection) -> None:
            self._client(conn, client_id)
            plan = clean_text(record.plan, "The risk plan", max_chars=5000, multiline=True)
            areas = [{"area": clean_text(a.area, "A risk area", required=True),
                      "level": a.level.value} for a in record.areas]
            conn.execute(
                "INSERT INTO risk_records(client_id, level, areas, plan, reviewed_on) "
                "VALUES (?, ?, ?, ?, ?)",
                (client_id, record.level.value, json.dumps(areas, ensure_ascii=False), plan,
                 (record.reviewed_on or self._today()).isoformat()))
            # The level is clinical content: it stays in the record, not in the audit trail.
            self._audit(conn, "client.risk_reviewed", {"client": client_id})
        return self.vault.write(run)

    # -- sessions ---------------------------------------------------------------------------

    def sessions(self, client_id: int) -> Future[list[SessionRow]]:
        """The client's timeline, newest first, with note status and a preview."""
        def run(conn: Connection) -> list[SessionRow]:
            rows = conn.execute(
                "SELECT s.id, s.client_id, s.date, s.start_time, s.duration_min, s.attendance, "
                "s.modality, s.number, n.status, substr(n.body, 1, ?), n.late_entry, "
                "n.deleted_at FROM sessions s LEFT JOIN notes n ON n.session_id = s.id "
                "WHERE s.client_id = ? ORDER BY s.date DESC, s.start_time DESC, s.id DESC",
                (PREVIEW_CHARS * 2, client_id)).fetchall()
            return [SessionRow(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4],
                               Attendance(r[5]), Modality(r[6]), r[7],
                               NoteStatus(r[8]) if r[8] else None,
                               "" if r[11] else note_rules.preview(r[9] or "", PREVIEW_CHARS),
                               bool(r[10])) for r in rows]
        return self.vault.submit(run)

    def create_session(self, client_id: int, details: SessionDetails) -> Future[SessionRow]:
        """Add a session to the client's current episode and number it within the episode."""
        def run(conn: Connection) -> SessionRow:
            client = self._client(conn, client_id)
            if client.destroyed_at:
                raise NotFound("That client's record was destroyed.")
            clean = validate_session(details, self._today())
            episode = conn.execute(
                "SELECT id FROM episodes WHERE client_id = ? AND started_on <= ? "
                "ORDER BY started_on DESC, id DESC LIMIT 1",
                (client_id, clean.date.isoformat())).fetchone()
            episode_id = episode[0] if episode else None
            cursor = conn.execute(
                "INSERT INTO sessions(client_id, episode_id, date, start_time, duration_min, "
                "attendance, modality, number) VALUES (?,?,?,?,?,?,?,0)",
                (client_id, episode_id, clean.date.isoformat(), clean.start_time,
                 clean.duration_min, clean.attendance.value, clean.modality.value))
            session_id = int(cursor.lastrowid or 0)
            self._renumber(conn, client_id)
            number = conn.execute("SELECT number FROM sessions WHERE id = ?",
                                  (session_id,)).fetchone()[0]
            self._audit(conn, "session.created", {"client": client_id, "session": session_id})
            return SessionRow(session_id, client_id, clean.date, clean.start_time,
                              clean.duration_min, clean.attendance, clean.modality, number,
                              None, "", False)
        return self.vault.write(run)

    def update_session(self, session_id: int, details: SessionDetails) -> Future[None]:
        """Change a session's date, time, duration, attendance or modality."""
        def run(conn: Connection) -> None:
            row = conn.execute("SELECT client_id FROM sessions WHERE id = ?",
                               (session_id,)).fetchone()
            if row is None:
                raise NotFound("That session does not exist.")
            clean = validate_session(details, self._today())
            conn.execute(
                "UPDATE sessions SET date=?, start_time=?, duration_min=?, attendance=?, "
                "modality=? WHERE id=?",
                (clean.date.isoformat(), clean.start_time, clean.duration_min,
                 clean.attendance.value, clean.modality.value, session_id))
            self._renumber(conn, row[0])
            self._audit(conn, "session.updated", {"session": session_id})
        return self.vault.write(run)

    @staticmethod
    def _renumber(conn: Connection, client_id: int) -> None:
        """Attended sessions are numbered 1, 2, 3… within each episode; others get 0."""
        conn.execute("""
            UPDATE sessions SET number = coalesce((
                SELECT count(*) FROM sessions o
                 WHERE o.client_id = sessions.client_id
                   AND o.episode_id IS sessions.episode_id
                   AND o.attendance = 'attended'
                   AND (o.date < sessions.date OR (o.date = sessions.date AND o.id <= sessions.id))
            ), 0) * (attendance = 'attended')
            WHERE client_id = ?""", (client_id,))

    # -- notes ------------------------------------------------------------------------------

    def _session_date(self, conn: Connection, session_id: int) -> date:
        row = conn.execute("SELECT date FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise NotFound("That session does not exist.")
        return date.fromisoformat(row[0])

    def note(self, session_id: int) -> Future[NoteView | None]:
        """The session's note with its amendments, or None if none was started."""
        return self.vault.submit(lambda conn: self._note(conn, session_id))

    def _note(self, conn: Connection, session_id: int) -> NoteView | None:
        row = conn.execute(
            "SELECT id, session_id, template, sections, status, created_at, updated_at, "
            "signed_at, content_sha256, late_entry, deleted_at, deleted_reason FROM notes "
            "WHERE session_id = ?",
            (session_id,)).fetchone()
        if row is None:
            return None
        amendments = tuple(Amendment(*a) for a in conn.execute(
            "SELECT id, kind, body, created_at, signed_at, content_sha256 FROM note_amendments "
            "WHERE note_id = ? ORDER BY id", (row[0],)))
        return NoteView(row[0], row[1], row[2], json.loads(row[3]), NoteStatus(row[4]),
                        row[5], row[6], row[7], row[8], bool(row[9]), amendments, row[10],
                        row[11] or "")

    def save_draft(self, session_id: int, template_id: str, sections: Mapping[str, str], *,
                   reindex: bool = False) -> Future[SavedDraft]:
        """Create or update the session's draft note (autosave). Signed notes refuse.

        An autosave stores the sections only: updating the searchable text fires the FTS
        triggers, whose secure-delete rewrites index pages (~10-20 ms on a ten-year vault,
        against ~0.5 ms without). The editor asks for `reindex=True` when the note is left,
        signed, locked or closed, and every minute of continuous typing, so search catches up
        without slowing every keystroke pause.
        """
        def run(conn: Connection) -> SavedDraft:
            template = self._template(conn, template_id)
            clean = note_rules.clean_sections(template, sections)
            sections_json = json.dumps(clean, ensure_ascii=False)
            now = iso(self._now())
            existing = conn.execute("SELECT id, status, late_entry FROM notes "
                                    "WHERE session_id = ?", (session_id,)).fetchone()
            if existing is None:
                late = note_rules.is_late_entry(self._session_date(conn, session_id),
                                                self._today())
                cursor = conn.execute(
                    "INSERT INTO notes(session_id, template, body, sections, status, "
                    "created_at, updated_at, late_entry) VALUES (?,?,?,?,'draft',?,?,?)",
                    (session_id, template.id, note_rules.plain_text(template, clean),
                     sections_json, now, now, int(late)))
                return SavedDraft(int(cursor.lastrowid or 0), now, late)
            note_rules.check_can_edit(NoteStatus(existing[1]))
            if reindex:
                conn.execute("UPDATE notes SET template=?, body=?, sections=?, updated_at=? "
                             "WHERE id=?", (template.id, note_rules.plain_text(template, clean),
                                            sections_json, now, existing[0]))
            else:
                conn.execute("UPDATE notes SET template=?, sections=?, updated_at=? WHERE id=?",
                             (template.id, sections_json, now, existing[0]))
            return SavedDraft(existing[0], now, bool(existing[2]))
        return self.vault.write(run)

    def reindex_note(self, session_id: int) -> Future[bool]:
        """Bring the note's searchable text up to date with its sections; True if it changed."""
        def run(conn: Connection) -> bool:
            return self._reindex(conn, session_id)
        return self.vault.write(run)

    def _reindex(self, conn: Connection, session_id: int) -> bool:
        row = conn.execute("SELECT id, template, sections, body, status FROM notes "
                           "WHERE session_id = ?", (session_id,)).fetchone()
        if row is None or NoteStatus(row[4]) is NoteStatus.SIGNED:
            return False
        body = note_rules.plain_text(self._template(conn, row[1]), json.loads(row[2]))
        if body == row[3]:
            return False
        conn.execute("UPDATE notes SET body = ? WHERE id = ?", (body, row[0]))
        return True

    def sign_note(self, note_id: int) -> Future[NoteView]:
        """Sign and lock: store the signing time and a SHA-256 of the content."""
        def run(conn: Connection) -> NoteView:
            row = conn.execute("SELECT session_id, status, sections FROM notes WHERE id = ?",
                               (note_id,)).fetchone()
            if row is None:
                raise NotFound("That note does not exist.")
            sections = json.loads(row[2])
            note_rules.check_can_sign(NoteStatus(row[1]), sections)
            self._reindex(conn, row[0])  # the signed text must be the searchable text
            signed_at = iso(self._now())
            digest = note_rules.content_hash("note", sections, signed_at)
            conn.execute("UPDATE notes SET status='signed', signed_at=?, content_sha256=?, "
                         "updated_at=? WHERE id=?", (signed_at, digest, signed_at, note_id))
            self._audit(conn, "note.signed", {"note": note_id, "sha256": digest})
            view = self._note(conn, row[0])
            assert view is not None
            return view
        return self.vault.write(run)

    def add_amendment(self, note_id: int, kind: AmendmentKind, body: str) -> Future[Amendment]:
        """Add a signed addendum or correction to a signed note."""
        def run(conn: Connection) -> Amendment:
            row = conn.execute("SELECT status, deleted_at FROM notes WHERE id = ?",
                               (note_id,)).fetchone()
            if row is None or row[1]:
                raise NotFound("That note does not exist.")
            if NoteStatus(row[0]) is not NoteStatus.SIGNED:
                raise InvalidInput("A draft can still be edited; amendments are for signed "
                                   "notes.")
            text = clean_text(body, f"The {kind.value}", max_chars=NOTE_MAX_CHARS,
                              multiline=True, required=True)
            now = iso(self._now())
            digest = note_rules.content_hash(kind.value, text, now)
            cursor = conn.execute(
                "INSERT INTO note_amendments(note_id, kind, body, created_at, signed_at, "
                "content_sha256) VALUES (?,?,?,?,?,?)", (note_id, kind.value, text, now, now,
                                                         digest))
            amendment_id = int(cursor.lastrowid or 0)
            self._audit(conn, f"note.{kind.value}_signed", {"note": note_id,
                                                            "amendment": amendment_id})
            return Amendment(amendment_id, kind.value, text, now, now, digest)
        return self.vault.write(run)

    def delete_note(self, note_id: int, reason: str) -> Future[None]:
        """Drafts are deleted; a signed note leaves a visible stub (when, why, its hash)."""
        def run(conn: Connection) -> None:
            row = conn.execute("SELECT status FROM notes WHERE id = ?", (note_id,)).fetchone()
            if row is None:
                raise NotFound("That note does not exist.")
            why = clean_text(reason, "The reason", max_chars=500,
                             required=NoteStatus(row[0]) is NoteStatus.SIGNED)
            if NoteStatus(row[0]) is NoteStatus.DRAFT:
                conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
            else:
                conn.execute("UPDATE notes SET body='', sections='{}', deleted_at=?, "
                             "deleted_reason=? WHERE id=?", (iso(self._now()), why, note_id))
            self._audit(conn, "note.deleted", {"note": note_id, "was": row[0]})
        return self.vault.write(run)

    # -- process notes ----------------------------------------------------------------------

    def process_notes(self, client_id: int) -> Future[str]:
        """The client's private process notepad (empty when never used)."""
        def run(conn: Connection) -> str:
            row = conn.execute("SELECT body FROM process_notes WHERE client_id = ?",
                               (client_id,)).fetchone()
            return str(row[0]) if row else ""
        return self.vault.submit(run)

    def save_process_notes(self, client_id: int, body: str) -> Future[str]:
        """Autosave the private notepad; returns the time saved."""
        def run(conn: Connection) -> str:
            text = clean_text(body, "The process notes", max_chars=NOTE_MAX_CHARS,
                              multiline=True)
            now = iso(self._now())
            updated = conn.execute("UPDATE process_notes SET body=?, updated_at=? "
                                   "WHERE client_id=?", (text, now, client_id)).rowcount
            if not updated:
                self._client(conn, client_id)
                conn.execute("INSERT INTO process_notes(client_id, body, updated_at) "
                             "VALUES (?,?,?)", (client_id, text, now))
            return now
        return self.vault.write(run)

    # -- search -----------------------------------------------------------------------------

    def search(self, typed: str, limit: int = 50) -> Future[list[SearchHit]]:
        """Full-text search over notes and their amendments, newest first; never raises.

        Newest first is what a clinician looks for (last week's note, not the best-scoring one
        from 2016) and it is fast at any size: FTS5 walks its index in descending rowid order
        and stops after `limit` matches, where ranking by relevance must score every match
        (0.7 ms against ~23 ms for a word in every note of the ten-year vault). Process notes
        are not searched: they stay apart from the record.
        """
        query = parse_query(typed)

        def run(conn: Connection) -> list[SearchHit]:
            if query is None:
                return []
            sql = f"""
                SELECT n.id, n.session_id, s.client_id, c.name, s.date, hit.snip, a_id
                  FROM (SELECT rowid AS note_id, NULL AS a_id,
                               snippet(notes_fts, 0, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}',
                                       '…', 12) AS snip
                          FROM notes_fts WHERE notes_fts MATCH :q
                         ORDER BY rowid DESC LIMIT :limit) AS hit
                  JOIN notes n ON n.id = hit.note_id
                  JOIN sessions s ON s.id = n.session_id
                  JOIN clients c ON c.id = s.client_id
                 WHERE n.deleted_at IS NULL AND c.destroyed_at IS NULL
                UNION ALL
                SELECT n.id, n.session_id, s.client_id, c.name, s.date, hit.snip, hit.a_id
                  FROM (SELECT rowid AS a_id,
                               snippet(amendments_fts, 0, '{HIGHLIGHT_START}',
                                       '{HIGHLIGHT_END}', '…', 12) AS snip
                          FROM amendments_fts WHERE amendments_fts MATCH :q
                         ORDER BY rowid DESC LIMIT :limit) AS hit
                  JOIN note_amendments a ON a.id = hit.a_id
                  JOIN notes n ON n.id = a.note_id
                  JOIN sessions s ON s.id = n.session_id
                  JOIN clients c ON c.id = s.client_id
                 WHERE c.destroyed_at IS NULL
                 ORDER BY 5 DESC, 1 DESC LIMIT :limit"""
            return [SearchHit(r[0], r[1], r[2], r[3], date.fromisoformat(r[4]), r[5], 0.0)
                    for r in conn.execute(sql, {"q": query.fts, "limit": limit})]
        return self.vault.submit(run)
