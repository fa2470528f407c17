"""The typed settings registry: every preference, its type, bounds and secure default in one table.

Vault settings live inside the encrypted vault (they describe the practice); per-computer settings
(window geometry, which screen the client uses) live in the OS settings store and never hold
client data. Reading an unknown or out-of-range value falls back to the default, so a damaged or
hand-edited setting can never switch a protection off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import InvalidInput
from app.text import clean_text


@dataclass(frozen=True)
class SettingSpec:
    """One setting: key, Python type, default, and bounds for numbers."""

    key: str
    kind: type
    default: Any
    label: str
    minimum: int | None = None
    maximum: int | None = None

    def validate(self, value: Any) -> Any:
        """Return `value` as this setting's type, or raise InvalidInput naming the problem."""
        if self.kind is bool:
            if not isinstance(value, bool):
                raise InvalidInput(f"{self.label} must be on or off.")
            return value
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(f"{self.label} must be a whole number.")
            if self.minimum is not None and value < self.minimum:
                raise InvalidInput(f"{self.label} must be at least {self.minimum}.")
            if self.maximum is not None and value > self.maximum:
                raise InvalidInput(f"{self.label} must be at most {self.maximum}.")
            return value
        if not isinstance(value, self.kind):
            raise InvalidInput(f"{self.label} has the wrong type.")
        if isinstance(value, str):
            return clean_text(value, self.label, max_chars=2000, multiline=True)
        return value

    def coerce_or_default(self, value: Any) -> Any:
        """A stored value if it is valid, else the default (never weaker than the default)."""
        try:
            return self.validate(value)
        except InvalidInput:
            return self.default


VAULT_SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("lock.after_minutes", int, 5, "Lock after inactivity (minutes)", 1, 120),
        SettingSpec("lock.on_suspend", bool, True, "Lock when the computer sleeps"),
        SettingSpec("backup.folder", str, "", "Backup folder"),
        SettingSpec("backup.on_close", bool, True, "Back up when Tandem closes"),
        SettingSpec("backup.daily", bool, True, "Back up once a day"),
        SettingSpec("backup.keep", int, 10, "Backups to keep", 1, 365),
        SettingSpec("backup.warn_after_days", int, 7, "Warn when the last backup is older than",
                    1, 90),
        SettingSpec("measures.licence", str, "", "Outcome measure licence"),
        SettingSpec("measures.no_improvement_by", int, 4,
                    "Flag no reliable improvement by session", 2, 30),
        # Tenths of a point; 0 = not set (no established value for CORS: measures.md).
        SettingSpec("measures.cors_reliable_change", int, 0,
                    "CORS reliable change (tenths; 0 = not set)", 0, 400),
    )
}


def vault_setting(key: str) -> SettingSpec:
    """The spec for a vault setting; a typo in a key is a programming error, so raise KeyError."""
    return VAULT_SETTINGS[key]
