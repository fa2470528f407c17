"""Change the vault's passphrase: current, new twice, live strength advice; off the UI thread.

"I forgot my passphrase — use the recovery key" swaps the current-passphrase field for the
recovery key (checked for typos with `RecoveryKey.parse` before anything runs), and the new
passphrase is then set with `Session.reset_passphrase`: the same result, proved with the other
way in. The recovery key keeps working either way. Every field is emptied when the dialog closes,
including when a lock closes it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import RecoveryKeyTypo
from app.recovery_key import RecoveryKey
from ui.session import Session
from ui.widgets.common import BusyRow, MessageLabel, heading, link_button, muted
from ui.widgets.passphrase_fields import NewPassphraseFields
from ui.widgets.style import em, scaled_font

PASSPHRASE_INTRO = (
    "The new passphrase works as soon as this finishes, and the current one stops working. "
    "Your recovery key does not change. Backups made earlier still open with the passphrase "
    "they were made with.")
RECOVERY_INTRO = (
    "Forgot your passphrase? Type the recovery key from your Emergency Kit instead. The new "
    "passphrase replaces the forgotten one; the recovery key does not change and keeps working.")


class ChangePassphraseDialog(QDialog):
    """Asks for the current passphrase (or the recovery key) and a new one."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._use_recovery_key = False
        self.setWindowTitle("Change passphrase")
        self.setAccessibleName("Change passphrase")
        self.setMinimumWidth(em(self, 84))
        layout = QVBoxLayout(self)
        pad = em(self, 2.5)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(em(self, 1))
        layout.addWidget(heading("Change passphrase", 1.35))
        self.intro = muted(PASSPHRASE_INTRO)
        layout.addWidget(self.intro)

        self.current_edit = QLineEdit()
        self.current_label = QLabel()
        self.current_label.setBuddy(self.current_edit)
        self.current_label.setFont(scaled_font(1.0, bold=True))
        layout.addWidget(self.current_label)
        layout.addWidget(self.current_edit)
        self.mode_link = link_button("I forgot my passphrase — use the recovery key")
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_link)
        mode_row.addStretch(1)
        layout.addLayout(mode_row)

        self.fields = NewPassphraseFields(self)
        layout.addWidget(self.fields)
        # The names the rest of the window (and its tests) already use.
        self.new_edit = self.fields.passphrase_edit
        self.repeat_edit = self.fields.repeat_edit
        self.meter = self.fields.meter
        self.mismatch = self.fields.mismatch
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

        self.current_edit.textChanged.connect(self._update)
        self.fields.changed.connect(self._update)
        self.mode_link.clicked.connect(self._toggle_mode)
        self._apply_mode()

    # -- passphrase or recovery key -----------------------------------------------------------

    @property
    def using_recovery_key(self) -> bool:
        """True when the new passphrase is to be set with the recovery key."""
        return self._use_recovery_key

    def _toggle_mode(self) -> None:
        self._use_recovery_key = not self._use_recovery_key
        self.current_edit.clear()
        self.error.clear_message()
        self._apply_mode()
        self.current_edit.setFocus()

    def _apply_mode(self) -> None:
        edit = self.current_edit
        if self._use_recovery_key:
            self.current_label.setText("Recovery &key")
            edit.setEchoMode(QLineEdit.EchoMode.Normal)  # 32 characters copied from paper
            edit.setFont(scaled_font(1.15, mono=True))
            edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
            edit.setAccessibleName("Recovery key")
            edit.setAccessibleDescription(
                "The 32 characters from your Emergency Kit; dashes and case do not matter.")
            self.intro.setText(RECOVERY_INTRO)
            self.mode_link.setText("Use the current passphrase instead")
            self.mode_link.setAccessibleName("Use the current passphrase instead")
        else:
            self.current_label.setText("&Current passphrase")
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setFont(scaled_font(1.0))
            edit.setPlaceholderText("")
            edit.setAccessibleName("Current passphrase")
            edit.setAccessibleDescription("")
            self.intro.setText(PASSPHRASE_INTRO)
            self.mode_link.setText("I forgot my passphrase — use the recovery key")
            self.mode_link.setAccessibleName("I forgot my passphrase: use the recovery key")
        self._update()

    # -- changing -----------------------------------------------------------------------------

    def _update(self) -> None:
        current = self.current_edit.text()
        same = (not self._use_recovery_key and bool(self.fields.passphrase)
                and self.fields.passphrase == current)
        self.mismatch.show_message("The new passphrase is the same as the current one."
                                   if same else self.fields.mismatch_text)
        self.change_button.setEnabled(bool(current) and self.fields.ready and not same
                                      and not self.busy.isVisibleTo(self))

    def _change(self) -> None:
        if not self.change_button.isEnabled():
            return
        self.error.clear_message()
        new = self.fields.passphrase
        if self._use_recovery_key:
            try:
                recovery_key = RecoveryKey.parse(self.current_edit.text())
            except RecoveryKeyTypo as exc:
                # Kept as typed, so the typo can be found and fixed.
                self.error.show_message(exc.message)
                self.current_edit.setFocus()
                return
            self._set_busy(True)
            started = self._session.reset_passphrase(new, self._on_done, self._on_failed,
                                                     recovery_key=recovery_key, context=self)
        else:
            self._set_busy(True)
            started = self._session.change_passphrase(
                self.current_edit.text(), new, self._on_done, self._on_failed, context=self)
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
        self.current_edit.setEnabled(not busy)
        self.mode_link.setEnabled(not busy)
        self.fields.setEnabled(not busy)
        self._update()

    def _clear(self) -> None:
        self.current_edit.clear()
        self.fields.clear()

    def reject(self) -> None:
        """Close without changing anything (also used when the vault locks)."""
        self._clear()
        super().reject()
