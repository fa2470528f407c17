"""A vault in a read-only folder: one clear line and exit 4, never a traceback, nothing changed.

The suite runs as root here, and root ignores permissions. So the command line runs through
tests/support/as_nobody.py, which drops to uid/gid 65534 before touching the vault (see its
docstring for why preexec_fn cannot be used on this machine). Not root: the permissions apply
to us already, and the command runs directly.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import TANDEM
from tests.conftest import ROOT
from tests.support.vaults import PASSPHRASE, make_closed_vault

NOBODY = 65534
AS_NOBODY = ROOT / "tests" / "support" / "as_nobody.py"


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A folder `nobody` can reach (the test's tmp_path sits under a root-only 0700 folder)."""
    path = Path(tempfile.mkdtemp(prefix="tandem-ro-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    for folder, dirs, _files in os.walk(path):
        for name in dirs:
            (Path(folder) / name).chmod(0o755)
    shutil.rmtree(path, ignore_errors=True)


def _run(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TANDEM_KDF_PROFILE="minimum")
    env.pop("TANDEM_DEBUG", None)
    as_root = os.geteuid() == 0
    command = [sys.executable, str(AS_NOBODY), *args] if as_root else [str(TANDEM), *args]
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env,
                            timeout=120, cwd=ROOT)
    if result.returncode == 99 and "could not drop privileges" in result.stderr:
        pytest.skip("running as root and cannot drop privileges to nobody")
    return result


def _make_read_only(folder: Path, case: str) -> None:
    if os.geteuid() == 0:
        for path in [folder, *folder.iterdir()]:
            os.chown(path, NOBODY, NOBODY)
    if case in ("all", "files", "database"):
        for path in folder.iterdir():
            if case != "database" or path.name.startswith("vault.db"):
                path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    if case in ("all", "folder"):
        folder.chmod(0o555)


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", ["all", "folder", "files", "database"])
def test_read_only_vault_gives_one_clear_line_and_exit_4(public_dir: Path, case: str) -> None:
    cv = make_closed_vault(public_dir / "Practice.tandem")
    _make_read_only(cv.folder, case)
    before = _state(cv.folder)
    backups = public_dir / "backups"
    backups.mkdir(mode=0o777)
    backups.chmod(0o777)
    commands = {
        "verify": ["vault", "verify", str(cv.folder), "--passphrase-stdin"],
        "backup": ["backup", str(cv.folder), "--to", str(backups), "--passphrase-stdin"],
        "passwd": ["vault", "passwd", str(cv.folder), "--passphrase-stdin"],
    }
    for name, args in commands.items():
        result = _run(args, f"{PASSPHRASE}\nviolet tugboat measures the quiet lemon\n")
        assert result.returncode == 4, (name, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (name, result.stderr)
        line = lines[0].lower()
        assert line.startswith("tandem: ")
        assert "unexpected" not in line
        assert any(w in line for w in ("read-only", "permission", "cannot be written")), line
    after = _state(cv.folder)
    assert {name: after[name] for name in before} == before
    # Only SQLite's WAL index may appear, and only where the folder itself was writable.
    assert set(after) - set(before) <= ({"vault.db-wal", "vault.db-shm"}
                                        if case == "database" else set())
    assert list(backups.iterdir()) == []
