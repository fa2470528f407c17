"""kill -9 during autosave, signing, import, backup, restore, migration, passphrase change, reset.

Each operation runs in a child process (tests/faults/worker.py, or the foundation's
key_changer.py) that acknowledges a write only after the call that commits it has returned. The
parent SIGKILLs it at a seeded random moment, then opens the vault and requires: it opens; both
integrity checks, the page HMACs and the audit chain pass; the key files parse and agree; every
acknowledged write is there; at most the one write in flight at the kill is there unacknowledged;
and nothing half-written (a backup, a restore folder, a key file) is ever taken for a good one.

`TANDEM_FAULT_KILLS` sets the kills per operation (default 12: the whole matrix in well under a
minute); `TANDEM_FAULT_SEED` the seed; the figures are printed (pytest -s) and, with
`TANDEM_FAULT_REPORT=FILE`, appended to that file.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.audit import AuditEvent
from app.clients import ClientDetails
from app.errors import KeySlotsDamaged, TandemError, WrongSecret
from app.notes import AmendmentKind, content_hash, load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from storage import keyslots, schema
from storage.backup import make_backup, read_manifest, restore_backup
from storage.portability import write_export
from storage.practice import PracticeStore
from storage.vault import PASSPHRASE_RESET, Secret, Vault
from tests.faults.harness import (
    KEY_CHANGER,
    KILLS,
    Figures,
    assert_restores_to,
    backup_folder_report,
    kill_at_random,
    reopened,
    rng_for,
    run_to_completion,
)
from tests.faults.worker import autosave_body
from tests.storage.test_migrations import _vault_at_version_1
from tests.support.vaults import (
    PASSPHRASE,
    ClosedVault,
    add_records,
    make_closed_vault,
    snapshot,
)

TEMPLATES = load_templates(resource_dir() / "templates")
OTHER = "violet tugboat measures the quiet lemon"
FRESH_VAULT_EVERY = 25  # long runs: start again from a copy so the vault does not grow forever

pytestmark = pytest.mark.slow


def _fts_consistent(vault: Vault) -> None:
    """FTS5's own check raises when the index and the notes disagree."""
    vault.write(lambda c: c.execute(
        "INSERT INTO notes_fts(notes_fts) VALUES ('integrity-check')")).result()


def _signatures_hold(conn: Any) -> int:
    """Every signed note and amendment still matches its hash; returns how many were checked."""
    checked = 0
    for sections, signed_at, digest in conn.execute(
            "SELECT sections, signed_at, content_sha256 FROM notes "
            "WHERE status = 'signed' AND deleted_at IS NULL"):
        assert digest == content_hash("note", json.loads(sections), signed_at)
        checked += 1
    for kind, body, signed_at, digest in conn.execute(
            "SELECT kind, body, signed_at, content_sha256 FROM note_amendments"):
        assert digest == content_hash(kind, body, signed_at)
        checked += 1
    return checked


