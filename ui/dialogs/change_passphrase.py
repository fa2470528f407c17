"""Change the vault's passphrase: current, new twice, live strength advice; off the UI thread."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.session import Session
from ui.widgets.common import BusyRow, MessageLabel, field_label, heading, muted
from ui.widgets.strength import StrengthMeter
from ui.widgets.style import em


class ChangePassphraseDialog(QDialog):
    """Asks for the current passphrase and a new one; the old one stops working at once."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle("Change passphrase")
        self.setAccessibleName("Change passphrase")
        self.setMinimumWidth(em(self, 84))
        layout = QVBoxLayout(self)
        pad = em(self, 2.5)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(em(self, 1))
        layout.addWidget(heading("Change passphrase", 1.35))
        layout.addWidget(muted(
            "The new passphrase works as soon as this finishes, and the current one stops "
            "working. Your recovery key does not change. Backups made earlier still open with "
            "the passphrase they were made with."))

        self.current_edit = self._password("Current passphrase")
        layout.addWidget(field_label("&Current passphrase", self.current_edit))
        layout.addWidget(self.current_edit)
        self.new_edit = self._password("New passphrase")
        layout.addWidget(field_label("&New passphrase", self.new_edit))
        layout.addWidget(self.new_edit)
        self.meter = StrengthMeter()
        layout.addWidget(self.meter)
        self.repeat_edit = self._password("Repeat the new passphrase")
        layout.addWidget(field_label("&Repeat the new passphrase", self.repeat_edit))
        layout.addWidget(self.repeat_edit)
        self.mismatch = MessageLabel("Error")
        self.mismatch.setAccessibleName("Passphrase mismatch")
        layout.addWidget(self.mismatch)
        self.error = MessageLabel("Error")
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.change_button = QPushButton("C&hange passphrase")
        self.change_button.setObjectName("Primary")
        self.change_button.setAccessibleName("Change passphrase")
        self.buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.change_button.clicked.connect(self._change)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        for edit in (self.current_edit, self.new_edit, self.repeat_edit):
            edit.textChanged.connect(self._update)
        self._update()

    @staticmethod
    def _password(name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        return edit

    def _update(self) -> None:
        new, repeat = self.new_edit.text(), self.repeat_edit.text()
        strength = self.meter.update_for(new)
        mismatch = bool(repeat) and new != repeat
        self.mismatch.show_message("The two new passphrases do not match yet." if mismatch else "")
        same = bool(new) and new == self.current_edit.text()
        if same:
            self.mismatch.show_message("The new passphrase is the same as the current one.")
        self.change_button.setEnabled(bool(self.current_edit.text()) and strength.acceptable
                                      and new == repeat and not same
                                      and not self.busy.isVisibleTo(self))

    def _change(self) -> None:
        if not self.change_button.isEnabled():
            return
        self.error.clear_message()
        self._set_busy(True)
        started = self._session.change_passphrase(
            self.current_edit.text(), self.new_edit.text(), self._on_done, self._on_failed,
            context=self)
        if not started:
            self._on_failed("The vault is locked.")

    def _on_done(self, _none: None) -> None:
        self._set_busy(False)
        self._clear()
        self.accept()

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        self.error.show_message(message)
        self.current_edit.clear()
        self.current_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.busy.start("Changing the passphrase…")
        else:
            self.busy.stop()
        for edit in (self.current_edit, self.new_edit, self.repeat_edit):
            edit.setEnabled(not busy)
        self._update()

    def _clear(self) -> None:
        for edit in (self.current_edit, self.new_edit, self.repeat_edit):
            edit.clear()

    def reject(self) -> None:
        """Close without changing anything (also used when the vault locks)."""
        self._clear()
        super().reject()
