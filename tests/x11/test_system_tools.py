"""dev.py installs the X11 test tools on CI (a clean machine), and only there; never fatally."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_system_tools", ROOT / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A Linux machine as root with apt-get, missing Xvfb and xdotool; apt-get calls recorded."""
    dev = load_dev()
    calls: list[list[str]] = []
    results: list[int] = []

    def which(name: str) -> str | None:
        return None if name in ("Xvfb", "xdotool") else f"/usr/bin/{name}"

    def run(cmd: list[str], **_kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(list(cmd))
        code = results.pop(0) if results else 0
        return subprocess.CompletedProcess(cmd, code, b"", b"E: Unable to locate package\n")

    monkeypatch.setattr(dev.shutil, "which", which)
    monkeypatch.setattr(dev.os, "geteuid", lambda: 0)
    monkeypatch.setattr(dev.sys, "platform", "linux")
    monkeypatch.setattr(dev.subprocess, "run", run)
    import ctypes.util

    monkeypatch.setattr(ctypes.util, "find_library",
                        lambda name: None if name == "xcb-cursor" else f"lib{name}.so")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TANDEM_INSTALL_SYSTEM_TOOLS", raising=False)
    dev.calls, dev.results = calls, results
    return dev


def test_on_ci_the_missing_packages_are_installed(machine: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    machine.ensure_system_tools()
    assert machine.calls[0][:2] == ["apt-get", "update"]
    install = machine.calls[1]
    assert install[:2] == ["apt-get", "install"] and "--no-install-recommends" in install
    assert {"xvfb", "xdotool", "libxcb-cursor0"} <= set(install)
    assert "openbox" not in install  # present already


def test_outside_ci_nothing_is_installed(machine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    machine.ensure_system_tools()
    assert machine.calls == []
    monkeypatch.setenv("TANDEM_INSTALL_SYSTEM_TOOLS", "1")
    monkeypatch.setattr(machine.os, "geteuid", lambda: 1000)  # not root: no apt-get
    machine.ensure_system_tools()
    assert machine.calls == []


def test_a_failed_install_is_reported_not_fatal(machine: Any, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TANDEM_INSTALL_SYSTEM_TOOLS", "1")
    machine.results.extend([0, 100])
    machine.ensure_system_tools()  # no exception, no exit
    err = capsys.readouterr().err
    assert "apt-get install failed (100)" in err and "X11 tests will skip" in err
