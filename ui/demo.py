"""The demo vault: a practice to explore without risk, with a published passphrase.

It is created on first use in the user's data folder. Its passphrase is printed on its unlock
screen (it protects nothing real), and the window shows a DEMO badge throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from app.clients import ClientStatus
from app.clock import Clock, SettableClock
from app.demo_practice import DemoLadder, DemoRatings, demo_practice
from app.exposure import StarterLadder, StepStatus, load_starter_ladders
from app.measures import AlertKind, load_definitions
from app.notes import AmendmentKind, load_templates
from app.practice_profile import PracticeProfile
from app.resources import resource_dir
from storage import profile_repo
from storage.exposure import ExposureStore
from storage.practice import PracticeStore
from storage.ratings import RatingInput, RatingsStore
from storage.vault import Secret, Vault, looks_like_vault

DEMO_PASSPHRASE = "tandem demo practice"
DEMO_NAME = "Demo practice"


def is_demo(folder: Path, demo_folder: Path) -> bool:
    """True when `folder` is the demo vault."""
    try:
        return folder.resolve() == demo_folder.resolve()
    except OSError:
        return False


def ensure_demo_vault(folder: Path, clock: Clock | None = None) -> bool:
    """Create the demo vault at `folder` unless it exists; True when it was created now."""
    if looks_like_vault(folder):
        return False
    vault, _recovery_key = Vault.create(folder, DEMO_PASSPHRASE, name=DEMO_NAME, clock=clock)
    try:
        populate_demo(vault)
    finally:
        vault.close()
    return True


DEMO_PROFILE = PracticeProfile(
    practitioner_name="Dr Alex Morgan", credentials="DClinPsy, Registered Psychologist",
    licence_number="PYL 000000", practice_name="Harbour Street Psychotherapy (demo)",
    address="1 Example Street\nDemo Town\nDT1 0AA", phone="+44 1632 960000",
    email="practice@example.org")
"""Fictional: reserved phone and e-mail ranges, a placeholder licence number."""


def populate_demo(vault: Vault, today: date | None = None) -> None:
    """Fill a new demo vault with the fictional practice from app/demo_practice.py.

    The vault's clock is moved to each session's day while its note is written and signed, so
    notes, signatures, late entries and the audit trail carry the dates they would really have.
    """
    today = today or datetime.now().astimezone().date()
    templates = load_templates(resource_dir() / "templates")
    store = PracticeStore(vault, templates)
    ratings = RatingsStore(vault, load_definitions(resource_dir() / "measures"), templates)
    exposure = ExposureStore(vault)
    starters = load_starter_ladders(resource_dir() / "ladders")
    real_clock = vault.clock
    clock = SettableClock(real_clock.now())
    vault.clock = clock

    def at(day: date, hour: int = 18, minute: int = 0) -> None:
        clock.set(datetime.combine(day, time(hour, minute)).astimezone(UTC))

    # A fictional letterhead, so demo letters look like the real thing.
    profile_repo.save_profile(vault, DEMO_PROFILE).result()
    try:
        for demo in demo_practice(today):
            at(demo.start, 8)
            client = store.create_client(demo.details, started_on=demo.start).result()
            store.set_goals(client.id, demo.goals).result()
            for demo_session in demo.sessions:
                at(min(demo_session.details.date, today), 8)
                session = store.create_session(client.id, demo_session.details).result()
                if demo_session.ratings is not None:
                    hour = int(demo_session.details.start_time[:2] or 9)
                    at(demo_session.details.date, hour, 2)
                    _record_ratings(ratings, client.id, session.id, demo_session.ratings,
                                    lambda d=demo_session.details.date, h=hour: at(d, h, 48))
                note = demo_session.note
                if note is None:
                    continue
                at(demo_session.details.date + timedelta(days=note.written_days_after))
                saved = store.save_draft(session.id, note.template, note.sections).result()
                if note.signed:
                    store.sign_note(saved.note_id).result()
                if note.addendum:
                    at(demo_session.details.date + timedelta(days=note.written_days_after + 2))
                    store.add_amendment(saved.note_id, AmendmentKind.ADDENDUM,
                                        note.addendum).result()
            if demo.ladder is not None:
                _write_ladder(exposure, store, client.id, demo.ladder, starters, at)
            at(demo.risk.reviewed_on or today, 19)
            store.record_risk(client.id, demo.risk).result()
            store.save_process_notes(client.id, demo.process_note).result()
            if demo.status is ClientStatus.CLOSED:
                last = max(s.details.date for s in demo.sessions)
                at(last, 19)
                store.close_client(client.id, demo.end_reason, last).result()
    finally:
        vault.clock = real_clock
    vault.audit("demo.populated", {"version": 2})


def _write_ladder(exposure: ExposureStore, store: PracticeStore, client_id: int,
                  ladder: DemoLadder, starters: dict[str, StarterLadder],
                  at: Callable[..., None]) -> None:
    """A ladder adapted from a starter, with its trials; in-session ones linked to a session."""
    starter = starters[ladder.starter]
    first_trial = min((t.record.started_at for t in ladder.trials), default=None)
    if first_trial is not None:
        at(first_trial.date() - timedelta(days=7), 17)
    ladder_id = exposure.create_ladder(client_id, starter.target_fear, starter.goal,
                                       ladder.rule, list(starter.steps)).result()
    steps = exposure.steps(ladder_id).result()
    sessions = sorted((s for s in store.sessions(client_id).result()
                       if s.attendance.value == "attended"), key=lambda s: s.date)
    for trial in ladder.trials:
        record, session_id = trial.record, None
        if trial.in_session:
            session = next((s for s in sessions if s.date >= record.started_at.date()), None)
            if session is not None:
                session_id = session.id
                record = replace(record, started_at=datetime.combine(
                    session.date, time(11)).astimezone(UTC))
        at(record.started_at.date(), 20)
        exposure.log_trial(steps[trial.step].id, record, session_id,
                           5 if record.suds_readings else None).result()
    for step in steps[: ladder.mastered]:
        exposure.set_status(step.id, StepStatus.MASTERED).result()


def _record_ratings(ratings: RatingsStore, client_id: int, session_id: int, demo: DemoRatings,
                    end_of_session: Callable[[], None]) -> None:
    """ORS at the start, SRS at the end; a low SRS is discussed, as PCOMS intends."""
    mode = "paper_items" if demo.from_paper else "screen"
    ratings.record(RatingInput(client_id, session_id, demo.outcome_measure, mode,
                               demo.outcome)).result()
    end_of_session()
    srs = ratings.record(RatingInput(client_id, session_id, demo.alliance_measure, mode,
                                     demo.alliance)).result()
    if srs.total < 360:
        ratings.mark_discussed(
            srs.id, AlertKind.SRS_TOTAL_LOW, f"Session rating {srs.total / 10:.1f}.",
            "Said the session felt rushed and off-topic. Agreed to start next time with what "
            "matters most to her, and to check in at half time.").result()


def open_demo(folder: Path, clock: Clock | None = None) -> Vault:
    """Create if needed, then open the demo vault with its published passphrase."""
    ensure_demo_vault(folder, clock)
    return Vault.open(folder, Secret(passphrase=DEMO_PASSPHRASE), clock=clock)
