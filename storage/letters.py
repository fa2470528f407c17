"""Letters in the vault: the facts a letter draws on, letters sent, the practitioner's templates.

- `facts()` reads everything a letter may use in **one read transaction** on the vault's worker,
  so a letter never mixes a session list from before an edit with ratings from after it. It
  reads progress notes only by the ids the therapist chose, only signed ones, and only this
  client's: the psychotherapy (process) notes table is never queried here.
- A letter sent is kept whole (the PDF bytes and their SHA-256), with its template, recipient,
  date and whether it was de-identified; re-exporting returns exactly those bytes, checked
  against the hash on every read. Saving and exporting are audited with ids only.
- The practitioner's own letter templates live in the vault (encrypted like everything else),
  validated by app/letters.py before they are stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from app.clients import Client
from app.clock import iso
from app.errors import InvalidInput, VaultDamaged
from app.exposure import ProgressionRule, StepStatus
from app.letters import (
    GoalFact,
    LadderFact,
    LearnedFact,
    LetterContent,
    LetterFacts,
    LetterImage,
    LetterRecord,
    LetterRequest,
    LetterTemplate,
    QuotableNote,
    QuotedNote,
    SessionFact,
    StepFact,
)
from app.measures import MeasureDefinition
from app.practice_profile import PracticeProfile
from app.sessions import Attendance, Modality
from storage import audit_log, settings_repo
from storage.connection import Connection
from storage.practice import read_client
from storage.profile_repo import PROFILE_KEY
from storage.ratings import RatingsStore
from storage.vault import Vault


class LetterNotFound(InvalidInput):
    """The letter asked for does not exist (or its client's record was destroyed)."""


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _local_day(moment: str) -> date:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone().date()


@contextmanager
def _read_transaction(conn: Connection) -> Iterator[Connection]:
    """A consistent snapshot for several reads (SQLite's deferred transaction)."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


class LettersStore:
    """Use cases for letters on one open vault. Create one per unlock; drop it on lock."""

    def __init__(self, vault: Vault, definitions: Mapping[str, MeasureDefinition],
                 builtin_templates: Mapping[str, LetterTemplate]) -> None:
        self.vault = vault
        self.definitions = dict(definitions)
        self._builtin = dict(builtin_templates)
        self._ratings = RatingsStore(vault, definitions)

    def _now(self) -> datetime:
        return self.vault.clock.now()

    def _audit(self, conn: Connection, event: str, detail: Mapping[str, Any]) -> None:
        audit_log.append(conn, event, detail, self._now())

    # -- templates --------------------------------------------------------------------------

    def templates(self) -> Future[dict[str, LetterTemplate]]:
        """Built-in templates and the practitioner's own (theirs win on the same id)."""
        def run(conn: Connection) -> dict[str, LetterTemplate]:
            found = dict(self._builtin)
            for (definition,) in conn.execute("SELECT definition FROM letter_templates "
                                              "ORDER BY id"):
                try:
                    template = LetterTemplate.from_json(json.loads(definition), builtin=False)
                except (ValueError, InvalidInput):
                    continue  # a template that no longer validates is skipped, never fatal
                found[template.id] = template
            return found
        return self.vault.submit(run)

    def template(self, template_id: str) -> Future[LetterTemplate]:
        """One template by id; InvalidInput when there is none."""
        def run(conn: Connection) -> LetterTemplate:
            row = conn.execute("SELECT definition FROM letter_templates WHERE id = ?",
                               (template_id,)).fetchone()
            if row is not None:
                return LetterTemplate.from_json(json.loads(row[0]), builtin=False)
            if template_id in self._builtin:
                return self._builtin[template_id]
            names = ", ".join(sorted(self._builtin)) or "none"
            raise InvalidInput(f"There is no letter template called {template_id!r} "
                               f"(built in: {names}).")
        return self.vault.submit(run)

    def save_template(self, template: LetterTemplate) -> Future[LetterTemplate]:
        """Add or replace one of the practitioner's templates (validated again first)."""
        checked = LetterTemplate.from_json(template.to_json(), builtin=False)

        def run(conn: Connection) -> LetterTemplate:
            now = iso(self._now())
            conn.execute(
                "INSERT INTO letter_templates(id, definition, created_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "definition = excluded.definition, updated_at = excluded.updated_at",
                (checked.id, json.dumps(checked.to_json(), ensure_ascii=False), now, now))
            self._audit(conn, "letter.template_saved", {"template": checked.id})
            return checked
        return self.vault.write(run)

    def delete_template(self, template_id: str) -> Future[None]:
        """Remove one of the practitioner's templates (a built-in one of that id returns)."""
        def run(conn: Connection) -> None:
            deleted = conn.execute("DELETE FROM letter_templates WHERE id = ?",
                                   (template_id,)).rowcount
            if not deleted:
                raise InvalidInput("Only your own letter templates can be deleted.")
            self._audit(conn, "letter.template_deleted", {"template": template_id})
        return self.vault.write(run)

    # -- facts ------------------------------------------------------------------------------

    def facts(self, request: LetterRequest, today: date | None = None) -> Future[LetterFacts]:
        """Everything the letter for `request` may use, read in one transaction.

        Quoted notes must be this client's signed progress notes; anything else is refused by
        id (process notes live in another table and are never read here).
        """
        def run(conn: Connection) -> LetterFacts:
            with _read_transaction(conn):
                return self._facts(conn, request, today or self._now().astimezone().date())
        return self.vault.submit(run)

    def _client(self, conn: Connection, client_id: int) -> Client:
        client = read_client(conn, client_id)
        if client is None or client.destroyed_at:
            raise InvalidInput("That client does not exist.")
        return client

    def _facts(self, conn: Connection, request: LetterRequest, today: date) -> LetterFacts:
        client_id = request.client_id
        client = self._client(conn, client_id)
        profile_row = conn.execute("SELECT value FROM settings WHERE key = ?",
                                   (PROFILE_KEY,)).fetchone()
        try:
            profile = PracticeProfile.from_json(json.loads(profile_row[0]) if profile_row
                                                else {})
        except json.JSONDecodeError:
            profile = PracticeProfile()
        images = {r[0]: LetterImage(r[1], bytes(r[2])) for r in conn.execute(
            "SELECT kind, image_type, data FROM practice_images")}
        until = (request.period_end or request.letter_date or today).isoformat()
        episode = conn.execute(
            "SELECT started_on, ended_on, end_reason FROM episodes WHERE client_id = ? "
            "AND started_on <= ? ORDER BY started_on DESC, id DESC LIMIT 1",
            (client_id, until)).fetchone()
        if episode is None:
            episode = conn.execute(
                "SELECT started_on, ended_on, end_reason FROM episodes WHERE client_id = ? "
                "ORDER BY started_on, id LIMIT 1", (client_id,)).fetchone()
        sessions = tuple(SessionFact(r[0], date.fromisoformat(r[1]), Attendance(r[2]),
                                     Modality(r[3])) for r in conn.execute(
            "SELECT number, date, attendance, modality FROM sessions WHERE client_id = ? "
            "ORDER BY date, id", (client_id,)))
        goals = tuple(GoalFact(r[0], _d(r[1])) for r in conn.execute(
            "SELECT text, achieved_on FROM goals WHERE client_id = ? ORDER BY position, id",
            (client_id,)))
        settings = settings_repo.read_all(conn)
        cors_rc = int(settings["measures.cors_reliable_change"])
        return LetterFacts(
            client=client, profile=profile, today=today,
            logo=images.get("logo"), signature=images.get("signature"),
            episode_start=_d(episode[0]) if episode else None,
            episode_end=_d(episode[1]) if episode else None,
            end_reason=episode[2] if episode else "",
            sessions=sessions, goals=goals,
            administrations=tuple(self._ratings._administrations(conn, client_id)),
            definitions=self.definitions,
            no_improvement_by=int(settings["measures.no_improvement_by"]),
            reliable_change_override={"cors": cors_rc} if cors_rc else {},
            ladders=self._ladders(conn, client_id),
            notes=tuple(self._quoted(conn, client_id, note_id)
                        for note_id in request.quoted_note_ids))

    @staticmethod
    def _ladders(conn: Connection, client_id: int) -> tuple[LadderFact, ...]:
        ladders = []
        for ladder_id, fear, goal, rule, archived in conn.execute(
                "SELECT id, target_fear, goal, rule, archived_at FROM ladders "
                "WHERE client_id = ? ORDER BY archived_at IS NOT NULL, id",
                (client_id,)).fetchall():
            steps = []
            learned = []
            days = []
            for step_id, situation, suds, status in conn.execute(
                    "SELECT id, situation, suds, status FROM ladder_steps WHERE ladder_id = ? "
                    "ORDER BY position, id", (ladder_id,)).fetchall():
                trials = conn.execute(
                    "SELECT t.started_at, t.learned, s.number FROM exposure_trials t "
                    "LEFT JOIN sessions s ON s.id = t.session_id WHERE t.step_id = ? "
                    "ORDER BY t.started_at, t.id", (step_id,)).fetchall()
                steps.append(StepFact(situation, suds, StepStatus(status), len(trials)))
                for started, text, number in trials:
                    day = _local_day(started)
                    days.append(day)
                    if text.strip():
                        learned.append(LearnedFact(day, number or None, situation, text))
            learned.sort(key=lambda item: item.day)
            ladders.append(LadderFact(fear, goal, ProgressionRule.from_json(json.loads(rule)),
                                      tuple(steps), tuple(learned), tuple(sorted(days)),
                                      archived is not None))
        return tuple(ladders)

    def quotable_notes(self, client_id: int, preview_chars: int = 90) -> Future[
            list[QuotableNote]]:
        """The client's signed, undeleted progress notes, newest first (process notes never)."""
        def run(conn: Connection) -> list[QuotableNote]:
            rows = conn.execute(
                "SELECT n.id, s.number, s.date, substr(n.body, 1, ?) FROM notes n "
                "JOIN sessions s ON s.id = n.session_id WHERE s.client_id = ? "
                "AND n.status = 'signed' AND n.deleted_at IS NULL AND n.body != '' "
                "ORDER BY s.date DESC, s.id DESC", (preview_chars * 2, client_id)).fetchall()
            return [QuotableNote(row[0], row[1] or 0, date.fromisoformat(row[2]),
                                 _one_line(row[3], preview_chars)) for row in rows]
        return self.vault.submit(run)

    @staticmethod
    def _quoted(conn: Connection, client_id: int, note_id: int) -> QuotedNote:
        row = conn.execute(
            "SELECT n.body, n.status, n.deleted_at, s.number, s.date FROM notes n "
            "JOIN sessions s ON s.id = n.session_id WHERE n.id = ? AND s.client_id = ?",
            (note_id, client_id)).fetchone()
        if row is None or row[2]:
            raise InvalidInput(f"Note {note_id} is not one of this client's progress notes "
                               "(psychotherapy notes are never quoted in letters).")
        if row[1] != "signed":
            raise InvalidInput(f"Note {note_id} is a draft: sign it before quoting it in a "
                               "letter.")
        amendments = tuple((r[0], _local_day(r[1]), r[2]) for r in conn.execute(
            "SELECT kind, signed_at, body FROM note_amendments WHERE note_id = ? ORDER BY id",
            (note_id,)))
        return QuotedNote(note_id, row[3], date.fromisoformat(row[4]), row[0], amendments)

    # -- letters sent -----------------------------------------------------------------------

    def save(self, content: LetterContent, pdf: bytes) -> Future[LetterRecord]:
        """Keep a sent letter (its exact bytes and SHA-256), audited by ids only."""
        digest = hashlib.sha256(pdf).hexdigest()

        def run(conn: Connection) -> LetterRecord:
            self._client(conn, content.client_id)
            created = iso(self._now())
            cursor = conn.execute(
                "INSERT INTO letters(client_id, template, recipient, created_at, deidentified, "
                "pdf, sha256, file_name, template_name) VALUES (?,?,?,?,?,?,?,?,?)",
                (content.client_id, content.template_id, content.recipient_label, created,
                 int(content.deidentified), pdf, digest, content.file_name,
                 content.template_name))
            letter_id = int(cursor.lastrowid or 0)
            self._audit(conn, "letter.saved", {
                "client": content.client_id, "letter": letter_id,
                "template": content.template_id, "deidentified": content.deidentified,
                "sha256": digest})
            return LetterRecord(letter_id, content.client_id, content.template_id,
                                content.recipient_label, created, content.deidentified, digest,
                                len(pdf), content.file_name, content.template_name)
        return self.vault.write(run)

    _RECORD_SQL = ("SELECT id, client_id, template, recipient, created_at, deidentified, sha256, "
                   "length(pdf), file_name, template_name FROM letters")

    @staticmethod
    def _record(row: Any) -> LetterRecord:
        return LetterRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6],
                            int(row[7]), row[8], row[9] or row[2])

    def letters(self, client_id: int) -> Future[list[LetterRecord]]:
        """The client's letters, newest first (without their bytes)."""
        def run(conn: Connection) -> list[LetterRecord]:
            return [self._record(r) for r in conn.execute(
                self._RECORD_SQL + " WHERE client_id = ? ORDER BY created_at DESC, id DESC",
                (client_id,))]
        return self.vault.submit(run)

    def letter(self, letter_id: int) -> Future[LetterRecord]:
        """One letter's record."""
        def run(conn: Connection) -> LetterRecord:
            row = conn.execute(self._RECORD_SQL + " WHERE id = ?", (letter_id,)).fetchone()
            if row is None:
                raise LetterNotFound("That letter does not exist.")
            return self._record(row)
        return self.vault.submit(run)

    def pdf(self, letter_id: int) -> Future[bytes]:
        """The letter's bytes exactly as sent; VaultDamaged if they no longer match the hash."""
        def run(conn: Connection) -> bytes:
            row = conn.execute("SELECT pdf, sha256 FROM letters WHERE id = ?",
                               (letter_id,)).fetchone()
            if row is None:
                raise LetterNotFound("That letter does not exist.")
            data = bytes(row[0])
            if hashlib.sha256(data).hexdigest() != row[1]:
                raise VaultDamaged(f"Letter {letter_id} no longer matches the SHA-256 recorded "
                                   "when it was sent; restore the vault from a backup.")
            return data
        return self.vault.submit(run)

    def record_export(self, letter_id: int, protected: bool) -> Future[None]:
        """Audit that a letter was written to a file (with a password or not)."""
        def run(conn: Connection) -> None:
            row = conn.execute("SELECT client_id FROM letters WHERE id = ?",
                               (letter_id,)).fetchone()
            if row is None:
                raise LetterNotFound("That letter does not exist.")
            self._audit(conn, "letter.exported", {"client": row[0], "letter": letter_id,
                                                  "protected": protected})
        return self.vault.write(run)


def _one_line(text: str, limit: int) -> str:
    """The first words of a note on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"
