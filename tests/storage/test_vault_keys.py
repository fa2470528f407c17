"""Opening a vault with each of its secrets, changing the passphrase, rotating the data key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.audit import AuditEvent
from app.errors import RecoveryKeyTypo, UsageError, WrongSecret
from app.recovery_key import RecoveryKey
from storage import keyslots
from storage.connection import cipher_integrity_check, quick_check
from storage.vault import Secret, Vault, looks_like_vault
from tests.support.vaults import (
    PASSPHRASE,
    ClosedVault,
    add_records,
    make_closed_vault,
    sha256,
    vault_snapshot,
)

NEW = "violet tugboat measures the quiet lemon"


def _events(vault: Vault) -> list[str]:
    return [e.event for e in vault.audit_entries(newest_first=False)]


def test_create_makes_the_folder_and_records_it(vault_factory, tmp_path: Path) -> None:
    vault, recovery_key = vault_factory()
    folder = tmp_path / "vaults" / "Practice.tandem"
    assert vault.folder == folder
    assert looks_like_vault(folder)
    assert {p.name for p in folder.iterdir()} >= {"vault.db", "keyslots.json",
                                                   "keyslots.json.bak"}
    assert (folder / "keyslots.json").read_bytes() == (folder / "keyslots.json.bak").read_bytes()
    assert RecoveryKey.parse(str(recovery_key)) == recovery_key
    info = vault.info()
    assert info.name == "Practice"
    assert info.schema_version >= 2
    assert _events(vault) == [AuditEvent.VAULT_CREATED]
    # The database is encrypted from the first byte: no SQLite header.
    assert not (folder / "vault.db").read_bytes().startswith(b"SQLite format 3")


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "Busy.tandem"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(UsageError, match="not empty"):
        Vault.create(folder, PASSPHRASE)
    assert [p.name for p in folder.iterdir()] == ["thesis.docx"]
    assert (folder / "thesis.docx").read_bytes() == b"precious"


def test_reopen_with_passphrase(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        assert vault_snapshot(vault) == closed_vault.tables
        assert vault.remembered_key() == closed_vault.data_key
        events = _events(vault)
        assert events[-1] == AuditEvent.VAULT_OPENED
        assert vault.audit_entries(limit=1)[0].detail["how"] == "passphrase"


def test_reopen_with_recovery_key_as_typed(closed_vault: ClosedVault) -> None:
    typed = " ".join(closed_vault.recovery_key.groups).lower()
    with Vault.open(closed_vault.folder, Secret(recovery_key=RecoveryKey.parse(typed))) as vault:
        assert vault_snapshot(vault) == closed_vault.tables
        assert vault.audit_entries(limit=1)[0].detail["how"] == "recovery_key"


def test_reopen_with_data_key(closed_vault: ClosedVault) -> None:
    with Vault.open(closed_vault.folder, Secret(data_key=closed_vault.data_key)) as vault:
        assert vault_snapshot(vault) == closed_vault.tables
        assert vault.audit_entries(limit=1)[0].detail["how"] == "keychain"


def test_passphrase_is_unicode_normalised(tmp_path: Path) -> None:
    nfc = "café crème brûlée lighthouse"
    nfd = "cafe\u0301 cre\u0300me bru\u0302le\u0301e lighthouse"
    vault, _ = Vault.create(tmp_path / "U.tandem", nfc)
    vault.close()
    Vault.open(tmp_path / "U.tandem", Secret(passphrase=nfd)).close()


@pytest.mark.parametrize("wrong", ["correct horse battery stapl", "Correct horse battery staple",
                                   PASSPHRASE + " ", "x"])
def test_wrong_passphrase(closed_vault: ClosedVault, wrong: str) -> None:
    before = sha256(closed_vault.db)
    with pytest.raises(WrongSecret) as info:
        closed_vault.open(wrong)
    assert info.value.exit_code == 3
    assert "passphrase does not open" in info.value.message
    assert sha256(closed_vault.db) == before
    # Nothing is left locked: the right passphrase still opens.
    closed_vault.open().close()


def test_recovery_key_of_another_vault_is_wrong(closed_vault: ClosedVault,
                                                tmp_path: Path) -> None:
    other = make_closed_vault(tmp_path / "Other.tandem", records=0)
    with pytest.raises(WrongSecret) as info:
        Vault.open(closed_vault.folder, Secret(recovery_key=other.recovery_key))
    assert not isinstance(info.value, RecoveryKeyTypo)
    assert info.value.exit_code == 3
    assert "recovery key does not open" in info.value.message


def test_data_key_of_another_vault_is_wrong(closed_vault: ClosedVault, tmp_path: Path) -> None:
    other = make_closed_vault(tmp_path / "Other.tandem", records=0)
    with pytest.raises(WrongSecret, match="remembered"):
        Vault.open(closed_vault.folder, Secret(data_key=other.data_key))


def test_slot_moved_from_another_vault_does_not_open(closed_vault: ClosedVault,
                                                     tmp_path: Path) -> None:
    """The AAD binds a slot to its vault: another vault's passphrase slot is useless here."""
    other = make_closed_vault(tmp_path / "Other.tandem", records=0)
    mine = json.loads((closed_vault.folder / "keyslots.json").read_text())
    theirs = json.loads((other.folder / "keyslots.json").read_text())
    parsed = keyslots.KeySlotFile.from_bytes(json.dumps(mine).encode())
    moved = parsed.with_slot(keyslots.PASSPHRASE,
                             keyslots.KeySlot.from_json(theirs["slots"]["passphrase"]))
    keyslots.save(closed_vault.folder, moved)
    with pytest.raises(WrongSecret):
        closed_vault.open()


