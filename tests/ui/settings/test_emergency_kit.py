"""A new Emergency Kit from Settings: passphrase again, a new recovery key, the old one retired."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt

from app.recovery_key import RecoveryKey
from storage.vault import Vault
from tests.conftest import PASSPHRASE
from tests.ui.conftest import UI
from tests.ui.settings.conftest import open_settings
from ui.dialogs.emergency_kit import NewEmergencyKitDialog
from ui.dialogs.settings import TAB_SECURITY


def _printed_key(kit: Path) -> str:
    """The key as printed: the characters between "Recovery key" and the note under it."""
    text = PdfReader(kit).pages[0].extract_text()
    printed = text.split("Recovery key", 1)[1].split("characters in", 1)[0]
    printed = re.sub(r"group \d", "", printed)
    return "".join(ch for ch in printed if ch.isalnum())[:32]


def test_wrong_passphrase_changes_nothing_then_a_new_kit_replaces_the_key(
        unlocked: UI, tmp_path: Path) -> None:
    ui = unlocked
    vault = ui.session.vault
    assert vault is not None
    slots_before = (vault.folder / "keyslots.json").read_bytes()
    settings = open_settings(ui, TAB_SECURITY)
    kit = tmp_path / "kit.pdf"
    settings.choose_path = lambda *_args: kit
    dialog = settings.new_emergency_kit()
    assert isinstance(dialog, NewEmergencyKitDialog)
    ui.qtbot.waitUntil(dialog.isVisible)

    ui.qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    ui.qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert "passphrase" in dialog.message.text().lower()
    assert not kit.exists()
    assert (vault.folder / "keyslots.json").read_bytes() == slots_before

    dialog.passphrase.clear()
    ui.qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    ui.qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: "Emergency Kit saved" in settings.kit_status.text(),
                       timeout=10_000)
    assert not settings.findChildren(NewEmergencyKitDialog)  # closed once saved
    assert len(PdfReader(kit).pages) == 1
    if hasattr(__import__("os"), "getuid"):
        assert kit.stat().st_mode & 0o077 == 0  # owner-only

    printed = _printed_key(kit)
    RecoveryKey.parse(printed)  # a valid key (checksum) as printed
    folder = vault.folder
    ui.session.lock()
    ui.wait_idle()
    from storage.vault import Secret

    reopened = Vault.open(folder, Secret(recovery_key=RecoveryKey.parse(printed)))
    reopened.close()
