"""The working day killed with SIGKILL at seeded random moments: still no leak, and the vault opens.

Each run starts tests/leaks/test_working_day.py as a child pytest process (a fresh interpreter,
so the caches made at start-up — matplotlib's, fontconfig's, Qt's — are made inside the scanned
folders too), waits until the child announces the chosen step, waits a random moment more and
kills the whole process group. Some runs hold the child inside the file sync of an export or a
backup (TANDEM_LEAK_HOLD), so the kill lands on a file written but not yet in place.

After each kill every file under the run's folders is scanned as after the whole day:
- no identifying or clinical text anywhere but the deliberate exports;
- an export under its final name is complete; one in progress is only a hidden, random-named
  temporary file next to it (`.tandem-<hex>.part` for letters, `.<hex>.tmp` for the report);
  only the identified letter's may name the client;
- no SQLite temp files (etilqs_*), no core dumps;
- the vault, once created, opens with its passphrase and passes every integrity check, and
  every backup under its final name verifies.

TANDEM_LEAK_KILLS: how many random kills (default 3; one held kill is always added).
TANDEM_LEAK_SEED: the seed of the random moments (default fixed, so a failure repeats).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, ROOT
from tests.leaks.day import IDENTIFIERS, NEEDLES, STEPS, Day
from tests.support.leak_scan import Scanner, pdf_text, scan

KILLS = int(os.environ.get("TANDEM_LEAK_KILLS", "3"))
SEED = int(os.environ.get("TANDEM_LEAK_SEED", "7"))
RANDOM_STEPS = [s for s in STEPS if s not in ("start", "done")]
HOLDABLE = ("create vault", "emergency kit", "identified letter", "deidentified letter",
            "caseload report", "backup", "quit")
"""Steps that sync a file before renaming it into place (key file, kit, exports, backups)."""
HELD = os.environ.get("TANDEM_LEAK_HELD", "identified letter")
"""The steps killed inside their file sync: comma-separated, or "all" (HOLDABLE)."""
MAX_DELAY = 0.5
"""Seconds after a step starts within which a random kill lands."""
CHILD_TIMEOUT = 120.0
LETTER_PART = re.compile(r"\.tandem-[0-9a-f]{12}\.part")
PRIVATE_TMP = re.compile(r"\.[0-9a-f]{12}\.tmp")  # reports.emergency_kit.write_private_file


@dataclass(frozen=True)
class Kill:
    """Where one run is killed: in `step`, after `delay` seconds, or held in a file sync."""

    step: str
    delay: float = 0.0
    held: bool = False

    def __str__(self) -> str:
        return f"{self.step} (held in fsync)" if self.held else f"{self.step} +{self.delay:.2f}s"


def plan(kills: int = KILLS, seed: int = SEED, held: str = HELD) -> list[Kill]:
    """`kills` seeded random moments (every step once before any twice), then the held ones."""
    rng = random.Random(seed)
    steps = rng.sample(RANDOM_STEPS, k=min(kills, len(RANDOM_STEPS)))
    steps += rng.choices(RANDOM_STEPS, k=max(0, kills - len(RANDOM_STEPS)))
    holds = HOLDABLE if held == "all" else tuple(s.strip() for s in held.split(",") if s.strip())
    assert set(holds) <= set(HOLDABLE), holds
    return ([Kill(s, round(rng.uniform(0, MAX_DELAY), 3)) for s in steps]
            + [Kill(s, held=True) for s in holds])


@dataclass
class Outcome:
    base: Path
    steps: list[str]
    killed: bool
    returncode: int | None
    output: str
    seconds: float


def run_child(base: Path, logs: Path, kill: Kill, extra_env: dict[str, str]) -> Outcome:
    """Run the working day in a child process and kill it as `kill` says."""
    progress = logs / "progress.txt"
    out = logs / "output.txt"
    env = dict(os.environ, TANDEM_LEAK_PROGRESS=str(progress), **extra_env)
    env.pop("PYTEST_ADDOPTS", None)
    if kill.held:
        env["TANDEM_LEAK_HOLD"] = kill.step
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
               f"--basetemp={base}", "tests/leaks/test_working_day.py"]
    started = time.monotonic()
    with open(out, "wb") as output:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        killed = False
        try:
            target = "hold" if kill.held else kill.step
            deadline = started + CHILD_TIMEOUT
            while child.poll() is None and time.monotonic() < deadline:
                if progress.exists() and target in lines(progress):
                    time.sleep(kill.delay)
                    if child.poll() is None:
                        os.killpg(child.pid, signal.SIGKILL)
                        killed = True
                    break
                time.sleep(0.005)
        finally:
            if child.poll() is None and not killed:  # timed out: do not leave it running
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return Outcome(base, lines(progress) if progress.exists() else [], killed,
                   child.returncode, out.read_text(encoding="utf-8", errors="replace"),
                   time.monotonic() - started)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def check_after_kill(outcome: Outcome, root: Path) -> list[str]:
    """Everything wrong with what a killed day left under `root` (empty: nothing)."""
    problems: list[str] = []
    days = sorted(outcome.base.glob("test_a_working_day*"))
    day = Day(days[0]) if days else None
    report = scan([root], NEEDLES)
    by_name = Scanner(IDENTIFIERS)

    def export_kind(path: Path) -> str:
        """'identified', 'deidentified', 'partial', or '' (not in the export folder)."""
        if day is None or path.parent != day.exports:
            return ""
        if LETTER_PART.fullmatch(path.name) or PRIVATE_TMP.fullmatch(path.name):
            return "partial"
        return "identified" if by_name.in_name(Path(path.name)) else "deidentified"

    for hit in report.hits:
        kind = export_kind(hit.full)
        if kind == "identified" or (kind == "partial" and hit.form != "file name"):
            continue  # a deliberate identified export, finished or being written
        if kind == "deidentified" and hit.needle not in IDENTIFIERS:
            continue  # clinical text the de-identified letter carries on purpose
        problems.append(f"leak: {hit}")
    for found in report.files:
        name, kind = found.path.name, export_kind(found.full)
        if name.startswith(("etilqs_", "core")):
            problems.append(f"stray file: {found.path}")
        if kind in ("identified", "deidentified"):
            data = found.full.read_bytes()
            if not data.rstrip().endswith(b"%%EOF") or "unreadable PDF" in pdf_text(data):
                problems.append(f"half-written export under its final name: {found.path}")
        elif found.path.suffix in (".part", ".tmp") and kind != "partial" and not (
                day is not None and found.full.parent == day.vault):  # key-file temp
            problems.append(f"temporary file outside its target's folder: {found.path}")
    if day is not None and "emergency kit" in outcome.steps:  # the vault was created
        problems += check_vault(day)
    if outcome.killed:
        output = Scanner(NEEDLES).in_text(outcome.output)
        problems += [f"in the child's output: {needle}" for needle, _ in output]
    return problems


def check_vault(day: Day) -> list[str]:
    """The vault opens with its passphrase, every check passes, every backup verifies."""
    from storage.backup import EXTENSION, verify_backup
    from storage.vault import Secret, Vault

    problems = []
    with Vault.open(day.vault, Secret(passphrase=PASSPHRASE)) as vault:
        report = vault.verify()
        if not report.ok:
            problems.append(f"vault checks failed: {report}")
        key = vault.remembered_key()
        for backup in sorted(day.home.rglob(f"*{EXTENSION}")):
            try:
                verify_backup(backup, key)
            except Exception as exc:  # every failure is reported
                problems.append(f"backup {backup.name} does not verify: {exc}")
    return problems


def test_the_plan_is_seeded_and_can_cover_every_step() -> None:
    assert plan(3, 8) == plan(3, 8)
    assert plan(3, 8) != plan(3, 9)
    assert [k.step for k in plan(3, 8, "backup,quit") if k.held] == ["backup", "quit"]
    kills = plan(30, 1, "all")
    assert {k.step for k in kills if not k.held} == set(RANDOM_STEPS)
    assert {k.step for k in kills if k.held} == set(HOLDABLE)
    assert all(0 <= k.delay <= MAX_DELAY for k in kills)


@pytest.mark.parametrize("kill", plan(), ids=str)
def test_a_day_killed_leaves_no_plaintext_and_a_vault_that_opens(
        kill: Kill, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    logs = tmp_path_factory.mktemp("killed-day-logs")  # outside the scanned folder
    outcome = run_child(tmp_path / "child", logs, kill, {"XDG_RUNTIME_DIR": str(runtime)})
    print(f"\n{kill}: {'killed' if outcome.killed else 'finished'} after "
          f"{outcome.seconds:.1f}s in step {outcome.steps[-1] if outcome.steps else '-'}")
    if outcome.killed:
        assert (kill.step if not kill.held else "hold") in outcome.steps, outcome.output[-3000:]
    else:  # the moment came after the day ended: then the day itself must have passed
        assert outcome.returncode == 0, outcome.output[-3000:]
    # tmp_path holds the child's folders and the HOME, TMPDIR and caches it started with.
    problems = check_after_kill(outcome, tmp_path)
    assert problems == [], "\n".join(problems)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
                  if p.is_file() and "Exports" in p.parts)
    print("exports left:", left)
