"""Writes that fail half-way, injected where a real disk fails: the state after is always true.

- A migration whose audit entry cannot be written is not half-recorded: the last migration and
  its `vault.migrated` entry commit together (before, a crash between them left a migrated vault
  whose trail never said so — found by the kill -9 matrix).
- A key file whose spare copy (.bak) cannot be refreshed: the passphrase change has taken
  effect and is reported as done (reporting it as failed would tell the user the old passphrase
  still works when it no longer does); a main key file that cannot be written is a clear
  StorageFailure and the old passphrase still works.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.audit import AuditEvent
from app.errors import StorageFailure, WrongSecret
from storage import atomic, audit_log, keyslots, schema
from storage.vault import Secret, Vault
from tests.faults.harness import reopened
from tests.storage.test_migrations import _vault_at_version_1
from tests.support.vaults import PASSPHRASE, make_closed_vault, snapshot

NEW = "violet tugboat measures the quiet lemon"


def test_a_migration_is_never_left_unrecorded(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "Old.tandem"
    _vault_at_version_1(folder)
    real_append = audit_log.append

    def failing(conn, event, detail, at):
        if event == AuditEvent.VAULT_MIGRATED:
            raise OSError(errno.EIO, "simulated failure while recording the migration")
        return real_append(conn, event, detail, at)

    monkeypatch.setattr(audit_log, "append", failing)
    with pytest.raises(OSError):
        Vault.open(folder, Secret(passphrase=PASSPHRASE), before_migration=lambda *_: None)
    monkeypatch.setattr(audit_log, "append", real_append)
    with Vault.open(folder, Secret(passphrase=PASSPHRASE), inspect_only=True) as vault:
        assert vault.call(schema.user_version) < schema.LATEST_VERSION  # the last step waited
    with reopened(folder, Secret(passphrase=PASSPHRASE)) as vault:
        assert vault.call(schema.user_version) == schema.LATEST_VERSION
        migrated = [e for e in vault.audit_entries() if e.event == AuditEvent.VAULT_MIGRATED]
    assert len(migrated) == 1 and migrated[0].detail["to"] == schema.LATEST_VERSION


def _fail_writes_to(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real = atomic.atomic_write_bytes

    def write(target: Path, data: bytes) -> None:
        if target.name == name:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(target, data)

    monkeypatch.setattr(keyslots, "atomic_write_bytes", write)


def test_a_spare_key_file_that_cannot_be_written_does_not_undo_the_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cv = make_closed_vault(tmp_path / "Practice.tandem")
    with cv.open() as vault:
        _fail_writes_to(monkeypatch, keyslots.BACKUP_NAME)
        vault.change_passphrase(PASSPHRASE, NEW)  # done: keyslots.json holds the new slot
        monkeypatch.undo()
    with pytest.raises(WrongSecret):
        Vault.open(cv.folder, Secret(passphrase=PASSPHRASE))
    with reopened(cv.folder, Secret(passphrase=NEW)) as vault:  # and the .bak is brought up
        assert vault.call(snapshot) == cv.tables
    parsed = keyslots.KeySlotFile.from_bytes((cv.folder / keyslots.BACKUP_NAME).read_bytes())
    with pytest.raises(WrongSecret):
        keyslots.unlock_with_passphrase(parsed.slots["passphrase"], PASSPHRASE, parsed.vault_id)


def test_a_key_file_that_cannot_be_written_is_a_clear_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cv = make_closed_vault(tmp_path / "Practice.tandem")
    before = (cv.folder / keyslots.FILE_NAME).read_bytes()
    with cv.open() as vault:
        _fail_writes_to(monkeypatch, keyslots.FILE_NAME)
        with pytest.raises(StorageFailure) as info:
            vault.change_passphrase(PASSPHRASE, NEW)
        assert "disk is full" in info.value.message
        assert "as they were" in info.value.message
        monkeypatch.undo()
        vault.check_passphrase(PASSPHRASE)  # the open vault agrees with the file on disk
    assert (cv.folder / keyslots.FILE_NAME).read_bytes() == before
    with reopened(cv.folder, Secret(passphrase=PASSPHRASE)):
        pass