def test_kill_9_during_autosave(tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Autosave.tandem", records=1)
    with cv.open() as vault:
        store = PracticeStore(vault, TEMPLATES)
        client = store.create_client(ClientDetails("Autosave Client")).result().id
        session = store.create_session(client, SessionDetails(date(2024, 1, 1))).result().id
    rng, figures = rng_for("autosave"), Figures("autosave")
    stored_before: str | None = None
    for i in range(KILLS):
        tag = f"i{i}"
        outcome = kill_at_random(["autosave", str(cv.folder), str(session), tag],
                                 cv.data_key.hex(), rng, 0.25)
        acked = [int(a) for a in outcome.acks]
        with reopened(cv.folder, Secret(data_key=cv.data_key)) as vault:
            note = PracticeStore(vault, TEMPLATES).note(session).result()
            _fts_consistent(vault)
        stored = note.sections["note"] if note else None
        if acked:
            last = acked[-1]
            assert stored in (autosave_body(tag, last), autosave_body(tag, last + 1)), \
                f"kill {i}: acknowledged save {last} lost ({(stored or '')[:20]!r})"
            figures.add("in_flight_save_present", stored == autosave_body(tag, last + 1))
        else:
            assert stored in (stored_before, autosave_body(tag, 1)), i
        figures.add("saves_acknowledged", len(acked))
        figures.killed(outcome)
        stored_before = stored
    record = figures.finish()
    assert record["kills"] == KILLS
    assert record["saves_acknowledged"] >= KILLS  # the kills did land among real saves


def test_kill_9_during_signing(tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Sign.tandem", records=1)
    with cv.open() as vault:
        client = PracticeStore(vault, TEMPLATES).create_client(
            ClientDetails("Signing Client")).result().id
    rng, figures = rng_for("sign"), Figures("sign")
    acknowledged: set[int] = set()
    for i in range(KILLS):
        outcome = kill_at_random(["sign", str(cv.folder), str(client)], cv.data_key.hex(), rng,
                                 0.3)
        acknowledged |= {int(a) for a in outcome.acks}
        with reopened(cv.folder, Secret(data_key=cv.data_key)) as vault:
            rows = vault.call(lambda c: c.execute(
                "SELECT n.id, n.status FROM notes n JOIN sessions s ON s.id = n.session_id "
                "WHERE s.client_id = ?", (client,)).fetchall())
            figures.add("signatures_verified", vault.call(_signatures_hold))
            audited = {e.detail["note"] for e in vault.audit_entries()
                       if e.event == "note.signed"}
            _fts_consistent(vault)
        status = dict(rows)
        missing = sorted(n for n in acknowledged if status.get(n) != "signed")
        assert not missing, f"kill {i}: acknowledged signatures lost: {missing}"
        signed = {n for n, s in status.items() if s == "signed"}
        # Signing and its audit entry are one transaction: both or neither, never one alone.
        assert signed == audited, (i, signed ^ audited)
        unacknowledged = signed - acknowledged
        assert len(unacknowledged) <= 1, (i, unacknowledged)
        acknowledged |= unacknowledged
        figures.add("in_flight_signature_present", len(unacknowledged))
        figures.add("signatures_acknowledged", len(outcome.acks))
        figures.killed(outcome)
    record = figures.finish()
    assert record["signatures_acknowledged"] >= KILLS


def _export_file(tmp_path: Path, clients: int = 30) -> tuple[Path, int]:
    """An export of a small practice: clients, sessions, signed notes, addenda."""
    vault, _ = Vault.create(tmp_path / "Source.tandem", PASSPHRASE)
    with vault:
        store = PracticeStore(vault, TEMPLATES)
        for c in range(clients):
            cid = store.create_client(ClientDetails(f"Imported Person {c}")).result().id
            for s in range(4):
                sid = store.create_session(cid, SessionDetails(date(2024, 2, 1 + s))).result().id
                note = store.save_draft(sid, "soap", {"subjective": f"note {c}.{s} " * 30,
                                                      "plan": "plan"}).result()
                if s % 2 == 0:
                    store.sign_note(note.note_id).result()
                    store.add_amendment(note.note_id, AmendmentKind.ADDENDUM,
                                        f"addendum {c}.{s}").result()
        target = tmp_path / "practice-export.json"
        write_export(vault, target)
    return target, clients


def test_kill_9_during_import(tmp_path: Path) -> None:
    export, per_import = _export_file(tmp_path)
    pristine = make_closed_vault(tmp_path / "Pristine.tandem", records=3)
    base = len(pristine.tables["clients"])
    rng, figures = rng_for("import"), Figures("import")
    folder = tmp_path / "Import.tandem"
    committed = 0
    for i in range(KILLS):
        if i % FRESH_VAULT_EVERY == 0:
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(pristine.folder, folder)
            committed = 0
        outcome = kill_at_random(["import", str(folder), str(export)],
                                 pristine.data_key.hex(), rng, 0.4)
        acked = int(outcome.acks[-1]) if outcome.acks else 0
        with reopened(folder, Secret(data_key=pristine.data_key)) as vault:
            clients = vault.call(lambda c: c.execute("SELECT count(*) FROM clients").fetchone()[0])
            imports_audited = sum(1 for e in vault.audit_entries() if e.event == "record.imported")
            figures.add("signatures_verified", vault.call(_signatures_hold))
            _fts_consistent(vault)
        imported, partial = divmod(clients - base, per_import)
        assert partial == 0, f"kill {i}: half an import is in the vault ({clients} clients)"
        assert imported == imports_audited, (i, imported, imports_audited)
        assert committed + acked <= imported <= committed + acked + 1, \
            f"kill {i}: {committed + acked} imports acknowledged, {imported} in the vault"
        figures.add("in_flight_import_present", imported - committed - acked)
        figures.add("imports_acknowledged", acked)
        figures.killed(outcome)
        committed = imported
    record = figures.finish()
    assert record["imports_acknowledged"] >= 1


def test_kill_9_during_backup(tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Backup.tandem", records=40)
    with cv.open() as vault:
        add_records(vault, 200, prefix="more ")
        tables = vault.call(snapshot)
    dest = tmp_path / "backups"
    rng, figures = rng_for("backup"), Figures("backup")
    for i in range(KILLS):
        outcome = kill_at_random(["backup", str(cv.folder), str(dest)], cv.data_key.hex(), rng,
                                 0.4)
        with reopened(cv.folder, Secret(data_key=cv.data_key)) as vault:
            assert vault.call(snapshot) == tables
        good = backup_folder_report(dest, vault.vault_id, cv.data_key, tables, figures)
        acked = [Path(a) for a in outcome.acks]
        assert set(acked) <= set(good), f"kill {i}: an acknowledged backup is missing"
        figures.add("backups_acknowledged", len(acked))
        figures.add("backup_in_flight_finished", len(set(good) - set(acked)))
        if good:
            assert_restores_to(good[-1], cv.data_key, tables)
            figures.add("restored_and_compared")
        for path in good:
            path.unlink()
        figures.killed(outcome)
    record = figures.finish()
    assert record["backups_acknowledged"] >= 1


def _restore_outcome(dest: Path, tables: dict[str, Any], data_key: bytes,
                     figures: Figures) -> None:
    """After a killed restore: `dest` is a whole, sound vault, or does not exist at all."""
    if dest.exists():
        with reopened(dest, Secret(data_key=data_key)) as vault:
            assert vault.call(snapshot) == tables
        figures.add("restore_complete")
    else:
        figures.add("restore_absent")
    for staging in dest.parent.glob(f".{dest.name}.restoring-*"):
        # Half-restored staging folders are hidden, never named like the vault; opening one is
        # refused, unless it was complete (killed just before the rename) — then it is sound.
        try:
            with reopened(staging, Secret(data_key=data_key)) as vault:
                assert vault.call(snapshot) == tables
            figures.add("staging_left_complete")
        except (KeySlotsDamaged, TandemError) as exc:
            assert exc.message
            figures.add(f"staging_left_refused_{type(exc).__name__}")
        shutil.rmtree(staging)


def test_kill_9_during_restore(tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Source.tandem", records=40)
    with cv.open() as vault:
        add_records(vault, 300, prefix="more ")
        tables = vault.call(snapshot)
        backup = make_backup(vault, tmp_path / "backups")
    out = tmp_path / "restores"
    duration = run_to_completion(["restore", str(backup), str(out / "calibrate")], PASSPHRASE)
    rng, figures = rng_for("restore"), Figures("restore")
    for i in range(KILLS):
        dest = out / f"R{i}.tandem"
        outcome = kill_at_random(["restore", str(backup), str(dest)], PASSPHRASE, rng,
                                 duration * 1.3)
        assert not outcome.finished or dest.exists(), i
        _restore_outcome(dest, tables, cv.data_key, figures)
        if not dest.exists():  # an interrupted restore never stands in the way of the next
            restore_backup(backup, dest, Secret(data_key=cv.data_key))
            with reopened(dest, Secret(data_key=cv.data_key)) as vault:
                assert vault.call(snapshot) == tables
        shutil.rmtree(dest)
        figures.killed(outcome)
    figures.add("calibrated_restore_ms", round(duration * 1000))
    figures.finish()


def test_kill_9_during_migration(tmp_path: Path) -> None:
    template = tmp_path / "Old-template.tandem"
    data_key = _vault_at_version_1(template)
    calibrate = tmp_path / "Calibrate.tandem"
    shutil.copytree(template, calibrate)
    duration = run_to_completion(["migrate", str(calibrate)], PASSPHRASE)
    rng, figures = rng_for("migration"), Figures("migration")
    for i in range(KILLS):
        folder = tmp_path / f"Old{i}.tandem"
        shutil.copytree(template, folder)
        outcome = kill_at_random(["migrate", str(folder)], PASSPHRASE, rng, duration * 1.3)
        killed_at = Vault.open(folder, Secret(data_key=data_key), before_migration=lambda *_: None,
                               inspect_only=True)
        with killed_at:
            version = killed_at.call(schema.user_version)
        figures.add(f"killed_at_schema_{version}")
        # The next open finishes the job (with its own pre-migration backup when still needed).
        with reopened(folder, Secret(passphrase=PASSPHRASE)) as vault:
            assert vault.call(schema.user_version) == schema.LATEST_VERSION
            assert vault.info().name == "Old Practice"
            assert vault.call(lambda c: c.execute(
                "SELECT value FROM settings WHERE key = 'lock.after_minutes'").fetchone()) \
                == ("15",)
            migrated = [e.detail for e in vault.audit_entries(newest_first=False)
                        if e.event == AuditEvent.VAULT_MIGRATED]
        assert migrated, f"kill {i}: the migration is not in the audit trail"
        figures.add("migrations_audited_twice", len(migrated) > 1)
        good = backup_folder_report(folder / "pre-migration-backups", vault.vault_id, data_key,
                                    None, figures)
        assert good, f"kill {i}: no pre-migration backup"
        # Taken before whatever was still to migrate: version 1, or where the killed run stopped.
        versions = {read_manifest(path)[0].schema_version for path in good}
        assert versions <= set(range(1, schema.LATEST_VERSION)), versions
        figures.add("pre_migration_backups_left", len(good))
        shutil.rmtree(folder)
        figures.killed(outcome)
    figures.add("calibrated_open_and_migrate_ms", round(duration * 1000))
    figures.finish()


def _unwraps(slot: keyslots.KeySlot, passphrase: str, vault_id: str) -> bool:
    try:
        keyslots.unlock_with_passphrase(slot, passphrase, vault_id)
    except WrongSecret:
        return False
    return True


def _exactly_one_passphrase_opens(cv: ClosedVault, current: str, other: str, finished: bool,
                                  kill: int) -> bool:
    """After a killed passphrase change or reset: True when `other` took effect.

    Before anything repairs them, each key file that parses lets in exactly one of the two
    passphrases; then the vault opens (every check passing) with exactly one of them, and with
    the new one whenever the change was confirmed; the recovery key opens it whatever happened.
    """
    parsed = 0
    for name in (keyslots.FILE_NAME, keyslots.BACKUP_NAME):
        try:
            key_file = keyslots.KeySlotFile.from_bytes((cv.folder / name).read_bytes())
        except (OSError, ValueError):
            continue
        parsed += 1
        slot = key_file.slots[keyslots.PASSPHRASE]
        working = [p for p in (current, other) if _unwraps(slot, p, key_file.vault_id)]
        assert len(working) == 1, (kill, name, len(working))
    assert parsed >= 1, f"kill {kill}: neither key file is whole"
    opens = []
    for candidate in (current, other):
        try:
            with reopened(cv.folder, Secret(passphrase=candidate)) as vault:
                assert vault.call(snapshot) == cv.tables
            opens.append(candidate)
        except WrongSecret:
            pass
    assert len(opens) == 1, f"kill {kill}: {len(opens)} passphrases open the vault"
    assert opens == [other] or not finished, f"kill {kill}: a confirmed change was lost"
    with reopened(cv.folder, Secret(recovery_key=cv.recovery_key)):
        pass
    return opens == [other]


def test_kill_9_during_passphrase_change(tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Passwd.tandem", records=3)
    rng, figures = rng_for("passwd"), Figures("passphrase change")
    current, other = PASSPHRASE, OTHER
    for i in range(KILLS):
        outcome = kill_at_random(["passwd", str(cv.folder)], f"{current}\n{other}", rng, 0.12,
                                 program=KEY_CHANGER)
        changed = _exactly_one_passphrase_opens(cv, current, other, outcome.finished, i)
        figures.add("changed" if changed else "unchanged")
        if changed:
            current, other = other, current
        figures.killed(outcome)
    figures.finish()


def test_kill_9_during_passphrase_reset(tmp_path: Path) -> None:
    """A forgotten passphrase replaced with the recovery key, killed at a random moment."""
    cv = make_closed_vault(tmp_path / "Reset.tandem", records=3)
    calibrate = tmp_path / "Calibrate.tandem"
    shutil.copytree(cv.folder, calibrate)
    duration = run_to_completion(["passreset", str(calibrate)], f"{cv.recovery_key}\n{OTHER}")
    rng, figures = rng_for("passreset"), Figures("passphrase reset")
    current, other = PASSPHRASE, OTHER
    audited = 0
    for i in range(KILLS):
        outcome = kill_at_random(["passreset", str(cv.folder)], f"{cv.recovery_key}\n{other}",
                                 rng, duration * 1.3)
        changed = _exactly_one_passphrase_opens(cv, current, other, outcome.finished, i)
        # The reset's audit entry comes right after the key file: a kill in between leaves a
        # reset that took effect unaudited (counted); never an entry for one that did not.
        with reopened(cv.folder, Secret(data_key=cv.data_key)) as vault:
            now_audited = sum(1 for e in vault.audit_entries() if e.event == PASSPHRASE_RESET)
        assert now_audited - audited <= int(changed), f"kill {i}: a reset audited, not made"
        if changed and now_audited == audited:
            figures.add("changed_unaudited")
        audited = now_audited
        figures.add("changed" if changed else "unchanged")
        if changed:
            current, other = other, current
        figures.killed(outcome)
    figures.add("calibrated_reset_ms", round(duration * 1000))
    record = figures.finish()
    assert record.get("changed", 0) >= 1  # the kills did land across real resets
