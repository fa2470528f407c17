"""A forgotten passphrase replaced with the recovery key: `Vault.reset_passphrase`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import StorageFailure, WrongSecret
from storage import keyslots
from storage.vault import PASSPHRASE_RESET, Secret, Vault
from tests.support.vaults import PASSPHRASE, ClosedVault, make_closed_vault, vault_snapshot

NEW = "violet tugboat measures the quiet lemon"


def _key_files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes()
            for name in (keyslots.FILE_NAME, keyslots.BACKUP_NAME)}


def _slot(folder: Path, name: str) -> dict[str, object]:
    return json.loads((folder / keyslots.FILE_NAME).read_text())["slots"][name]


def _opens(cv: ClosedVault, passphrase: str) -> bool:
    try:
        cv.open(passphrase).close()
    except WrongSecret:
        return False
    return True


def test_reset_with_the_recovery_key(closed_vault: ClosedVault) -> None:
    cv = closed_vault
    recovery_slot_before = _slot(cv.folder, keyslots.RECOVERY)
    with Vault.open(cv.folder, Secret(recovery_key=cv.recovery_key)) as vault:
        entries_before = len(vault.audit_entries())
        vault.reset_passphrase(cv.recovery_key, NEW)
        entries = vault.audit_entries(newest_first=False)
        # Usable at once, in the same session, and the open vault still works.
        vault.check_passphrase(NEW)
        with pytest.raises(WrongSecret):
            vault.check_passphrase(PASSPHRASE)
        assert vault_snapshot(vault) == cv.tables
    assert len(entries) == entries_before + 1
    reset = entries[-1]
    assert reset.event == PASSPHRASE_RESET == "key.passphrase_reset"
    # Audited without a secret: no detail at all, so nothing of the key or passphrase.
    assert dict(reset.detail) == {}
    assert not _opens(cv, PASSPHRASE)
    with cv.open(NEW) as vault:
        assert vault_snapshot(vault) == cv.tables
        assert vault.remembered_key() == cv.data_key  # re-wrapped, never re-keyed
    # The recovery key keeps working: its slot was not touched.
    assert _slot(cv.folder, keyslots.RECOVERY) == recovery_slot_before
    Vault.open(cv.folder, Secret(recovery_key=cv.recovery_key)).close()
    # Both key files say the same: the forgotten passphrase is gone from the .bak too.
    files = _key_files(cv.folder)
    assert files[keyslots.FILE_NAME] == files[keyslots.BACKUP_NAME]
    (cv.folder / keyslots.FILE_NAME).unlink()
    assert not _opens(cv, PASSPHRASE)
    assert _opens(cv, NEW)


def test_reset_also_works_when_opened_with_the_passphrase(closed_vault: ClosedVault) -> None:
    """The Change passphrase dialog's "I forgot" path: open by any means, prove the key."""
    cv = closed_vault
    with Vault.open(cv.folder, Secret(data_key=cv.data_key)) as vault:
        vault.reset_passphrase(cv.recovery_key, NEW)
    assert not _opens(cv, PASSPHRASE)
    assert _opens(cv, NEW)


def test_a_wrong_recovery_key_changes_nothing(closed_vault: ClosedVault, tmp_path: Path) -> None:
    cv = closed_vault
    other = make_closed_vault(tmp_path / "Other.tandem", records=0)
    files_before = _key_files(cv.folder)
    with Vault.open(cv.folder, Secret(recovery_key=cv.recovery_key)) as vault:
        entries_before = vault.audit_entries()
        with pytest.raises(WrongSecret, match="recovery key does not open") as info:
            vault.reset_passphrase(other.recovery_key, NEW)
        assert info.value.exit_code == 3
        assert vault.audit_entries() == entries_before
        vault.check_passphrase(PASSPHRASE)  # nothing changed in memory either
    assert _key_files(cv.folder) == files_before
    assert _opens(cv, PASSPHRASE)
    assert not _opens(cv, NEW)


def test_the_key_must_match_the_open_vault_not_just_its_key_file(closed_vault: ClosedVault,
                                                                 tmp_path: Path) -> None:
    """A recovery slot swapped into the key file while the vault is open proves nothing."""
    cv = closed_vault
    other = make_closed_vault(tmp_path / "Other.tandem", records=0)
    with Vault.open(cv.folder, Secret(passphrase=PASSPHRASE)) as vault:
        # Someone with write access to the folder wraps *another* key for their own recovery
        # key under this vault's id, and the open vault's in-memory key file is replaced.
        forged = keyslots.recovery_slot(other.recovery_key, other.data_key, vault.vault_id)
        vault._key_file = vault._key_file.with_slot(keyslots.RECOVERY, forged)
        files_before = _key_files(cv.folder)
        with pytest.raises(WrongSecret):
            vault.reset_passphrase(other.recovery_key, NEW)
    assert _key_files(cv.folder) == files_before
    assert _opens(cv, PASSPHRASE)


def test_a_key_file_that_cannot_be_written_changes_nothing(
        closed_vault: ClosedVault, monkeypatch: pytest.MonkeyPatch) -> None:
    cv = closed_vault
    files_before = _key_files(cv.folder)

    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    with Vault.open(cv.folder, Secret(recovery_key=cv.recovery_key)) as vault:
        events_before = [e.event for e in vault.audit_entries()]
        with monkeypatch.context() as patch:
            patch.setattr(keyslots, "atomic_write_bytes", disk_full)
            with pytest.raises(StorageFailure, match="keys are as they were"):
                vault.reset_passphrase(cv.recovery_key, NEW)
        assert [e.event for e in vault.audit_entries()] == events_before
        vault.check_passphrase(PASSPHRASE)
        # Once there is room again, the same request succeeds.
        vault.reset_passphrase(cv.recovery_key, NEW)
    assert files_before != _key_files(cv.folder)
    assert _opens(cv, NEW)
