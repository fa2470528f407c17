"""Where Tandem keeps its own files on this computer (never client data outside a vault).

platformdirs gives the per-OS folders; TANDEM_DATA_DIR and TANDEM_CONFIG_DIR override them for
tests and portable installs. Nothing is created at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "Tandem"


@dataclass(frozen=True)
class AppPaths:
    """Tandem's per-user folders."""

    data_dir: Path  # the demo vault, default location for new vaults' backups
    config_dir: Path  # per-computer settings (window geometry, last vault path)

    @classmethod
    def from_environment(cls) -> AppPaths:
        """The folders for this user, honouring the TANDEM_* overrides."""
        import platformdirs

        data = os.environ.get("TANDEM_DATA_DIR") or platformdirs.user_data_dir(
            APP_NAME, appauthor=False)
        config = os.environ.get("TANDEM_CONFIG_DIR") or platformdirs.user_config_dir(
            APP_NAME, appauthor=False)
        return cls(Path(data), Path(config))

    @property
    def demo_vault(self) -> Path:
        """The demo vault's folder."""
        return self.data_dir / "Demo.tandem"

    @property
    def settings_file(self) -> Path:
        """The per-computer settings file (INI; no client data)."""
        return self.config_dir / "tandem.ini"

    @property
    def default_vault(self) -> Path:
        """Suggested location for a first vault."""
        return Path.home() / "Documents" / "Practice.tandem"
