"""The therapist PIN's slow hash, kept in the vault's settings."""

from __future__ import annotations

from concurrent.futures import Future

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.audit import AuditEvent
from app.pin import validate_new_pin
from storage import audit_log
from storage.connection import Connection
from storage.vault import Vault

PIN_KEY = "client_mode.pin_hash"
# ~0.1-0.2 s per check here: slow enough that a copied hash resists brute force of a
# 4-8 digit space only together with the vault's own encryption; the real limit is PinGuard.
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)


def set_pin(vault: Vault, pin: str | None) -> Future[None]:
    """Store a new PIN's hash (validated), or remove it with None; audited."""
    hashed = _HASHER.hash(validate_new_pin(pin)) if pin is not None else None

    def run(conn: Connection) -> None:
        if hashed is None:
            conn.execute("DELETE FROM settings WHERE key = ?", (PIN_KEY,))
        else:
            conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) "
                         "DO UPDATE SET value = excluded.value", (PIN_KEY, f'"{hashed}"'))
        audit_log.append(conn, AuditEvent.SETTINGS_CHANGED, {"key": PIN_KEY},
                         vault.clock.now())
    return vault.write(run)


def pin_hash(vault: Vault) -> Future[str | None]:
    """The stored hash, or None when no PIN is set (then only the passphrase ends client mode)."""
    def run(conn: Connection) -> str | None:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (PIN_KEY,)).fetchone()
        return str(row[0]).strip('"') if row else None
    return vault.submit(run)


def pin_matches(stored_hash: str, pin: str) -> bool:
    """True when `pin` matches; slow on purpose (call it off the UI thread)."""
    try:
        return _HASHER.verify(stored_hash, pin)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
