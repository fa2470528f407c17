"""Fixtures for the leak tests: the window (as in tests/ui) and every per-user folder in tmp_path.

tests/conftest.py already moves HOME, the XDG folders, TMPDIR, MPLCONFIGDIR and Tandem's own
folders under tmp_path. Two more places a Qt application writes to are fixed once per process,
so they are pointed at this test's folders explicitly: QSettings' user folder (QtProject.conf,
the file dialog's history) and XDG_RUNTIME_DIR (Qt falls back to /tmp/runtime-USER without it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import fake_clock, ui  # noqa: F401 - the window fixtures of tests/ui
from ui.workspace import autosave


@pytest.fixture
def app_folders(tmp_path: Path, isolated_home: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Qt's per-user settings and runtime folders inside tmp_path; autosave after 120 ms."""
    from PySide6.QtCore import QSettings

    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    config = os.environ["XDG_CONFIG_HOME"]
    for kind in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, config)
    monkeypatch.setattr(autosave, "IDLE_MS", 120)
    monkeypatch.setattr(autosave, "CEILING_MS", 120)
    yield tmp_path
