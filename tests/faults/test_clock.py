"""The system clock jumping backwards and forwards: no crash, nothing lost, nothing negative.

Tandem's stores take their time from the vault's clock (app/clock.py), so a SettableClock here
jumps the way a laptop's clock does after a dead CMOS battery, a manual correction, or NTP
catching up after sleep. What must hold regardless of the time the clock claims:
- saves land in the order they were made (the newest save wins, whatever its timestamp);
- signatures verify, the audit chain verifies (it is ordered by sequence, not by time);
- backups: names never collide, and rotation keeps the backup just made (see
  storage/backup_rotation.py), even after a clock that ran ahead is put right;
- "last backup" ages are never negative, and a backup dated in the future does not stop the
  daily backup from running.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.audit import AuditEvent
from app.clients import ClientDetails
from app.clock import SettableClock
from app.notes import AmendmentKind, content_hash, load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from storage.backup import EXTENSION, make_backup, read_manifest, verify_backup
from storage.backup_rotation import backups_of, prune
from storage.practice import PracticeStore
from storage.vault import Secret, Vault
from tests.faults.harness import reopened
from tests.support.vaults import PASSPHRASE

TEMPLATES = load_templates(resource_dir() / "templates")
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
JUMPS = [timedelta(0), -timedelta(days=3), timedelta(days=3650), -timedelta(days=4000),
         timedelta(minutes=-5), timedelta(days=1), -timedelta(seconds=1)]


def _practice(folder: Path, session_day: date) -> tuple[Vault, SettableClock, PracticeStore, int]:
    """A vault on a settable clock, with one client and one session."""
    clock = SettableClock(T0)
    vault, _ = Vault.create(folder, PASSPHRASE, clock=clock)
    store = PracticeStore(vault, TEMPLATES)
    client = store.create_client(ClientDetails("Clock Client")).result().id
    session = store.create_session(client, SessionDetails(session_day)).result().id
    return vault, clock, store, session


def test_notes_audit_and_signatures_survive_a_jumping_clock(tmp_path: Path) -> None:
    vault, clock, store, session = _practice(tmp_path / "Clock.tandem", date(2026, 3, 9))
    with vault:
        stamps = []
        for n, jump in enumerate(JUMPS):
            clock.set(T0 + jump)
            saved = store.save_draft(session, "free", {"note": f"version {n}"},
                                     reindex=n % 2 == 0).result()
            stamps.append(saved.updated_at)
        # The newest *save* wins, although its timestamp is older than several before it.
        note = store.note(session).result()
        assert note is not None and note.sections == {"note": f"version {len(JUMPS) - 1}"}
        assert sorted(stamps) != stamps  # the clock really went backwards
        clock.set(T0 - timedelta(days=400))  # signed "before" it was written
        signed = store.sign_note(note.id).result()
        assert signed.content_sha256 == content_hash("note", signed.sections, signed.signed_at)
        clock.set(T0 + timedelta(days=20000))
        store.add_amendment(note.id, AmendmentKind.ADDENDUM, "written far in the future").result()
        clock.set(T0 - timedelta(days=20000))
        store.add_amendment(note.id, AmendmentKind.CORRECTION, "written in 1971").result()
        assert [h.note_id for h in store.search("future").result()] == [note.id]
        assert store.search("version").result()
        report = vault.verify()
        assert report.ok and report.audit_chain.intact, report
        times = [e.at for e in vault.audit_entries(newest_first=False)]
        assert sorted(times) != times  # the trail holds times out of order, and still verifies
    with reopened(tmp_path / "Clock.tandem", Secret(passphrase=PASSPHRASE)) as again:
        view = PracticeStore(again, TEMPLATES).note(session).result()
        assert view is not None and [a.body for a in view.amendments] == [
            "written far in the future", "written in 1971"]
        for amendment in view.amendments:
            assert amendment.content_sha256 == content_hash(amendment.kind, amendment.body,
                                                            amendment.signed_at)


def test_late_entry_label_follows_the_clock_without_crashing(tmp_path: Path) -> None:
    vault, clock, store, session = _practice(tmp_path / "Late.tandem", date(2026, 3, 10))
    with vault:
        clock.set(T0 - timedelta(days=30))  # the clock says the session has not happened yet
        first = store.save_draft(session, "free", {"note": "early"}).result()
        assert not first.late_entry
        clock.set(T0 + timedelta(days=30))
        later = store.save_draft(session, "free", {"note": "later"}).result()
        assert later.late_entry is first.late_entry  # decided once, when the note was begun


def test_backup_names_never_collide_when_the_clock_repeats_itself(tmp_path: Path) -> None:
    clock = SettableClock(T0)
    vault, _ = Vault.create(tmp_path / "Names.tandem", PASSPHRASE, clock=clock)
    folder = tmp_path / "backups"
    made = []
    with vault:
        for jump in (timedelta(0), timedelta(0), -timedelta(hours=2), timedelta(0)):
            clock.set(T0 + jump)
            made.append(make_backup(vault, folder))
        key = vault.remembered_key()
    assert len(set(made)) == 4
    for path in made:
        verify_backup(path, key)


def _rotation_vault(tmp_path: Path) -> tuple[Vault, SettableClock, Path]:
    clock = SettableClock(T0)
    vault, _ = Vault.create(tmp_path / "Rotate.tandem", PASSPHRASE, clock=clock)
    return vault, clock, tmp_path / "backups"


def test_rotation_keeps_the_backup_just_made_after_the_clock_is_put_right(
        tmp_path: Path) -> None:
    vault, clock, folder = _rotation_vault(tmp_path)
    with vault:
        # For three days the clock ran a year ahead: three backups dated 2027.
        ahead = []
        for day in range(3):
            clock.set(T0 + timedelta(days=365 + day))
            ahead.append(make_backup(vault, folder))
        # The clock is corrected. Each new backup, pruned to three, must survive its pruning.
        real = []
        for day in range(4):
            clock.set(T0 + timedelta(days=day))
            real.append(make_backup(vault, folder))
            prune(folder, vault.vault_id, keep=3, now=clock.now())
            kept = [b.path for b in backups_of(folder, vault.vault_id, now=clock.now())]
            assert kept[0] == real[-1], f"day {day}: the backup just made was pruned"
            assert len(kept) == 3
        # The mis-dated backups went first; what is left is the three most recent real ones.
        assert kept == real[::-1][:3]
        assert not any(p.exists() for p in ahead)


def test_rotation_when_the_clock_now_runs_behind(tmp_path: Path) -> None:
    """A dead CMOS battery: today looks like 2001; every older backup looks like the future."""
    vault, clock, folder = _rotation_vault(tmp_path)
    with vault:
        good = [make_backup(vault, folder)]
        clock.set(T0 + timedelta(days=1))
        good.append(make_backup(vault, folder))
        clock.set(datetime(2001, 1, 1, tzinfo=UTC))
        behind = make_backup(vault, folder)
        prune(folder, vault.vault_id, keep=2, now=clock.now())
        kept = [b.path for b in backups_of(folder, vault.vault_id, now=clock.now())]
    # The backup just made holds the newest records: it stays, with the newest of the others.
    assert kept == [behind, good[1]]


def test_a_backup_with_a_garbled_date_is_ignored_not_fatal(tmp_path: Path) -> None:
    import zipfile

    vault, _clock, folder = _rotation_vault(tmp_path)
    with vault:
        real = make_backup(vault, folder)
        vault_id = vault.vault_id
    for name, stamp in (("naive", "2026-01-01T00:00:00"), ("garbled", "last Tuesday")):
        forged = folder / f"Rotate-{name}{EXTENSION}"
        with zipfile.ZipFile(real) as source, zipfile.ZipFile(forged, "w") as target:
            for item in source.namelist():
                data = source.read(item)
                if item == "manifest.json":
                    manifest = json.loads(data)
                    manifest["created_at"] = stamp
                    data = json.dumps(manifest).encode()
                target.writestr(item, data)
        read_manifest(forged)  # readable: only the date is odd
    listed = [b.path.name for b in backups_of(folder, vault_id, now=T0)]
    assert listed == [real.name, f"Rotate-naive{EXTENSION}"]  # the garbled one is skipped
    assert prune(folder, vault_id, keep=5, now=T0) == []


def test_last_backup_age_is_never_negative() -> None:
    from ui.backup_scheduler import age_text

    for seconds in (-86400 * 400, -3600, -1, 0, 30):
        assert age_text(timedelta(seconds=seconds)) == "just now"
    assert age_text(timedelta(days=8)) == "8 days ago"


def test_a_backup_dated_in_the_future_does_not_stop_daily_backups(tmp_path: Path) -> None:
    from ui.backup_scheduler import BackupPolicy, BackupStatus

    policy = BackupPolicy(tmp_path, "", on_close=True, daily=True, keep=10, warn_after_days=7)
    status = BackupStatus("vault", policy, T0 + timedelta(days=365), "", None, ())
    assert status.due_daily(T0)
    assert status.overdue(T0 + timedelta(days=8))


def test_audit_records_backups_in_order_of_making_not_of_date(tmp_path: Path) -> None:
    vault, clock, folder = _rotation_vault(tmp_path)
    with vault:
        clock.set(T0 + timedelta(days=365))
        make_backup(vault, folder)
        clock.set(T0)
        second = make_backup(vault, folder)
        from storage import audit_log

        latest = vault.call(lambda c: audit_log.latest(c, AuditEvent.BACKUP_MADE))
    assert latest is not None and latest.detail["file"] == second.name
