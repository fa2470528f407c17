"""Export the whole record as versioned JSON, and import such a file all-or-nothing.

Exports use export-local references (`ref`), never database ids, so exporting a vault, importing
it into a fresh one and exporting again gives the same document. Psychotherapy (process) notes
are left out unless the therapist asks for them. Letters sent are part of the record and always
included, byte for byte (base64) with the SHA-256 recorded when they were sent, as are the
practitioner's own letter templates. Imports are validated completely first
(app/export_format.py) and then written in one transaction with one audit entry.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.clock import iso
from app.errors import InvalidInput, StorageFailure, TandemError, VaultDamaged
from app.export_format import FORMAT, MAX_FILE_BYTES, VERSION, validate_export
from app.notes import NoteTemplate, plain_text
from storage import audit_log
from storage.atomic import atomic_write_bytes, os_error_reason
from storage.connection import Connection, DatabaseError, disk_reason
from storage.vault import Vault


@dataclass(frozen=True)
class ImportReport:
    """What an import added."""

    clients: int
    sessions: int
    notes: int
    amendments: int
    measures: int
    ladders: int
    templates: int
    letters: int = 0
    letter_templates: int = 0

    def lines(self) -> list[str]:
        """The report as sentences for the command line and the window."""
        return [f"{self.clients} clients, {self.sessions} sessions, {self.notes} notes "
                f"({self.amendments} addenda/corrections), {self.measures} outcome ratings, "
                f"{self.ladders} exposure ladders, {self.letters} letters, {self.templates} "
                f"note templates, {self.letter_templates} letter templates."]


def _rows(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _export_client(conn: Connection, client: dict[str, Any],
                   include_process_notes: bool) -> dict[str, Any]:
    cid = client.pop("id")
    client["contact"] = json.loads(client["contact"])
    client["referral"] = json.loads(client["referral"])
    episodes = _rows(conn, "SELECT id, started_on, ended_on, end_reason FROM episodes "
                           "WHERE client_id = ? ORDER BY started_on, id", (cid,))
    episode_index = {e.pop("id"): i for i, e in enumerate(episodes)}
    client["episodes"] = episodes
    client["goals"] = _rows(conn, "SELECT position, text, created_on, achieved_on FROM goals "
                                  "WHERE client_id = ? ORDER BY position, id", (cid,))
    risks = _rows(conn, "SELECT level, areas, plan, reviewed_on FROM risk_records "
                        "WHERE client_id = ? ORDER BY reviewed_on, id", (cid,))
    for risk in risks:
        risk["areas"] = json.loads(risk["areas"])
    client["risk_records"] = risks
    sessions = _rows(conn, "SELECT id, episode_id, date, start_time, duration_min, attendance, "
                           "modality, number FROM sessions WHERE client_id = ? "
                           "ORDER BY date, id", (cid,))
    refs: dict[int, str] = {}
    for i, session in enumerate(sessions, start=1):
        sid = session.pop("id")
        refs[sid] = session["ref"] = f"s{i}"
        session["episode"] = episode_index.get(session.pop("episode_id"))
        notes = _rows(conn, "SELECT id, template, sections, status, created_at, updated_at, "
                            "signed_at, content_sha256, late_entry, deleted_at, deleted_reason "
                            "FROM notes WHERE session_id = ?", (sid,))
        if notes:
            note = notes[0]
            note["sections"] = json.loads(note["sections"])
            note["late_entry"] = bool(note["late_entry"])
            note["amendments"] = _rows(
                conn, "SELECT kind, body, created_at, signed_at, content_sha256 "
                      "FROM note_amendments WHERE note_id = ? ORDER BY id", (note.pop("id"),))
            session["note"] = note
        else:
            session["note"] = None
    client["sessions"] = sessions
    measures = _rows(conn, "SELECT measure, definition_hash, administered_at, completed_by, mode, "
                           "items, total, capture, session_id, voided_at, void_reason "
                           "FROM measure_administrations WHERE client_id = ? "
                           "ORDER BY administered_at, id", (cid,))
    for measure in measures:
        measure["items"] = json.loads(measure["items"])
        measure["capture"] = json.loads(measure["capture"])
        measure["session_ref"] = refs.get(measure.pop("session_id"), "")
    client["measures"] = measures
    ladders = _rows(conn, "SELECT id, target_fear, goal, rule, created_at, archived_at "
                          "FROM ladders WHERE client_id = ? ORDER BY id", (cid,))
    for ladder in ladders:
        ladder["rule"] = json.loads(ladder["rule"])
        steps = _rows(conn, "SELECT id, position, situation, suds, status, notes, "
                            "safety_behaviours FROM ladder_steps WHERE ladder_id = ? "
                            "ORDER BY position, id", (ladder.pop("id"),))
        for step in steps:
            step["safety_behaviours"] = json.loads(step["safety_behaviours"])
            trials = _rows(conn, "SELECT * FROM exposure_trials WHERE step_id = ? "
                                 "ORDER BY started_at, id", (step.pop("id"),))
            for trial in trials:
                trial.pop("id")
                trial.pop("step_id")
                trial["session_ref"] = refs.get(trial.pop("session_id"), "")
                for key in ("suds_readings", "safety_planned_to_drop", "safety_used"):
                    trial[key] = json.loads(trial[key])
                for key in ("accompanied", "therapist_present"):
                    trial[key] = bool(trial[key])
                if trial["outcome_occurred"] is not None:
                    trial["outcome_occurred"] = bool(trial["outcome_occurred"])
            step["trials"] = trials
        ladder["steps"] = steps
    client["ladders"] = ladders
    process = conn.execute("SELECT body FROM process_notes WHERE client_id = ?",
                           (cid,)).fetchone()
    client["process_notes"] = (process[0] if process else "") if include_process_notes else ""
    client["letters"] = _export_letters(conn, cid)
    return client


def _export_letters(conn: Connection, client_id: int) -> list[dict[str, Any]]:
    """The client's letters, oldest first, each with its exact bytes (checked against its hash).

    A letter whose bytes no longer match the hash recorded when it was sent would make a file
    that no Tandem imports; the export stops instead and says to restore from a backup.
    """
    letters = _rows(conn, "SELECT id, template, template_name, recipient, created_at, "
                          "deidentified, file_name, sha256, pdf FROM letters "
                          "WHERE client_id = ? ORDER BY created_at, id", (client_id,))
    for letter in letters:
        letter_id = letter.pop("id")
        pdf = bytes(letter.pop("pdf"))
        if hashlib.sha256(pdf).hexdigest() != letter["sha256"]:
            raise VaultDamaged(f"Letter {letter_id} no longer matches the SHA-256 recorded when "
                               "it was sent, so the export was not made; restore the vault "
                               "from a backup.")
        letter["deidentified"] = bool(letter["deidentified"])
        letter["pdf_base64"] = base64.b64encode(pdf).decode("ascii")
    return letters


def export_record(vault: Vault, *, include_process_notes: bool = False) -> dict[str, Any]:
    """The whole record as a JSON-ready dict (audited)."""
    def run(conn: Connection) -> dict[str, Any]:
        clients = _rows(conn, "SELECT id, name, preferred_name, pseudonym, date_of_birth, "
                              "age_band, contact, referral, status, created_at, destroyed_at "
                              "FROM clients ORDER BY id", ())
        templates = [json.loads(r[0]) for r in conn.execute(
            "SELECT definition FROM note_templates ORDER BY id")]
        letter_templates = [json.loads(r[0]) for r in conn.execute(
            "SELECT definition FROM letter_templates ORDER BY id")]
        exported = [_export_client(conn, c, include_process_notes) for c in clients]
        document = {
            "format": FORMAT, "version": VERSION, "exported_at": iso(vault.clock.now()),
            "include_process_notes": include_process_notes, "note_templates": templates,
            "letter_templates": letter_templates, "clients": exported,
        }
        letters = sum(len(client["letters"]) for client in exported)
        audit_log.append(conn, "record.exported",
                         {"clients": len(clients), "process_notes": include_process_notes,
                          "letters": letters}, vault.clock.now())
        return document
    return vault.write(run).result()


def write_export(vault: Vault, target: Path, *, include_process_notes: bool = False) -> int:
    """Export to `target` atomically; returns the number of clients.

    A failure leaves `target` as it was (an older export stays whole) and says why.
    """
    try:
        document = export_record(vault, include_process_notes=include_process_notes)
    except StorageFailure as exc:  # the export's audit entry could not be written
        raise StorageFailure(f"The export was not made: the vault could not record it "
                             f"({disk_reason(exc)}). Nothing was written.") from None
    data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        reason = os_error_reason(exc)
        # The trail already says the record was exported (in the same read as the export):
        # say that the file never got written, so the trail does not claim a copy exists.
        with contextlib.suppress(TandemError, DatabaseError):
            vault.audit("record.export_failed", {"reason": reason})
        raise StorageFailure(f"The export could not be written to {target}: {reason}. "
                             "Nothing was written.") from None
    return len(document["clients"])


def read_export(path: Path) -> dict[str, Any]:
    """Parse and validate an export file; InvalidInput names the first problem."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror}.") from None
    if size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path.name} is larger than any Tandem export ({size:,} bytes).")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path.name} is not valid JSON (line {exc.lineno}, column "
                           f"{exc.colno}: {exc.msg}).") from None
    except RecursionError:
        raise InvalidInput(f"{path.name} is nested too deeply to be a Tandem export.") from None
    except ValueError:  # e.g. an integer of more than 4,300 digits: Python refuses to read it
        raise InvalidInput(f"{path.name} holds a number too long to be part of a Tandem "
                           "export.") from None
    return _validated(raw)


