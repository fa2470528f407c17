"""A full disk during autosave, backup and export: a clear message, nothing lost, still usable.

Two ways to fill a disk:
- a real, tiny filesystem (a 6 MB tmpfs, filled to the last page) where the system allows
  mounting one (root here; skipped elsewhere): writes fail with ENOSPC, SQLite says "database
  or disk is full";
- a file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) in a child process, which works for any
  user: writes past the limit fail with EFBIG or come up short.

Each case checks the message a person would see (StorageFailure, saying "full"), that everything
committed before is still there, that nothing half-written is left beside the target, and that
the very next attempt succeeds once there is room again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from app.audit import AuditEvent
from app.clients import ClientDetails
from app.errors import StorageFailure
from app.notes import load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from storage.backup import EXTENSION, make_backup, restore_backup, verify_backup
from storage.portability import write_export
from storage.practice import PracticeStore
from storage.vault import Secret, Vault
from tests.conftest import ROOT
from tests.faults.harness import reopened
from tests.support.vaults import PASSPHRASE, add_records, make_closed_vault, snapshot

TEMPLATES = load_templates(resource_dir() / "templates")


@dataclass
class SmallDisk:
    """A mounted tmpfs of a few MB that can be filled to the last byte and emptied again."""

    root: Path

    def fill(self) -> None:
        """Write filler until the filesystem refuses another byte."""
        for n in range(1000):
            fd = os.open(self.root / f".filler-{n}", os.O_WRONLY | os.O_CREAT)
            try:
                size = 1 << 16 if n == 0 else 1
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                if n > 0:
                    return
            finally:
                os.close(fd)

    def free(self) -> None:
        """Give the space back."""
        for filler in self.root.glob(".filler-*"):
            filler.unlink()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    root = tmp_path / "small-disk"
    root.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m,mode=0777", "tmpfs",
                             str(root)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.strip()[:80]})")
    try:
        yield SmallDisk(root)
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def _leftovers(folder: Path) -> list[str]:
    """Anything but filler and finished files: temp files, partial backups, scratch folders."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith(".") and not p.name.startswith(".filler-"))


def _practice_with_a_draft(folder: Path) -> tuple[Vault, PracticeStore, int]:
    vault, _ = Vault.create(folder, PASSPHRASE)
    store = PracticeStore(vault, TEMPLATES)
    client = store.create_client(ClientDetails("Full Disk Client")).result().id
    session = store.create_session(client, SessionDetails(date(2024, 3, 1))).result().id
    store.save_draft(session, "free", {"note": "committed before the disk filled"}).result()
    return vault, store, session


def test_autosave_on_a_full_disk(small_disk: SmallDisk) -> None:
    vault, store, session = _practice_with_a_draft(small_disk.root / "Full.tandem")
    try:
        small_disk.fill()
        for attempt in range(3):  # the editor retries; every retry fails the same clear way
            with pytest.raises(StorageFailure) as info:
                store.save_draft(session, "free", {"note": f"lost? {attempt} " * 5000},
                                 reindex=True).result()
            assert "disk is full" in info.value.message
        note = store.note(session).result()
        assert note is not None
        assert note.sections == {"note": "committed before the disk filled"}
        with pytest.raises(StorageFailure, match="full"):
            store.sign_note(note.id).result()
        assert store.note(session).result().status.value == "draft"  # nothing half-signed
        assert store.search("committed").result()  # reading and searching still work
        small_disk.free()
        store.save_draft(session, "free", {"note": "saved once there was room"}).result()
        assert store.sign_note(note.id).result().status.value == "signed"
    finally:
        vault.close()
    with reopened(small_disk.root / "Full.tandem", Secret(passphrase=PASSPHRASE)) as again:
        assert PracticeStore(again, TEMPLATES).note(session).result().sections == \
            {"note": "saved once there was room"}


