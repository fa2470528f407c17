"""`tandem --demo --screenshot FILE`: unlock the demo, paint the window, save a PNG, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


LINUX_DESKTOPS = pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                                    reason="Windows and macOS always have their desktop")


def _without_a_desktop() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}


def _tandem() -> list[str]:
    tandem = Path(sys.executable).parent / "tandem"
    return [str(tandem)] if tandem.exists() else [sys.executable, "-m", "ui"]


@LINUX_DESKTOPS
def test_a_screenshot_needs_no_desktop(tmp_path: Path) -> None:
    """Over SSH or on CI, `--screenshot` paints off-screen instead of aborting in Qt."""
    target = tmp_path / "headless.png"
    result = subprocess.run([*_tandem(), "--demo", "--screenshot", str(target)], cwd=ROOT,
                            env=_without_a_desktop(), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert_real_screenshot(target)


@LINUX_DESKTOPS
def test_the_window_without_a_desktop_says_so(tmp_path: Path) -> None:
    result = subprocess.run([*_tandem(), "--demo"], cwd=ROOT, env=_without_a_desktop(),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "no desktop session" in result.stderr and "Traceback" not in result.stderr
