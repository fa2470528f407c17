"""The repository's promises to a newcomer: two commands, a hashed lock, CI running the README."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_shows_the_two_commands_first() -> None:
    commands = re.findall(r"^\s*(python3 dev\.py \w+)\s*$", (ROOT / "README.md").read_text(),
                          re.MULTILINE)
    assert commands[:2] == ["python3 dev.py run", "python3 dev.py test"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    lines = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()
             if line.strip() and not line.strip().startswith("#")]
    assert [line for line in lines if "dev.py" in line] == ["exec python3 dev.py test"]
    assert not any(re.search(r"\b(pip|pytest)\b", line) for line in lines)


def test_every_locked_requirement_is_pinned_with_hashes() -> None:
    text = (ROOT / "requirements.lock").read_text()
    requirements = re.split(r"\n(?=[A-Za-z])", text.strip())
    assert len(requirements) > 10
    for requirement in requirements:
        head = requirement.splitlines()[0]
        assert "==" in head, head
        assert "--hash=sha256:" in requirement, head


def test_the_lock_never_contains_a_plaintext_keyring() -> None:
    assert "keyrings-alt" not in (ROOT / "requirements.lock").read_text().lower()


def test_an_unchanged_lock_installs_nothing(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    dev = load_dev()
    venv = tmp_path / ".venv"
    monkeypatch.setattr(dev, "VENV", venv)
    monkeypatch.setattr(dev, "STAMP", venv / ".tandem-setup.sha256")
    calls: list[list[str]] = []

    def fake_run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append([str(c) for c in cmd])
        if "venv" in cmd:
            python = dev._venv_bin("python")
            python.parent.mkdir(parents=True, exist_ok=True)
            python.write_text("")
        return subprocess.CompletedProcess(cmd, 0, b"", b"")

    monkeypatch.setattr(dev.subprocess, "run", fake_run)
    dev.ensure_environment()
    installs = [c for c in calls if "install" in c]
    assert any("--require-hashes" in c for c in installs)
    assert any("--editable" in c for c in installs)

    calls.clear()
    dev.ensure_environment()
    assert [c for c in calls if "install" in c] == []

    monkeypatch.setattr(dev, "_setup_fingerprint", lambda: "lock changed")
    dev.ensure_environment()
    assert any("--require-hashes" in c for c in calls if "install" in c)


def test_the_console_script_is_tandem() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"tandem": "ui.entry:main"}
