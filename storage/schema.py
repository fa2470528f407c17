"""Schema migrations: numbered SQL files under storage/migrations, tracked by PRAGMA user_version.

Each migration runs in its own transaction together with the user_version bump, so a crash leaves
the vault at the previous version, whole. A vault from a newer Tandem (user_version above the
newest migration here) is refused before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from app.errors import VaultTooNew
from storage.connection import Connection, DatabaseError, disk_error

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered step of the schema ladder."""

    version: int
    name: str
    sql: str


def all_migrations() -> list[Migration]:
    """Every migration shipped with this Tandem, in order, numbered 1, 2, 3… without gaps."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 0001, 0002, … without gaps")
    return found


LATEST_VERSION = len(all_migrations())


def user_version(conn: Connection) -> int:
    """The schema version stored in the database header."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def refuse_if_too_new(conn: Connection, latest: int = LATEST_VERSION) -> int:
    """Return the vault's version; raise VaultTooNew (touching nothing) if it is from the future."""
    version = user_version(conn)
    if version > latest:
        raise VaultTooNew(
            f"This vault was written by a newer version of Tandem (schema {version}; this one "
            f"understands up to {latest}). Update Tandem to open it; the vault was not changed."
        )
    return version


def apply(conn: Connection, migration: Migration,
          then: Callable[[Connection], None] | None = None) -> None:
    """Run one migration and bump user_version in a single transaction.

    `then(conn)` runs inside that same transaction before it commits: the vault records the
    last migration in its audit trail this way, so a crash can never leave a migrated vault
    whose trail does not say so.
    """
    script = (f"BEGIN IMMEDIATE;\n{migration.sql}\n;"
              f"PRAGMA user_version = {migration.version};\n")
    try:
        conn.executescript(script if then is not None else script + "COMMIT;")
        if then is not None:
            then(conn)
            conn.execute("COMMIT")
    except DatabaseError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise disk_error(exc) from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def pending(conn: Connection, migrations: list[Migration] | None = None) -> list[Migration]:
    """The migrations this vault still needs."""
    current = user_version(conn)
    return [m for m in (migrations or all_migrations()) if m.version > current]
