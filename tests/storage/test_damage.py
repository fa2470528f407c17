"""Damaged, truncated, missing and tampered files: refused clearly, never initialised over."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from app.errors import KeySlotsDamaged, NotAVault, VaultDamaged, WrongSecret
from storage import keyslots
from storage.connection import cipher_integrity_check, quick_check
from storage.vault import Secret, Vault
from tests.support.vaults import (
    PASSPHRASE,
    ClosedVault,
    add_records,
    flip_byte,
    make_closed_vault,
    raw_connect,
    sha256,
    vault_snapshot,
)

PAGE = 4096


@pytest.fixture
def big_vault(tmp_path: Path) -> ClosedVault:
    """A vault with enough rows to span a few dozen pages."""
    return make_closed_vault(tmp_path / "Big.tandem", records=300)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != ".tandem.lock"}


# -- the database file ------------------------------------------------------------------------


def test_missing_database(closed_vault: ClosedVault) -> None:
    closed_vault.db.unlink()
    with pytest.raises(VaultDamaged) as info:
        closed_vault.open()
    assert info.value.exit_code == 4
    assert "missing" in info.value.message
    assert "backup" in info.value.message
    assert not closed_vault.db.exists()


def test_empty_database_is_refused_and_left_empty(closed_vault: ClosedVault) -> None:
    closed_vault.db.write_bytes(b"")
    before = _files(closed_vault.folder)
    for secret in (Secret(passphrase=PASSPHRASE), Secret(data_key=closed_vault.data_key),
                   Secret(recovery_key=closed_vault.recovery_key)):
        with pytest.raises(VaultDamaged) as info:
            Vault.open(closed_vault.folder, secret)
        assert "empty" in info.value.message
        assert info.value.exit_code == 4
    with pytest.raises(VaultDamaged, match="empty"):
        closed_vault.open(inspect_only=True)
    assert closed_vault.db.stat().st_size == 0
    assert _files(closed_vault.folder) == before


@pytest.mark.parametrize("pages_cut", [1, 3, 10])
def test_truncated_on_a_page_boundary_is_refused(big_vault: ClosedVault, pages_cut: int) -> None:
    size = big_vault.db.stat().st_size
    assert size % PAGE == 0 and size // PAGE > 20
    os.truncate(big_vault.db, size - pages_cut * PAGE)
    before = _files(big_vault.folder)
    with pytest.raises(VaultDamaged) as info:
        big_vault.open()
    assert "backup" in info.value.message.lower()
    assert _files(big_vault.folder) == before


def test_page_boundary_truncation_passes_the_hmac_check_alone(big_vault: ClosedVault) -> None:
    """Why opening runs quick_check: SQLCipher's page HMACs do not notice missing pages."""
    size = big_vault.db.stat().st_size
    os.truncate(big_vault.db, size - 3 * PAGE)
    conn = raw_connect(big_vault.db, big_vault.data_key)
    try:
        assert cipher_integrity_check(conn) == []
        assert quick_check(conn) != []
    finally:
        conn.close()


