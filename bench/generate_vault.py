"""The ten-year vault: a deterministic synthetic practice for the benchmarks (performance.md).

A busy solo practice over 2015–2025: 600 clients (100 long-term with 120 sessions each, the rest
4–44), 24,000 weekly sessions inserted in date order, one ~1,500-character note per session
(SOAP/DAP/BIRP/GIRP sections; `body` plain text plus `sections` JSON), an ORS and an SRS per
attended session, 150 exposure ladders × 10 steps × 6 trials, ~300 letters with a fake PDF blob,
episodes, goals, risk reviews, a few process notes and amendments, and an audit trail (a
`vault.opened` per working day and a `note.signed` per note) whose hash chain verifies.

Everything is invented (names from syllables, phone numbers in the reserved drama range, e-mail
addresses under example.invalid) and everything comes from one seed: the same seed and scale give
the same rows. Rows are written with plain SQL through `Vault.write`, in large transactions, while
the next batch is being composed.

Library:  generate(folder, passphrase, seed=20151, scale=1.0) -> GenerationStats
CLI:      python bench/generate_vault.py OUT_DIR [--scale 0.05] [--seed N] [--fresh]
          (OUT_DIR is a folder to put the vault in, or a NAME.tandem folder to use as the vault)

An existing vault at the target made by this generator with the same seed, scale, generator
version and schema version is reused (the parameters and the first run's timings live in the
`meta` table); a vault made under an older schema is regenerated rather than migrated, so the
figures are always those of a vault the current Tandem would have written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.audit import canonical_detail, entry_hash  # noqa: E402
from app.clock import SystemClock, iso  # noqa: E402
from bench.prose import FEARS, TEMPLATE_WEIGHTS, ClientVoice, Prose, first_name, surname  # noqa: E402
from storage import crypto, schema  # noqa: E402
from storage.connection import Connection  # noqa: E402
from storage.vault import Secret, Vault, looks_like_vault  # noqa: E402

GENERATOR_VERSION = 2
DEFAULT_SEED = 20151
BENCH_PASSPHRASE = "tandem ten-year benchmark vault"  # synthetic data; published on purpose
VAULT_STEM = "ten-year-vault"
FIRST_MONDAY = date(2015, 1, 5)
LAST_MONDAY = date(2025, 12, 22)
WEEKS = (LAST_MONDAY - FIRST_MONDAY).days // 7 + 1
BATCH_SESSIONS = 1000
META_PREFIX = "bench."

ORS_HASH = hashlib.sha256(b"tandem-measure:ors:v1").hexdigest()
SRS_HASH = hashlib.sha256(b"tandem-measure:srs:v1").hexdigest()


# -- shape ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """How big the practice is; scale 1.0 is the ten-year workload of performance.md."""

    clients: int
    long_term: int
    long_sessions: int
    sessions: int
    ladders: int
    steps: int
    trials_per_step: int
    letters: int

    @classmethod
    def for_scale(cls, scale: float) -> Shape:
        if not 0 < scale <= 4:
            raise ValueError("scale must be in (0, 4]")
        clients = max(4, round(600 * scale))
        long_term = max(1, round(100 * scale))
        sessions = max(long_term * 120 + (clients - long_term) * 4, round(24000 * scale))
        sessions = min(sessions, long_term * 120 + (clients - long_term) * 44)
        return cls(clients, long_term, 120, sessions, max(1, round(150 * scale)), 10, 6,
                   max(2, round(300 * scale)))


@dataclass
class GenerationStats:
    """What the generator made (or found), and how long making it took on its first run."""

    folder: Path
    seed: int
    scale: float
    reused: bool
    seconds: float                 # wall time of the generating run, vault creation included
    create_seconds: float          # Vault.create alone (KDF calibration + key slots + schema)
    insert_seconds: float          # time the worker spent inside the bulk-load transactions
    rows: dict[str, int]
    db_bytes: int
    generated_at: str
    text_chars: int = 0            # characters of note body text

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        load = self.seconds - self.create_seconds
        return self.total_rows / load if load > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "create_seconds": self.create_seconds,
                "insert_seconds": self.insert_seconds, "rows": self.rows,
                "generated_at": self.generated_at, "text_chars": self.text_chars}


def default_folder(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> Path:
    """bench/out/ten-year-vault.tandem for the standard workload, otherwise a tagged name."""
    if seed == DEFAULT_SEED and scale == 1.0:
        return out_dir / f"{VAULT_STEM}.tandem"
    return out_dir / f"{VAULT_STEM}-s{scale:g}-seed{seed}.tandem"


# -- the plan: clients and their sessions, before any SQL ----------------------------------------

@dataclass
class SessionPlan:
    day: date
    start: str
    client: ClientPlan
    number: int
    episode_id: int
    attendance: str
    modality: str
    duration: int
    id: int = 0
    ors: tuple[list[float], float] | None = None
    srs: tuple[list[float], float] | None = None


@dataclass
class ClientPlan:
    index: int
    first: str
    last: str
    voice: ClientVoice
    template: str
    weeks: list[int]               # week offsets of each session, relative to the start
    episode_breaks: list[int]      # session indexes where a new episode starts
    trajectory: str
    start_week: int = 0
    id: int = 0
    sessions: list[SessionPlan] = field(default_factory=list)
    episode_ids: list[int] = field(default_factory=list)


def _session_count_split(rng: random.Random, shape: Shape) -> list[int]:
    """Sessions per client: long-term clients get 120, the rest 4–44 summing to the total."""
    others = shape.clients - shape.long_term
    target = shape.sessions - shape.long_term * shape.long_sessions
    counts = [rng.randint(4, 44) for _ in range(others)]
    total = sum(counts)
    while total != target:
        i = rng.randrange(others)
        if total < target and counts[i] < 44:
            counts[i] += 1
            total += 1
        elif total > target and counts[i] > 4:
            counts[i] -= 1
            total -= 1
    long_flags = [shape.long_sessions] * shape.long_term + counts
    rng.shuffle(long_flags)
    return long_flags


def _weeks_for(rng: random.Random, n: int, long_term: bool) -> tuple[list[int], list[int]]:
    """Week offsets for n weekly sessions with holidays, and where episodes restart."""
    skip = 0.12 if long_term else 0.08
    breaks: list[int] = []
    if long_term:
        breaks = [rng.randint(50, 80)]
    elif n >= 12 and rng.random() < 0.1:
        breaks = [rng.randint(6, n - 4)]
    weeks: list[int] = []
    week = 0
    for i in range(n):
        if i in breaks:
            week += rng.randint(8, 30)
        while i and rng.random() < skip:
            week += 1
        weeks.append(week)
        week += 1
    return weeks, breaks


def plan_practice(seed: int, shape: Shape, prose: Prose) -> list[ClientPlan]:
    """Every client with a schedule, in order of their first session."""
    rng = random.Random(f"{seed}:schedule")
    counts = _session_count_split(rng, shape)
    templates = [t for t, _ in TEMPLATE_WEIGHTS]
    weights = [w for _, w in TEMPLATE_WEIGHTS]
    clients: list[ClientPlan] = []
    for index, n in enumerate(counts):
        first = first_name(rng)
        weeks, breaks = _weeks_for(rng, n, n == shape.long_sessions)
        trajectory = rng.choices(("improving", "flat", "deteriorating"), (70, 18, 12))[0]
        plan = ClientPlan(index, first, surname(rng), prose.voice(first),
                          rng.choices(templates, weights)[0], weeks, breaks, trajectory)
        span = weeks[-1]
        latest_start = max(0, WEEKS - 1 - span)
        # About one client in twenty is in the current caseload: their last session is recent.
        plan.start_week = latest_start if rng.random() < 0.05 else rng.randint(0, latest_start)
        clients.append(plan)
    clients.sort(key=lambda c: (c.start_week, c.index))
    for i, plan in enumerate(clients, start=1):
        plan.id = i
    return clients


def _modality(rng: random.Random, day: date) -> str:
    if day < date(2020, 3, 16):
        return rng.choices(("in_person", "video", "phone"), (92, 5, 3))[0]
    return rng.choices(("in_person", "video", "phone"), (45, 50, 5))[0]


def schedule_sessions(seed: int, clients: list[ClientPlan]) -> list[SessionPlan]:
    """All sessions of all clients, sorted by date and time, ids assigned in that order."""
    rng = random.Random(f"{seed}:sessions")
    episode_id = 0
    sessions: list[SessionPlan] = []
    for plan in clients:
        weekday = rng.randint(0, 4)
        hour = rng.randint(8, 18)
        for i, offset in enumerate(plan.weeks):
            if i == 0 or i in plan.episode_breaks:
                episode_id += 1
                plan.episode_ids.append(episode_id)
            moved = rng.random() < 0.1
            day = FIRST_MONDAY + timedelta(weeks=plan.start_week + offset,
                                           days=rng.randint(0, 4) if moved else weekday)
            start = f"{(rng.randint(8, 18) if moved else hour):02d}:00"
            attendance = "attended" if i == 0 else rng.choices(
                ("attended", "cancelled", "no_show"), (93, 4, 3))[0]
            duration = 90 if i == 0 else rng.choices((50, 60), (85, 15))[0]
            session = SessionPlan(day, start, plan, i + 1, episode_id, attendance,
                                  _modality(rng, day), duration)
            plan.sessions.append(session)
            sessions.append(session)
    sessions.sort(key=lambda s: (s.day, s.start, s.client.id))
    for i, session in enumerate(sessions, start=1):
        session.id = i
    return sessions


def _items(rng: random.Random, total: float, spread: float) -> tuple[list[float], float]:
    """Four item scores (0–10, one decimal) around total/4; returns (items, their sum)."""
    items = [round(min(max(total / 4 + rng.gauss(0, spread), 0.0), 10.0), 1) for _ in range(4)]
    return items, round(sum(items), 1)


def score_sessions(seed: int, clients: list[ClientPlan]) -> None:
    """An ORS and an SRS per attended session: plausible per-client trajectories."""
    rng = random.Random(f"{seed}:scores")
    for plan in clients:
        start = rng.uniform(18, 24)
        goal = rng.uniform(28, 34)
        rate = rng.uniform(0.08, 0.25)
        drop = rng.uniform(3, 8)
        alliance = rng.uniform(35.5, 39.5)
        k = 0
        for i, session in enumerate(plan.sessions):
            if i in plan.episode_breaks:  # relapse: the new episode starts lower
                start = max(8.0, (session.client.sessions[i - 1].ors or ([], start))[1]
                            - rng.uniform(4, 8))
                k = 0
            if session.attendance != "attended":
                continue
            if plan.trajectory == "improving":
                mean = goal - (goal - start) * (2.718281828 ** (-rate * k))
            elif plan.trajectory == "flat":
                mean = start + 1.5
            else:
                mean = start - drop * (1 - 2.718281828 ** (-rate * k))
            total = min(max(mean + rng.gauss(0, 1.6), 1.0), 39.5)
            session.ors = _items(rng, total, 0.9)
            srs_total = alliance + rng.gauss(0, 0.8)
            if rng.random() < 0.05:  # a rupture, talked about in the session
                srs_total = rng.uniform(27, 34)
            session.srs = _items(rng, min(srs_total, 40.0), 0.3)
            k += 1


# -- SQL ------------------------------------------------------------------------------------------

def _ts(day: date, hhmm: str = "09:00", plus_minutes: int = 0) -> str:
    hour, minute = (int(x) for x in hhmm.split(":"))
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    return iso(moment + timedelta(minutes=plus_minutes))


def _age_band(dob: date, on: date) -> str:
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    lower = (age // 10) * 10
    return f"{lower}–{lower + 9}"


class _Writer:
    """Submits batches to the vault's worker, composing the next while the last one commits."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.pending: Future[float] | None = None
        self.insert_seconds = 0.0
        self.rows: dict[str, int] = {}

    def submit(self, batch: dict[str, tuple[str, list[tuple[Any, ...]]]]) -> None:
        for table, (_sql, rows) in batch.items():
            self.rows[table] = self.rows.get(table, 0) + len(rows)

        def run(conn: Connection) -> float:
            started = time.perf_counter()
            for sql, rows in batch.values():
                if rows:
                    conn.executemany(sql, rows)
            return time.perf_counter() - started
        self.wait()
        self.pending = self.vault.write(run)

    def wait(self) -> None:
        if self.pending is not None:
            self.insert_seconds += self.pending.result()
            self.pending = None


