"""Vault settings: typed values (app/settings.py) stored as JSON in the vault's settings table.

A stored value that is unknown, unparsable or out of range reads as the default, so a damaged row
can never switch a protection off.
"""

from __future__ import annotations

import json
from typing import Any

from app.audit import AuditEvent
from app.settings import VAULT_SETTINGS, vault_setting
from storage import audit_log
from storage.connection import Connection
from storage.vault import Vault


def read_all(conn: Connection) -> dict[str, Any]:
    """Every vault setting, stored value or default."""
    stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    values: dict[str, Any] = {}
    for key, spec in VAULT_SETTINGS.items():
        raw = stored.get(key)
        try:
            value = spec.default if raw is None else json.loads(raw)
        except (ValueError, TypeError, RecursionError):  # bad JSON, bad UTF-8, absurd nesting
            value = spec.default
        values[key] = spec.coerce_or_default(value)
    return values


def get(vault: Vault, key: str) -> Any:
    """One setting's value (blocking; the settings table is tiny)."""
    return vault.call(read_all)[key]


def put(vault: Vault, key: str, value: Any) -> None:
    """Validate and store one setting, audited in the same transaction (InvalidInput if bad)."""
    spec = vault_setting(key)
    checked = spec.validate(value)

    def run(conn: Connection) -> None:
        conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     (key, json.dumps(checked)))
        audit_log.append(conn, AuditEvent.SETTINGS_CHANGED, {"key": key}, vault.clock.now())
    vault.write(run).result()
