"""One writer per vault: a second open, in this process or another, is refused clearly."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from app.errors import VaultAlreadyOpen
from storage.vault import Secret, Vault
from tests.conftest import ROOT
from tests.support.vaults import PASSPHRASE, ClosedVault

SECOND_PROCESS = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app.errors import TandemError
    from storage.vault import Secret, Vault
    try:
        Vault.open(Path(sys.argv[1]), Secret(passphrase=sys.stdin.readline().rstrip("\\n"))).close()
    except TandemError as exc:
        print(type(exc).__name__, exc.exit_code, exc.message)
        sys.exit(exc.exit_code)
    print("opened")
""")


def _second_process(folder) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SECOND_PROCESS, str(folder)],
                          input=PASSPHRASE + "\n", capture_output=True, text=True, timeout=60,
                          cwd=ROOT)


def test_second_open_in_the_same_process(closed_vault: ClosedVault) -> None:
    with closed_vault.open():
        for secret in (Secret(passphrase=PASSPHRASE), Secret(data_key=closed_vault.data_key)):
            with pytest.raises(VaultAlreadyOpen) as info:
                Vault.open(closed_vault.folder, secret)
            assert info.value.exit_code == 5
            assert "already open" in info.value.message
    closed_vault.open().close()


def test_second_open_with_a_wrong_passphrase_says_already_open(closed_vault: ClosedVault) -> None:
    """The lock is checked before the (slow) KDF: no guessing against an open vault."""
    with closed_vault.open(), pytest.raises(VaultAlreadyOpen):
        closed_vault.open("not the passphrase")


def test_second_process_is_refused_then_allowed(closed_vault: ClosedVault) -> None:
    with closed_vault.open():
        result = _second_process(closed_vault.folder)
        assert result.returncode == 5, result.stderr
        assert result.stdout.startswith("VaultAlreadyOpen 5 ")
        assert "already open" in result.stdout
    result = _second_process(closed_vault.folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "opened"


def test_close_is_idempotent_and_releases_the_lock(closed_vault: ClosedVault) -> None:
    vault = closed_vault.open()
    vault.close()
    vault.close()
    assert vault.closed
    closed_vault.open().close()


def test_failed_open_releases_the_lock(closed_vault: ClosedVault) -> None:
    with pytest.raises(Exception):  # noqa: B017
        closed_vault.open("wrong passphrase entirely")
    (closed_vault.folder / "keyslots.json").write_text("{")
    (closed_vault.folder / "keyslots.json.bak").write_text("{")
    with pytest.raises(Exception):  # noqa: B017
        closed_vault.open()
    assert _second_process(closed_vault.folder).returncode == 4


def test_closed_vault_refuses_work(closed_vault: ClosedVault) -> None:
    vault = closed_vault.open()
    vault.close()
    with pytest.raises(Exception, match="locked"):
        vault.call(lambda c: c.execute("SELECT 1"))
    assert all(b == 0 for b in vault._data_key)