SQL = {
    "clients": "INSERT INTO clients(id, name, preferred_name, pseudonym, date_of_birth, age_band,"
               " contact, referral, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
    "episodes": "INSERT INTO episodes(id, client_id, started_on, ended_on, end_reason)"
                " VALUES (?,?,?,?,?)",
    "goals": "INSERT INTO goals(id, client_id, position, text, created_on, achieved_on)"
             " VALUES (?,?,?,?,?,?)",
    "risk_records": "INSERT INTO risk_records(id, client_id, level, areas, plan, reviewed_on)"
                    " VALUES (?,?,?,?,?,?)",
    "process_notes": "INSERT INTO process_notes(id, client_id, body, updated_at) VALUES (?,?,?,?)",
    "sessions": "INSERT INTO sessions(id, client_id, episode_id, date, start_time, duration_min,"
                " attendance, modality, number) VALUES (?,?,?,?,?,?,?,?,?)",
    "notes": "INSERT INTO notes(id, session_id, template, body, sections, status, created_at,"
             " updated_at, signed_at, content_sha256, late_entry) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "note_amendments": "INSERT INTO note_amendments(id, note_id, kind, body, created_at,"
                       " signed_at, content_sha256) VALUES (?,?,?,?,?,?,?)",
    "measure_administrations": "INSERT INTO measure_administrations(id, client_id, session_id,"
                               " measure, definition_hash, administered_at, completed_by, mode,"
                               " items, total, capture) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "audit_log": "INSERT INTO audit_log(seq, at, event, detail, prev_hash, hash)"
                 " VALUES (?,?,?,?,?,?)",
    "ladders": "INSERT INTO ladders(id, client_id, target_fear, goal, rule, created_at,"
               " archived_at) VALUES (?,?,?,?,?,?,?)",
    "ladder_steps": "INSERT INTO ladder_steps(id, ladder_id, position, situation, suds, status,"
                    " notes, safety_behaviours) VALUES (?,?,?,?,?,?,?,?)",
    "exposure_trials": "INSERT INTO exposure_trials(id, step_id, started_at, setting, place,"
                       " accompanied, therapist_present, planned_minutes, actual_minutes,"
                       " suds_before, suds_peak, suds_after, suds_readings, feared_outcome,"
                       " expectancy_before, expectancy_after, outcome_occurred,"
                       " safety_planned_to_drop, safety_used, response_prevention, learned)"
                       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "letters": "INSERT INTO letters(id, client_id, template, recipient, created_at, deidentified,"
               " pdf, sha256) VALUES (?,?,?,?,?,?,?,?)",
}


def _batch(*tables: str) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    return {t: (SQL[t], []) for t in tables}


def client_rows(seed: int, clients: list[ClientPlan], prose: Prose,
                end: date) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    """Clients with their episodes, goals, risk reviews and a few process notes."""
    rng = random.Random(f"{seed}:clients")
    batch = _batch("clients", "episodes", "goals", "risk_records", "process_notes")
    goal_id = risk_id = process_id = 0
    for plan in clients:
        first_day = plan.sessions[0].day
        last_day = plan.sessions[-1].day
        active = (end - last_day).days <= 56
        dob = date(rng.randint(1948, 2006), rng.randint(1, 12), rng.randint(1, 28))
        known_dob = rng.random() < 0.9
        contact = {"phone": f"07700 900{rng.randint(0, 999):03d}",
                   "email": f"{plan.first.lower()}.{plan.last.lower()}@example.invalid",
                   "address": f"{rng.randint(1, 180)} {prose.draw('tail')} Road, "
                              f"{prose.draw('tail')}"}
        source = rng.choices(("GP", "self", "employee assistance", "insurer", "psychiatrist"),
                             (40, 30, 12, 12, 6))[0]
        referral = {"source": source, "referrer": "" if source == "self" else
                    f"Dr {surname(rng)}", "role": source,
                    "address": "" if source == "self" else f"{prose.draw('tail')} Surgery"}
        batch["clients"][1].append((
            plan.id, f"{plan.first} {plan.last}", plan.first if rng.random() < 0.3 else "",
            f"{plan.first[0]}{plan.last[0]}-{plan.id:04d}",
            dob.isoformat() if known_dob else None, _age_band(dob, first_day),
            json.dumps(contact), json.dumps(referral), "active" if active else "closed",
            _ts(first_day, plan.sessions[0].start, -30)))
        # Episodes: consecutive runs of sessions.
        starts = [0, *plan.episode_breaks]
        for j, episode_id in enumerate(plan.episode_ids):
            first_s = plan.sessions[starts[j]]
            last_index = (starts[j + 1] - 1) if j + 1 < len(starts) else len(plan.sessions) - 1
            ended = None if (active and j == len(plan.episode_ids) - 1) else \
                plan.sessions[last_index].day.isoformat()
            reason = "" if ended is None else rng.choice(
                ("planned ending", "planned ending", "client withdrew", "referred on",
                 "moved away", "goals met"))
            batch["episodes"][1].append((episode_id, plan.id, first_s.day.isoformat(), ended,
                                         reason))
        for position in range(1, rng.randint(2, 4) + 1):
            goal_id += 1
            achieved = (not active and plan.trajectory == "improving" and rng.random() < 0.6)
            batch["goals"][1].append((goal_id, plan.id, position, prose.draw("goal").capitalize(),
                                      first_day.isoformat(),
                                      last_day.isoformat() if achieved else None))
        attended = [s for s in plan.sessions if s.attendance == "attended"]
        for s in attended[::12]:
            risk_id += 1
            level = rng.choices(("none", "low", "moderate", "high"), (55, 35, 8, 2))[0]
            areas = [{"area": "suicide", "level": level},
                     {"area": "self-harm", "level": rng.choice(("none", "low", level))},
                     {"area": "others", "level": "none"}]
            batch["risk_records"][1].append((risk_id, plan.id, level, json.dumps(areas),
                                             prose.draw("risk").capitalize() + ".",
                                             s.day.isoformat()))
        if rng.random() < 0.2:
            process_id += 1
            batch["process_notes"][1].append((
                process_id, plan.id, prose.paragraph(("report", "assessment"), plan.voice, 4),
                _ts(last_day, "19:00")))
    return batch


class _AuditChain:
    """Builds audit rows that extend the vault's existing hash chain."""

    def __init__(self, seq: int, prev: str) -> None:
        self.seq = seq
        self.prev = prev

    def row(self, at: str, event: str, detail: dict[str, Any]) -> tuple[Any, ...]:
        self.seq += 1
        detail_json = canonical_detail(detail)
        digest = entry_hash(self.prev, self.seq, at, event, detail_json)
        row = (self.seq, at, event, detail_json, self.prev, digest)
        self.prev = digest
        return row


def session_batches(seed: int, sessions: list[SessionPlan], prose: Prose, chain: _AuditChain,
                    end: date) -> Iterator[tuple[dict[str, tuple[str, list[tuple[Any, ...]]]],
                                                 int]]:
    """Sessions with notes, scores, amendments and audit rows, BATCH_SESSIONS at a time."""
    rng = random.Random(f"{seed}:notes")
    measure_id = amendment_id = 0
    last_day: date | None = None
    last_few = len(sessions) - 5  # the newest notes are drafts, whatever the scale
    previous_ors: dict[int, float] = {}
    for start in range(0, len(sessions), BATCH_SESSIONS):
        batch = _batch("sessions", "notes", "measure_administrations", "note_amendments",
                       "audit_log")
        chars = 0
        for s in sessions[start:start + BATCH_SESSIONS]:
            plan = s.client
            if s.day != last_day:
                last_day = s.day
                batch["audit_log"][1].append(chain.row(
                    _ts(s.day, "07:55", rng.randint(0, 4)), "vault.opened",
                    {"how": "passphrase", "keyslots_restored_from_bak": False}))
            batch["sessions"][1].append((s.id, plan.id, s.episode_id, s.day.isoformat(),
                                         s.start, s.duration, s.attendance, s.modality, s.number))
            if s.attendance == "attended" and s.ors and s.srs:
                slots = {"ors": f"{s.ors[1]:.1f}", "srs": f"{s.srs[1]:.1f}",
                         "ors_prev": f"{previous_ors.get(plan.id, s.ors[1]):.1f}",
                         "number": str(s.number), "number2": str(s.number + rng.randint(2, 6)),
                         "medium": {"in_person": "in person", "video": "by video",
                                    "phone": "by phone"}[s.modality]}
                body, sections = prose.note(plan.template, plan.voice, slots)
                template = plan.template
                previous_ors[plan.id] = s.ors[1]
                for measure, definition, (items, total), minute in (
                        ("ors", ORS_HASH, s.ors, 1), ("srs", SRS_HASH, s.srs, s.duration - 3)):
                    measure_id += 1
                    mode = "screen" if rng.random() < 0.85 else "paper_items"
                    capture = ({"line_px": 400, "dpi": 96, "screen": "1920x1080",
                                "marks_px": [round(v * 40) for v in items]}
                               if mode == "screen" else {})
                    batch["measure_administrations"][1].append((
                        measure_id, plan.id, s.id, measure, definition,
                        _ts(s.day, s.start, minute), "client", mode,
                        json.dumps(items), total, json.dumps(capture)))
            else:
                body, sections = prose.short_note(s.attendance, plan.voice)
                template = "brief"
            chars += len(body)
            late = rng.random() < 0.02
            written = _ts(s.day, s.start, s.duration + rng.randint(5, 40)
                          + (rng.randint(1, 6) * 1440 if late else 0))
            draft = (end - s.day).days <= 10 or s.id > last_few
            sha = None if draft else hashlib.sha256(body.encode()).hexdigest()
            batch["notes"][1].append((s.id, s.id, template, body, json.dumps(sections),
                                      "draft" if draft else "signed", written, written,
                                      None if draft else written, sha, int(late)))
            if not draft:
                batch["audit_log"][1].append(chain.row(written, "note.signed", {"note": s.id}))
                if rng.random() < 0.005:
                    amendment_id += 1
                    text = "Addendum: " + prose.sentence("plan", plan.voice, {})
                    later = _ts(s.day, "17:30", 2 * 1440)
                    batch["note_amendments"][1].append((
                        amendment_id, s.id, "addendum", text, later, later,
                        hashlib.sha256(text.encode()).hexdigest()))
        yield batch, chars


def _reading(rng: random.Random, minute: int, planned: int, before: int, peak: int,
             after: int) -> int:
    """SUDS during a trial: up to the peak in the first ten minutes, then down to `after`."""
    if minute <= 10:
        level = before + (peak - before) * minute / 10
    else:
        level = peak - (peak - after) * min(1.0, (minute - 10) / max(planned - 10, 1))
    return max(0, min(100, round(level + rng.gauss(0, 3))))


def ladder_rows(seed: int, clients: list[ClientPlan], shape: Shape,
                prose: Prose) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    """Exposure ladders: 10 steps each, 6 trials a step, SUDS and expectancy falling."""
    rng = random.Random(f"{seed}:ladders")
    eligible = [c for c in clients if sum(s.attendance == "attended" for s in c.sessions) >= 20]
    chosen = (rng.sample(eligible, shape.ladders) if len(eligible) >= shape.ladders
              else [rng.choice(eligible or clients) for _ in range(shape.ladders)])
    plans = []
    for plan in chosen:
        anchor = plan.sessions[rng.randint(len(plan.sessions) // 5, len(plan.sessions) // 3)]
        plans.append((anchor.day, anchor.start, plan))
    plans.sort(key=lambda p: (p[0], p[2].id))
    batch = _batch("ladders", "ladder_steps", "exposure_trials")
    step_id = trial_id = 0
    for ladder_id, (day, start, plan) in enumerate(plans, start=1):
        fear, situations = rng.choice(FEARS)
        rule = {"name": "peak_below", "peak_max": 40, "consecutive": 2}
        batch["ladders"][1].append((ladder_id, plan.id, fear,
                                    f"To manage {fear} without safety behaviours",
                                    json.dumps(rule), _ts(day, start, 45), None))
        moment = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        for position in range(1, shape.steps + 1):
            step_id += 1
            suds = min(100, 10 + position * 8 + rng.randint(-3, 5))
            status = ("mastered" if position < shape.steps - 1 else
                      rng.choice(("in_progress", "mastered")) if position == shape.steps - 1
                      else "in_progress")
            situation = f"{rng.choice(situations).capitalize()} ({prose.draw('place')})"
            safety = rng.sample(("distraction", "holding a water bottle", "checking the exit",
                                 "phoning a friend", "sunglasses", "counting"), 2)
            batch["ladder_steps"][1].append((step_id, ladder_id, position, situation, suds,
                                             status, prose.draw("thought"), json.dumps(safety)))
            expectancy = rng.randint(60, 90)
            for trial in range(shape.trials_per_step):
                trial_id += 1
                moment += timedelta(days=rng.randint(1, 3), hours=rng.randint(-2, 2))
                peak = max(5, min(100, round(suds * (1 - 0.09 * trial) + rng.gauss(0, 6))))
                before = max(0, min(peak, round(peak * rng.uniform(0.4, 0.8))))
                after = max(0, min(peak, round(peak * rng.uniform(0.2, 0.6))))
                planned = rng.choice((20, 30, 45, 60))
                readings = [{"minute": m, "suds": _reading(rng, m, planned, before, peak, after)}
                            for m in range(0, planned + 1, 5)]
                expectancy_after = max(0, expectancy - rng.randint(5, 25))
                setting = "session" if rng.random() < 0.3 else "homework"
                batch["exposure_trials"][1].append((
                    trial_id, step_id, iso(moment), setting, prose.draw("place"),
                    int(rng.random() < 0.2), int(setting == "session"), planned,
                    planned + rng.randint(-5, 10), before, peak, after, json.dumps(readings),
                    prose.draw("thought"), expectancy, expectancy_after,
                    int(rng.random() < 0.05), json.dumps(safety[:1]),
                    json.dumps(safety[1:] if rng.random() < 0.3 else []),
                    "No checking or leaving early",
                    prose.sentence("response", plan.voice, {})))
                expectancy = max(5, expectancy_after + rng.randint(-5, 10))
    return batch


def letter_batches(seed: int, clients: list[ClientPlan], shape: Shape,
                   prose: Prose) -> Iterator[dict[str, tuple[str, list[tuple[Any, ...]]]]]:
    """A few hundred letters, each with a fake 30–80 KB PDF (incompressible, like a real one)."""
    rng = random.Random(f"{seed}:letters")
    weights = [len(c.sessions) for c in clients]
    planned = []
    for _ in range(shape.letters):
        plan = rng.choices(clients, weights)[0]
        session = rng.choice(plan.sessions)
        planned.append((session.day, plan))
    planned.sort(key=lambda p: (p[0], p[1].id))
    batch = _batch("letters")
    for letter_id, (day, plan) in enumerate(planned, start=1):
        size = rng.randint(30, 80) * 1024
        pdf = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(size) + b"\n%%EOF\n")
        template = rng.choice(("progress", "progress", "assessment", "discharge",
                               "referral_reply", "attendance"))
        recipient = f"Dr {surname(rng)}, {prose.draw('tail')} Medical Centre"
        batch["letters"][1].append((letter_id, plan.id, template, recipient,
                                    _ts(day, "17:00"), int(rng.random() < 0.05), pdf,
                                    hashlib.sha256(pdf).hexdigest()))
        if len(batch["letters"][1]) == 50:
            yield batch
            batch = _batch("letters")
    if batch["letters"][1]:
        yield batch


# -- the whole run --------------------------------------------------------------------------------

class _FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def _read_meta(vault: Vault) -> dict[str, str]:
    return vault.call(lambda c: dict(c.execute(
        "SELECT key, value FROM meta WHERE key LIKE 'bench.%'").fetchall()))


def _db_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("vault.db*") if p.is_file())


def _existing(folder: Path, passphrase: str, seed: int, scale: float) -> GenerationStats | None:
    """Stats of a complete matching bench vault at `folder`; None if it must be (re)made."""
    vault = Vault.open(folder, Secret(passphrase=passphrase))
    try:
        meta = _read_meta(vault)
    finally:
        vault.close()
    ok = (meta.get("bench.complete") == "1" and meta.get("bench.seed") == str(seed)
          and meta.get("bench.scale") == repr(float(scale))
          and meta.get("bench.version") == str(GENERATOR_VERSION)
          and meta.get("bench.schema") == str(schema.LATEST_VERSION))
    if not ok:
        return None
    raw = json.loads(meta["bench.stats"])
    return GenerationStats(folder, seed, scale, True, raw["seconds"], raw["create_seconds"],
                           raw["insert_seconds"], raw["rows"], _db_bytes(folder),
                           raw["generated_at"], raw.get("text_chars", 0))


def _remove_bench_vault(folder: Path, passphrase: str) -> None:
    """Delete a vault folder, but only one this generator made (or half-made)."""
    ours = folder.name.startswith(VAULT_STEM)
    if not ours:
        try:
            vault = Vault.open(folder, Secret(passphrase=passphrase), inspect_only=True)
        except Exception:  # any failure means: not provably ours
            ours = False
        else:
            ours = True
            vault.close(event=None)
    if not ours:
        raise SystemExit(f"{folder} holds a vault this generator did not make; not deleting it.")
    shutil.rmtree(folder)


def generate(folder: Path, passphrase: str = BENCH_PASSPHRASE, *, seed: int = DEFAULT_SEED,
             scale: float = 1.0, fresh: bool = False,
             progress: Callable[[str], None] | None = None) -> GenerationStats:
    """Create the ten-year vault at `folder` (or reuse a matching one); return what it holds."""
    say = progress or (lambda _msg: None)
    folder = Path(folder)
    if folder.exists() and looks_like_vault(folder):
        if not fresh:
            found = None
            try:
                found = _existing(folder, passphrase, seed, scale)
            except Exception as exc:  # a half-made or damaged vault: make it again
                say(f"existing vault unusable ({type(exc).__name__}: {exc}); regenerating")
            if found is not None:
                say(f"reusing {folder} (seed {seed}, scale {scale:g})")
                return found
        _remove_bench_vault(folder, passphrase)
    elif folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} exists and is not a vault; choose another folder.")

    shape = Shape.for_scale(scale)
    started = time.perf_counter()
    folder.parent.mkdir(parents=True, exist_ok=True)
    created = datetime(2015, 1, 2, 9, 0, tzinfo=UTC)
    vault, _recovery = Vault.create(folder, passphrase, name="Ten-year benchmark practice",
                                    clock=_FixedClock(created), params=crypto.calibrated_params())
    vault.clock = SystemClock()
    create_seconds = time.perf_counter() - started
    say(f"vault created in {create_seconds:.2f} s; planning {shape.sessions} sessions")
    try:
        prose = Prose(random.Random(f"{seed}:prose"))
        clients = plan_practice(seed, shape, prose)
        sessions = schedule_sessions(seed, clients)
        score_sessions(seed, clients)
        end = LAST_MONDAY + timedelta(days=4)
        writer = _Writer(vault)
        writer.submit(client_rows(seed, clients, prose, end))
        seq, prev = vault.call(lambda c: c.execute(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone())
        chain = _AuditChain(seq, prev)
        text_chars = 0
        for i, (batch, chars) in enumerate(session_batches(seed, sessions, prose, chain, end)):
            writer.submit(batch)
            text_chars += chars
            if i % 6 == 5:
                say(f"  {min((i + 1) * BATCH_SESSIONS, len(sessions))} sessions "
                    f"({time.perf_counter() - started:.1f} s)")
        writer.submit(ladder_rows(seed, clients, shape, prose))
        for batch in letter_batches(seed, clients, shape, prose):
            writer.submit(batch)
        writer.wait()
        seconds = time.perf_counter() - started
        stats = GenerationStats(folder, seed, scale, False, seconds, create_seconds,
                                writer.insert_seconds, dict(writer.rows), 0,
                                iso(datetime.now(UTC)), text_chars)
        meta = {"bench.seed": str(seed), "bench.scale": repr(float(scale)),
                "bench.version": str(GENERATOR_VERSION),
                "bench.schema": str(schema.LATEST_VERSION),
                "bench.stats": json.dumps(stats.to_json()), "bench.complete": "1"}
        vault.write(lambda c: c.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(meta.items()))).result()
    finally:
        vault.close()
    stats.db_bytes = _db_bytes(folder)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the ten-year benchmark vault.")
    parser.add_argument("out_dir", type=Path,
                        help="folder to put the vault in (or a NAME.tandem folder to use)")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the full workload")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--fresh", action="store_true", help="regenerate even if it exists")
    args = parser.parse_args(argv)
    out: Path = args.out_dir
    folder = out if out.suffix == ".tandem" else default_folder(out, args.seed, args.scale)
    stats = generate(folder, BENCH_PASSPHRASE, seed=args.seed, scale=args.scale,
                     fresh=args.fresh, progress=lambda m: print(m, flush=True))
    state = "reused (first run's figures)" if stats.reused else "generated"
    print(f"{state}: {folder}")
    print(f"  {stats.total_rows:,} rows in {stats.seconds:.1f} s "
          f"({stats.rows_per_second:,.0f} rows/s; vault creation {stats.create_seconds:.2f} s, "
          f"worker inside transactions {stats.insert_seconds:.1f} s)")
    for table, n in sorted(stats.rows.items()):
        print(f"  {table:<24} {n:>8,}")
    print(f"  vault.db {stats.db_bytes / 1e6:.1f} MB; passphrase: {BENCH_PASSPHRASE!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
