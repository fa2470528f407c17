"""Backups: one encrypted file NAME-YYYYMMDD-HHMMSS.tandembackup, verified before it is kept.

Format: a ZIP (stored, not compressed — the database is encrypted, so it does not compress) with
- manifest.json: format, version, vault id and name, time, schema version, SHA-256 and size of
  the database copy (no client data);
- keyslots.json: the vault's key slots, so the backup opens with the passphrase or recovery key;
- vault.db: a consistent snapshot taken with SQLite's backup API, still encrypted with the data key.

The file is written under a temporary name, fsynced, reopened and fully checked (checksum, key,
both integrity checks), and only then renamed to its final name. A half-written backup therefore
never carries a name that looks good, and `restore` re-checks everything before it writes a vault.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.audit import AuditEvent
from app.clock import Clock, SystemClock, iso
from app.errors import StorageFailure, UsageError, VaultDamaged
from storage import audit_log, keyslots, schema
from storage.atomic import commit_file, fsync_directory, os_error_reason, temp_path_for
from storage.connection import (
    CannotDecrypt,
    Connection,
    DatabaseError,
    cipher_integrity_check,
    close_quietly,
    configure,
    connect,
    disk_reason,
    quick_check,
)
from storage.vault import DB_NAME, SUFFIX, Secret, Vault, _unwrap

EXTENSION = ".tandembackup"
FORMAT = "tandem-backup"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024
# What zipfile raises for a damaged archive: besides BadZipFile, a flipped header byte can give
# EOFError (sizes), NotImplementedError (method, version) or RuntimeError ("encrypted" flag).
_ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
               RuntimeError)


@dataclass(frozen=True)
class BackupManifest:
    """What a backup says about itself."""

    vault_id: str
    vault_name: str
    created_at: str
    schema_version: int
    db_sha256: str
    db_size: int

    def to_json(self) -> dict[str, Any]:
        """The manifest as stored."""
        return {"format": FORMAT, "version": VERSION, "vault_id": self.vault_id,
                "vault_name": self.vault_name, "created_at": self.created_at,
                "schema_version": self.schema_version, "db_sha256": self.db_sha256,
                "db_size": self.db_size}

    @classmethod
    def from_json(cls, raw: Any) -> BackupManifest:
        """Parse a manifest; ValueError when it is not one of ours."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not a Tandem backup")
        if raw.get("version") != VERSION:
            raise ValueError(f"backup format version {raw.get('version')!r} is not supported")
        try:
            return cls(str(raw["vault_id"]), str(raw["vault_name"]), str(raw["created_at"]),
                       int(raw["schema_version"]), str(raw["db_sha256"]), int(raw["db_size"]))
        except (KeyError, TypeError, ValueError):
            raise ValueError("backup manifest is incomplete") from None


def backup_file_name(vault_name: str, clock: Clock) -> str:
    """NAME-YYYYMMDD-HHMMSS.tandembackup, with the name made safe for any filesystem."""
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in vault_name).strip()
    stamp = clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
    return f"{safe or 'vault'}-{stamp}{EXTENSION}"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot(vault: Vault, target: Path) -> None:
    """Copy the live database into `target` with the backup API, keyed with the same data key."""
    key = vault.remembered_key()

    def run(conn: Connection) -> None:
        dest = connect(target, key, create=True)
        try:
            conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE").fetchall()
        finally:
            close_quietly(dest)
    vault.call(run)


def _check_database(path: Path, key: bytes) -> None:
    """Open a database copy with `key` and run both integrity checks; VaultDamaged otherwise."""
    try:
        conn = connect(path, key)
    except CannotDecrypt:
        raise VaultDamaged("The backup's database cannot be decrypted: it is damaged.") from None
    try:
        problems = quick_check(conn) + cipher_integrity_check(conn)
        schema.refuse_if_too_new(conn)
    finally:
        close_quietly(conn)
    if problems:
        raise VaultDamaged(f"The backup's database failed its integrity check ({problems[0]}).")


def _write_failure(dest_dir: Path, reason: str) -> StorageFailure:
    return StorageFailure(f"The backup could not be written to {dest_dir}: {reason}. "
                          "Nothing in the vault changed.")


