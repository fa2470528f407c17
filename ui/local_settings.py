"""Per-computer settings: which vault was used last, and where the window was. Never client data.

A thin wrapper around an INI-format QSettings file at `AppPaths.settings_file`, so the file is in
Tandem's own config folder on every OS (not the Windows registry) and tests can point it anywhere.
Everything about the practice lives in the encrypted vault instead (app/settings.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

LAST_VAULT = "vault/last"
WINDOW_GEOMETRY = "window/geometry"


class LocalSettings:
    """Tandem's preferences for this computer."""

    def __init__(self, file: Path) -> None:
        self._settings = QSettings(str(file), QSettings.Format.IniFormat)

    def last_vault(self) -> Path | None:
        """The vault folder opened or created last, if it is recorded."""
        value = self._settings.value(LAST_VAULT, "")
        return Path(str(value)) if value else None

    def set_last_vault(self, folder: Path | None) -> None:
        """Remember (or, with None, forget) the vault to offer at the next start."""
        if folder is None:
            self._settings.remove(LAST_VAULT)
        else:
            self._settings.setValue(LAST_VAULT, str(folder))
        self._settings.sync()

    def window_geometry(self) -> QByteArray | None:
        """The main window's saved geometry, if any."""
        value = self._settings.value(WINDOW_GEOMETRY)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_geometry(self, geometry: QByteArray) -> None:
        """Remember the main window's geometry."""
        self._settings.setValue(WINDOW_GEOMETRY, geometry)
        self._settings.sync()

    def value(self, key: str) -> str | None:
        """A plain text preference (e.g. "client_mode/screen"), if recorded."""
        value = self._settings.value(key, "")
        return str(value) if value else None

    def set_value(self, key: str, value: str | None) -> None:
        """Remember (or, with None, forget) a plain text preference."""
        if value is None:
            self._settings.remove(key)
        else:
            self._settings.setValue(key, value)
        self._settings.sync()