def test_no_secret_is_a_usage_error(closed_vault: ClosedVault) -> None:
    with pytest.raises(UsageError):
        Vault.open(closed_vault.folder, Secret())
    closed_vault.open().close()


def test_secret_repr_hides_it() -> None:
    assert PASSPHRASE not in repr(Secret(passphrase=PASSPHRASE))
    assert repr(Secret(data_key=b"k" * 32)) == "Secret(<keychain>)"


# -- changing the passphrase ------------------------------------------------------------------


def _changed_pages(before: bytes, after: bytes) -> int:
    pages = max(len(before), len(after)) // 4096
    return sum(before[i * 4096:(i + 1) * 4096] != after[i * 4096:(i + 1) * 4096]
               for i in range(pages))


def test_change_passphrase(closed_vault: ClosedVault) -> None:
    db_before = closed_vault.db.read_bytes()
    with closed_vault.open() as vault:
        vault.change_passphrase(PASSPHRASE, NEW)
        assert _events(vault)[-1] == AuditEvent.PASSPHRASE_CHANGED
        with pytest.raises(WrongSecret):
            vault.check_passphrase(PASSPHRASE)
        vault.check_passphrase(NEW)
    folder = closed_vault.folder
    with pytest.raises(WrongSecret):
        closed_vault.open(PASSPHRASE)
    with closed_vault.open(NEW) as vault:
        assert vault_snapshot(vault) == closed_vault.tables
        assert vault.remembered_key() == closed_vault.data_key  # re-wrapped, not re-keyed
    # The recovery key keeps working.
    Vault.open(folder, Secret(recovery_key=closed_vault.recovery_key)).close()
    # The database was not re-encrypted: only the header and the audit trail's pages changed.
    changed = _changed_pages(db_before, closed_vault.db.read_bytes())
    assert changed <= 6 < len(db_before) // 4096


def test_old_passphrase_fails_through_the_bak_too(closed_vault: ClosedVault) -> None:
    """After a confirmed change, neither key file may still let the old passphrase in."""
    folder = closed_vault.folder
    with closed_vault.open() as vault:
        vault.change_passphrase(PASSPHRASE, NEW)
    bak = folder / "keyslots.json.bak"
    assert bak.read_bytes() == (folder / "keyslots.json").read_bytes()
    # Only the .bak left: it too refuses the old passphrase and accepts the new one.
    (folder / "keyslots.json").unlink()
    with pytest.raises(WrongSecret):
        closed_vault.open(PASSPHRASE)
    assert not (folder / "keyslots.json").exists()
    with closed_vault.open(NEW) as vault:
        assert vault_snapshot(vault) == closed_vault.tables
    assert (folder / "keyslots.json").exists()  # repaired from the .bak
    # And a leftover .bak from *before* the change is not what the folder holds.
    parsed = keyslots.KeySlotFile.from_bytes(bak.read_bytes())
    key = keyslots.unlock_with_passphrase(parsed.slots["passphrase"], NEW, parsed.vault_id)
    assert key == closed_vault.data_key


