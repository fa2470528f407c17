"""The Qt binding itself must not corrupt the interpreter (PySide6 6.12.0 on Python 3.11 did)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for _ in range(6000):   # 6.12.0 aborted after ~4,000-5,000 such calls
    label.setText("x")
    label.update()
print(sys.getrefcount(None) - before)
"""


def test_thousands_of_qt_calls_leave_none_alone() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-500:]
    assert abs(int(result.stdout.strip())) < 50
