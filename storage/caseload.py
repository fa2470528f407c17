"""Gathering the caseload report's facts: every client, in one read transaction on the worker.

One snapshot: the whole gathering runs as a single job on the vault's worker inside one
transaction, so a report never mixes a client's ratings from before an edit with sessions from
after it. Ratings are summarised by `RatingsStore`'s own summary (the Measures tab's), exposure
readiness by `app.exposure.readiness` (the ladder view's): the report reuses the rules, it never
re-implements them.

Progress is reported per client as `progress(done, total)` *on the worker thread*; the window
forwards it to the UI thread through a queued signal (a Qt signal emitted from another thread is
delivered on the receiver's thread), the command line prints it to stderr.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import date

from app.caseload import Caseload, ClientFacts, ExposureStatus
from app.clients import ClientStatus
from app.exposure import ProgressionRule, StepStatus, TrialRecord, readiness
from app.measures import MeasureDefinition
from app.practice_profile import PracticeProfile
from app.ratings import RatingsSummary
from storage import audit_log, settings_repo
from storage.connection import Connection
from storage.exposure import _TRIAL_COLUMNS, _trial
from storage.profile_repo import PROFILE_KEY
from storage.ratings import RatingsStore
from storage.vault import Vault

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 10  # clients between progress calls (and always the last one)


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class CaseloadStore:
    """The caseload report's use cases on one open vault."""

    def __init__(self, vault: Vault, definitions: Mapping[str, MeasureDefinition]) -> None:
        self.vault = vault
        self.definitions = dict(definitions)
        self._ratings = RatingsStore(vault, definitions)

    # -- gathering --------------------------------------------------------------------------

    def _exposure(self, conn: Connection) -> dict[int, ExposureStatus]:
        """Every client's ladder status from three queries (not one per step)."""
        trials: dict[int, list[TrialRecord]] = defaultdict(list)
        for row in conn.execute(
                f"SELECT {', '.join('t.' + c.strip() for c in _TRIAL_COLUMNS.split(','))} "
                "FROM exposure_trials t ORDER BY t.started_at, t.id"):
            trial = _trial(row)
            trials[trial.step_id].append(trial.record)
        rules: dict[int, tuple[int, ProgressionRule, bool]] = {}
        for ladder_id, client_id, rule, archived in conn.execute(
                "SELECT id, client_id, rule, archived_at FROM ladders"):
            rules[ladder_id] = (client_id, ProgressionRule.from_json(json.loads(rule)),
                                archived is not None)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for step_id, ladder_id, status in conn.execute(
                "SELECT id, ladder_id, status FROM ladder_steps"):
            client_id, rule, archived = rules[ladder_id]
            step_status = StepStatus(status)
            if step_status is StepStatus.DROPPED:
                continue
            tally = counts[client_id]
            tally[1] += 1
            if step_status is StepStatus.MASTERED:
                tally[0] += 1
            elif not archived and readiness(trials.get(step_id, []), rule).ready:
                tally[2] += 1
        ladders: dict[int, int] = defaultdict(int)
        for client_id, _rule, _archived in rules.values():
            ladders[client_id] += 1
        return {client_id: ExposureStatus(n, counts[client_id][0], counts[client_id][1],
                                          counts[client_id][2])
                for client_id, n in ladders.items()}

    @staticmethod
    def _practice_name(conn: Connection) -> str:
        """The practice's name from its profile, else the vault's name (for the title)."""
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (PROFILE_KEY,)).fetchone()
        try:
            profile = PracticeProfile.from_json(json.loads(row[0]) if row else {})
        except (ValueError, TypeError, AttributeError):
            profile = PracticeProfile()
        if profile.practice_name:
            return profile.practice_name
        meta = conn.execute("SELECT value FROM meta WHERE key = 'name'").fetchone()
        return str(meta[0]) if meta else ""

    def _gather(self, conn: Connection, progress: Progress | None) -> Caseload:
        settings = settings_repo.read_all(conn)
        cors_rc = int(settings["measures.cors_reliable_change"])
        practice_name = self._practice_name(conn)
        clients = conn.execute(
            "SELECT id, name, preferred_name, pseudonym, date_of_birth, age_band, status "
            "FROM clients WHERE destroyed_at IS NULL ORDER BY id").fetchall()
        episodes: dict[int, tuple[int, date, str, bool]] = {}
        for episode_id, client_id, started, ended, reason in conn.execute(
                "SELECT id, client_id, started_on, ended_on, end_reason FROM episodes "
                "ORDER BY started_on, id"):
            episodes[client_id] = (episode_id, date.fromisoformat(started), reason,
                                   ended is not None)  # the last one wins: the current episode
        attended: dict[tuple[int, int | None], int] = {
            (r[0], r[1]): r[2] for r in conn.execute(
                "SELECT client_id, episode_id, count(*) FROM sessions "
                "WHERE attendance = 'attended' GROUP BY client_id, episode_id")}
        exposure = self._exposure(conn)
        total = len(clients)
        if progress is not None:
            progress(0, total)
        out: list[ClientFacts] = []
        for index, (client_id, name, preferred, pseudonym, dob, band, status) in enumerate(
                clients, 1):
            episode = episodes.get(client_id)
            episode_id = episode[0] if episode else None
            summary: RatingsSummary = self._ratings._summary(conn, client_id)
            out.append(ClientFacts(
                client_id=client_id, name=name, pseudonym=pseudonym, preferred_name=preferred,
                date_of_birth=_d(dob), stored_age_band=band, status=ClientStatus(status),
                episode_started=episode[1] if episode else None,
                end_reason=episode[2] if episode and episode[3] else "",
                sessions_attended=attended.get((client_id, episode_id), 0),
                ratings=summary, exposure=exposure.get(client_id, ExposureStatus())))
            if progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
                progress(index, total)
        return Caseload(tuple(out), practice_name, {"cors": cors_rc} if cors_rc else {})

    def gather(self, progress: Progress | None = None) -> Future[Caseload]:
        """Every (not destroyed) client's facts, read in one transaction on the worker."""
        def run(conn: Connection) -> Caseload:
            conn.execute("BEGIN")  # deferred: a read snapshot, no write lock taken
            try:
                return self._gather(conn, progress)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        return self.vault.submit(run)

    # -- auditing -----------------------------------------------------------------------------

    def record_export(self, *, identified: bool, file_format: str, clients: int
                      ) -> Future[None]:
        """Write the export to the audit trail (counts and kind only, never names or paths)."""
        def run(conn: Connection) -> None:
            audit_log.append(conn, "report.caseload_exported",
                             {"identified": identified, "format": file_format,
                              "clients": clients}, self.vault.clock.now())
        return self.vault.write(run)
