"""Opening the SQLCipher database: raw key, safe pragmas, and refusal of files that cannot be right.

Pragmas, and why (see shared/reference/security.md):
- key as a raw 32-byte hex blob: no KDF per open (the key slots did the slow part once);
- cipher_log_level=NONE: a wrong key otherwise prints "hmac check failed" to stderr;
- journal_mode=WAL + synchronous=FULL: every acknowledged commit survives power loss;
- temp_store=MEMORY: FILE would write *plaintext* temp files (etilqs_*) beside the vault;
- secure_delete=ON: deleted rows are overwritten, not left readable inside the file;
- foreign_keys=ON, cache_size=-64000 (64 MB page cache).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from app.errors import StorageFailure, VaultDamaged

Connection = sqlcipher.Connection
DatabaseError = sqlcipher.DatabaseError
OperationalError = sqlcipher.OperationalError
IntegrityError = sqlcipher.IntegrityError

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -64000",
    "PRAGMA busy_timeout = 5000",
)


class CannotDecrypt(Exception):
    """The key does not decrypt page 1: a different key (mid-rekey) or a damaged first page."""


def _key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("a vault key is 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def disk_reason(exc: Exception) -> str:
    """What a SQLite (or an already translated) disk error means, as a short phrase."""
    text = str(exc).lower()
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the disk or folder is read-only"
    if any(w in text for w in ("unable to open", "disk i/o", "cannot be read or written")):
        return "the disk cannot be read or written (is it full, read-only or removed?)"
    return str(exc).rstrip(".")


def disk_error(exc: Exception) -> StorageFailure:
    """Translate SQLite's disk errors into one clear sentence."""
    text = str(exc).lower()
    if "full" in text:
        return StorageFailure("The disk is full: the change was not saved. Free some space.")
    if "readonly" in text or "read-only" in text:
        return StorageFailure("The vault is on a read-only disk or folder: nothing can be saved.")
    if "unable to open" in text or "disk i/o" in text:
        return StorageFailure("The vault's disk cannot be read or written (is it full, or was it "
                              "removed?).")
    return StorageFailure(f"The vault could not be written: {exc}.")


def connect(path: Path, key: bytes, *, create: bool = False) -> Connection:
    """Open (or with `create`, make) the database and prove the key decrypts it.

    Raises CannotDecrypt when the key fails on page 1, VaultDamaged for a missing or empty file.
    The caller sets the remaining pragmas with `configure` once it has decided to write.
    """
    if create:
        if path.exists():
            raise VaultDamaged(f"{path.name} already exists; refusing to create over it.")
    else:
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise VaultDamaged(
                f"The vault's database ({path.name}) is missing. Restore from a backup."
            ) from None
        if size == 0:
            raise VaultDamaged(
                f"The vault's database ({path.name}) is empty (0 bytes): it was truncated. "
                "Restore from a backup; Tandem will not initialise over it."
            )
    try:
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=True)
    except OperationalError as exc:
        raise disk_error(exc) from None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except DatabaseError as exc:
        conn.close()
        text = str(exc).lower()
        if "not a database" in text:
            raise CannotDecrypt(str(exc)) from None
        if any(w in text for w in ("readonly", "read-only", "unable to open", "disk i/o")):
            raise disk_error(exc) from None
        raise VaultDamaged(f"The vault's database cannot be read: {exc}. Restore from a "
                           "backup; the damaged vault was not changed.") from None
    if not create and tables == 0:
        # SQLite reads a file shorter than a page (e.g. 1 byte) as an empty database: refuse it
        # like a 0-byte file, or opening would migrate a fresh, empty vault over it.
        conn.close()
        raise VaultDamaged(
            f"The vault's database ({path.name}) is empty: it was truncated. "
            "Restore from a backup; Tandem will not initialise over it.")
    return conn


def configure(conn: Connection) -> None:
    """Apply the per-connection pragmas (WAL, FULL sync, MEMORY temp store, secure delete…)."""
    try:
        for pragma in _PRAGMAS:
            conn.execute(pragma).fetchall()
    except DatabaseError as exc:
        raise disk_error(exc) from None


def quick_check(conn: Connection) -> list[str]:
    """SQLite's structural check; catches truncation on a page boundary that the HMAC check misses.

    Returns the problems found ([] when the database is fine).
    """
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def integrity_check(conn: Connection) -> list[str]:
    """The full structural check (slower than quick_check; for `vault verify`)."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def cipher_integrity_check(conn: Connection) -> list[str]:
    """SQLCipher's per-page HMAC check; names each page whose content was altered."""
    try:
        return [r[0] for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    except DatabaseError as exc:
        return [str(exc)]


def close_quietly(conn: Connection | None) -> None:
    """Close a connection, ignoring errors from an already-broken one."""
    if conn is not None:
        with contextlib.suppress(Exception):
            conn.close()
