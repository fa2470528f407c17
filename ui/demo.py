"""The demo vault: a practice to explore without risk, with a published passphrase.

It is created on first use in the user's data folder. Its passphrase is printed on its unlock
screen (it protects nothing real), and the window shows a DEMO badge throughout.
"""

from __future__ import annotations

from pathlib import Path

from app.clock import Clock
from storage.vault import Secret, Vault, looks_like_vault

DEMO_PASSPHRASE = "tandem demo practice"
DEMO_NAME = "Demo practice"


def is_demo(folder: Path, demo_folder: Path) -> bool:
    """True when `folder` is the demo vault."""
    try:
        return folder.resolve() == demo_folder.resolve()
    except OSError:
        return False


def ensure_demo_vault(folder: Path, clock: Clock | None = None) -> bool:
    """Create the demo vault at `folder` unless it exists; True when it was created now."""
    if looks_like_vault(folder):
        return False
    vault, _recovery_key = Vault.create(folder, DEMO_PASSPHRASE, name=DEMO_NAME, clock=clock)
    try:
        populate_demo(vault)
    finally:
        vault.close()
    return True


def populate_demo(vault: Vault) -> None:
    """Fill a new demo vault with example content (later issues add their records here)."""
    vault.audit("demo.populated", {"version": 1})


def open_demo(folder: Path, clock: Clock | None = None) -> Vault:
    """Create if needed, then open the demo vault with its published passphrase."""
    ensure_demo_vault(folder, clock)
    return Vault.open(folder, Secret(passphrase=DEMO_PASSPHRASE), clock=clock)
