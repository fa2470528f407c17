"""The vault's settings: when to lock. Stored in the vault, each change audited."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.settings import VAULT_SETTINGS
from ui.session import Session
from ui.widgets.common import BusyRow, MessageLabel, heading, muted
from ui.widgets.style import em


class VaultSettingsDialog(QDialog):
    """Lock after N minutes without activity (1–120) and lock when the computer sleeps."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle("Vault settings")
        self.setAccessibleName("Vault settings")
        self.setMinimumWidth(em(self, 80))
        layout = QVBoxLayout(self)
        pad = em(self, 2.5)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(em(self, 1))
        layout.addWidget(heading("Vault settings", 1.35))
        layout.addWidget(muted("These settings are stored inside the encrypted vault and apply "
                               "on every computer that opens it."))

        spec = VAULT_SETTINGS["lock.after_minutes"]
        self.minutes = QSpinBox()
        self.minutes.setRange(spec.minimum or 1, spec.maximum or 120)
        self.minutes.setSuffix(" minutes")
        self.minutes.setAccessibleName(spec.label)
        self.minutes.setMinimumWidth(em(self, 14))
        row = QHBoxLayout()
        caption = QLabel("&Lock after this long without activity:")
        caption.setBuddy(self.minutes)
        row.addWidget(caption)
        row.addWidget(self.minutes)
        row.addStretch(1)
        layout.addLayout(row)

        self.on_suspend = QCheckBox("Lock when the computer goes to &sleep")
        self.on_suspend.setAccessibleName(VAULT_SETTINGS["lock.on_suspend"].label)
        layout.addWidget(self.on_suspend)

        snapshot = session.snapshot
        self.minutes.setValue(snapshot.lock_after_minutes if snapshot else spec.default)
        self.on_suspend.setChecked(snapshot.lock_on_suspend if snapshot else True)

        self.keychain_note = muted("")
        layout.addWidget(self.keychain_note)
        status = session.keychain_status
        if status is not None:
            self.keychain_note.setText("Remember on this computer: " + status.description)
        self.keychain_note.setVisible(bool(self.keychain_note.text()))

        self.error = MessageLabel("Error")
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save settings")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _save(self) -> None:
        self.error.clear_message()
        self.busy.start("Saving…")
        self.save_button.setEnabled(False)
        started = self._session.save_settings(self.minutes.value(), self.on_suspend.isChecked(),
                                              self._on_done, self._on_failed, context=self)
        if not started:
            self._on_failed("The vault is locked.")

    def _on_done(self, _none: None) -> None:
        self.busy.stop()
        self.accept()

    def _on_failed(self, message: str) -> None:
        self.busy.stop()
        self.save_button.setEnabled(True)
        self.error.show_message(message)
