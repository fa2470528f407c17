"""The `tandem` command line: exit codes, one-line errors, secrets only on stdin."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from app.recovery_key import RecoveryKey
from app.version import __version__
from storage import schema
from storage.vault import Secret, Vault
from tests.cli.conftest import TANDEM
from tests.support.vaults import (
    PASSPHRASE,
    ClosedVault,
    flip_byte,
    make_closed_vault,
    raw_connect,
    vault_snapshot,
)

NEW = "violet tugboat measures the quiet lemon"


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error contract: exactly one line on stderr, prefixed, and never a traceback."""
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tandem: ")
    return lines[0]


@pytest.fixture
def vault(tmp_path: Path) -> ClosedVault:
    return make_closed_vault(tmp_path / "vaults" / "Practice.tandem")


def test_version(tandem) -> None:
    result = tandem("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Tandem {__version__}"


def test_create_prints_a_recovery_key_that_restores(tandem, tmp_path: Path) -> None:
    path = tmp_path / "New Practice"
    result = tandem("vault", "create", path, "--name", "Dr Example", "--passphrase-stdin",
                    stdin=PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    folder = tmp_path / "New Practice.tandem"
    assert folder.is_dir()
    assert str(folder) in result.stdout
    assert "shown once" in result.stdout
    match = re.search(r"^\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){7})\s*$", result.stdout, re.MULTILINE)
    assert match, result.stdout
    recovery_key = RecoveryKey.parse(match.group(1))
    assert PASSPHRASE not in result.stdout
    # The key opens the vault, through the command line too.
    verify = tandem("vault", "verify", folder, "--recovery-key-stdin",
                    stdin=match.group(1).lower() + "\n")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    backup = tandem("backup", folder, "--to", tmp_path / "backups", "--passphrase-stdin",
                    stdin=PASSPHRASE + "\n")
    assert backup.returncode == 0, backup.stderr
    (made,) = (tmp_path / "backups").iterdir()
    restored = tandem("restore", made, tmp_path / "restored" / "Copy", "--recovery-key-stdin",
                      stdin=str(recovery_key) + "\n")
    assert restored.returncode == 0, restored.stderr
    assert "Restored into" in restored.stdout
    with Vault.open(tmp_path / "restored" / "Copy.tandem",
                    Secret(recovery_key=recovery_key)) as opened:
        assert opened.info().name == "Dr Example"


def test_create_refuses_a_weak_passphrase(tandem, tmp_path: Path) -> None:
    result = tandem("vault", "create", tmp_path / "Weak", "--passphrase-stdin",
                    stdin="password1\n")
    assert result.returncode == 2
    assert "too weak" in one_line_error(result)
    assert not (tmp_path / "Weak.tandem").exists()


def test_create_refuses_an_existing_folder(tandem, vault: ClosedVault) -> None:
    before = sorted(p.name for p in vault.folder.iterdir())
    result = tandem("vault", "create", vault.folder, "--passphrase-stdin", stdin=NEW + "\n")
    assert result.returncode == 2
    assert "already exists" in one_line_error(result)
    assert sorted(p.name for p in vault.folder.iterdir()) == before


def test_verify_prints_each_check(tandem, vault: ClosedVault) -> None:
    result = tandem("vault", "verify", vault.folder, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for check in ("quick_check", "integrity_check", "cipher_integrity", "Audit trail",
                  "Key file"):
        line = next(x for x in out.splitlines() if check in x)
        assert line.rstrip().endswith(("ok", "chain intact")), line
    assert "Verdict: OK" in out
    assert "Practice" in out


def test_verify_reports_a_damaged_vault_with_exit_4(tandem, tmp_path: Path) -> None:
    big = make_closed_vault(tmp_path / "Big.tandem", records=300)
    pages = big.db.stat().st_size // 4096
    flip_byte(big.db, (pages // 2) * 4096 + 500)
    result = tandem("vault", "verify", big.folder, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "PROBLEM" in result.stdout
    assert f"page {pages // 2 + 1}" in result.stdout
    assert "DAMAGED" in result.stdout


def test_verify_reports_a_tampered_audit_trail(tandem, vault: ClosedVault) -> None:
    conn = raw_connect(vault.db, vault.data_key)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET event = 'vault.locked' WHERE seq = 2")
    conn.close()
    result = tandem("vault", "verify", vault.folder, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 4
    assert "Audit trail:" in result.stdout
    assert "entry 2 was altered" in result.stdout


@pytest.mark.parametrize("damage", ["truncate", "empty"])
def test_unopenable_vault_exits_4(tandem, tmp_path: Path, damage: str) -> None:
    big = make_closed_vault(tmp_path / "Big.tandem", records=300)
    os.truncate(big.db, 0 if damage == "empty" else big.db.stat().st_size - 3 * 4096)
    result = tandem("vault", "verify", big.folder, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 4
    line = one_line_error(result)
    assert "backup" in line.lower()


def test_wrong_passphrase_exits_3(tandem, vault: ClosedVault) -> None:
    for args in (("vault", "verify", vault.folder), ("backup", vault.folder, "--to", "b"),
                 ("vault", "passwd", vault.folder)):
        result = tandem(*args, "--passphrase-stdin", stdin="not the passphrase\n" + NEW + "\n")
        assert result.returncode == 3, (args, result.stderr)
        assert "does not open" in one_line_error(result)


def test_mistyped_recovery_key_exits_3(tandem, vault: ClosedVault) -> None:
    text = str(vault.recovery_key)
    typo = text[:5] + ("7" if text[5] != "7" else "8") + text[6:]
    result = tandem("vault", "verify", vault.folder, "--recovery-key-stdin", stdin=typo + "\n")
    assert result.returncode == 3
    assert "mistyped" in one_line_error(result)


def test_missing_vault_exits_4(tandem, tmp_path: Path) -> None:
    for path in (tmp_path / "nowhere.tandem", tmp_path):
        result = tandem("vault", "verify", path, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert result.returncode == 4
        assert "no Tandem vault" in one_line_error(result)
    result = tandem("restore", tmp_path / "missing.tandembackup", tmp_path / "dest",
                    "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 4
    one_line_error(result)
    assert not (tmp_path / "dest.tandem").exists()


@pytest.mark.parametrize("args", [
    ["vault"], ["vault", "create"], ["vault", "explode", "x"], ["--no-such-option"],
    ["backup"], ["restore", "only-one-argument"],
    ["vault", "verify", "x", "--passphrase-stdin", "--recovery-key-stdin"],
])
def test_usage_errors_exit_2(tandem, args: list[str]) -> None:
    result = tandem(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage:" in result.stderr


def test_secret_missing_from_stdin_is_a_usage_error(tandem, vault: ClosedVault) -> None:
    for stdin in ("", "\n"):
        result = tandem("vault", "verify", vault.folder, "--passphrase-stdin", stdin=stdin)
        assert result.returncode == 2
        one_line_error(result)
    # No terminal and no --passphrase-stdin: say how to pass it, do not hang.
    result = tandem("vault", "verify", vault.folder, stdin=PASSPHRASE + "\n")
    assert result.returncode == 2
    assert "--passphrase-stdin" in one_line_error(result)


def test_already_open_exits_5(tandem, vault: ClosedVault) -> None:
    with vault.open():
        result = tandem("vault", "verify", vault.folder, "--passphrase-stdin",
                        stdin=PASSPHRASE + "\n")
        assert result.returncode == 5
        assert "already open" in one_line_error(result)
    result = tandem("vault", "verify", vault.folder, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 0


def test_newer_vault_exits_6_untouched(tandem, vault: ClosedVault) -> None:
    conn = raw_connect(vault.db, vault.data_key)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
    conn.close()
    before = vault.db.read_bytes()
    for args in (("vault", "verify", vault.folder), ("backup", vault.folder, "--to", "b")):
        result = tandem(*args, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert result.returncode == 6
        assert "newer version" in one_line_error(result)
    assert vault.db.read_bytes() == before


def test_passwd(tandem, vault: ClosedVault) -> None:
    result = tandem("vault", "passwd", vault.folder, "--passphrase-stdin",
                    stdin=f"{PASSPHRASE}\n{NEW}\n")
    assert result.returncode == 0, result.stderr
    assert "Passphrase changed" in result.stdout
    assert tandem("vault", "verify", vault.folder, "--passphrase-stdin",
                  stdin=PASSPHRASE + "\n").returncode == 3
    assert tandem("vault", "verify", vault.folder, "--passphrase-stdin",
                  stdin=NEW + "\n").returncode == 0
    with vault.open(NEW) as opened:
        assert vault_snapshot(opened) == vault.tables


def test_passwd_refuses_a_weak_new_passphrase(tandem, vault: ClosedVault) -> None:
    keys = (vault.folder / "keyslots.json").read_bytes()
    result = tandem("vault", "passwd", vault.folder, "--passphrase-stdin",
                    stdin=f"{PASSPHRASE}\nqwerty123\n")
    assert result.returncode == 2
    assert "too weak" in one_line_error(result)
    assert (vault.folder / "keyslots.json").read_bytes() == keys


def test_rekey(tandem, vault: ClosedVault) -> None:
    result = tandem("vault", "rekey", vault.folder, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    new_key = RecoveryKey.parse(result.stdout.rsplit(":", 1)[1].strip())
    old = tandem("vault", "verify", vault.folder, "--recovery-key-stdin",
                 stdin=str(vault.recovery_key) + "\n")
    assert old.returncode == 3
    new = tandem("vault", "verify", vault.folder, "--recovery-key-stdin",
                 stdin=str(new_key) + "\n")
    assert new.returncode == 0, new.stdout


def test_backup_and_restore(tandem, vault: ClosedVault, tmp_path: Path) -> None:
    result = tandem("backup", vault.folder, "--to", tmp_path / "b", "--passphrase-stdin",
                    stdin=PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    (made,) = (tmp_path / "b").iterdir()
    assert re.fullmatch(r"Practice-\d{8}-\d{6}\.tandembackup", made.name)
    assert f"Backup written and verified: {made}" in result.stdout
    dest = tmp_path / "restored" / "Practice.tandem"
    result = tandem("restore", made, dest, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    with Vault.open(dest, Secret(passphrase=PASSPHRASE)) as restored:
        assert vault_snapshot(restored) == vault.tables
    # Never over an existing folder.
    before = sorted(p.name for p in dest.iterdir())
    again = tandem("restore", made, dest, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert again.returncode == 2
    assert "already exists" in one_line_error(again)
    assert sorted(p.name for p in dest.iterdir()) == before
    # A damaged backup is refused and leaves nothing behind.
    data = made.read_bytes()
    made.write_bytes(data[: len(data) // 2])
    broken = tandem("restore", made, tmp_path / "other", "--passphrase-stdin",
                    stdin=PASSPHRASE + "\n")
    assert broken.returncode == 4
    one_line_error(broken)
    assert not (tmp_path / "other.tandem").exists()


def test_backup_to_the_default_folder(tandem, vault: ClosedVault) -> None:
    result = tandem("backup", vault.folder, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    default = Path(os.environ["TANDEM_DATA_DIR"]) / "Backups"
    assert len(list(default.glob("*.tandembackup"))) == 1


ARGV_SECRETS = [
    ("vault", "verify", "{folder}", "--passphrase", PASSPHRASE),
    ("vault", "create", "x", "--passphrase=" + PASSPHRASE),
    ("vault", "passwd", "{folder}", "--passphrase", PASSPHRASE),
    ("restore", "a", "b", "--recovery-key", "{key}"),
]


def _argv(args: tuple[str, ...], vault: ClosedVault) -> list[str]:
    return [a.format(folder=vault.folder, key=vault.recovery_key) for a in args]


def test_passphrase_is_never_an_argument(tandem, vault: ClosedVault) -> None:
    for args in ARGV_SECRETS:
        result = tandem(*_argv(args, vault))
        assert result.returncode == 2, args
        assert "usage:" in result.stderr
        assert not (vault.folder.parent / "x.tandem").exists()
    for args in (("--help",), ("vault", "verify", "--help"), ("vault", "create", "--help"),
                 ("vault", "passwd", "--help"), ("backup", "--help"), ("restore", "--help")):
        text = tandem(*args).stdout
        assert not re.search(r"--passphrase(?!-stdin)", text), args
        assert not re.search(r"--recovery-key(?!-stdin)", text), args
        assert not re.search(r"TANDEM_PASS|PASSPHRASE=", text), args


def test_secret_is_not_in_argv_or_environment_of_the_process(vault: ClosedVault) -> None:
    """While the command waits for its passphrase, nothing about it is visible in /proc."""
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("no /proc on this system")
    env = dict(os.environ, TANDEM_KDF_PROFILE="minimum")
    proc = subprocess.Popen([str(TANDEM), "vault", "verify", str(vault.folder),
                             "--passphrase-stdin"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        time.sleep(0.3)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes()
        _out, err = proc.communicate(PASSPHRASE + "\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert PASSPHRASE.encode() not in cmdline
    assert PASSPHRASE.encode() not in environ
    assert b"--passphrase-stdin" in cmdline


def test_a_secret_put_in_argv_by_mistake_is_not_echoed(tandem, vault: ClosedVault) -> None:
    for args in ARGV_SECRETS:
        result = tandem(*_argv(args, vault))
        assert result.returncode == 2
        assert PASSPHRASE not in result.stderr, args
        assert str(vault.recovery_key) not in result.stderr, args
