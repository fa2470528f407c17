"""Schema versions: numbered migrations, a backup before migrating, newer vaults left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.audit import AuditEvent
from app.clock import SystemClock, iso
from app.errors import VaultTooNew
from storage import audit_log, crypto, keyslots, schema
from storage.backup import EXTENSION, make_backup, read_manifest, restore_backup
from storage.connection import configure, connect, quick_check
from storage.vault import Secret, Vault
from tests.support.vaults import PASSPHRASE, ClosedVault, raw_connect, vault_snapshot


def test_migrations_are_numbered_without_gaps() -> None:
    migrations = schema.all_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert schema.LATEST_VERSION == len(migrations) >= 2
    assert all(m.sql.strip() for m in migrations)


def test_every_migration_applies_in_order_on_an_empty_database(tmp_path: Path) -> None:
    key = crypto.random_key()
    conn = connect(tmp_path / "empty.db", key, create=True)
    try:
        configure(conn)
        for migration in schema.all_migrations():
            assert schema.pending(conn)[0].version == migration.version
            schema.apply(conn, migration)
            assert schema.user_version(conn) == migration.version
            assert quick_check(conn) == []
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert schema.pending(conn) == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert {"meta", "settings", "audit_log", "clients", "notes"} <= tables


def test_a_failing_migration_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    key = crypto.random_key()
    conn = connect(tmp_path / "m.db", key, create=True)
    try:
        configure(conn)
        first = schema.all_migrations()[0]
        schema.apply(conn, first)
        broken = schema.Migration(2, "broken", "CREATE TABLE half_done (x);\nSELECT nonsense(;")
        with pytest.raises(Exception):  # noqa: B017 - any error; what matters is the state after
            schema.apply(conn, broken)
        assert schema.user_version(conn) == 1
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in names
        assert not conn.in_transaction
    finally:
        conn.close()


def test_a_created_vault_has_the_same_schema_as_the_ladder(tmp_path: Path, vault_factory) -> None:
    vault, _ = vault_factory()
    created = vault.call(lambda c: sorted(c.execute(
        "SELECT type, name, sql FROM sqlite_master").fetchall(), key=repr))
    conn = connect(tmp_path / "ladder.db", crypto.random_key(), create=True)
    try:
        for migration in schema.all_migrations():
            schema.apply(conn, migration)
        ladder = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall(),
                        key=repr)
    finally:
        conn.close()
    assert created == ladder


def _vault_at_version_1(folder: Path) -> bytes:
    """Build a vault as the first Tandem release would have: only migration 1, real key slots."""
    folder.mkdir(parents=True)
    data_key = crypto.random_key()
    key_file = keyslots.KeySlotFile(
        vault_id="11111111-2222-4333-8444-555555555555",
        created_at=iso(SystemClock().now()),
        slots={keyslots.PASSPHRASE: keyslots.passphrase_slot(
            PASSPHRASE, data_key, "11111111-2222-4333-8444-555555555555", crypto.MINIMUM_PARAMS)},
    )
    keyslots.save(folder, key_file)
    conn = connect(folder / "vault.db", data_key, create=True)
    try:
        configure(conn)
        schema.apply(conn, schema.all_migrations()[0])
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [
            ("vault_id", key_file.vault_id), ("name", "Old Practice"),
            ("created_at", key_file.created_at)])
        conn.execute("INSERT INTO settings(key, value) VALUES ('lock.after_minutes', '15')")
        audit_log.append(conn, AuditEvent.VAULT_CREATED, {"schema": 1}, SystemClock().now())
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.close()
    return data_key


def test_old_vault_is_migrated_after_a_backup(tmp_path: Path) -> None:
    folder = tmp_path / "Old.tandem"
    data_key = _vault_at_version_1(folder)
    backups = tmp_path / "backups"
    calls: list[int] = []

    def before(vault: Vault, from_version: int) -> None:
        calls.append(from_version)
        assert vault.call(schema.user_version) == 1  # nothing migrated yet
        make_backup(vault, backups)

    with Vault.open(folder, Secret(passphrase=PASSPHRASE), before_migration=before) as vault:
        assert vault.call(schema.user_version) == schema.LATEST_VERSION
        assert vault.info().name == "Old Practice"
        assert vault.call(lambda c: c.execute(
            "SELECT value FROM settings WHERE key = 'lock.after_minutes'").fetchone()) == ("15",)
        events = [(e.event, e.detail) for e in vault.audit_entries(newest_first=False)]
        assert (AuditEvent.VAULT_MIGRATED, {"from": 1, "to": schema.LATEST_VERSION}) in events
        assert [e for e, _ in events].count(AuditEvent.BACKUP_MADE) == 1
        # The new tables work.
        vault.write(lambda c: c.execute(
            "INSERT INTO clients(name, pseudonym, created_at) VALUES ('A', 'B', 'C')")).result()
        assert vault.verify().ok
        assert vault.remembered_key() == data_key
    assert calls == [1]
    made = list(backups.glob(f"*{EXTENSION}"))
    assert len(made) == 1
    manifest, _ = read_manifest(made[0])
    assert manifest.schema_version == 1
    # The pre-migration backup restores to a version-1 vault, which migrates again on open.
    restored = restore_backup(made[0], tmp_path / "Restored", Secret(passphrase=PASSPHRASE))
    conn = raw_connect(restored / "vault.db", data_key)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        conn.close()


def test_migration_without_a_callback_still_migrates(tmp_path: Path) -> None:
    folder = tmp_path / "Old.tandem"
    _vault_at_version_1(folder)
    with Vault.open(folder, Secret(passphrase=PASSPHRASE)) as vault:
        assert vault.call(schema.user_version) == schema.LATEST_VERSION
    # Without a callback, a verified backup of the old version is written into the vault folder.
    made = list((folder / "pre-migration-backups").glob(f"*{EXTENSION}"))
    assert len(made) == 1
    assert read_manifest(made[0])[0].schema_version == 1
    # A second open has nothing left to migrate.
    calls: list[int] = []
    with Vault.open(folder, Secret(passphrase=PASSPHRASE),
                    before_migration=lambda _v, n: calls.append(n)):
        pass
    assert calls == []


def test_failed_pre_migration_backup_stops_the_migration(tmp_path: Path) -> None:
    folder = tmp_path / "Old.tandem"
    _vault_at_version_1(folder)

    def before(_vault: Vault, _from: int) -> None:
        raise OSError("backup drive unplugged")

    with pytest.raises(OSError):
        Vault.open(folder, Secret(passphrase=PASSPHRASE), before_migration=before)
    # Not migrated, not locked.
    with Vault.open(folder, Secret(passphrase=PASSPHRASE), inspect_only=True) as vault:
        assert vault.call(schema.user_version) == 1


@pytest.mark.parametrize("version", [schema.LATEST_VERSION + 1, 99, 2**31 - 1])
def test_vault_from_a_newer_tandem_is_refused_and_untouched(closed_vault: ClosedVault,
                                                            version: int) -> None:
    conn = raw_connect(closed_vault.db, closed_vault.data_key)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    files = {p.name: p.read_bytes() for p in closed_vault.folder.iterdir()}
    for kwargs in ({}, {"inspect_only": True}):
        with pytest.raises(VaultTooNew) as info:
            closed_vault.open(**kwargs)
        assert info.value.exit_code == 6
        assert "newer version of Tandem" in info.value.message
        assert str(version) in info.value.message
    with pytest.raises(VaultTooNew):
        Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key))
    assert {p.name: p.read_bytes() for p in closed_vault.folder.iterdir()} == files
    # Once a matching Tandem is back (here: the version put back), it opens with its data.
    conn = raw_connect(closed_vault.db, closed_vault.data_key)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION}")
    conn.close()
    with closed_vault.open() as vault:
        assert vault_snapshot(vault) == closed_vault.tables
