"""Test-wide set-up: headless Qt, an in-memory keychain, isolated folders, a cheap KDF profile.

Everything a test writes goes under its own tmp_path: HOME, the XDG folders, TMPDIR and Tandem's
own data/config folders, so a leak scan can look at every byte the app wrote.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.home import home_env

# Before Qt or anything else is imported.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Argon2id at the OWASP minimum (19 MiB, t=2): still memory-hard, ~20 ms instead of ~0.5 s.
os.environ["TANDEM_KDF_PROFILE"] = "minimum"

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give each test its own HOME, XDG folders, TMPDIR and Tandem folders."""
    home = tmp_path / "home"
    for name, value in home_env(home).items():
        if name != "TANDEM_KDF_PROFILE":  # set for every test by its own fixture
            monkeypatch.setenv(name, value)
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(home / "tmp"))
    return home


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Replace the OS keychain with a dict, and trust it as if it were one."""
    import keyring

    from storage import keychain
    from tests.support.memory_keyring import QUALNAME, MemoryKeyring

    backend = MemoryKeyring()
    previous = keyring.get_keyring() if "keyring.core" in sys.modules else None
    keyring.set_keyring(backend)
    monkeypatch.setattr(keychain, "TRUSTED_BACKENDS", keychain.TRUSTED_BACKENDS | {QUALNAME})
    yield backend
    if previous is not None:
        keyring.set_keyring(previous)


@pytest.fixture
def vault_factory(tmp_path: Path) -> Iterator[object]:
    """Create vaults under tmp_path; every vault still open at the end is closed."""
    from storage.vault import Vault

    opened: list[Vault] = []

    def make(name: str = "Practice", passphrase: str = PASSPHRASE) -> tuple[Vault, object]:
        vault, recovery_key = Vault.create(tmp_path / "vaults" / f"{name}.tandem", passphrase)
        opened.append(vault)
        return vault, recovery_key

    yield make
    for vault in opened:
        vault.close()
