"""Shared machinery of the fault tests: killing a worker at random, and checking what is left.

The child-process runner is the one the foundation's crash test uses (tests/storage/test_crash.py
`Child`); this module adds what every operation of the kill -9 matrix needs on top of it:

- `kill_at_random`: start `tests/faults/worker.py`, wait for "ready" (or not: a tenth of the
  kills land during start-up and unlocking), sleep a seeded random delay, SIGKILL;
- `reopened`: open the vault afterwards and insist on every check Tandem has (quick_check on a
  second connection, integrity_check, cipher_integrity_check, the audit chain, the key files);
- `backup_folder_report`: every file an interrupted backup can leave, and proof that none of
  the half-written ones is ever taken for a good backup.

Kills per operation: `TANDEM_FAULT_KILLS` (default 12, so the whole matrix stays well under a
minute in CI); seed: `TANDEM_FAULT_SEED`. `TANDEM_FAULT_REPORT=FILE` appends each operation's
figures as a JSON line, for docs/security.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import TandemError, VaultDamaged
from storage import keyslots
from storage.backup import EXTENSION, restore_backup, verify_backup
from storage.backup_rotation import backups_of
from storage.vault import Secret, Vault
from tests.storage.test_crash import Child
from tests.support.vaults import snapshot

SEED = int(os.environ.get("TANDEM_FAULT_SEED", "20260808"))
KILLS = int(os.environ.get("TANDEM_FAULT_KILLS", "12"))
EARLY_SHARE = 0.1  # kills before the worker says "ready": during start-up, unlock and open
WORKER = ["-m", "tests.faults.worker"]
KEY_CHANGER = ["tests/support/key_changer.py"]


def rng_for(operation: str) -> random.Random:
    """A generator seeded by the run's seed and the operation (string seeds are stable)."""
    return random.Random(f"{SEED}:{operation}")


@dataclass
class Outcome:
    """What one killed worker said before it died."""

    lines: list[str]
    early: bool
    delay: float

    @property
    def acks(self) -> list[str]:
        """The acknowledgements: only complete lines, each written after its commit returned."""
        return [line.split(" ", 1)[1] for line in self.lines if line.startswith("ack ")]

    @property
    def finished(self) -> bool:
        """True when a one-shot operation returned before the kill arrived."""
        return "done" in self.lines


def kill_at_random(args: list[str], secrets: str, rng: random.Random, window: float, *,
                   program: list[str] = WORKER) -> Outcome:
    """Run the worker with `args`, SIGKILL it at a random moment, return what it acknowledged.

    `secrets` go to its standard input. `window` is how long after "ready" the kill may come
    (seconds); early kills come within the first 0.4 s of the process's life instead.
    """
    early = rng.random() < EARLY_SHARE
    delay = rng.uniform(0.0, 0.4) if early else rng.uniform(0.0, window)
    child = Child([*program, *args], secrets + "\n")
    try:
        if not early:
            child.wait_for("ready", timeout=60)
        time.sleep(delay)
        child.kill()
    finally:
        child.close()
    return Outcome(child.lines, early, delay)


def run_to_completion(args: list[str], secret_line: str) -> float:
    """Run a one-shot worker without killing it; seconds from "ready" to "done" (calibration)."""
    child = Child([*WORKER, *args], secret_line + "\n")
    try:
        child.wait_for("ready", timeout=60)
        started = time.perf_counter()
        child.wait_for("done", timeout=120)
        elapsed = time.perf_counter() - started
        assert child.proc.wait(timeout=60) == 0, child.stderr()
    finally:
        child.close()
    return elapsed


def assert_key_files_sound(folder: Path) -> None:
    """keyslots.json and its .bak both parse, agree, and no half-written key file is left."""
    main = (folder / keyslots.FILE_NAME).read_bytes()
    keyslots.KeySlotFile.from_bytes(main)
    assert (folder / keyslots.BACKUP_NAME).read_bytes() == main
    leftovers = sorted(p.name for p in folder.glob(f".{keyslots.FILE_NAME}.*"))
    assert leftovers == [], leftovers


