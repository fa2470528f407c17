"""`tandem vault passwd PATH --recovery-key-stdin`: a new passphrase for a forgotten one."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.vault import PASSPHRASE_RESET, Secret, Vault
from tests.cli.test_cli import NEW, one_line_error
from tests.support.vaults import (
    PASSPHRASE,
    ClosedVault,
    make_closed_vault,
    vault_snapshot,
)


@pytest.fixture
def vault(tmp_path: Path) -> ClosedVault:
    return make_closed_vault(tmp_path / "vaults" / "Practice.tandem")


def _key_files(cv: ClosedVault) -> tuple[bytes, bytes]:
    return ((cv.folder / "keyslots.json").read_bytes(),
            (cv.folder / "keyslots.json.bak").read_bytes())


def _verify(tandem, cv: ClosedVault, flag: str, secret: str) -> int:
    return tandem("vault", "verify", cv.folder, flag, stdin=secret + "\n").returncode


@pytest.mark.parametrize("new_lines", [1, 2], ids=["new-once", "new-twice"])
def test_passwd_with_the_recovery_key(tandem, vault: ClosedVault, new_lines: int) -> None:
    """The key line, then the new passphrase as passwd reads it (a repeat line is harmless)."""
    key = str(vault.recovery_key).lower().replace("-", " ")  # as typed from the paper
    result = tandem("vault", "passwd", vault.folder, "--recovery-key-stdin",
                    stdin=key + "\n" + (NEW + "\n") * new_lines)
    assert result.returncode == 0, result.stderr
    assert "New passphrase set with the recovery key" in result.stdout
    assert result.stderr == ""
    assert str(vault.recovery_key) not in result.stdout and NEW not in result.stdout
    assert _verify(tandem, vault, "--passphrase-stdin", PASSPHRASE) == 3
    assert _verify(tandem, vault, "--passphrase-stdin", NEW) == 0
    assert _verify(tandem, vault, "--recovery-key-stdin", str(vault.recovery_key)) == 0
    with vault.open(NEW) as opened:
        assert vault_snapshot(opened) == vault.tables
        assert PASSPHRASE_RESET in [e.event for e in opened.audit_entries()]


def test_wrong_or_mistyped_recovery_key_changes_nothing(tandem, vault: ClosedVault,
                                                        tmp_path: Path) -> None:
    before = _key_files(vault)
    other = make_closed_vault(tmp_path / "Other.tandem", records=0)
    text = str(vault.recovery_key)
    typo = text[:5] + ("7" if text[5] != "7" else "8") + text[6:]
    for key, words in ((str(other.recovery_key), "does not open"), (typo, "mistyped")):
        result = tandem("vault", "passwd", vault.folder, "--recovery-key-stdin",
                        stdin=f"{key}\n{NEW}\n")
        assert result.returncode == 3, result.stderr
        assert words in one_line_error(result)
        assert _key_files(vault) == before
    assert _verify(tandem, vault, "--passphrase-stdin", PASSPHRASE) == 0


def test_weak_or_missing_new_passphrase_changes_nothing(tandem, vault: ClosedVault) -> None:
    before = _key_files(vault)
    key = str(vault.recovery_key)
    weak = tandem("vault", "passwd", vault.folder, "--recovery-key-stdin",
                  stdin=f"{key}\nqwerty123\n")
    assert weak.returncode == 2
    assert "too weak" in one_line_error(weak)
    missing = tandem("vault", "passwd", vault.folder, "--recovery-key-stdin", stdin=key + "\n")
    assert missing.returncode == 2
    assert "new passphrase" in one_line_error(missing)
    assert _key_files(vault) == before
    with Vault.open(vault.folder, Secret(passphrase=PASSPHRASE)) as opened:
        assert PASSPHRASE_RESET not in [e.event for e in opened.audit_entries()]


def test_recovery_key_and_passphrase_flags_exclude_each_other(tandem,
                                                              vault: ClosedVault) -> None:
    result = tandem("vault", "passwd", vault.folder, "--passphrase-stdin",
                    "--recovery-key-stdin", stdin=f"{PASSPHRASE}\n{NEW}\n")
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert _verify(tandem, vault, "--passphrase-stdin", PASSPHRASE) == 0
