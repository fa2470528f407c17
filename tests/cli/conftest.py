"""Run the installed `tandem` command in a subprocess, with the test's isolated environment."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT

TANDEM = ROOT / ".venv" / "bin" / "tandem"


@pytest.fixture
def tandem() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`tandem(*args, stdin="...")`: the real console script, secrets only ever on stdin."""
    if not TANDEM.exists():
        pytest.skip(f"{TANDEM} is not installed (run python3 dev.py test)")

    def run(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)  # the isolated HOME, TMPDIR… set by the autouse fixture
        env["TANDEM_KDF_PROFILE"] = "minimum"
        env.pop("TANDEM_DEBUG", None)
        return subprocess.run([str(TANDEM), *map(str, args)], input=stdin, capture_output=True,
                              text=True, env=env, timeout=120, cwd=ROOT)
    return run
