"""A read-only disk or folder: one clear message that says "read-only", nothing changed.

Two kinds of read-only:
- a filesystem mounted read-only (a write-protected stick): a tmpfs remounted `ro`, where even
  root gets EROFS (needs mount rights: skipped where the system does not allow it);
- a folder the user may not write to: the command line run as `nobody` (uid 65534) through
  tests/support/as_nobody.py (the foundation's runner in tests/cli/test_readonly.py), because
  root ignores file permissions.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import StorageFailure
from storage.backup import make_backup
from storage.portability import write_export
from storage.vault import Secret, Vault
from tests.cli import test_readonly
from tests.faults.harness import reopened
from tests.support.vaults import PASSPHRASE, make_closed_vault, sha256, snapshot

NOBODY = 65534
public_dir = test_readonly.public_dir  # the fixture: a folder `nobody` can reach
run_as_nobody = test_readonly._run


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs holding a closed vault, then remounted read-only."""
    root = tmp_path / "ro-disk"
    root.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(root)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        make_closed_vault(root / "Practice.tandem", records=3)
        (root / "Backups").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True)
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def _state(folder: Path) -> dict[str, str]:
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_vault_on_a_read_only_disk(read_only_disk: Path) -> None:
    folder = read_only_disk / "Practice.tandem"
    before = _state(folder)
    with pytest.raises(StorageFailure) as info:
        Vault.open(folder, Secret(passphrase=PASSPHRASE))
    message = info.value.message
    assert "read-only" in message and str(folder) in message, message
    assert "Permission denied" not in message
    assert _state(folder) == before


def test_backup_and_export_onto_a_read_only_disk(read_only_disk: Path, tmp_path: Path) -> None:
    cv = make_closed_vault(tmp_path / "Practice.tandem", records=3)
    with cv.open() as vault:
        for target in (read_only_disk / "Backups", read_only_disk / "New backups"):
            with pytest.raises(StorageFailure) as info:
                make_backup(vault, target)
            assert "read-only" in info.value.message and str(target) in info.value.message
        with pytest.raises(StorageFailure) as info:
            write_export(vault, read_only_disk / "practice.json")
        assert "read-only" in info.value.message
        # The trail does not claim an export that was never written.
        assert [e.event for e in vault.audit_entries(limit=2)] == \
            ["record.export_failed", "record.exported"]
        assert list((read_only_disk / "Backups").iterdir()) == []
        # Still usable: a backup to a writable folder works at once.
        make_backup(vault, tmp_path / "elsewhere")
    with reopened(cv.folder, Secret(passphrase=PASSPHRASE)) as vault:
        assert vault.call(snapshot) == cv.tables


@pytest.mark.parametrize("command", ["backup", "export"])
def test_writing_into_a_folder_the_user_may_not_write(public_dir: Path, command: str) -> None:
    cv = make_closed_vault(public_dir / "Practice.tandem")
    if os.geteuid() == 0:  # the vault is theirs; the target folder is not
        for path in [cv.folder, *cv.folder.iterdir()]:
            os.chown(path, NOBODY, NOBODY)
    locked = public_dir / "not-yours"
    locked.mkdir()
    locked.chmod(0o555)  # readable, not writable (root's, or the user's own but read-only)
    before = _state(cv.folder)
    args = (["backup", str(cv.folder), "--to", str(locked)] if command == "backup" else
            ["export", str(cv.folder), "--to", str(locked / "practice.json")])
    result = run_as_nobody([*args, "--passphrase-stdin"], PASSPHRASE + "\n")
    assert result.returncode == 4, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "read-only" in lines[0] and str(locked) in lines[0], lines[0]
    assert "unexpected" not in lines[0]
    assert list(locked.iterdir()) == []
    after = _state(cv.folder)
    assert {name: after[name] for name in before if name != "vault.db"} == \
        {name: before[name] for name in before if name != "vault.db"}
    with reopened(cv.folder, Secret(passphrase=PASSPHRASE)) as vault:
        assert vault.call(snapshot) == cv.tables


def test_read_only_vault_folder_says_read_only(public_dir: Path) -> None:
    cv = make_closed_vault(public_dir / "Practice.tandem")
    cv.folder.chmod(0o555)  # root's, and read-only to everyone else
    result = run_as_nobody(["vault", "verify", str(cv.folder), "--passphrase-stdin"],
                           PASSPHRASE + "\n")
    assert result.returncode == 4, result.stderr
    assert "read-only" in result.stderr and "Traceback" not in result.stderr, result.stderr
