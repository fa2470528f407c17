"""Backups: one verified, encrypted file; restore only into a new folder; damage refused."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.audit import AuditEvent
from app.errors import StorageFailure, TandemError, UsageError, VaultDamaged, WrongSecret
from storage import backup as backup_module
from storage.backup import (
    EXTENSION,
    make_backup,
    read_manifest,
    restore_backup,
    verify_backup,
)
from storage.vault import Secret, Vault
from tests.support.leak_scan import scan
from tests.support.vaults import (
    NEEDLES,
    PASSPHRASE,
    ClosedVault,
    add_records,
    flip_byte,
    vault_snapshot,
)

NAME = re.compile(r"^Practice-\d{8}-\d{6}\.tandembackup$")


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def made(closed_vault: ClosedVault, tmp_path: Path) -> tuple[ClosedVault, Path]:
    with closed_vault.open() as vault:
        path = make_backup(vault, tmp_path / "backups")
    return closed_vault, path


def _listing(folder: Path) -> list[str]:
    """What a backup list would show: files with the backup extension."""
    return sorted(p.name for p in folder.glob(f"*{EXTENSION}"))


def test_backup_name_manifest_and_verify(made: tuple[ClosedVault, Path]) -> None:
    vault, path = made
    assert NAME.match(path.name), path.name
    assert path.parent.name == "backups"
    manifest, key_file = read_manifest(path)
    assert manifest.vault_name == "Practice"
    assert manifest.vault_id == key_file.vault_id
    assert verify_backup(path, vault.data_key) == manifest
    # Nothing else was left beside it.
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["keyslots.json", "manifest.json", "vault.db"]
        assert not archive.read("vault.db").startswith(b"SQLite format 3")


def test_backup_name_uses_the_clock_and_never_overwrites(closed_vault: ClosedVault,
                                                         tmp_path: Path) -> None:
    moment = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)
    clock = FixedClock(moment)
    stamp = moment.astimezone().strftime("%Y%m%d-%H%M%S")
    with closed_vault.open() as vault:
        first = make_backup(vault, tmp_path / "b", clock=clock)
        second = make_backup(vault, tmp_path / "b", clock=clock)
        entries = vault.audit_entries(limit=2)
    assert first.name == f"Practice-{stamp}.tandembackup"
    assert second != first
    assert second.name.endswith(EXTENSION)
    assert len(_listing(tmp_path / "b")) == 2
    assert [e.event for e in entries] == [AuditEvent.BACKUP_MADE] * 2
    assert entries[1].detail["file"] == first.name


@pytest.mark.parametrize("how", ["passphrase", "recovery_key"])
def test_restore_gives_identical_tables(made: tuple[ClosedVault, Path], tmp_path: Path,
                                        how: str) -> None:
    vault, path = made
    secret = (Secret(passphrase=PASSPHRASE) if how == "passphrase"
              else Secret(recovery_key=vault.recovery_key))
    dest = restore_backup(path, tmp_path / "restored" / "Practice", secret)
    assert dest == tmp_path / "restored" / "Practice.tandem"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["Practice.tandem"]
    with Vault.open(dest, secret) as restored:
        assert vault_snapshot(restored) == vault.tables
        events = [e.event for e in restored.audit_entries(newest_first=False)]
        assert AuditEvent.VAULT_RESTORED in events
        assert restored.verify().ok
        assert restored.remembered_key() == vault.data_key
    # Both secrets open the restored vault.
    Vault.open(dest, Secret(recovery_key=vault.recovery_key)).close()


def test_restore_with_wrong_secret(made: tuple[ClosedVault, Path], tmp_path: Path) -> None:
    _, path = made
    with pytest.raises(WrongSecret):
        restore_backup(path, tmp_path / "R.tandem", Secret(passphrase="not it at all, sorry"))
    assert not (tmp_path / "R.tandem").exists()
    assert [p.name for p in tmp_path.iterdir() if "R.tandem" in p.name] == []


@pytest.mark.parametrize("dest_name", ["Existing.tandem", "Existing"])
def test_restore_never_overwrites(made: tuple[ClosedVault, Path], tmp_path: Path,
                                  dest_name: str) -> None:
    vault, path = made
    existing = tmp_path / "Existing.tandem"
    existing.mkdir()
    (existing / "vault.db").write_bytes(b"someone else's vault")
    (existing / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError) as info:
        restore_backup(path, tmp_path / dest_name, Secret(passphrase=PASSPHRASE))
    assert "already exists" in info.value.message
    assert sorted(p.name for p in existing.iterdir()) == ["notes.txt", "vault.db"]
    assert (existing / "vault.db").read_bytes() == b"someone else's vault"
    # Over the live vault itself, too.
    with pytest.raises(UsageError):
        restore_backup(path, vault.folder, Secret(passphrase=PASSPHRASE))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _flip_in_database(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("vault.db")
    flip_byte(path, info.header_offset + 30 + len("vault.db") + info.file_size // 2)


def _flip_in_manifest(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("manifest.json")
    flip_byte(path, info.header_offset + 30 + len("manifest.json") + 20)


def _flip_central_directory(path: Path) -> None:
    flip_byte(path, path.stat().st_size - 30)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _not_a_zip(path: Path) -> None:
    path.write_text("hello, I am a holiday photo")


def _forged_checksum_database(path: Path) -> None:
    """Rewrite the archive with a damaged database but a matching ZIP CRC."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    db = bytearray(parts["vault.db"])
    db[len(db) // 2] ^= 0xFF
    parts["vault.db"] = bytes(db)
    path.unlink()
    with zipfile.ZipFile(path, "x") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


DAMAGE = {"truncated": _truncate, "flip-db": _flip_in_database, "flip-manifest": _flip_in_manifest,
          "flip-central-dir": _flip_central_directory, "empty": _empty, "not-a-zip": _not_a_zip,
          "forged-crc": _forged_checksum_database}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_backup_is_refused_everywhere(made: tuple[ClosedVault, Path], tmp_path: Path,
                                              damage: str) -> None:
    vault, path = made
    DAMAGE[damage](path)
    dest = tmp_path / "restored" / "Practice.tandem"
    if damage not in ("forged-crc", "flip-db"):  # read_manifest does not read the database
        with pytest.raises(VaultDamaged) as info:
            read_manifest(path)
        assert path.name in info.value.message
    with pytest.raises(VaultDamaged) as info:
        verify_backup(path, vault.data_key)
    assert info.value.exit_code == 4
    for secret in (Secret(passphrase=PASSPHRASE), Secret(recovery_key=vault.recovery_key)):
        with pytest.raises(VaultDamaged):
            restore_backup(path, dest, secret)
    assert not dest.exists()
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []
    # Verification scratch space is cleaned up.
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_every_header_byte_flip_is_refused_cleanly(made: tuple[ClosedVault, Path]) -> None:
    """Fuzz the small, structured parts of the file: any flip gives VaultDamaged, not a crash."""
    vault, path = made
    original = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        db = archive.getinfo("vault.db")
    db_start = db.header_offset + 30 + len("vault.db")
    db_end = db_start + db.file_size
    offsets = [*range(0, db_start), *range(db_end, len(original))]
    offsets += list(range(db_start, db_end, max(1, db.file_size // 40)))
    outcomes: dict[str, int] = {}
    dest = path.parent / "restored.tandem"
    for i, offset in enumerate(offsets):
        damaged = bytearray(original)
        damaged[offset] ^= 0x01 if i % 2 else 0x80
        path.write_bytes(bytes(damaged))
        try:
            verify_backup(path, vault.data_key)
        except TandemError as exc:
            outcomes[type(exc).__name__] = outcomes.get(type(exc).__name__, 0) + 1
            assert exc.message
        else:
            outcomes["accepted"] = outcomes.get("accepted", 0) + 1
        if i % 40 == 0:  # restore (with its KDF) on a sample of the same damage
            try:
                restore_backup(path, dest, Secret(recovery_key=vault.recovery_key))
            except VaultDamaged:
                assert not dest.exists()
            else:  # a harmless flip (a ZIP timestamp): what was restored must be sound
                with Vault.open(dest, Secret(passphrase=PASSPHRASE)) as restored:
                    assert restored.verify().ok
                shutil.rmtree(dest)
    path.write_bytes(original)
    # A flip in a few ZIP header fields that nobody reads (e.g. the timestamp) is harmless;
    # anything that matters is refused, and nothing raised anything but a TandemError.
    assert outcomes.get("VaultDamaged", 0) >= len(offsets) * 0.8, outcomes
    assert set(outcomes) <= {"VaultDamaged", "accepted"}, outcomes


def test_failed_verification_leaves_no_file(closed_vault: ClosedVault, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise VaultDamaged("simulated: the copy did not verify")

    monkeypatch.setattr(backup_module, "verify_backup", refuse)
    with closed_vault.open() as vault, pytest.raises(VaultDamaged):
        make_backup(vault, tmp_path / "b")
    assert list((tmp_path / "b").iterdir()) == []


def test_failed_rename_leaves_no_file(closed_vault: ClosedVault, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_module, "commit_file", fail)
    with closed_vault.open() as vault, pytest.raises(StorageFailure) as info:
        make_backup(vault, tmp_path / "b")
    assert "Nothing in the vault changed" in info.value.message
    assert list((tmp_path / "b").iterdir()) == []


def test_stray_partial_file_is_never_listed(made: tuple[ClosedVault, Path]) -> None:
    vault, path = made
    folder = path.parent
    # What an interrupted backup leaves behind: the hidden temporary name.
    stray = backup_module.temp_path_for(folder / "Practice-20240101-000000.tandembackup",
                                        ".partial")
    stray.write_bytes(path.read_bytes()[:1000])
    assert stray.name.startswith(".")
    assert stray.name.endswith(".partial")
    assert _listing(folder) == [path.name]
    with Vault.open(vault.folder, Secret(passphrase=PASSPHRASE)) as opened:
        newer = make_backup(opened, folder)
    assert _listing(folder) == sorted([path.name, newer.name])
    assert stray.exists()  # not ours to delete, but never mistaken for a backup


def test_backup_file_holds_no_plaintext(closed_vault: ClosedVault, tmp_path: Path) -> None:
    with closed_vault.open() as vault:
        add_records(vault, 5, prefix="backup ")
        path = make_backup(vault, tmp_path / "b")
    report = scan([path], NEEDLES)
    assert report.scanned == 1
    assert report.hits == []


def test_backup_of_a_restored_vault(made: tuple[ClosedVault, Path], tmp_path: Path) -> None:
    vault, path = made
    dest = restore_backup(path, tmp_path / "R", Secret(passphrase=PASSPHRASE))
    with Vault.open(dest, Secret(passphrase=PASSPHRASE)) as restored:
        again = make_backup(restored, tmp_path / "b2")
    restored2 = restore_backup(again, tmp_path / "R2", Secret(recovery_key=vault.recovery_key))
    with Vault.open(restored2, Secret(passphrase=PASSPHRASE)) as final:
        assert vault_snapshot(final) == vault.tables
