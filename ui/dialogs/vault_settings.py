"""The vault's settings dialog: kept under its old name for the window and older tests.

The small lock-only dialog grew into the tabbed Settings dialog (ui/dialogs/settings.py):
practice profile, security, backups and the outcome-measure licence.
"""

from __future__ import annotations

from ui.dialogs.settings import SettingsDialog

VaultSettingsDialog = SettingsDialog

__all__ = ["VaultSettingsDialog"]
