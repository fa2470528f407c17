"""`tandem --demo --screenshot FILE`: unlock the demo, paint the window, save a PNG, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.conftest import ROOT
from ui.app import SCREENSHOT_SIZE, run_gui


def assert_real_screenshot(path: Path) -> None:
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == SCREENSHOT_SIZE
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
               for y in range(0, image.height(), 23)}
    assert len(colours) > 5  # painted, not blank


def test_screenshot_in_process(tmp_path: Path, qapp) -> None:
    target = tmp_path / "shots" / "demo.png"
    assert run_gui(demo=True, screenshot=target) == 0
    assert_real_screenshot(target)


def test_screenshot_from_the_command_line(tmp_path: Path) -> None:
    target = tmp_path / "cli.png"
    tandem = Path(sys.executable).parent / "tandem"
    command = [str(tandem)] if tandem.exists() else [sys.executable, "-m", "ui"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([*command, "--demo", "--screenshot", str(target)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert_real_screenshot(target)


def test_screenshot_refuses_a_vault_it_would_have_to_ask_about(tmp_path: Path, qapp) -> None:
    from app.errors import UsageError

    try:
        run_gui(vault=tmp_path / "Other.tandem", screenshot=tmp_path / "x.png")
    except UsageError as exc:
        assert "--demo" in exc.message
    else:  # pragma: no cover - the assertion message says what went wrong
        raise AssertionError("expected a usage error")
    assert not (tmp_path / "x.png").exists()
