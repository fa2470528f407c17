"""A private home folder for a test (or a child process it starts): every place Tandem, Qt and
matplotlib write to lies inside it, so a leak scan sees everything and nothing touches the
developer's real home."""

from __future__ import annotations

from pathlib import Path


def home_env(home: Path) -> dict[str, str]:
    """Create `home`'s folders and return the environment that points every writer into it."""
    for sub in ("", ".config", ".local/share", ".cache", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TMPDIR": str(home / "tmp"),
        "TANDEM_DATA_DIR": str(home / ".local/share/Tandem"),
        "TANDEM_CONFIG_DIR": str(home / ".config/Tandem"),
        "MPLCONFIGDIR": str(home / ".cache/matplotlib"),
        "TANDEM_KDF_PROFILE": "minimum",
    }
