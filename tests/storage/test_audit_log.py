"""The audit trail in the vault: append-only in SQL, and tampering with the key is detected."""

from __future__ import annotations

import pytest

from app.audit import AuditEvent
from storage import audit_log
from storage.connection import DatabaseError
from tests.support.vaults import ClosedVault, raw_connect


def test_events_are_recorded_in_order(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        vault.audit(AuditEvent.VAULT_LOCKED)
        vault.audit(AuditEvent.VAULT_UNLOCKED, {"how": "passphrase"})
        entries = vault.audit_entries(newest_first=False)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [e.event for e in entries][:2] == [AuditEvent.VAULT_CREATED, AuditEvent.VAULT_CLOSED]
    assert [e.event for e in entries][-3:] == [AuditEvent.VAULT_OPENED, AuditEvent.VAULT_LOCKED,
                                               AuditEvent.VAULT_UNLOCKED]
    assert all(e.at.endswith("Z") for e in entries)
    with closed_vault.open() as vault:
        assert vault.call(audit_log.verify).intact
        newest = vault.audit_entries(limit=2)
        assert newest[0].seq > newest[1].seq


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET detail = '{}' WHERE seq = 1",
    "UPDATE audit_log SET at = '2000-01-01T00:00:00.000000Z'",
    "DELETE FROM audit_log WHERE seq = 2",
    "DELETE FROM audit_log",
])
def test_update_and_delete_are_refused(closed_vault: ClosedVault, statement: str) -> None:
    with closed_vault.open() as vault:
        before = vault.audit_entries()
        with pytest.raises(DatabaseError, match="append-only"):
            vault.write(lambda c: c.execute(statement)).result()
        assert vault.audit_entries() == before
    # Through a raw connection with the key, too.
    conn = raw_connect(closed_vault.db, closed_vault.data_key)
    try:
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(statement)
    finally:
        conn.close()


def _tamper(closed_vault: ClosedVault, *statements: str) -> None:
    """An attacker with the key: drop the triggers, then edit rows without fixing hashes."""
    conn = raw_connect(closed_vault.db, closed_vault.data_key)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            conn.execute(statement)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _grow_trail(closed_vault: ClosedVault, extra: int = 5) -> int:
    with closed_vault.open() as vault:
        for i in range(extra):
            vault.audit(AuditEvent.SETTINGS_CHANGED, {"key": f"k{i}"})
        return len(vault.audit_entries())


@pytest.mark.parametrize(("statement", "seq"), [
    ("UPDATE audit_log SET detail = '{\"how\":\"recovery_key\"}' WHERE seq = 3", 3),
    ("UPDATE audit_log SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 4", 4),
    ("UPDATE audit_log SET event = 'vault.locked' WHERE seq = 5", 5),
    ("DELETE FROM audit_log WHERE seq = 4", 5),
])
def test_verify_detects_an_edited_trail(closed_vault: ClosedVault, statement: str,
                                        seq: int) -> None:
    _grow_trail(closed_vault)
    _tamper(closed_vault, statement)
    with closed_vault.open(inspect_only=True) as vault:
        report = vault.verify()
    assert not report.ok
    assert not report.audit_chain.intact
    assert report.audit_chain.first_broken_seq == seq
    # The database itself is fine: only the trail says something happened.
    assert report.quick_check == report.cipher_integrity_check == []


def test_verify_detects_swapped_rows(closed_vault: ClosedVault) -> None:
    _grow_trail(closed_vault)
    conn = raw_connect(closed_vault.db, closed_vault.data_key)
    rows = conn.execute("SELECT seq, at, event, detail FROM audit_log WHERE seq IN (3, 4) "
                        "ORDER BY seq").fetchall()
    conn.close()
    (_, at3, ev3, d3), (_, at4, ev4, d4) = rows
    _tamper(closed_vault,
            f"UPDATE audit_log SET at = '{at4}', event = '{ev4}', detail = '{d4}' WHERE seq = 3",
            f"UPDATE audit_log SET at = '{at3}', event = '{ev3}', detail = '{d3}' WHERE seq = 4")
    with closed_vault.open(inspect_only=True) as vault:
        report = vault.verify()
    assert report.audit_chain.first_broken_seq == 3


def test_tampered_trail_keeps_being_reported_after_more_entries(closed_vault: ClosedVault) -> None:
    _grow_trail(closed_vault)
    _tamper(closed_vault, "UPDATE audit_log SET detail = '{\"ok\":true}' WHERE seq = 2")
    _grow_trail(closed_vault, 3)  # the vault still opens and appends
    with closed_vault.open() as vault:
        assert vault.call(audit_log.verify).first_broken_seq == 2
