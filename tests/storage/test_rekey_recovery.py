"""A data-key rotation interrupted between its steps: the next open finishes or discards it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from app.errors import WrongSecret
from app.recovery_key import RecoveryKey
from storage import crypto, keyslots
from storage.connection import cipher_integrity_check, integrity_check, quick_check
from storage.vault import Secret, Vault
from tests.conftest import ROOT
from tests.support.vaults import PASSPHRASE, ClosedVault, raw_connect, vault_snapshot


def _stage_pending(cv: ClosedVault) -> tuple[bytes, RecoveryKey]:
    """Step 1 of a rotation, as `rotate_data_key` does it: new key's slots stored as pending."""
    loaded = keyslots.load(cv.folder).file
    new_key = crypto.random_key()
    new_recovery = RecoveryKey.generate()
    pending = {
        keyslots.PASSPHRASE: keyslots.passphrase_slot(PASSPHRASE, new_key, loaded.vault_id,
                                                      crypto.MINIMUM_PARAMS),
        keyslots.RECOVERY: keyslots.recovery_slot(new_recovery, new_key, loaded.vault_id),
    }
    keyslots.save(cv.folder, replace(loaded, pending=pending))
    return new_key, new_recovery


def _rekey_database(cv: ClosedVault, new_key: bytes) -> None:
    """Step 2 on a raw connection; step 3 (promotion) never happens."""
    conn = raw_connect(cv.db, cv.data_key)
    try:
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def _rekey_then_die(cv: ClosedVault, new_key: bytes) -> None:
    """Step 2 in a process that dies right after: the new pages sit in the WAL, uncheckpointed."""
    script = textwrap.dedent("""
        import os, sys
        from sqlcipher3 import dbapi2 as s
        old, new = bytes.fromhex(sys.stdin.readline()), bytes.fromhex(sys.stdin.readline())
        c = s.connect(sys.argv[1], isolation_level=None)
        c.execute(f"PRAGMA key = \\"x'{old.hex()}'\\"")
        c.execute("PRAGMA journal_mode = WAL").fetchall()
        c.execute(f"PRAGMA rekey = \\"x'{new.hex()}'\\"")
        c.execute("SELECT count(*) FROM sqlite_master").fetchone()
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script, str(cv.db)], check=True, timeout=60, cwd=ROOT,
                   input=f"{cv.data_key.hex()}\n{new_key.hex()}\n", text=True)


def _checks_clean(vault: Vault) -> None:
    def run(conn: object) -> tuple[list[str], list[str], list[str]]:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # type: ignore[attr-defined]
        return quick_check(conn), integrity_check(conn), cipher_integrity_check(conn)
    assert vault.call(run) == ([], [], [])


@pytest.mark.parametrize("rekey", [_rekey_database, _rekey_then_die])
def test_open_finishes_an_interrupted_rotation(closed_vault: ClosedVault, rekey) -> None:
    new_key, new_recovery = _stage_pending(closed_vault)
    rekey(closed_vault, new_key)
    with closed_vault.open() as vault:
        assert vault.remembered_key() == new_key
        assert vault_snapshot(vault) == closed_vault.tables
        _checks_clean(vault)
    key_file = keyslots.load(closed_vault.folder)
    assert key_file.file.pending is None
    assert not key_file.from_backup
    assert ((closed_vault.folder / "keyslots.json").read_bytes()
            == (closed_vault.folder / "keyslots.json.bak").read_bytes())
    # Now it is an ordinary vault under the new key.
    with pytest.raises(WrongSecret):
        Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key))
    with pytest.raises(WrongSecret):
        Vault.open(closed_vault.folder, Secret(data_key=closed_vault.data_key))
    Vault.open(closed_vault.folder, Secret(recovery_key=new_recovery)).close()
    Vault.open(closed_vault.folder, Secret(data_key=new_key)).close()


def test_open_discards_a_rotation_that_never_reached_the_database(
        closed_vault: ClosedVault) -> None:
    new_key, new_recovery = _stage_pending(closed_vault)
    with closed_vault.open() as vault:
        assert vault.remembered_key() == closed_vault.data_key
        assert vault_snapshot(vault) == closed_vault.tables
        _checks_clean(vault)
    assert keyslots.load(closed_vault.folder).file.pending is None
    Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key)).close()
    with pytest.raises(WrongSecret):
        Vault.open(closed_vault.folder, Secret(recovery_key=new_recovery))
    with pytest.raises(WrongSecret):
        Vault.open(closed_vault.folder, Secret(data_key=new_key))


def test_discarded_rotation_with_the_recovery_key(closed_vault: ClosedVault) -> None:
    _stage_pending(closed_vault)
    Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key)).close()
    assert keyslots.load(closed_vault.folder).file.pending is None


def test_interrupted_rotation_with_a_stale_remembered_key(closed_vault: ClosedVault) -> None:
    """The keychain's copy of the old key: a wrong-secret message, not 'damaged'."""
    new_key, _ = _stage_pending(closed_vault)
    _rekey_database(closed_vault, new_key)
    with pytest.raises(WrongSecret) as info:
        Vault.open(closed_vault.folder, Secret(data_key=closed_vault.data_key))
    assert "passphrase" in info.value.message
    with closed_vault.open() as vault:
        assert vault.remembered_key() == new_key


def test_interrupted_rotation_with_the_old_recovery_key(closed_vault: ClosedVault) -> None:
    """The old recovery key cannot finish it (it never wrapped the new key): say to use the
    passphrase. (Known limitation: see the report; the new recovery key was never shown.)"""
    new_key, new_recovery = _stage_pending(closed_vault)
    _rekey_database(closed_vault, new_key)
    with pytest.raises(WrongSecret) as info:
        Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key))
    assert "interrupted" in info.value.message
    assert "passphrase" in info.value.message
    with closed_vault.open() as vault:
        assert vault.remembered_key() == new_key
    Vault.open(closed_vault.folder, Secret(recovery_key=new_recovery)).close()


def test_wrong_passphrase_during_an_interrupted_rotation(closed_vault: ClosedVault) -> None:
    new_key, _ = _stage_pending(closed_vault)
    _rekey_database(closed_vault, new_key)
    with pytest.raises(WrongSecret):
        closed_vault.open("not the passphrase, sorry")
    assert keyslots.load(closed_vault.folder).file.pending is not None
    closed_vault.open().close()


def test_rotation_leaves_no_pending_slots(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        vault.rotate_data_key(PASSPHRASE)
        _checks_clean(vault)
    for name in ("keyslots.json", "keyslots.json.bak"):
        parsed = keyslots.KeySlotFile.from_bytes((closed_vault.folder / name).read_bytes())
        assert parsed.pending is None
