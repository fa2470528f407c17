"""kill -9 in the middle of transactions, of a passphrase change and of a data-key rotation.

Every run reuses one vault. After each kill the vault must open, pass quick_check,
integrity_check and cipher_integrity_check, hold every commit that was acknowledged, and hold no
half-done transaction. Counts and timings are printed (pytest -s, or in the report on failure).
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.errors import WrongSecret
from app.recovery_key import RecoveryKey
from storage import keyslots
from storage.connection import (
    CannotDecrypt,
    cipher_integrity_check,
    connect,
    integrity_check,
    quick_check,
)
from storage.vault import Secret, Vault
from tests.conftest import ROOT
from tests.support.vaults import PASSPHRASE, ClosedVault, make_closed_vault, snapshot

SUPPORT = ROOT / "tests" / "support"
WRITER = SUPPORT / "vault_writer.py"
CHANGER = SUPPORT / "key_changer.py"
SEED = int(os.environ.get("TANDEM_CRASH_SEED", "20240611"))
KILLS = 100
KEY_KILLS = 20
OTHER = "violet tugboat measures the quiet lemon"


class Child:
    """A helper process whose stdout lines can be awaited with a timeout."""

    def __init__(self, args: list[str], stdin_text: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=ROOT, bufsize=0)
        assert self.proc.stdin is not None
        self.proc.stdin.write(stdin_text.encode())
        self.proc.stdin.close()
        self._buffer = b""
        self.lines: list[str] = []

    def _fill(self, timeout: float) -> bool:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return False
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            return False
        self._buffer += chunk
        *complete, self._buffer = self._buffer.split(b"\n")
        self.lines.extend(line.decode() for line in complete)
        return True

    def wait_for(self, prefix: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if line.startswith(prefix):
                    return line
            seen = len(self.lines)
            left = deadline - time.monotonic()
            if left <= 0 or not self._fill(left):
                raise AssertionError(f"no {prefix!r} from the child; it said {self.lines!r}, "
                                     f"stderr {self.stderr()!r}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        while self._fill(0):  # everything it flushed before dying
            pass
        # A line cut off by the kill was never acknowledged: it stays in _buffer, ignored.
        if self.proc.returncode == 0:  # it finished before the kill arrived: a clean run
            assert "done" in self.lines, self.lines
            return
        assert self.proc.returncode == -signal.SIGKILL, (self.proc.returncode, self.stderr())

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")

    def close(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def _all_checks(conn: Any) -> dict[str, list[str]]:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return {"quick_check": quick_check(conn), "integrity_check": integrity_check(conn),
            "cipher_integrity_check": cipher_integrity_check(conn)}


def _consistency(conn: Any) -> tuple[set[int], int, int]:
    """(client ids, clients without their session+note, orphan sessions or notes)."""
    ids = {r[0] for r in conn.execute("SELECT id FROM clients")}
    half_done = conn.execute(
        "SELECT count(*) FROM clients c LEFT JOIN sessions s ON s.client_id = c.id "
        "LEFT JOIN notes n ON n.session_id = s.id WHERE n.id IS NULL").fetchone()[0]
    orphans = conn.execute(
        "SELECT (SELECT count(*) FROM sessions WHERE client_id NOT IN (SELECT id FROM clients))"
        " + (SELECT count(*) FROM notes WHERE session_id NOT IN (SELECT id FROM sessions))"
    ).fetchone()[0]
    # FTS5's own consistency check raises if the index and the notes disagree.
    conn.execute("INSERT INTO notes_fts(notes_fts) VALUES ('integrity-check')")
    return ids, half_done, orphans


@pytest.mark.slow
def test_kill_9_writer_at_least_100_times(tmp_path: Path) -> None:
    vault = make_closed_vault(tmp_path / "Crash.tandem", records=1)
    key_line = vault.data_key.hex() + "\n"
    rng = random.Random(SEED)
    acknowledged: set[int] = set()
    stats: Counter[str] = Counter()
    started = time.perf_counter()
    iteration_times = []
    for i in range(KILLS):
        t0 = time.perf_counter()
        child = Child([str(WRITER), str(vault.folder), f"k{i}"], key_line)
        try:
            if rng.random() < 0.1:
                # Anywhere from start-up through opening to the first commits.
                time.sleep(rng.uniform(0.0, 0.15))
                stats["killed_early"] += 1
            else:
                child.wait_for("ready")
                time.sleep(rng.uniform(0.0, 0.04))
            child.kill()
        finally:
            child.close()
        acked = {int(line) for line in child.lines if line.isdigit()}
        with Vault.open(vault.folder, Secret(data_key=vault.data_key)) as opened:
            checks = opened.call(_all_checks)
            assert checks == {"quick_check": [], "integrity_check": [],
                              "cipher_integrity_check": []}, (i, checks)
            ids, half_done, orphans = opened.write(_consistency).result()
            opened_rows = {f"k{i}": {r[0] for r in opened.call(lambda c, t=f"k{i}": c.execute(
                "SELECT id FROM clients WHERE pseudonym = ?", (t,)).fetchall())}}
        assert half_done == 0 and orphans == 0, i
        missing = (acknowledged | acked) - ids
        assert not missing, f"iteration {i}: acknowledged commits lost: {sorted(missing)[:10]}"
        acknowledged |= acked
        # Of this run's rows, at most the one transaction in flight may be there unacknowledged
        # (its COMMIT had reached the disk when the kill came, before the id was printed).
        this_run = opened_rows[f"k{i}"]
        unacknowledged = len(this_run - acked)
        assert acked <= this_run and unacknowledged <= 1, (i, unacknowledged)
        stats["commits_acknowledged"] += len(acked)
        stats["unacknowledged_in_flight_commit_present"] += unacknowledged
        stats["kills"] += 1
        iteration_times.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    print(f"\nkill -9 writer: {dict(stats)}; {elapsed:.1f} s total, "
          f"{sum(iteration_times) / len(iteration_times) * 1000:.0f} ms per kill "
          f"(max {max(iteration_times) * 1000:.0f} ms), seed {SEED}")
    assert stats["kills"] >= 100
    assert stats["commits_acknowledged"] > 200  # the kills did land among real commits
    with Vault.open(vault.folder, Secret(passphrase=PASSPHRASE)) as final:
        assert final.verify().ok


def _which_key_opens(db: Path, *keys: bytes | None) -> list[bool]:
    result = []
    for key in keys:
        if key is None:
            result.append(False)
            continue
        try:
            connect(db, key).close()
        except CannotDecrypt:
            result.append(False)
        else:
            result.append(True)
    return result


def _grow(vault: ClosedVault) -> dict[str, list[tuple[Any, ...]]]:
    """Make the database big enough (~2 MB) that a kill can land inside the re-encryption."""
    with vault.open() as opened:
        opened.write(lambda c: c.executemany(
            "INSERT INTO process_notes(client_id, body, updated_at) VALUES (1, ?, '2024')",
            [("padding " * 60,) for _ in range(4000)])).result()
        return opened.call(snapshot)


@pytest.mark.slow
def test_kill_9_during_data_key_rotation(tmp_path: Path) -> None:
    vault = make_closed_vault(tmp_path / "Rotate.tandem", records=2)
    tables = _grow(vault)
    rng = random.Random(SEED + 1)
    key, recovery = vault.data_key, vault.recovery_key
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for i in range(KEY_KILLS):
        child = Child([str(CHANGER), "rotate", str(vault.folder)], PASSPHRASE + "\n")
        try:
            child.wait_for("ready")
            if i % 2:  # aim at the window after the new key exists: pending, rekey, promote
                child.wait_for("newkey")
                time.sleep(rng.uniform(0.0, 0.08))
            else:
                time.sleep(rng.uniform(0.0, 0.12))
            child.kill()
        finally:
            child.close()
        lines = child.lines
        new_key = next((bytes.fromhex(x.split()[1]) for x in lines if x.startswith("newkey")),
                       None)
        new_rk = next((RecoveryKey.parse(x.split()[1]) for x in lines if x.startswith("newrk")),
                      None)
        pending = keyslots.load(vault.folder).file.pending is not None
        old_opens, new_opens = _which_key_opens(vault.db, key, new_key)
        assert old_opens != new_opens, f"iteration {i}: exactly one data key must open"
        state = ("done" if "done" in lines else
                 "rekeyed, pending" if new_opens and pending else
                 "rekeyed, promoted" if new_opens else
                 "pending, not rekeyed" if pending else "not started")
        outcomes[state] += 1
        # The passphrase always opens, and finishes or discards the rotation.
        with Vault.open(vault.folder, Secret(passphrase=PASSPHRASE)) as opened:
            current = opened.remembered_key()
            assert current == (new_key if new_opens else key)
            assert opened.call(snapshot) == tables
            checks = opened.call(_all_checks)
            assert not any(checks.values()), (i, checks)
        assert keyslots.load(vault.folder).file.pending is None
        # Exactly one recovery key opens: the one that wraps the current key.
        current_rk = new_rk if new_opens else recovery
        assert current_rk is not None
        Vault.open(vault.folder, Secret(recovery_key=current_rk)).close()
        other_rk = recovery if new_opens else new_rk
        if other_rk is not None:
            with pytest.raises(WrongSecret):
                Vault.open(vault.folder, Secret(recovery_key=other_rk))
        key, recovery = current, current_rk
    elapsed = time.perf_counter() - started
    print(f"\nkill -9 during rotate_data_key: {KEY_KILLS} kills, {dict(outcomes)}; "
          f"{elapsed:.1f} s")
    assert sum(outcomes.values()) >= 20


@pytest.mark.slow
def test_kill_9_during_passphrase_change(tmp_path: Path) -> None:
    vault = make_closed_vault(tmp_path / "Passwd.tandem", records=3)
    rng = random.Random(SEED + 2)
    current, other = PASSPHRASE, OTHER
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for i in range(KEY_KILLS):
        child = Child([str(CHANGER), "passwd", str(vault.folder)], f"{current}\n{other}\n")
        try:
            child.wait_for("ready")
            time.sleep(rng.uniform(0.0, 0.1))
            child.kill()
        finally:
            child.close()
        opens = []
        for candidate in (current, other):
            try:
                with Vault.open(vault.folder, Secret(passphrase=candidate)) as opened:
                    assert opened.call(snapshot) == vault.tables
                    assert opened.remembered_key() == vault.data_key
                    assert not any(opened.call(_all_checks).values())
                opens.append(candidate)
            except WrongSecret:
                pass
        assert len(opens) == 1, f"iteration {i}: {len(opens)} passphrases open the vault"
        changed = opens == [other]
        confirmed = "done" in child.lines
        assert changed or not confirmed, f"iteration {i}: a confirmed change was lost"
        outcomes["changed" if changed else "unchanged"] += 1
        if changed:
            # Neither key file lets the previous passphrase in any more... unless the kill came
            # between writing keyslots.json and its .bak (never after a confirmed change).
            for name in ("keyslots.json", "keyslots.json.bak"):
                parsed = keyslots.KeySlotFile.from_bytes((vault.folder / name).read_bytes())
                try:
                    keyslots.unlock_with_passphrase(parsed.slots["passphrase"], current,
                                                    parsed.vault_id)
                except WrongSecret:
                    continue
                assert name == "keyslots.json.bak" and not confirmed, (i, name)
                outcomes["bak still old (unconfirmed)"] += 1
            current, other = other, current
        Vault.open(vault.folder, Secret(recovery_key=vault.recovery_key)).close()
        # A half-written key file (a slot for a passphrase that never took effect) is removed
        # by the next open, and the .bak again mirrors keyslots.json.
        leftovers = [p.name for p in vault.folder.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == [], (i, leftovers)
        assert ((vault.folder / "keyslots.json").read_bytes()
                == (vault.folder / "keyslots.json.bak").read_bytes()), i
    elapsed = time.perf_counter() - started
    print(f"\nkill -9 during change_passphrase: {KEY_KILLS} kills, {dict(outcomes)}; "
          f"{elapsed:.1f} s")
    assert outcomes["changed"] + outcomes["unchanged"] >= 20
