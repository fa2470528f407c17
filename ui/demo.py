"""The demo vault: a practice to explore without risk, with a published passphrase.

It is created on first use in the user's data folder. Its passphrase is printed on its unlock
screen (it protects nothing real), and the window shows a DEMO badge throughout.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from app.clients import ClientStatus
from app.clock import Clock, SettableClock
from app.demo_practice import demo_practice
from app.notes import AmendmentKind, load_templates
from app.resources import resource_dir
from storage.practice import PracticeStore
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


def populate_demo(vault: Vault, today: date | None = None) -> None:
    """Fill a new demo vault with the fictional practice from app/demo_practice.py.

    The vault's clock is moved to each session's day while its note is written and signed, so
    notes, signatures, late entries and the audit trail carry the dates they would really have.
    """
    today = today or datetime.now().astimezone().date()
    store = PracticeStore(vault, load_templates(resource_dir() / "templates"))
    real_clock = vault.clock
    clock = SettableClock(real_clock.now())
    vault.clock = clock

    def at(day: date, hour: int = 18) -> None:
        clock.set(datetime.combine(day, time(hour)).astimezone(UTC))

    try:
        for demo in demo_practice(today):
            at(demo.start, 8)
            client = store.create_client(demo.details, started_on=demo.start).result()
            store.set_goals(client.id, demo.goals).result()
            for demo_session in demo.sessions:
                at(min(demo_session.details.date, today), 8)
                session = store.create_session(client.id, demo_session.details).result()
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


def open_demo(folder: Path, clock: Clock | None = None) -> Vault:
    """Create if needed, then open the demo vault with its published passphrase."""
    ensure_demo_vault(folder, clock)
    return Vault.open(folder, Secret(passphrase=DEMO_PASSPHRASE), clock=clock)
