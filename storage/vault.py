"""A vault: a folder NAME.tandem/ with vault.db (SQLCipher) and keyslots.json (wrapped data key).

`Vault` is an *open, unlocked* vault. It holds the folder's OS lock, the data key, and exactly one
database connection that lives on one worker thread: every database call is a function submitted
to that thread (`submit` for the UI, which must never block; `call` for the command line). Locking
the app closes the Vault, which drops the key and the connection.

Opening is deliberately strict: a missing or 0-byte database is refused (SQLCipher would happily
create an empty one), a vault from a newer Tandem is refused before anything is written, and every
open runs `quick_check`, which catches the page-aligned truncation that SQLCipher's HMAC check
alone lets through.
"""

from __future__ import annotations

import contextlib
import hmac
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from app.audit import AuditEntry, AuditEvent, ChainReport
from app.clock import Clock, SystemClock, iso
from app.errors import (
    NotAVault,
    StorageFailure,
    TandemError,
    UsageError,
    VaultDamaged,
    WrongSecret,
)
from app.recovery_key import RecoveryKey
from storage import audit_log, crypto, keyslots, schema
from storage.atomic import os_error_reason
from storage.connection import (
    CannotDecrypt,
    Connection,
    DatabaseError,
    cipher_integrity_check,
    close_quietly,
    configure,
    connect,
    disk_error,
    integrity_check,
    quick_check,
)
from storage.filelock import VaultLock

T = TypeVar("T")

RECOVERY_UNCONFIRMED = "recovery_key_unconfirmed"
PASSPHRASE_RESET = "key.passphrase_reset"
"""Audit event: a new passphrase was set with the recovery key (the old one was forgotten)."""
PRE_MIGRATION_BACKUPS = "pre-migration-backups"


def _backup_before_migration(vault: Vault, from_version: int) -> None:
    """The default safety net: a verified backup inside the vault folder before any migration."""
    from storage.backup import make_backup

    make_backup(vault, vault.folder / PRE_MIGRATION_BACKUPS)

DB_NAME = "vault.db"
SUFFIX = ".tandem"


@dataclass(frozen=True)
class VaultInfo:
    """What the vault says about itself (no client data)."""

    vault_id: str
    name: str
    created_at: str
    folder: Path
    schema_version: int


@dataclass(frozen=True)
class VerifyReport:
    """The result of `tandem vault verify`: each check and what it found."""

    quick_check: list[str]
    integrity_check: list[str]
    cipher_integrity_check: list[str]
    audit_chain: ChainReport
    keyslots_problem: str

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not (self.quick_check or self.integrity_check or self.cipher_integrity_check
                    or self.keyslots_problem) and self.audit_chain.intact


@dataclass(frozen=True)
class Secret:
    """How the user proves they may open the vault: exactly one of the three is set."""

    passphrase: str | None = None
    recovery_key: RecoveryKey | None = None
    data_key: bytes | None = None  # from the OS keychain ("remember on this computer")

    @property
    def how(self) -> str:
        """A word for the audit trail."""
        if self.passphrase is not None:
            return "passphrase"
        if self.recovery_key is not None:
            return "recovery_key"
        return "keychain"

    def __repr__(self) -> str:
        return f"Secret(<{self.how}>)"


def default_vault_folder(path: Path) -> Path:
    """Give a bare name the .tandem suffix (`~/Practice` -> `~/Practice.tandem`)."""
    return path if path.suffix == SUFFIX else path.with_name(path.name + SUFFIX)


def looks_like_vault(folder: Path) -> bool:
    """True when `folder` holds a vault database or key file."""
    return folder.is_dir() and any(
        (folder / name).exists() for name in (DB_NAME, keyslots.FILE_NAME, keyslots.BACKUP_NAME))


def _unwrap(slots: Mapping[str, keyslots.KeySlot], secret: Secret, vault_id: str) -> bytes:
    if secret.data_key is not None:
        return secret.data_key
    if secret.passphrase is not None:
        return keyslots.unlock_with_passphrase(slots[keyslots.PASSPHRASE], secret.passphrase,
                                               vault_id)
    if secret.recovery_key is not None:
        slot = slots.get(keyslots.RECOVERY)
        if slot is None:
            raise WrongSecret("This vault has no recovery key; use the passphrase.")
        return keyslots.unlock_with_recovery_key(slot, secret.recovery_key, vault_id)
    raise UsageError("No passphrase or recovery key was given.")


