"""Kill the process while (or just after) typing: at most the last 2 seconds are lost."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from app.sessions import SessionDetails
from tests.conftest import ROOT
from tests.ui.workspace.conftest import Practice, read_vault

pytestmark = pytest.mark.slow


def new_empty_session(practice: Practice) -> tuple[int, int]:
    from datetime import date

    client_id = practice.ids["Maya Okonkwo"]
    row = read_vault(practice.folder,
                     lambda store: store.create_session(client_id,
                                                        SessionDetails(date.today())).result())
    return client_id, row.id


def run_and_kill(practice: Practice, chunks: int, kill_after_chunk: int | None,
                 wait_after_stop: float) -> tuple[dict[int, float], float, int]:
    """Start the typing child; kill it; return when each chunk was typed and when it died."""
    client_id, session_id = new_empty_session(practice)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.workspace.typing_child", str(practice.folder),
         str(client_id), str(session_id), str(chunks)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    typed: dict[int, float] = {}
    killed_at = 0.0
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            match = re.fullmatch(r"typed (\d+)\n", line)
            if match:
                typed[int(match.group(1))] = time.monotonic()
                if kill_after_chunk is not None and int(match.group(1)) >= kill_after_chunk:
                    break
            elif line == "stopped\n":
                time.sleep(wait_after_stop)
                break
        killed_at = time.monotonic()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    return typed, killed_at, session_id


def saved_text(practice: Practice, session_id: int) -> str:
    note = read_vault(practice.folder, lambda store: store.note(session_id).result())
    return "" if note is None else "".join(note.sections.values())


def test_killed_2_5_seconds_after_typing_loses_nothing(practice: Practice) -> None:
    typed, _killed_at, session_id = run_and_kill(practice, chunks=15, kill_after_chunk=None,
                                                 wait_after_stop=2.5)
    assert len(typed) == 15
    assert saved_text(practice, session_id) == "".join(f"w{n:03d} " for n in range(15))


def test_killed_while_typing_loses_at_most_the_last_2_seconds(practice: Practice) -> None:
    typed, killed_at, session_id = run_and_kill(practice, chunks=1000, kill_after_chunk=40,
                                                wait_after_stop=0)
    text = saved_text(practice, session_id)
    must_have = [n for n, at in typed.items() if at < killed_at - 2.0]
    assert must_have, "typing ran long enough to need a save"
    expected = "".join(f"w{n:03d} " for n in range(max(must_have) + 1))
    assert text.startswith(expected)
    # and what is saved is exactly what was typed, in order, cut at a chunk
    assert re.fullmatch(r"(w\d{3} )*", text)