def test_bak_left_with_the_old_passphrase_is_resynced_on_open(closed_vault: ClosedVault) -> None:
    """A crash between writing keyslots.json and its .bak leaves the old slot in the .bak; the
    next open rewrites the .bak, so the old passphrase stops working everywhere."""
    folder = closed_vault.folder
    old_file = (folder / "keyslots.json").read_bytes()
    with closed_vault.open() as vault:
        vault.change_passphrase(PASSPHRASE, NEW)
    (folder / "keyslots.json.bak").write_bytes(old_file)  # as if the process died in between
    with pytest.raises(WrongSecret):
        closed_vault.open(PASSPHRASE)  # keyslots.json decides, not the .bak
    closed_vault.open(NEW).close()
    assert (folder / "keyslots.json.bak").read_bytes() == (folder / "keyslots.json").read_bytes()
    (folder / "keyslots.json").unlink()
    with pytest.raises(WrongSecret):
        closed_vault.open(PASSPHRASE)


def test_change_passphrase_needs_the_current_one(closed_vault: ClosedVault) -> None:
    keys_before = (closed_vault.folder / "keyslots.json").read_bytes()
    with closed_vault.open() as vault, pytest.raises(WrongSecret):
        vault.change_passphrase("not the passphrase at all", NEW)
    assert (closed_vault.folder / "keyslots.json").read_bytes() == keys_before
    closed_vault.open().close()


def test_replace_recovery_key(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        with pytest.raises(WrongSecret):
            vault.replace_recovery_key("wrong passphrase here")
        new_key = vault.replace_recovery_key(PASSPHRASE)
        assert _events(vault)[-1] == AuditEvent.RECOVERY_KEY_REPLACED
    with pytest.raises(WrongSecret):
        Vault.open(closed_vault.folder, Secret(recovery_key=closed_vault.recovery_key))
    with Vault.open(closed_vault.folder, Secret(recovery_key=new_key)) as vault:
        assert vault_snapshot(vault) == closed_vault.tables


# -- rotating the data key --------------------------------------------------------------------


def test_rotate_data_key(closed_vault: ClosedVault) -> None:
    folder = closed_vault.folder
    db_before = closed_vault.db.read_bytes()
    with closed_vault.open() as vault:
        with pytest.raises(WrongSecret):
            vault.rotate_data_key("wrong passphrase here")
        new_recovery = vault.rotate_data_key(PASSPHRASE)
        new_key = vault.remembered_key()
        assert new_key != closed_vault.data_key
        assert _events(vault)[-1] == AuditEvent.DATA_KEY_ROTATED
        assert vault.call(cipher_integrity_check) == []
        assert vault.call(quick_check) == []
        assert vault_snapshot(vault) == closed_vault.tables
        # Still writable under the new key.
        add_records(vault, 1, prefix="after rotation ")
        tables_after = vault_snapshot(vault)
    after = closed_vault.db.read_bytes()
    assert after != db_before
    # Every page was re-encrypted: no 4 KiB page is unchanged.
    pages = min(len(after), len(db_before)) // 4096
    same = [i for i in range(pages) if after[i * 4096:(i + 1) * 4096]
            == db_before[i * 4096:(i + 1) * 4096]]
    assert same == []
    key_file = keyslots.load(folder).file
    assert key_file.pending is None
    with pytest.raises(WrongSecret):
        Vault.open(folder, Secret(recovery_key=closed_vault.recovery_key))
    with pytest.raises(WrongSecret):
        Vault.open(folder, Secret(data_key=closed_vault.data_key))
    with Vault.open(folder, Secret(recovery_key=new_recovery)) as vault:
        assert vault_snapshot(vault) == tables_after
        report = vault.verify()
        assert report.ok, report
    with Vault.open(folder, Secret(data_key=new_key)) as vault:
        assert vault.remembered_key() == new_key
    with closed_vault.open() as vault:
        assert vault.remembered_key() == new_key


def test_rotated_vault_copy_does_not_open_with_old_key(closed_vault: ClosedVault,
                                                       tmp_path: Path) -> None:
    """A stolen old key opens a copy taken before the rotation, but not the vault after it."""
    copy = tmp_path / "copy.tandem"
    shutil.copytree(closed_vault.folder, copy)
    with closed_vault.open() as vault:
        vault.rotate_data_key(PASSPHRASE)
    Vault.open(copy, Secret(data_key=closed_vault.data_key)).close()
    with pytest.raises(WrongSecret):
        Vault.open(closed_vault.folder, Secret(data_key=closed_vault.data_key))