@pytest.mark.parametrize("cut", [1, 100, PAGE // 2, PAGE + 7])
def test_truncated_mid_page_is_refused(big_vault: ClosedVault, cut: int) -> None:
    size = big_vault.db.stat().st_size
    os.truncate(big_vault.db, size - cut)
    before = _files(big_vault.folder)
    with pytest.raises(VaultDamaged):
        big_vault.open()
    assert _files(big_vault.folder) == before


@pytest.mark.parametrize("size", [1, 16, 100, PAGE - 1, PAGE])
def test_truncated_to_the_first_page_is_refused(closed_vault: ClosedVault, size: int) -> None:
    os.truncate(closed_vault.db, size)
    before = _files(closed_vault.folder)
    with pytest.raises(VaultDamaged):
        closed_vault.open()
    assert _files(closed_vault.folder) == before


def test_first_page_damage_is_damage_not_a_wrong_passphrase(closed_vault: ClosedVault) -> None:
    flip_byte(closed_vault.db, 100)
    with pytest.raises(VaultDamaged) as info:
        closed_vault.open()
    assert not isinstance(info.value, WrongSecret)
    assert "damaged" in info.value.message


def test_flipped_byte_in_a_middle_page_is_reported_by_verify(big_vault: ClosedVault) -> None:
    pages = big_vault.db.stat().st_size // PAGE
    page = pages // 2  # 0-based
    flip_byte(big_vault.db, page * PAGE + 1000)
    damaged = sha256(big_vault.db)
    with pytest.raises(VaultDamaged):
        big_vault.open()
    vault = big_vault.open(inspect_only=True)
    try:
        report = vault.verify()
    finally:
        vault.close(event=None)
    assert not report.ok
    assert report.cipher_integrity_check
    assert any(f"page {page + 1}" in line for line in report.cipher_integrity_check), report
    # Inspecting a damaged vault does not write to it.
    assert sha256(big_vault.db) == damaged


def test_verify_on_a_healthy_vault(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        report = vault.verify()
    assert report.ok
    assert report.quick_check == report.integrity_check == report.cipher_integrity_check == []
    assert report.audit_chain.intact
    assert report.audit_chain.entries >= 3
    assert report.keyslots_problem == ""


def test_verify_names_a_damaged_key_file(closed_vault: ClosedVault) -> None:
    (closed_vault.folder / "keyslots.json").write_text("{")
    vault = closed_vault.open(inspect_only=True)
    try:
        report = vault.verify()
    finally:
        vault.close(event=None)
    assert not report.ok
    assert "keyslots.json" in report.keyslots_problem


def test_random_bytes_as_database(closed_vault: ClosedVault) -> None:
    closed_vault.db.write_bytes(os.urandom(8 * PAGE))
    before = _files(closed_vault.folder)
    with pytest.raises(VaultDamaged):
        closed_vault.open()
    assert _files(closed_vault.folder) == before


# -- not a vault --------------------------------------------------------------------------------


def test_folder_that_is_not_a_vault(tmp_path: Path) -> None:
    folder = tmp_path / "Holiday photos"
    folder.mkdir()
    (folder / "beach.jpg").write_bytes(b"\xff\xd8jpeg")
    with pytest.raises(NotAVault) as info:
        Vault.open(folder, Secret(passphrase=PASSPHRASE))
    assert info.value.exit_code == 4
    assert "not a Tandem vault" in info.value.message
    assert sorted(p.name for p in folder.iterdir()) == ["beach.jpg"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(NotAVault, match="no vault"):
        Vault.open(tmp_path / "nowhere.tandem", Secret(passphrase=PASSPHRASE))
    assert not (tmp_path / "nowhere.tandem").exists()


def test_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "file.tandem"
    path.write_text("hello")
    with pytest.raises(NotAVault):
        Vault.open(path, Secret(passphrase=PASSPHRASE))
    assert path.read_text() == "hello"


# -- the key file --------------------------------------------------------------------------------


def _edit_wrapped_byte(raw: dict) -> None:
    wrapped = raw["slots"]["passphrase"]["wrapped"]
    raw["slots"]["passphrase"]["wrapped"] = ("B" if wrapped[5] != "B" else "C").join(
        (wrapped[:5], wrapped[6:]))


def _with_checksum(raw: dict) -> bytes:
    raw.pop("checksum", None)
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"))
    raw["checksum"] = hashlib.sha256(canonical.encode()).hexdigest()
    return json.dumps(raw, indent=2).encode()


def _damage_missing(path: Path) -> None:
    path.unlink()


def _damage_truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damage_empty(path: Path) -> None:
    path.write_bytes(b"")


def _damage_wrapped_byte(path: Path) -> None:
    raw = json.loads(path.read_text())
    _edit_wrapped_byte(raw)
    path.write_text(json.dumps(raw, indent=2))


def _damage_json_edit(path: Path) -> None:
    raw = json.loads(path.read_text())
    raw["created_at"] = "1999-01-01T00:00:00.000000Z"
    path.write_text(json.dumps(raw, indent=2))


def _damage_binary(path: Path) -> None:
    path.write_bytes(os.urandom(900))


def _damage_flipped_byte(path: Path) -> None:
    flip_byte(path, path.stat().st_size // 2)


DAMAGE = {"missing": _damage_missing, "truncated": _damage_truncated, "empty": _damage_empty,
          "wrapped-byte": _damage_wrapped_byte, "json-edited": _damage_json_edit,
          "binary": _damage_binary, "flipped-byte": _damage_flipped_byte}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_key_file_falls_back_to_bak_and_is_repaired(closed_vault: ClosedVault,
                                                           damage: str) -> None:
    main = closed_vault.folder / "keyslots.json"
    good = main.read_bytes()
    DAMAGE[damage](main)
    with closed_vault.open() as vault:
        assert vault_snapshot(vault) == closed_vault.tables
        detail = vault.audit_entries(limit=1)[0].detail
        assert detail["keyslots_restored_from_bak"] is True
    assert main.read_bytes() == good
    assert (closed_vault.folder / "keyslots.json.bak").read_bytes() == good


def test_recovery_key_also_works_through_the_bak(closed_vault: ClosedVault) -> None:
    (closed_vault.folder / "keyslots.json").unlink()
    Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key)).close()
    assert (closed_vault.folder / "keyslots.json").exists()


@pytest.mark.parametrize(("main_damage", "bak_damage"), [
    ("missing", "missing"), ("truncated", "wrapped-byte"), ("json-edited", "binary"),
    ("empty", "missing"),
])
def test_both_key_files_bad(closed_vault: ClosedVault, main_damage: str, bak_damage: str) -> None:
    DAMAGE[main_damage](closed_vault.folder / "keyslots.json")
    DAMAGE[bak_damage](closed_vault.folder / "keyslots.json.bak")
    before = _files(closed_vault.folder)
    for secret in (Secret(passphrase=PASSPHRASE), Secret(recovery_key=closed_vault.recovery_key)):
        with pytest.raises(KeySlotsDamaged) as info:
            Vault.open(closed_vault.folder, secret)
        message = info.value.message
        assert info.value.exit_code == 4
        assert "restore" in message
        assert "backup" in message
        assert "recovery key" in message
        assert "keyslots.json" in message and "keyslots.json.bak" in message
    assert _files(closed_vault.folder) == before


def test_only_the_database_left(closed_vault: ClosedVault) -> None:
    (closed_vault.folder / "keyslots.json").unlink()
    (closed_vault.folder / "keyslots.json.bak").unlink()
    with pytest.raises(KeySlotsDamaged, match="restore"):
        closed_vault.open()


@pytest.mark.parametrize("field", ["wrapped", "nonce", "salt", "vault_id", "slot-swap"])
def test_tampered_slot_with_recomputed_checksum_is_a_wrong_secret(closed_vault: ClosedVault,
                                                                  field: str) -> None:
    """A forged key file that passes its checksum cannot unlock anything, and does not crash."""
    main = closed_vault.folder / "keyslots.json"
    raw = json.loads(main.read_text())
    slots = raw["slots"]
    if field == "wrapped":
        _edit_wrapped_byte(raw)
    elif field in ("nonce", "salt"):
        value = slots["passphrase"][field]
        slots["passphrase"][field] = ("A" if value[0] != "A" else "B") + value[1:]
    elif field == "vault_id":
        raw["vault_id"] = "00000000-0000-4000-8000-000000000000"
    else:
        slots["passphrase"]["wrapped"], slots["recovery"]["wrapped"] = (
            slots["recovery"]["wrapped"], slots["passphrase"]["wrapped"])
        slots["passphrase"]["nonce"], slots["recovery"]["nonce"] = (
            slots["recovery"]["nonce"], slots["passphrase"]["nonce"])
    main.write_bytes(_with_checksum(raw))
    keyslots.KeySlotFile.from_bytes(main.read_bytes())  # it really does parse
    with pytest.raises(WrongSecret) as info:
        closed_vault.open()
    assert info.value.exit_code == 3
    # The intact .bak is not consulted for a key file that authenticates: restoring it is the
    # user's decision, and the vault itself is unchanged.
    (closed_vault.folder / "keyslots.json").unlink()
    closed_vault.open().close()


def test_tampered_argon2_parameters_are_refused_not_obeyed(closed_vault: ClosedVault) -> None:
    """A key file asking for 64 GiB of Argon2 memory is treated as damaged (falls back)."""
    main = closed_vault.folder / "keyslots.json"
    raw = json.loads(main.read_text())
    raw["slots"]["passphrase"]["params"]["memory_kib"] = 64 * 1024 * 1024
    main.write_bytes(_with_checksum(raw))
    with closed_vault.open() as vault:
        assert vault.audit_entries(limit=1)[0].detail["keyslots_restored_from_bak"] is True


def test_oversized_key_file_is_damage(closed_vault: ClosedVault) -> None:
    main = closed_vault.folder / "keyslots.json"
    main.write_bytes(b" " * (1024 * 1024) + main.read_bytes())
    with closed_vault.open() as vault:
        assert vault.audit_entries(limit=1)[0].detail["keyslots_restored_from_bak"] is True


def test_data_survives_writes_after_a_key_file_repair(closed_vault: ClosedVault) -> None:
    (closed_vault.folder / "keyslots.json").write_text("garbage")
    with closed_vault.open() as vault:
        add_records(vault, 2, prefix="later ")
    with closed_vault.open() as vault:
        assert vault.call(lambda c: c.execute("SELECT count(*) FROM clients").fetchone()[0]) == 5


@pytest.mark.parametrize("damage", ["missing", "truncated", "binary"])
def test_damaged_bak_is_repaired_on_open(closed_vault: ClosedVault, damage: str) -> None:
    good = (closed_vault.folder / "keyslots.json").read_bytes()
    DAMAGE[damage](closed_vault.folder / "keyslots.json.bak")
    closed_vault.open().close()
    assert (closed_vault.folder / "keyslots.json.bak").read_bytes() == good
    # So a later loss of keyslots.json is survivable again.
    (closed_vault.folder / "keyslots.json").unlink()
    closed_vault.open().close()


def test_stale_half_written_key_files_are_removed_on_open(closed_vault: ClosedVault) -> None:
    from storage.atomic import temp_path_for

    stale = [temp_path_for(closed_vault.folder / name) for name in ("keyslots.json",
                                                                    "keyslots.json.bak")]
    for path in stale:
        path.write_bytes((closed_vault.folder / "keyslots.json").read_bytes()[:300])
    unrelated = closed_vault.folder / "notes.tmp"
    unrelated.write_text("not ours")
    with pytest.raises(WrongSecret):
        closed_vault.open("wrong passphrase entirely")
    assert all(p.exists() for p in stale)  # a failed open changes nothing
    closed_vault.open().close()
    assert not any(p.exists() for p in stale)
    assert unrelated.exists()
