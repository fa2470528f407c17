"""Fear ladders in the vault: ladders, steps (add, edit, reorder, split, retire) and trials.

Steps keep an explicit `position` (the therapist's order); new ladders start sorted by SUDS.
Every change is one transaction with its audit entry. Readiness comes from app/exposure.py, the
rule stored with each ladder.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.clock import iso
from app.errors import InvalidInput
from app.exposure import (
    ProgressionRule,
    Readiness,
    StepDraft,
    StepStatus,
    TrialRecord,
    readiness,
    validate_rule,
    validate_step,
    validate_trial,
)
from app.text import clean_text
from storage import audit_log
from storage.connection import Connection
from storage.vault import Vault


@dataclass(frozen=True)
class Ladder:
    """A fear ladder with its rule."""

    id: int
    client_id: int
    target_fear: str
    goal: str
    rule: ProgressionRule
    created_at: str
    archived_at: str | None


@dataclass(frozen=True)
class Step:
    """A step with what the ladder view shows beside it."""

    id: int
    ladder_id: int
    position: int
    situation: str
    suds: int
    status: StepStatus
    notes: str
    safety_behaviours: tuple[str, ...]
    trials: int
    latest_suds: int | None  # peak SUDS of the latest trial
    readiness: Readiness


@dataclass(frozen=True)
class Trial:
    """A stored trial."""

    id: int
    step_id: int
    session_id: int | None
    record: TrialRecord
    reading_interval_min: int | None = None  # a timed exposure's "SUDS every N minutes"


@dataclass(frozen=True)
class LearningQuote:
    """A trial's "what I learned", with when the trial was, as offered for a session's note."""

    text: str
    started_at: datetime


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _trial(row: Any) -> Trial:
    (tid, step_id, session_id, started, setting, place, accompanied, present, planned, actual,
     before, peak, after, readings, feared, exp_before, exp_after, occurred, planned_drop,
     used, prevention, learned, interval) = row
    return Trial(tid, step_id, session_id, TrialRecord(
        _moment(started), setting, place, bool(accompanied), bool(present), planned, actual,
        before, peak, after, tuple((r["minute"], r["suds"]) for r in json.loads(readings)),
        feared, exp_before, exp_after, None if occurred is None else bool(occurred),
        tuple(json.loads(planned_drop)), tuple(json.loads(used)), prevention, learned),
        interval)


_TRIAL_COLUMNS = ("id, step_id, session_id, started_at, setting, place, accompanied, "
                  "therapist_present, planned_minutes, actual_minutes, suds_before, suds_peak, "
                  "suds_after, suds_readings, feared_outcome, expectancy_before, "
                  "expectancy_after, outcome_occurred, safety_planned_to_drop, safety_used, "
                  "response_prevention, learned, reading_interval_min")


class ExposureStore:
    """Use cases for fear ladders on one open vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def _now(self) -> datetime:
        return self.vault.clock.now()

    def _audit(self, conn: Connection, event: str, detail: dict[str, Any]) -> None:
        audit_log.append(conn, event, detail, self._now())

    # -- ladders ----------------------------------------------------------------------------

    def ladders(self, client_id: int) -> Future[list[Ladder]]:
        """The client's ladders, current first."""
        def run(conn: Connection) -> list[Ladder]:
            return [Ladder(r[0], r[1], r[2], r[3], ProgressionRule.from_json(json.loads(r[4])),
                           r[5], r[6]) for r in conn.execute(
                "SELECT id, client_id, target_fear, goal, rule, created_at, archived_at "
                "FROM ladders WHERE client_id = ? ORDER BY archived_at IS NOT NULL, id",
                (client_id,))]
        return self.vault.submit(run)

    def create_ladder(self, client_id: int, target_fear: str, goal: str = "",
                      rule: ProgressionRule | None = None,
                      steps: list[StepDraft] | None = None) -> Future[int]:
        """A new ladder (steps sorted by SUDS, low to high); returns its id."""
        fear = clean_text(target_fear, "The target fear", max_chars=500, required=True)
        goal_text = clean_text(goal, "The goal", max_chars=2000, multiline=True).strip()
        checked_rule = validate_rule(rule or ProgressionRule())
        checked_steps = sorted((validate_step(s) for s in steps or []), key=lambda s: s.suds)

        def run(conn: Connection) -> int:
            if conn.execute("SELECT 1 FROM clients WHERE id = ? AND destroyed_at IS NULL",
                            (client_id,)).fetchone() is None:
                raise InvalidInput("That client does not exist.")
            cursor = conn.execute(
                "INSERT INTO ladders(client_id, target_fear, goal, rule, created_at) "
                "VALUES (?, ?, ?, ?, ?)", (client_id, fear, goal_text,
                                           json.dumps(checked_rule.to_json()), iso(self._now())))
            ladder_id = int(cursor.lastrowid or 0)
            for position, step in enumerate(checked_steps):
                self._insert_step(conn, ladder_id, position, step)
            self._audit(conn, "exposure.ladder_created", {"client": client_id,
                                                           "ladder": ladder_id})
            return ladder_id
        return self.vault.write(run)

    def update_ladder(self, ladder_id: int, target_fear: str, goal: str,
                      rule: ProgressionRule) -> Future[None]:
        """Change the fear, goal or progression rule."""
        fear = clean_text(target_fear, "The target fear", max_chars=500, required=True)
        goal_text = clean_text(goal, "The goal", max_chars=2000, multiline=True).strip()
        checked_rule = validate_rule(rule)

        def run(conn: Connection) -> None:
            updated = conn.execute("UPDATE ladders SET target_fear=?, goal=?, rule=? WHERE id=?",
                                   (fear, goal_text, json.dumps(checked_rule.to_json()),
                                    ladder_id)).rowcount
            if not updated:
                raise InvalidInput("That ladder does not exist.")
            self._audit(conn, "exposure.ladder_changed", {"ladder": ladder_id})
        return self.vault.write(run)

    def archive_ladder(self, ladder_id: int) -> Future[None]:
        """Put a finished ladder away (kept, shown last)."""
        def run(conn: Connection) -> None:
            conn.execute("UPDATE ladders SET archived_at = ? WHERE id = ?",
                         (iso(self._now()), ladder_id))
            self._audit(conn, "exposure.ladder_archived", {"ladder": ladder_id})
        return self.vault.write(run)

    def restore_ladder(self, ladder_id: int) -> Future[None]:
        """Take an archived ladder back into use (an archive is never a deletion)."""
        def run(conn: Connection) -> None:
            updated = conn.execute("UPDATE ladders SET archived_at = NULL WHERE id = ? AND "
                                   "archived_at IS NOT NULL", (ladder_id,)).rowcount
            if not updated:
                raise InvalidInput("That ladder is not archived.")
            self._audit(conn, "exposure.ladder_restored", {"ladder": ladder_id})
        return self.vault.write(run)

    # -- steps ------------------------------------------------------------------------------

    @staticmethod
    def _insert_step(conn: Connection, ladder_id: int, position: int, step: StepDraft) -> int:
        cursor = conn.execute(
            "INSERT INTO ladder_steps(ladder_id, position, situation, suds, notes, "
            "safety_behaviours) VALUES (?, ?, ?, ?, ?, ?)",
            (ladder_id, position, step.situation, step.suds, step.notes,
             json.dumps(list(step.safety_behaviours), ensure_ascii=False)))
        return int(cursor.lastrowid or 0)

    def steps(self, ladder_id: int) -> Future[list[Step]]:
        """The ladder's steps in the therapist's order, with trials count and readiness."""
        def run(conn: Connection) -> list[Step]:
            rule_row = conn.execute("SELECT rule FROM ladders WHERE id = ?",
                                    (ladder_id,)).fetchone()
            if rule_row is None:
                raise InvalidInput("That ladder does not exist.")
            rule = ProgressionRule.from_json(json.loads(rule_row[0]))
            out = []
            for r in conn.execute("SELECT id, position, situation, suds, status, notes, "
                                  "safety_behaviours FROM ladder_steps WHERE ladder_id = ? "
                                  "ORDER BY position, id", (ladder_id,)).fetchall():
                trials = [t.record for t in self._trials(conn, r[0])]
                latest = max(trials, key=lambda t: t.started_at) if trials else None
                out.append(Step(r[0], ladder_id, r[1], r[2], r[3], StepStatus(r[4]), r[5],
                                tuple(json.loads(r[6])), len(trials),
                                latest.suds_peak if latest else None, readiness(trials, rule)))
            return out
        return self.vault.submit(run)

    def add_step(self, ladder_id: int, step: StepDraft) -> Future[int]:
        """Add a step at its SUDS place in the order (the therapist can move it after)."""
        checked = validate_step(step)

        def run(conn: Connection) -> int:
            rows = conn.execute("SELECT id, suds FROM ladder_steps WHERE ladder_id = ? "
                                "ORDER BY position, id", (ladder_id,)).fetchall()
            if conn.execute("SELECT 1 FROM ladders WHERE id = ?", (ladder_id,)).fetchone() \
                    is None:
                raise InvalidInput("That ladder does not exist.")
            position = next((i for i, r in enumerate(rows) if r[1] > checked.suds), len(rows))
            conn.execute("UPDATE ladder_steps SET position = position + 1 "
                         "WHERE ladder_id = ? AND position >= ?", (ladder_id, position))
            step_id = self._insert_step(conn, ladder_id, position, checked)
            self._renumber(conn, ladder_id)
            self._audit(conn, "exposure.step_added", {"ladder": ladder_id, "step": step_id})
            return step_id
        return self.vault.write(run)

    def update_step(self, step_id: int, step: StepDraft) -> Future[None]:
        """Change a step's situation, SUDS, notes or safety behaviours (order unchanged)."""
        checked = validate_step(step)

        def run(conn: Connection) -> None:
            updated = conn.execute(
                "UPDATE ladder_steps SET situation=?, suds=?, notes=?, safety_behaviours=? "
                "WHERE id=?", (checked.situation, checked.suds, checked.notes,
                               json.dumps(list(checked.safety_behaviours), ensure_ascii=False),
                               step_id)).rowcount
            if not updated:
                raise InvalidInput("That step does not exist.")
            self._audit(conn, "exposure.step_changed", {"step": step_id})
        return self.vault.write(run)

    def set_status(self, step_id: int, status: StepStatus) -> Future[None]:
        """Planned, in progress, mastered, or retired (dropped): trials are kept."""
        def run(conn: Connection) -> None:
            updated = conn.execute("UPDATE ladder_steps SET status = ? WHERE id = ?",
                                   (status.value, step_id)).rowcount
            if not updated:
                raise InvalidInput("That step does not exist.")
            self._audit(conn, "exposure.step_status", {"step": step_id, "status": status.value})
        return self.vault.write(run)

    def move_step(self, step_id: int, new_position: int) -> Future[None]:
        """Put a step at `new_position` (0 = first) in the therapist's order."""
        def run(conn: Connection) -> None:
            row = conn.execute("SELECT ladder_id FROM ladder_steps WHERE id = ?",
                               (step_id,)).fetchone()
            if row is None:
                raise InvalidInput("That step does not exist.")
            ids = [r[0] for r in conn.execute("SELECT id FROM ladder_steps WHERE ladder_id = ? "
                                              "ORDER BY position, id", (row[0],))]
            ids.remove(step_id)
            ids.insert(max(0, min(new_position, len(ids))), step_id)
            conn.executemany("UPDATE ladder_steps SET position = ? WHERE id = ?",
                             [(i, sid) for i, sid in enumerate(ids)])
            self._audit(conn, "exposure.step_moved", {"step": step_id, "to": new_position})
        return self.vault.write(run)

    def sort_by_suds(self, ladder_id: int) -> Future[None]:
        """Re-order the whole ladder by anticipated SUDS, low to high."""
        def run(conn: Connection) -> None:
            ids = [r[0] for r in conn.execute("SELECT id FROM ladder_steps WHERE ladder_id = ? "
                                              "ORDER BY suds, position, id", (ladder_id,))]
            conn.executemany("UPDATE ladder_steps SET position = ? WHERE id = ?",
                             [(i, sid) for i, sid in enumerate(ids)])
            self._audit(conn, "exposure.ladder_sorted", {"ladder": ladder_id})
        return self.vault.write(run)

    def split_step(self, step_id: int, first: StepDraft, second: StepDraft) -> Future[
            tuple[int, int]]:
        """Replace a step that is too big with two smaller ones; its trials stay with the first."""
        a, b = validate_step(first), validate_step(second)

        def run(conn: Connection) -> tuple[int, int]:
            row = conn.execute("SELECT ladder_id, position FROM ladder_steps WHERE id = ?",
                               (step_id,)).fetchone()
            if row is None:
                raise InvalidInput("That step does not exist.")
            ladder_id, position = row
            conn.execute("UPDATE ladder_steps SET situation=?, suds=?, notes=?, "
                         "safety_behaviours=? WHERE id=?",
                         (a.situation, a.suds, a.notes,
                          json.dumps(list(a.safety_behaviours), ensure_ascii=False), step_id))
            conn.execute("UPDATE ladder_steps SET position = position + 1 "
                         "WHERE ladder_id = ? AND position > ?", (ladder_id, position))
            second_id = self._insert_step(conn, ladder_id, position + 1, b)
            self._renumber(conn, ladder_id)
            self._audit(conn, "exposure.step_split", {"step": step_id, "new": second_id})
            return step_id, second_id
        return self.vault.write(run)

    @staticmethod
    def _renumber(conn: Connection, ladder_id: int) -> None:
        ids = [r[0] for r in conn.execute("SELECT id FROM ladder_steps WHERE ladder_id = ? "
                                          "ORDER BY position, id", (ladder_id,))]
        conn.executemany("UPDATE ladder_steps SET position = ? WHERE id = ?",
                         [(i, sid) for i, sid in enumerate(ids)])

    # -- trials -----------------------------------------------------------------------------

    def _trials(self, conn: Connection, step_id: int) -> list[Trial]:
        return [_trial(r) for r in conn.execute(
            f"SELECT {_TRIAL_COLUMNS} FROM exposure_trials WHERE step_id = ? "
            "ORDER BY started_at, id", (step_id,))]

    def trials(self, step_id: int) -> Future[list[Trial]]:
        """The step's trials, oldest first."""
        return self.vault.submit(lambda conn: self._trials(conn, step_id))

    def ladder_trials(self, ladder_id: int) -> Future[list[Trial]]:
        """Every trial of every step of a ladder, oldest first (the whole ladder over time)."""
        columns = ", ".join(f"t.{c.strip()}" for c in _TRIAL_COLUMNS.split(","))
        return self.vault.submit(lambda conn: [_trial(r) for r in conn.execute(
            f"SELECT {columns} FROM exposure_trials t JOIN ladder_steps s ON s.id = t.step_id "
            "WHERE s.ladder_id = ? ORDER BY t.started_at, t.id", (ladder_id,))])

    def log_trial(self, step_id: int, trial: TrialRecord, session_id: int | None = None,
                  reading_interval_min: int | None = None) -> Future[int]:
        """Record a trial (validated first); a planned step becomes 'in progress'."""
        t = validate_trial(trial)
        if reading_interval_min is not None and (
                isinstance(reading_interval_min, bool) or not isinstance(reading_interval_min, int)
                or not 1 <= reading_interval_min <= 120):
            raise InvalidInput("Readings are taken every 1 to 120 minutes.")

        def run(conn: Connection) -> int:
            step = conn.execute("SELECT s.status, l.client_id FROM ladder_steps s JOIN ladders l "
                                "ON l.id = s.ladder_id WHERE s.id = ?", (step_id,)).fetchone()
            if step is None:
                raise InvalidInput("That step does not exist.")
            if session_id is not None and conn.execute(
                    "SELECT 1 FROM sessions WHERE id = ? AND client_id = ?",
                    (session_id, step[1])).fetchone() is None:
                raise InvalidInput("That session is not this client's.")
            cursor = conn.execute(
                "INSERT INTO exposure_trials(step_id, session_id, reading_interval_min, "
                "started_at, setting, place, accompanied, therapist_present, planned_minutes, "
                "actual_minutes, suds_before, suds_peak, suds_after, suds_readings, "
                "feared_outcome, expectancy_before, expectancy_after, outcome_occurred, "
                "safety_planned_to_drop, safety_used, response_prevention, learned) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (step_id, session_id, reading_interval_min, iso(t.started_at), t.setting,
                 t.place, int(t.accompanied), int(t.therapist_present), t.planned_minutes,
                 t.actual_minutes, t.suds_before, t.suds_peak, t.suds_after,
                 json.dumps([{"minute": m, "suds": s} for m, s in t.suds_readings]),
                 t.feared_outcome, t.expectancy_before, t.expectancy_after,
                 None if t.outcome_occurred is None else int(t.outcome_occurred),
                 json.dumps(list(t.safety_planned_to_drop), ensure_ascii=False),
                 json.dumps(list(t.safety_used), ensure_ascii=False), t.response_prevention,
                 t.learned))
            if step[0] == StepStatus.PLANNED.value:
                conn.execute("UPDATE ladder_steps SET status = 'in_progress' WHERE id = ?",
                             (step_id,))
            trial_id = int(cursor.lastrowid or 0)
            self._audit(conn, "exposure.trial_logged", {"step": step_id, "trial": trial_id,
                                                        "setting": t.setting})
            return trial_id
        return self.vault.write(run)

    def latest_learning(self, client_id: int) -> Future[str]:
        """The most recent "what I learned", offered for the next session's note."""
        def run(conn: Connection) -> str:
            row = conn.execute(
                "SELECT t.learned FROM exposure_trials t JOIN ladder_steps s ON s.id = t.step_id "
                "JOIN ladders l ON l.id = s.ladder_id WHERE l.client_id = ? AND t.learned != '' "
                "ORDER BY t.started_at DESC, t.id DESC LIMIT 1", (client_id,)).fetchone()
            return str(row[0]) if row else ""
        return self.vault.submit(run)

    def learning_for_note(self, client_id: int, until: datetime) -> Future[LearningQuote | None]:
        """The latest "what I learned" from a trial before `until` (the end of a session's day).

        A note is offered only what the client had learned by then: a late note for an older
        session never gets a later exposure's words.
        """
        def run(conn: Connection) -> LearningQuote | None:
            row = conn.execute(
                "SELECT t.learned, t.started_at FROM exposure_trials t JOIN ladder_steps s "
                "ON s.id = t.step_id JOIN ladders l ON l.id = s.ladder_id WHERE l.client_id = ? "
                "AND t.learned != '' AND t.started_at < ? ORDER BY t.started_at DESC, t.id DESC "
                "LIMIT 1", (client_id, iso(until))).fetchone()
            return LearningQuote(str(row[0]), _moment(row[1])) if row else None
        return self.vault.submit(run)