def make_backup(vault: Vault, dest_dir: Path, clock: Clock | None = None) -> Path:
    """Write and verify a backup of `vault` in `dest_dir`; return its path.

    Every failure to write (full, read-only, removed) is a StorageFailure that names the backup
    folder and why, and leaves nothing behind there: no half-written file, no scratch folder.
    """
    clock = clock or vault.clock
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageFailure(
            f"Cannot use the backup folder {dest_dir}: {os_error_reason(exc)}.") from None
    info = vault.info()
    final = dest_dir / backup_file_name(info.name, clock)
    counter = 1
    while final.exists():
        counter += 1
        final = final.with_name(f"{final.stem.rsplit('~', 1)[0]}~{counter}{EXTENSION}")
    partial = temp_path_for(final, ".partial")
    try:
        work_dir = tempfile.TemporaryDirectory(prefix=".tandem-backup-", dir=dest_dir)
    except OSError as exc:
        raise _write_failure(dest_dir, os_error_reason(exc)) from None
    with work_dir as work:
        snapshot = Path(work) / DB_NAME
        try:
            try:
                _snapshot(vault, snapshot)
            except (StorageFailure, DatabaseError) as exc:
                # SQLite writing the copy into the backup folder: full, read-only, gone.
                raise _write_failure(dest_dir, disk_reason(exc)) from None
            manifest = BackupManifest(vault.vault_id, info.name, iso(clock.now()),
                                      info.schema_version, _sha256_file(snapshot),
                                      snapshot.stat().st_size)
            with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest.to_json(), indent=2))
                archive.writestr(keyslots.FILE_NAME, vault.key_file.to_bytes())
                archive.write(snapshot, DB_NAME)
            verify_backup(partial, vault.remembered_key(), work_dir=Path(work))
            commit_file(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise _write_failure(dest_dir, os_error_reason(exc)) from None
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
    vault.audit(AuditEvent.BACKUP_MADE, {"file": final.name, "bytes": final.stat().st_size})
    return final


def read_manifest(path: Path) -> tuple[BackupManifest, keyslots.KeySlotFile]:
    """The manifest and key slots of a backup file, validated; VaultDamaged when not readable."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {MANIFEST, keyslots.FILE_NAME, DB_NAME} <= names:
                raise VaultDamaged(f"{path.name} is not a complete Tandem backup.")
            if archive.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
                raise VaultDamaged(f"{path.name} is not a Tandem backup.")
            manifest = BackupManifest.from_json(json.loads(archive.read(MANIFEST)))
            key_file = keyslots.KeySlotFile.from_bytes(archive.read(keyslots.FILE_NAME))
    except FileNotFoundError:
        raise VaultDamaged(f"There is no backup file at {path}.") from None
    except (*_ZIP_ERRORS, KeyError, json.JSONDecodeError) as exc:
        raise VaultDamaged(f"{path.name} is not a readable Tandem backup ({exc}).") from None
    if key_file.vault_id != manifest.vault_id:
        raise VaultDamaged(f"{path.name} is inconsistent (its key file is from another vault).")
    return manifest, key_file


def _extract_db(path: Path, manifest: BackupManifest, target: Path) -> None:
    """Copy the backup's database out to `target` and check it against the manifest.

    A backup that cannot be read is VaultDamaged; a copy that cannot be *written* (the disk
    holding `target` is full or read-only) is an OSError for the caller to report as such —
    never "the backup is damaged".
    """
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise VaultDamaged(f"{path.name} cannot be read ({exc or type(exc).__name__}).") from None
    with archive:
        try:
            src = archive.open(DB_NAME)
        except (*_ZIP_ERRORS, KeyError) as exc:
            raise VaultDamaged(
                f"{path.name} cannot be read ({exc or type(exc).__name__}).") from None
        with src, open(target, "xb") as dst:
            while True:
                try:
                    chunk = src.read(1 << 20)
                except _ZIP_ERRORS as exc:
                    raise VaultDamaged(
                        f"{path.name} cannot be read ({exc or type(exc).__name__}).") from None
                if not chunk:
                    break
                dst.write(chunk)
    if target.stat().st_size != manifest.db_size or _sha256_file(target) != manifest.db_sha256:
        raise VaultDamaged(f"{path.name} is damaged: its database does not match its checksum.")


def verify_backup(path: Path, data_key: bytes, work_dir: Path | None = None) -> BackupManifest:
    """Check a backup end to end with the data key: checksum, decryption, integrity.

    The check unpacks a copy next to the backup (or in `work_dir`); when that is impossible
    (a full or read-only disk) it raises OSError, which is about the disk, not the backup.
    """
    manifest, _ = read_manifest(path)
    with tempfile.TemporaryDirectory(prefix=".verify-", dir=work_dir or path.parent) as tmp:
        copy = Path(tmp) / DB_NAME
        _extract_db(path, manifest, copy)
        _check_database(copy, data_key)
    return manifest


def restore_backup(path: Path, dest: Path, secret: Secret, clock: Clock | None = None) -> Path:
    """Restore a backup into a *new* vault folder `dest` (never over an existing one)."""
    clock = clock or SystemClock()
    if dest.suffix != SUFFIX:
        dest = dest.with_name(dest.name + SUFFIX)
    if dest.exists():
        raise UsageError(f"{dest} already exists; restore into a new folder (nothing was changed).")
    manifest, key_file = read_manifest(path)
    data_key = _unwrap(key_file.slots, secret, key_file.vault_id)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.restoring-", dir=dest.parent))
    except OSError as exc:
        raise StorageFailure(f"Cannot write to {dest.parent}: {os_error_reason(exc)}.") from None
    try:
        _extract_db(path, manifest, staging / DB_NAME)
        _check_database(staging / DB_NAME, data_key)
        # Record the restore in the restored vault's own audit trail.
        conn = connect(staging / DB_NAME, data_key)
        try:
            configure(conn)
            conn.execute("BEGIN IMMEDIATE")
            audit_log.append(conn, AuditEvent.VAULT_RESTORED,
                             {"from": path.name, "backup_made": manifest.created_at}, clock.now())
            conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            close_quietly(conn)
        keyslots.save(staging, key_file)
        staging.rename(dest)
        fsync_directory(dest.parent)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageFailure(f"The restore could not be written to {dest.parent}: "
                             f"{os_error_reason(exc)}. Nothing was restored.") from None
    except (StorageFailure, DatabaseError) as exc:  # SQLite writing the copy: full, read-only
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageFailure(f"The restore could not be written to {dest.parent}: "
                             f"{disk_reason(exc)}. Nothing was restored.") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return dest
