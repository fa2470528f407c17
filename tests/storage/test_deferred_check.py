"""The window's fast unlock: the full-page check runs after the first paint, never skipped."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.errors import VaultDamaged
from app.recovery_key import RecoveryKey
from storage import crypto, keyslots
from storage.vault import Secret, Vault
from tests.support.vaults import PAGE_SIZE, PASSPHRASE, ClosedVault, flip_byte, raw_connect


def middle_page_offset(cv: ClosedVault) -> int:
    pages = cv.db.stat().st_size // PAGE_SIZE
    assert pages >= 4
    return (pages // 2) * PAGE_SIZE + 100


def test_deferred_open_of_a_healthy_vault_checks_clean(closed_vault: ClosedVault) -> None:
    with closed_vault.open(defer_check=True) as vault:
        assert vault.check_integrity() == []
        assert vault.info().name  # the check's read-only connection left the vault usable


def test_damage_is_found_by_the_deferred_check(closed_vault: ClosedVault) -> None:
    flip_byte(closed_vault.db, middle_page_offset(closed_vault))
    with closed_vault.open(defer_check=True, inspect_only=True) as vault:
        problems = vault.check_integrity()
    assert problems, "a flipped byte in a middle page must be reported"


def test_after_an_unclean_shutdown_the_check_runs_before_opening(closed_vault: ClosedVault) -> None:
    flip_byte(closed_vault.db, middle_page_offset(closed_vault))
    wal = closed_vault.db.with_name("vault.db-wal")
    conn = raw_connect(closed_vault.db, closed_vault.data_key)  # leave a WAL behind, unclean
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("CREATE TABLE scratch(x)")
        assert wal.stat().st_size > 0
        with pytest.raises(VaultDamaged, match="integrity check"):
            Vault.open(closed_vault.folder, Secret(passphrase=PASSPHRASE), defer_check=True)
    finally:
        conn.close()


def test_a_finished_interrupted_rotation_asks_for_a_new_recovery_key(
        closed_vault: ClosedVault) -> None:
    loaded = keyslots.load(closed_vault.folder).file
    new_key = crypto.random_key()
    pending = {
        keyslots.PASSPHRASE: keyslots.passphrase_slot(PASSPHRASE, new_key, loaded.vault_id,
                                                      crypto.MINIMUM_PARAMS),
        keyslots.RECOVERY: keyslots.recovery_slot(RecoveryKey.generate(), new_key,
                                                  loaded.vault_id),
    }
    keyslots.save(closed_vault.folder, replace(loaded, pending=pending))
    conn = raw_connect(closed_vault.db, closed_vault.data_key)
    conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    conn.close()
    with closed_vault.open() as vault:
        assert vault.recovery_key_needs_replacing
        fresh = vault.replace_recovery_key(PASSPHRASE)
        assert not vault.recovery_key_needs_replacing
    with Vault.open(closed_vault.folder, Secret(recovery_key=fresh)) as vault:
        assert not vault.recovery_key_needs_replacing
