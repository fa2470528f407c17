"""The audit trail in the vault: append inside the caller's transaction, read, verify the chain.

Rows are never updated or deleted: triggers in the schema refuse both, and each row's hash chains
to the previous one (rules in app/audit.py), so an edit made with the key and a raw SQL tool is
still detected by `tandem vault verify`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.audit import GENESIS, AuditEntry, ChainReport, canonical_detail, entry_hash, verify_chain
from app.clock import iso
from storage.connection import Connection


def append(conn: Connection, event: str, detail: Mapping[str, Any], at: datetime) -> AuditEntry:
    """Add one entry; call it inside the transaction of the action it records."""
    last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at_text = iso(at)
    detail_json = canonical_detail(detail)
    digest = entry_hash(prev, seq, at_text, event, detail_json)
    conn.execute(
        "INSERT INTO audit_log(seq, at, event, detail, prev_hash, hash) VALUES (?,?,?,?,?,?)",
        (seq, at_text, event, detail_json, prev, digest),
    )
    return AuditEntry(seq, at_text, event, detail, prev, digest)


def _row(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5])


def entries(conn: Connection, *, newest_first: bool = False, limit: int = -1,
            offset: int = 0) -> list[AuditEntry]:
    """Entries in order (or newest first, for the audit view)."""
    order = "DESC" if newest_first else "ASC"
    rows = conn.execute(
        "SELECT seq, at, event, detail, prev_hash, hash FROM audit_log "
        f"ORDER BY seq {order} LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    return [_row(r) for r in rows]


def latest(conn: Connection, event: str) -> AuditEntry | None:
    """The most recent entry of one kind (e.g. the last backup), or None."""
    row = conn.execute(
        "SELECT seq, at, event, detail, prev_hash, hash FROM audit_log WHERE event = ? "
        "ORDER BY seq DESC LIMIT 1", (event,)).fetchone()
    return _row(row) if row else None


def count(conn: Connection) -> int:
    """How many entries the trail holds."""
    return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def verify(conn: Connection) -> ChainReport:
    """Check the whole chain, streaming rows so a ten-year trail does not fill memory."""
    cursor = conn.execute(
        "SELECT seq, at, event, detail, prev_hash, hash FROM audit_log ORDER BY seq")
    return verify_chain(_row(r) for r in cursor)