class Vault:
    """An open vault. Create with `Vault.create` or `Vault.open`; finish with `close`."""

    def __init__(self, folder: Path, key_file: keyslots.KeySlotFile, data_key: bytes,
                 lock: VaultLock, clock: Clock) -> None:
        self.folder = folder
        self._key_file = key_file
        self._data_key = bytearray(data_key)
        self._lock = lock
        self.clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tandem-vault")
        self._conn: Connection | None = None
        self._closing = False  # no new work accepted
        self._closed = False  # connection closed, key zeroed, folder lock released
        self._inspect_only = False
        self._state_lock = threading.Lock()

    # -- creating and opening ---------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, passphrase: str, *, name: str | None = None,
               params: crypto.Argon2Params | None = None,
               clock: Clock | None = None) -> tuple[Vault, RecoveryKey]:
        """Make a new vault folder; returns the open vault and its recovery key (shown once)."""
        clock = clock or SystemClock()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(f"{folder} already exists and is not empty; choose a new location.")
        made_folder = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageFailure(f"Cannot create {folder}: {os_error_reason(exc)}.") from None
        lock = VaultLock(folder)
        vault: Vault | None = None
        try:
            lock.acquire()
            vault_id = str(uuid.uuid4())
            data_key = crypto.random_key()
            recovery_key = RecoveryKey.generate()
            params = params or crypto.calibrated_params()
            key_file = keyslots.KeySlotFile(
                vault_id=vault_id,
                created_at=iso(clock.now()),
                slots={
                    keyslots.PASSPHRASE: keyslots.passphrase_slot(passphrase, data_key,
                                                                  vault_id, params),
                    keyslots.RECOVERY: keyslots.recovery_slot(recovery_key, data_key, vault_id),
                },
            )
            keyslots.save(folder, key_file)
            vault = cls(folder, key_file, data_key, lock, clock)
            vault_name = name or folder.name.removesuffix(SUFFIX)
            vault.call(lambda _conn: vault._initialise(vault_name))
        except BaseException:
            if vault is not None:
                vault._shutdown()
            lock.release()
            if made_folder:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                for child in folder.iterdir():
                    if child.is_file():
                        child.unlink(missing_ok=True)
            raise
        return vault, recovery_key

    def _initialise(self, name: str) -> None:
        """On the worker: create the database, run every migration, record the creation."""
        conn = connect(self.db_path, bytes(self._data_key), create=True)
        self._conn = conn
        configure(conn)
        for migration in schema.all_migrations():
            schema.apply(conn, migration)
        with self._transaction(conn):
            conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [
                ("vault_id", self._key_file.vault_id),
                ("name", name),
                ("created_at", self._key_file.created_at),
            ])
            audit_log.append(conn, AuditEvent.VAULT_CREATED, {"schema": schema.LATEST_VERSION},
                             self.clock.now())

    @classmethod
    def open(cls, folder: Path, secret: Secret, *, clock: Clock | None = None,
             before_migration: Callable[[Vault, int], None] | None = None,
             inspect_only: bool = False, defer_check: bool = False) -> Vault:
        """Unlock an existing vault (the slow part, the KDF, runs on the caller's thread).

        `before_migration(vault, from_version)` runs before any schema change; by default it
        writes a backup into the vault's `pre-migration-backups` folder.
        `defer_check` (the window) skips `quick_check` on open when the vault was closed
        cleanly: it reads every page (~1 s on a ten-year vault) and the caller runs
        `check_integrity()` off the UI thread right after the first paint instead. After an
        unclean shutdown (a WAL left behind) or a finished key rotation it always runs first.
        `inspect_only` (for `vault verify`) opens even a vault that fails its checks, and neither
        migrates nor records anything, so the damage can be examined and reported as it is.
        """
        clock = clock or SystemClock()
        if not folder.exists():
            raise NotAVault(f"There is no vault at {folder}.")
        if not looks_like_vault(folder):
            raise NotAVault(f"{folder} is not a Tandem vault (no vault.db or keyslots.json).")
        if not (folder / DB_NAME).exists():
            raise VaultDamaged(
                f"The vault's database ({DB_NAME}) is missing from {folder}. "
                "Restore from a backup.")
        lock = VaultLock(folder)
        lock.acquire()
        try:
            loaded = keyslots.load(folder)
            key_file = loaded.file
            data_key = _unwrap(key_file.slots, secret, key_file.vault_id)
            vault = cls(folder, key_file, data_key, lock, clock)
            vault._inspect_only = inspect_only
            try:
                vault.call(lambda _c: vault._open_connection(secret, inspect_only, defer_check))
                if inspect_only:
                    return vault
                if loaded.from_backup:
                    # The main key file was damaged; the spare worked: put a good copy back.
                    keyslots.save(folder, vault._key_file)
                else:
                    # A crash between the two writes of a save, or a damaged .bak: best effort.
                    with contextlib.suppress(OSError):
                        keyslots.sync_backup(folder)
                keyslots.remove_stale_temp_files(folder)
                vault._migrate(before_migration)
                vault.audit(AuditEvent.VAULT_OPENED, {
                    "how": secret.how, "keyslots_restored_from_bak": loaded.from_backup})
            except BaseException:
                vault._shutdown()
                raise
        except BaseException:
            lock.release()
            raise
        return vault

    def _open_connection(self, secret: Secret, inspect_only: bool = False,
                         defer_check: bool = False) -> None:
        """On the worker: connect, finishing or discarding an interrupted rekey."""
        key_file = self._key_file
        wal = self.db_path.with_name(DB_NAME + "-wal")
        try:
            unclean = wal.stat().st_size > 0
        except OSError:
            unclean = False
        try:
            conn = connect(self.db_path, bytes(self._data_key))
        except CannotDecrypt:
            if key_file.pending is None:
                if secret.data_key is not None:
                    raise WrongSecret(
                        "The key remembered on this computer no longer opens this vault; "
                        "unlock with your passphrase.") from None
                raise VaultDamaged(
                    "The vault's database is damaged: its first page cannot be decrypted with "
                    "the vault's own key. Restore from a backup.") from None
            # A rekey was interrupted after the database was re-encrypted: the pending slots hold
            # the new key. Open with it and make it current.
            if secret.data_key is not None:  # the keychain holds the old key: not "damaged"
                raise WrongSecret(
                    "The key remembered on this computer no longer opens this vault; "
                    "unlock with your passphrase.") from None
            try:
                new_key = _unwrap(key_file.pending, secret, key_file.vault_id)
            except WrongSecret:
                raise WrongSecret(
                    "A key rotation was interrupted; unlock with your passphrase to finish it."
                ) from None
            try:
                conn = connect(self.db_path, new_key)
            except CannotDecrypt:
                raise VaultDamaged(
                    "The vault's database is damaged: neither the current nor the new key "
                    "decrypts it. Restore from a backup.") from None
            # The new recovery key was made by the interrupted rotation and may never have been
            # shown: mark it so the window asks for a new one to be issued and printed.
            self._key_file = replace(key_file, slots=dict(key_file.pending), pending=None,
                                     extra={**key_file.extra, RECOVERY_UNCONFIRMED: True})
            keyslots.save(self.folder, self._key_file)
            self._data_key = bytearray(new_key)
            unclean = True
        else:
            if key_file.pending is not None:
                # The rekey never reached the database: forget the unused new key.
                self._key_file = replace(key_file, pending=None)
                keyslots.save(self.folder, self._key_file)
        self._conn = conn
        try:
            schema.refuse_if_too_new(conn)
            configure(conn)
            problems = [] if defer_check and not unclean else quick_check(conn)
        except BaseException:
            close_quietly(conn)
            self._conn = None
            raise
        if problems and not inspect_only:
            close_quietly(conn)
            self._conn = None
            raise VaultDamaged(
                "The vault's database failed its integrity check (" + problems[0][:120] +
                "). Restore from a backup; the damaged vault was not changed.")

    def _migrate(self, before_migration: Callable[[Vault, int], None] | None) -> None:
        pending = self.call(schema.pending)
        if not pending:
            return
        from_version = self.call(schema.user_version)
        if from_version > 0:
            (before_migration or _backup_before_migration)(self, from_version)

        def record(conn: Connection) -> None:
            audit_log.append(conn, AuditEvent.VAULT_MIGRATED,
                             {"from": from_version, "to": schema.LATEST_VERSION},
                             self.clock.now())
        for migration in pending:
            # The last step and its audit entry commit together: a crash between them would
            # leave a migrated vault whose trail never says so.
            last = migration is pending[-1]
            self.call(lambda conn, m=migration, last=last: schema.apply(
                conn, m, record if last else None))

    # -- the worker thread ------------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        """The SQLCipher database file."""
        return self.folder / DB_NAME

    def submit(self, fn: Callable[[Connection], T]) -> Future[T]:
        """Run `fn(connection)` on the vault's worker thread; the UI's way in (never blocks)."""
        with self._state_lock:
            if self._closing:
                raise VaultClosed("The vault is locked.")
            return self._executor.submit(self._run, fn)

    def call(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn(connection)` on the worker and wait for it (command line, tests, set-up)."""
        return self.submit(fn).result()

    def _run(self, fn: Callable[[Connection], T]) -> T:
        try:
            return fn(self._conn)  # type: ignore[arg-type]
        except TandemError:
            raise
        except DatabaseError as exc:
            if self._conn is not None and self._conn.in_transaction:
                with contextlib.suppress(DatabaseError):
                    self._conn.execute("ROLLBACK")
            text = str(exc).lower()
            if any(w in text for w in ("full", "readonly", "read-only", "disk i/o",
                                        "unable to open")):
                raise disk_error(exc) from exc
            raise

    @contextlib.contextmanager
    def _transaction(self, conn: Connection) -> Any:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def write(self, fn: Callable[[Connection], T]) -> Future[T]:
        """Run `fn` in one transaction on the worker: all of it commits, or none of it."""
        def run(conn: Connection) -> T:
            with self._transaction(conn):
                return fn(conn)
        return self.submit(run)

    # -- identity, settings, audit ----------------------------------------------------------

    @property
    def vault_id(self) -> str:
        """The random id that also binds the key slots to this vault."""
        return self._key_file.vault_id

    def info(self) -> VaultInfo:
        """Name, id, creation time, folder, schema version."""
        def read(conn: Connection) -> VaultInfo:
            try:
                meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            except DatabaseError:  # a damaged vault being inspected: fall back to the key file
                meta = {}
            return VaultInfo(self.vault_id, meta.get("name", self.folder.stem),
                             meta.get("created_at", self._key_file.created_at), self.folder,
                             schema.user_version(conn))
        return self.call(read)

    def audit(self, event: str, detail: Mapping[str, Any] | None = None) -> AuditEntry:
        """Record an event in its own transaction (for events that change nothing else)."""
        def run(conn: Connection) -> AuditEntry:
            return audit_log.append(conn, event, detail or {}, self.clock.now())
        return self.write(run).result()

    def audit_entries(self, *, newest_first: bool = True, limit: int = -1,
                      offset: int = 0) -> list[AuditEntry]:
        """The audit trail for display."""
        return self.call(lambda c: audit_log.entries(c, newest_first=newest_first, limit=limit,
                                                     offset=offset))

    # -- keys ---------------------------------------------------------------------------------

    def remembered_key(self) -> bytes:
        """The data key, for the OS keychain when the user ticks "remember on this computer"."""
        return bytes(self._data_key)

    def check_passphrase(self, passphrase: str) -> None:
        """Raise WrongSecret unless `passphrase` opens this vault (re-authentication)."""
        key = keyslots.unlock_with_passphrase(self._key_file.slots[keyslots.PASSPHRASE],
                                              passphrase, self.vault_id)
        if key != bytes(self._data_key):
            raise WrongSecret("That passphrase does not open this vault.")

    def check_recovery_key(self, recovery_key: RecoveryKey) -> None:
        """Raise WrongSecret unless `recovery_key` opens this vault (re-authentication).

        Unwrapping the recovery slot proves the key belongs to this vault's key file; comparing
        the result with the open data key proves it is the key of *this* open vault, so a key
        file swapped in behind the open vault's back cannot be used to reset its passphrase.
        """
        slot = self._key_file.slots.get(keyslots.RECOVERY)
        if slot is None:
            raise WrongSecret("This vault has no recovery key; use the passphrase.")
        key = keyslots.unlock_with_recovery_key(slot, recovery_key, self.vault_id)
        if not hmac.compare_digest(key, bytes(self._data_key)):
            raise WrongSecret("That recovery key does not open this vault.")

    def _store_passphrase(self, new: str, params: crypto.Argon2Params | None) -> None:
        """Re-wrap the data key under `new` and write the key file atomically (with its .bak).

        Only the passphrase slot changes: the recovery slot, and with it the Emergency Kit,
        keeps working. If the key file cannot be written, StorageFailure says so and nothing
        changed, in the file or in memory.
        """
        slot = keyslots.passphrase_slot(new, bytes(self._data_key), self.vault_id,
                                        params or crypto.calibrated_params())
        updated = self._key_file.with_slot(keyslots.PASSPHRASE, slot)
        keyslots.save(self.folder, updated)
        self._key_file = updated

    def change_passphrase(self, old: str, new: str,
                          params: crypto.Argon2Params | None = None) -> None:
        """Re-wrap the data key under `new`: instant; `old` stops working; data not rewritten."""
        self.check_passphrase(old)
        self._store_passphrase(new, params)
        self.audit(AuditEvent.PASSPHRASE_CHANGED)

    def reset_passphrase(self, recovery_key: RecoveryKey, new: str,
                         params: crypto.Argon2Params | None = None) -> None:
        """Set a new passphrase for someone who forgot theirs, proving the recovery key again.

        The forgotten passphrase stops working; the recovery key keeps working (it is the same
        second way in, printed on the Emergency Kit, and nothing about it was exposed). The key
        is checked again even when the vault was just opened with it: an open vault alone must
        never be enough to replace its passphrase (`change_passphrase` asks for the old one for
        the same reason). Same atomic key-file write as `change_passphrase`; audited, with no
        secret in the entry.
        """
        self.check_recovery_key(recovery_key)
        self._store_passphrase(new, params)
        self.audit(PASSPHRASE_RESET)

    @property
    def recovery_key_needs_replacing(self) -> bool:
        """True after an interrupted key rotation was finished: the recovery key may be unseen."""
        return bool(self._key_file.extra.get(RECOVERY_UNCONFIRMED))

    def check_integrity(self) -> list[str]:
        """`quick_check` on a second, short-lived read-only connection; [] when all is well.

        Blocking (about 1 s on a ten-year vault): the window runs it on a background thread
        right after unlocking with `defer_check`, and locks with a message if it finds damage.
        Its own page cache is freed when it closes, so the check leaves no memory behind.
        """
        from sqlcipher3 import dbapi2 as sqlcipher

        uri = self.db_path.resolve().as_uri() + "?mode=ro"
        try:
            conn = sqlcipher.connect(uri, uri=True, check_same_thread=False)
        except sqlcipher.Error as exc:
            return [str(exc)]
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{bytes(self._data_key).hex()}'\"")
            conn.execute("PRAGMA temp_store = MEMORY")
            return quick_check(conn)
        except sqlcipher.Error as exc:
            return [str(exc)]
        finally:
            close_quietly(conn)

    def replace_recovery_key(self, passphrase: str) -> RecoveryKey:
        """Issue a new recovery key (the old one stops working) after re-entering the passphrase."""
        self.check_passphrase(passphrase)
        recovery_key = RecoveryKey.generate()
        slot = keyslots.recovery_slot(recovery_key, bytes(self._data_key), self.vault_id)
        extra = {k: v for k, v in self._key_file.extra.items() if k != RECOVERY_UNCONFIRMED}
        updated = replace(self._key_file.with_slot(keyslots.RECOVERY, slot), extra=extra)
        keyslots.save(self.folder, updated)
        self._key_file = updated
        self.audit(AuditEvent.RECOVERY_KEY_REPLACED)
        return recovery_key

    def rotate_data_key(self, passphrase: str) -> RecoveryKey:
        """Re-encrypt the whole database under a new random key; returns the new recovery key.

        Crash-safe order: (1) the new key's slots are stored as *pending*, (2) the database is
        re-encrypted (`PRAGMA rekey`, atomic), (3) the pending slots become current. A crash
        between any two steps leaves a vault that exactly one of the keys opens, and the next open
        finishes or discards the rotation. A new recovery key is issued, because whoever might
        have had the old data key could also have derived the old recovery slot's key.
        """
        self.check_passphrase(passphrase)
        new_key = crypto.random_key()
        recovery_key = RecoveryKey.generate()
        params = self._key_file.slots[keyslots.PASSPHRASE].params or crypto.calibrated_params()
        pending = {
            keyslots.PASSPHRASE: keyslots.passphrase_slot(passphrase, new_key, self.vault_id,
                                                          params),
            keyslots.RECOVERY: keyslots.recovery_slot(recovery_key, new_key, self.vault_id),
        }
        staged = replace(self._key_file, pending=pending)
        keyslots.save(self.folder, staged)
        self._key_file = staged

        def rekey(conn: Connection) -> None:
            conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            # Fold the re-encrypted pages into the main file now: until then it still holds
            # old-key pages, which cipher_integrity_check reports as HMAC failures.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        self.call(rekey)
        final = replace(staged, slots=pending, pending=None)
        keyslots.save(self.folder, final)
        self._key_file = final
        self._data_key = bytearray(new_key)
        self.audit(AuditEvent.DATA_KEY_ROTATED)
        return recovery_key

    @property
    def key_file(self) -> keyslots.KeySlotFile:
        """The current key slots (for backups)."""
        return self._key_file

    # -- checks -------------------------------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Every check Tandem has: structure (quick and full), page HMACs, the audit chain."""
        def run(conn: Connection) -> VerifyReport:
            # The page HMAC check reads the main file; fold the WAL in so it sees every page.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            try:
                chain = audit_log.verify(conn)
            except DatabaseError as exc:  # a damaged page under the trail: report, not crash
                chain = ChainReport(0, False, None, f"the audit trail cannot be read ({exc})")
            return VerifyReport(quick_check(conn), integrity_check(conn),
                                cipher_integrity_check(conn), chain, "")
        report = self.call(run)
        try:
            keyslots.KeySlotFile.from_bytes((self.folder / keyslots.FILE_NAME).read_bytes())
        except (OSError, ValueError) as exc:
            report = replace(report, keyslots_problem=f"keyslots.json: {exc}")
        if not self._inspect_only:
            # An inspect-only open examines a possibly damaged vault: write nothing into it.
            with contextlib.suppress(TandemError, DatabaseError):
                self.audit(AuditEvent.VAULT_VERIFIED, {"ok": report.ok})
        return report

    # -- closing ------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once fully closed: connection closed, key zeroed, folder lock released.

        Only then may the same folder be opened again (by this process or another).
        """
        return self._closed

    def close(self, event: str | None = AuditEvent.VAULT_CLOSED) -> None:
        """Record why (unless `event` is None), drop the connection and key, release the lock.

        Idempotent: locking twice, or closing after a failed open, is harmless.
        """
        if self._closing:
            return
        if event is not None:
            with contextlib.suppress(TandemError, DatabaseError, VaultClosed):
                self.audit(event)
        self._shutdown()

    def _shutdown(self) -> None:
        with self._state_lock:
            if self._closing:
                return
            self._closing = True

        def finish() -> None:
            if self._conn is not None:
                with contextlib.suppress(DatabaseError):
                    # Fold the WAL back so the folder is one file at rest (best effort).
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                close_quietly(self._conn)
                self._conn = None
        with contextlib.suppress(Exception):
            self._executor.submit(finish).result(timeout=30)
        self._executor.shutdown(wait=True)
        for i in range(len(self._data_key)):
            self._data_key[i] = 0
        self._lock.release()
        self._closed = True

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VaultClosed(TandemError):
    """The vault was locked or closed while work was still being asked of it."""