def _validated(document: Any) -> dict[str, Any]:
    """app/export_format's check, with a last line of defence for numbers beyond any range.

    A number like 10**400 where a float is expected makes the check itself overflow; that is
    a malformed file, not a crash.
    """
    try:
        return validate_export(document)
    except OverflowError:
        raise InvalidInput("The file holds a number far outside any range a Tandem export "
                           "uses; it was not imported.") from None


def _insert(conn: Connection, table: str, values: dict[str, Any]) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cursor = conn.execute(f"INSERT INTO {table}({columns}) VALUES ({marks})",
                          tuple(values.values()))
    return int(cursor.lastrowid or 0)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_MAX_DEPTH = 32
_MAX_INT = 2**63 - 1


def _plain_json(value: Any, path: str, depth: int = 0) -> None:
    """InvalidInput (naming `path`) unless `value` is JSON that stores and reads back as itself.

    For the free-form parts of an export (a rating's capture, a trial's readings) that the
    format check passes through: no NaN or infinity (not JSON, and not comparable), no integer
    too big for SQLite or for reading back, no text that is not valid Unicode (a lone
    surrogate cannot be stored), no nesting deeper than any real capture.
    """
    if depth > _MAX_DEPTH:
        raise InvalidInput(f"{path}: nested too deeply")
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > _MAX_INT:
            raise InvalidInput(f"{path}: number too large")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{path}: not a finite number")
    elif isinstance(value, str):
        _storable_text(value, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _plain_json(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable_text(str(key), path)
            _plain_json(item, f"{path}.{key}"[:200], depth + 1)
    else:
        raise InvalidInput(f"{path}: not a JSON value")


def _storable_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{path}: contains text that is not valid Unicode (a lone "
                           "surrogate)") from None


def _readings(value: Any, path: str) -> None:
    """A trial's SUDS readings: a list of {minute 0–1440, suds 0–100}, as the ladder shows."""
    for index, reading in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(reading, dict) or set(reading) != {"minute", "suds"}:
            raise InvalidInput(f"{where}: expected {{\"minute\": …, \"suds\": …}}")
        for key, high in (("minute", 1440), ("suds", 100)):
            number = reading[key]
            if isinstance(number, bool) or not isinstance(number, int) or \
                    not 0 <= number <= high:
                raise InvalidInput(f"{where}.{key}: must be a whole number from 0 to {high}")


def _check_free_form(data: dict[str, Any]) -> None:
    """The parts of a validated export that app/export_format passes through unchecked."""
    for c, client in enumerate(data["clients"]):
        base = f"clients[{c}]"
        for m, measure in enumerate(client["measures"]):
            _plain_json(measure["capture"], f"{base}.measures[{m}].capture")
        for ladder_index, ladder in enumerate(client["ladders"]):
            where = f"{base}.ladders[{ladder_index}]"
            _plain_json(ladder["rule"], f"{where}.rule")
            for s, step in enumerate(ladder["steps"]):
                for t, trial in enumerate(step["trials"]):
                    _readings(trial["suds_readings"],
                              f"{where}.steps[{s}].trials[{t}].suds_readings")


def import_record(vault: Vault, document: dict[str, Any],
                  templates: Mapping[str, NoteTemplate]) -> ImportReport:
    """Validate an export completely, then write it into the vault in one transaction.

    `templates` are the built-in note templates, used to rebuild each note's searchable text.
    Every refusal is an InvalidInput that names the place in the file; nothing is written.
    """
    data = _validated(document)
    _check_free_form(data)
    note_templates = []
    for index, raw in enumerate(data["note_templates"]):
        try:
            note_templates.append(NoteTemplate.from_json(raw))
        except InvalidInput as exc:
            raise InvalidInput(f"note_templates[{index}]: {exc.message}") from None
    counts = {"sessions": 0, "notes": 0, "amendments": 0, "measures": 0, "ladders": 0,
              "letters": 0}
    known = dict(templates)

    def run(conn: Connection) -> ImportReport:
        now = iso(vault.clock.now())
        for template in note_templates:
            known[template.id] = template
            conn.execute("INSERT OR REPLACE INTO note_templates(id, definition, created_at) "
                         "VALUES (?, ?, ?)", (template.id, _dump(template.to_json()), now))
        for letter_template in data["letter_templates"]:
            # As the template editor saves: one of the same id is replaced, keeping its age.
            conn.execute(
                "INSERT INTO letter_templates(id, definition, created_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "definition = excluded.definition, updated_at = excluded.updated_at",
                (letter_template.id, _dump(letter_template.to_json()), now, now))
        for client in data["clients"]:
            _import_client(conn, client, counts, known)
        report = ImportReport(len(data["clients"]), counts["sessions"], counts["notes"],
                              counts["amendments"], counts["measures"], counts["ladders"],
                              len(data["note_templates"]), counts["letters"],
                              len(data["letter_templates"]))
        audit_log.append(conn, "record.imported", {
            "clients": report.clients, "sessions": report.sessions, "letters": report.letters,
            "letter_templates": report.letter_templates}, vault.clock.now())
        return report
    return vault.write(run).result()


def _import_client(conn: Connection, client: dict[str, Any], counts: dict[str, int],
                   templates: Mapping[str, NoteTemplate]) -> None:
    cid = _insert(conn, "clients", {
        "name": client["name"], "preferred_name": client["preferred_name"],
        "pseudonym": client["pseudonym"], "date_of_birth": client["date_of_birth"],
        "age_band": client["age_band"], "contact": _dump(client["contact"]),
        "referral": _dump(client["referral"]), "status": client["status"],
        "created_at": client["created_at"], "destroyed_at": client["destroyed_at"]})
    episode_ids = [_insert(conn, "episodes", {"client_id": cid, **e})
                   for e in client["episodes"]]
    for goal in client["goals"]:
        _insert(conn, "goals", {"client_id": cid, **goal})
    for risk in client["risk_records"]:
        _insert(conn, "risk_records", {"client_id": cid, **risk, "areas": _dump(risk["areas"])})
    session_ids: dict[str, int] = {}
    for session in client["sessions"]:
        episode = session["episode"]
        sid = _insert(conn, "sessions", {
            "client_id": cid,
            "episode_id": episode_ids[episode] if episode is not None and
            episode < len(episode_ids) else None,
            **{k: session[k] for k in ("date", "start_time", "duration_min", "attendance",
                                       "modality", "number")}})
        counts["sessions"] += 1
        if session["ref"]:
            session_ids[session["ref"]] = sid
        note = session["note"]
        if note is not None:
            _import_note(conn, sid, note, counts, templates.get(note["template"]))
    for measure in client["measures"]:
        _insert(conn, "measure_administrations", {
            "client_id": cid, "session_id": session_ids.get(measure["session_ref"]),
            **{k: v for k, v in measure.items() if k not in ("session_ref", "items", "capture")},
            "items": _dump(measure["items"]), "capture": _dump(measure["capture"])})
        counts["measures"] += 1
    for ladder in client["ladders"]:
        lid = _insert(conn, "ladders", {
            "client_id": cid, "target_fear": ladder["target_fear"], "goal": ladder["goal"],
            "rule": _dump(ladder["rule"]), "created_at": ladder["created_at"],
            "archived_at": ladder["archived_at"]})
        counts["ladders"] += 1
        for step in ladder["steps"]:
            step_id = _insert(conn, "ladder_steps", {
                "ladder_id": lid, **{k: step[k] for k in ("position", "situation", "suds",
                                                          "status", "notes")},
                "safety_behaviours": _dump(step["safety_behaviours"])})
            for trial in step["trials"]:
                values = dict(trial)
                values["session_id"] = session_ids.get(values.pop("session_ref"))
                for key in ("suds_readings", "safety_planned_to_drop", "safety_used"):
                    values[key] = _dump(values[key])
                for key in ("accompanied", "therapist_present"):
                    values[key] = int(values[key])
                if values["outcome_occurred"] is not None:
                    values["outcome_occurred"] = int(values["outcome_occurred"])
                _insert(conn, "exposure_trials", {"step_id": step_id, **values})
    if client["process_notes"]:
        _insert(conn, "process_notes", {"client_id": cid, "body": client["process_notes"],
                                        "updated_at": client["created_at"]})
    for letter in client["letters"]:  # bytes and hash already checked against each other
        _insert(conn, "letters", {"client_id": cid, **letter,
                                  "deidentified": int(letter["deidentified"])})
        counts["letters"] += 1


def _import_note(conn: Connection, session_id: int, note: dict[str, Any],
                 counts: dict[str, int], template: NoteTemplate | None) -> None:
    if template is None:  # a template this vault does not have: keep the text, plain headings
        template = NoteTemplate(note["template"], note["template"], "", ())
    note_id = _insert(conn, "notes", {
        "session_id": session_id, "template": note["template"],
        "body": plain_text(template, note["sections"]),
        "sections": _dump(note["sections"]), "status": note["status"],
        "created_at": note["created_at"], "updated_at": note["updated_at"],
        "signed_at": note["signed_at"], "content_sha256": note["content_sha256"],
        "late_entry": int(note["late_entry"]), "deleted_at": note["deleted_at"],
        "deleted_reason": note["deleted_reason"]})
    counts["notes"] += 1
    for amendment in note["amendments"]:
        _insert(conn, "note_amendments", {"note_id": note_id, **amendment})
        counts["amendments"] += 1