@contextlib.contextmanager
def reopened(folder: Path, secret: Secret) -> Iterator[Vault]:
    """Open after a kill and require every check to pass; the vault is closed afterwards."""
    vault = Vault.open(folder, secret)
    try:
        assert vault.check_integrity() == []
        report = vault.verify()
        assert report.ok, report
        yield vault
    finally:
        vault.close()
    assert_key_files_sound(folder)


@dataclass
class Figures:
    """The counts and timings one operation's matrix reports."""

    operation: str
    counts: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    def add(self, key: str, amount: int = 1) -> None:
        """Count something."""
        self.counts[key] += amount

    def killed(self, outcome: Outcome) -> None:
        """Count one kill whose aftermath passed every check."""
        self.add("kills")
        self.add("early_kills", outcome.early)

    def finish(self) -> dict[str, Any]:
        """Print the figures (pytest -s shows them) and append them to TANDEM_FAULT_REPORT."""
        elapsed = time.perf_counter() - self.started
        record = {"operation": self.operation, "seed": SEED, **dict(self.counts),
                  "seconds": round(elapsed, 1)}
        print(f"\nkill -9 {self.operation}: {json.dumps(record)}")
        report = os.environ.get("TANDEM_FAULT_REPORT")
        if report:
            with open(report, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
        return record


def backup_folder_report(folder: Path, vault_id: str, data_key: bytes,
                         tables: dict[str, list[tuple[Any, ...]]] | None,
                         figures: Figures) -> list[Path]:
    """Check everything interrupted backups left in `folder`; return the good backups.

    A file with the backup name must verify completely. A hidden `.partial` must either be
    refused by verify *and* restore with a message naming it, or be complete: verify end to end
    and (when `tables` is given) restore to exactly `tables`. Scratch folders are counted. The
    rotation's listing names exactly the good backups, never a partial one.
    """
    good: list[Path] = []
    if not folder.exists():
        return good
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            # A killed backup's scratch space (an encrypted snapshot): never listed, removed here
            # so each kill is counted once.
            assert path.name.startswith((".tandem-backup-", ".verify-")), path.name
            figures.add("scratch_folders_left")
            shutil.rmtree(path)
            continue
        if path.name.endswith(".partial"):
            assert path.name.startswith("."), path.name
            try:
                verify_backup(path, data_key)
            except VaultDamaged as exc:
                assert path.name in exc.message, exc.message
                dest = folder.parent / "from-partial.tandem"
                try:
                    restore_backup(path, dest, Secret(data_key=data_key))
                except VaultDamaged as again:
                    assert path.name in again.message, again.message
                assert not dest.exists()
                figures.add("partial_refused")
            else:
                if tables is not None:
                    assert_restores_to(path, data_key, tables)
                figures.add("partial_complete_and_sound")
            path.unlink()
            continue
        assert path.suffix == EXTENSION and not path.name.startswith("."), path.name
        verify_backup(path, data_key)
        good.append(path)
    listed = sorted(b.path for b in backups_of(folder, vault_id))
    assert listed == sorted(good)
    return good


def assert_restores_to(path: Path, data_key: bytes,
                       tables: dict[str, list[tuple[Any, ...]]]) -> None:
    """Restore `path` into a scratch folder; its tables must be exactly `tables`."""
    dest = path.parent.parent / f"check-{path.stem}.tandem"
    restore_backup(path, dest, Secret(data_key=data_key))
    try:
        with reopened(dest, Secret(data_key=data_key)) as vault:
            assert vault.call(snapshot) == tables
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def refused_cleanly(action: Any) -> str:
    """Run `action`; it must fail with a TandemError (a message), never anything else."""
    try:
        action()
    except TandemError as exc:
        assert exc.message
        return type(exc).__name__
    return "accepted"