def test_backup_to_a_full_disk(small_disk: SmallDisk, tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Practice.tandem", records=30)
    target = small_disk.root / "Backups"
    with cv.open() as vault:
        add_records(vault, 300, prefix="more ")  # bigger than the room left
        tables = vault.call(snapshot)
        target.mkdir()
        small_disk.fill()
        with pytest.raises(StorageFailure) as info:
            make_backup(vault, target)
        message = info.value.message
        assert str(target) in message and "full" in message
        assert "Nothing in the vault changed" in message
        assert _leftovers(target) == [] and list(target.glob(f"*{EXTENSION}")) == []
        assert not [e for e in vault.audit_entries() if e.event == AuditEvent.BACKUP_MADE]
        assert vault.call(snapshot) == tables
        small_disk.free()
        made = make_backup(vault, target)
    verify_backup(made, cv.data_key)
    assert _leftovers(target) == []


def test_restore_onto_a_full_disk_is_not_called_damage(small_disk: SmallDisk,
                                                       tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Practice.tandem", records=30)
    with cv.open() as vault:
        add_records(vault, 300, prefix="more ")
        backup = make_backup(vault, tmp_path / "backups")
    small_disk.fill()
    dest = small_disk.root / "Restored.tandem"
    with pytest.raises(StorageFailure) as info:
        restore_backup(backup, dest, Secret(passphrase=PASSPHRASE))
    assert "full" in info.value.message and "Nothing was restored" in info.value.message
    assert not dest.exists() and _leftovers(small_disk.root) == []
    small_disk.free()
    restore_backup(backup, dest, Secret(passphrase=PASSPHRASE))
    with reopened(dest, Secret(passphrase=PASSPHRASE)):
        pass


def test_export_to_a_full_disk_keeps_the_older_export(small_disk: SmallDisk,
                                                      tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Practice.tandem", records=3)
    target = small_disk.root / "practice.json"
    with cv.open() as vault:
        write_export(vault, target)
        older = target.read_bytes()
        add_records(vault, 300, prefix="more ")
        small_disk.fill()
        with pytest.raises(StorageFailure) as info:
            write_export(vault, target)
        assert str(target) in info.value.message and "full" in info.value.message
        assert target.read_bytes() == older  # the older export is whole, not truncated
        assert _leftovers(small_disk.root) == []
        small_disk.free()
        assert write_export(vault, target) == 303


def test_export_when_the_vault_itself_is_full(small_disk: SmallDisk, tmp_path: Path) -> None:
    """The export is audited in the vault first: a full vault disk says so, writes nothing."""
    vault, _store, _session = _practice_with_a_draft(small_disk.root / "Full.tandem")
    target = tmp_path / "export.json"
    try:
        small_disk.fill()
        with pytest.raises(StorageFailure) as info:
            write_export(vault, target)
        assert "full" in info.value.message and "Nothing was written" in info.value.message
        assert not target.exists()
        small_disk.free()
        assert write_export(vault, target) == 1
    finally:
        vault.close()


def _limited(folder: Path, key: bytes, what: str, target: str, limit: int) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.worker", "limited", str(folder), what, target,
         str(limit)], input=key.hex() + "\n", capture_output=True, text=True, cwd=ROOT,
        timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _sizes(folder: Path) -> int:
    return max(p.stat().st_size for p in folder.iterdir() if p.is_file())


@pytest.mark.parametrize("what", ["autosave", "backup", "export"])
def test_file_size_limit_acts_like_a_full_disk(tmp_path: Path, what: str) -> None:
    cv = make_closed_vault(tmp_path / "Practice.tandem", records=3)
    with cv.open() as vault:
        store = PracticeStore(vault, TEMPLATES)
        client = store.create_client(ClientDetails("Limited Client")).result().id
        session = store.create_session(client, SessionDetails(date(2024, 3, 1))).result().id
        store.save_draft(session, "free", {"note": "committed before the limit"}).result()
        add_records(vault, 300, prefix="more ")
        tables = vault.call(snapshot)
    backups, export = tmp_path / "backups", tmp_path / "out" / "practice.json"
    export.parent.mkdir()
    target = {"autosave": str(session), "backup": str(backups), "export": str(export)}[what]
    # Room for what is already there and for the vault's small writes (the limit applies to
    # writes past it), not for the big one: the note, the database copy, the export file.
    limit = {"autosave": _sizes(cv.folder) + 16_384, "backup": 16_384, "export": 65_536}[what]
    lines = _limited(cv.folder, cv.data_key, what, target, limit)
    assert lines[0].startswith("refused StorageFailure: "), lines
    assert "full" in lines[0], lines[0]
    assert lines[-1] == "after OK"
    with reopened(cv.folder, Secret(data_key=cv.data_key)) as vault:
        after = vault.call(snapshot)
        note = PracticeStore(vault, TEMPLATES).note(session).result()
    if what == "autosave":
        assert note.sections == {"note": "the version saved once there is room again"}
        for table in [t for t in tables if t.startswith("notes")]:
            after.pop(table)
            tables.pop(table)
    assert after == tables
    for folder in (backups, export.parent):
        if folder.exists():
            assert _leftovers(folder) == []
    if what == "backup":
        made = sorted(backups.glob(f"*{EXTENSION}"))
        assert len(made) == 1
        verify_backup(made[0], cv.data_key)
    if what == "export":
        assert export.stat().st_size > limit  # the limit really was in the way
