"""After an unlock with the recovery key: choose a new passphrase now, or deliberately later.

Whoever needed the recovery key has most likely forgotten the passphrase, and would need the key
again at the next unlock. So before the workspace this page offers a new passphrase, asked for the
way vault creation asks (`NewPassphraseFields`: strength meter, typed twice). The recovery key
just typed proves the right to do it (`Session.reset_passphrase`); it keeps working afterwards.

Nothing here skips by accident: Escape does nothing, Return only sets a passphrase that is ready,
and "Later" sits apart from the main button, has no keyboard mnemonic (Alt+L is a slip away from
Ctrl+L) and asks once more, saying which passphrase stays in use. Setting it runs the KDF off the
UI thread; the fields are emptied when the page goes (done, Later, or a lock).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ui.session import Session
from ui.widgets.common import (
    BusyRow,
    CardPage,
    MessageLabel,
    heading,
    hline,
    muted,
    primary_button,
)
from ui.widgets.passphrase_fields import NewPassphraseFields
from ui.widgets.style import em, scaled_font

LATER_NOTE = ("Later keeps the passphrase you used before as the one that opens the vault. You "
              "can choose a new one at any time with Change passphrase in the Vault menu.")


class NewPassphrasePage(CardPage):
    """Offers a new passphrase right after the vault was opened with its recovery key."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(84, parent)
        self.setAccessibleName("Choose a new passphrase")
        self._session = session
        layout = self.card_layout

        layout.addWidget(heading("Choose a new passphrase"))
        self.notice = MessageLabel("Notice")
        self.notice.setFont(scaled_font(1.0, bold=True))
        self.notice.setAccessibleName("Opened with the recovery key")
        self.notice.show_message(
            "You opened the vault with your recovery key. Choose a new passphrase now, so you "
            "can unlock with it next time.")
        layout.addWidget(self.notice)
        layout.addWidget(muted(
            "The new passphrase replaces the one you used before, which stops working. Your "
            "recovery key does not change and keeps working: keep your Emergency Kit where it "
            "is. Backups made earlier still open with the passphrase they were made with."))

        self.fields = NewPassphraseFields(self, spacing=1.2)
        layout.addWidget(self.fields)

        self.error = MessageLabel("Error")
        self.error.setAccessibleName("Problem setting the passphrase")
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)

        buttons = QHBoxLayout()
        self.later_button = QPushButton("Later")
        self.later_button.setAccessibleName("Later: keep the current passphrase")
        self.later_button.setAccessibleDescription(LATER_NOTE)
        self.later_button.setToolTip(LATER_NOTE)
        self.later_button.setAutoDefault(False)
        buttons.addWidget(self.later_button)
        buttons.addStretch(1)
        self.set_button = primary_button("&Set new passphrase")
        self.set_button.setMinimumWidth(em(self, 16))
        buttons.addWidget(self.set_button)
        layout.addWidget(hline())
        layout.addLayout(buttons)
        self.later_note = muted(LATER_NOTE)
        self.later_note.setFont(scaled_font(0.9))
        layout.addWidget(self.later_note)

        self.fields.changed.connect(self._update)
        self.fields.submitted.connect(self._set)
        self.set_button.clicked.connect(self._set)
        self.later_button.clicked.connect(self._later)
        self._update()

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts on this page."""
        return self.fields.passphrase_edit

    def _update(self) -> None:
        busy = self.busy.isVisibleTo(self)
        self.set_button.setEnabled(self.fields.ready and not busy)
        hint = self.fields.hint or "Use the new passphrase from now on."
        self.set_button.setToolTip(hint)
        self.set_button.setAccessibleDescription(hint)

    def _set(self) -> None:
        if not self.set_button.isEnabled():
            return
        self.error.clear_message()
        self._set_busy(True)
        if not self._session.reset_passphrase(self.fields.passphrase, self._on_done,
                                              self._on_failed, context=self):
            self._set_busy(False)

    def _on_done(self, _none: None) -> None:
        # The session opens the workspace; this page is about to be retired.
        self._set_busy(False)
        self.fields.clear()

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        self.error.show_message(message)
        self.fields.passphrase_edit.setFocus()

    def _later(self) -> None:
        if self.busy.isVisibleTo(self):
            return
        self._session.prompts.confirm(
            self, "Keep your current passphrase?",
            "The passphrase you used before this unlock stays the one that opens the vault. "
            "If you have forgotten it, you will need the recovery key again next time.",
            "Keep current passphrase", self._on_later_answered)

    def _on_later_answered(self, keep: bool) -> None:
        if keep:
            self.fields.clear()
            self._session.postpone_new_passphrase()
        else:
            self.fields.passphrase_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.busy.start("Setting the new passphrase — protecting the key takes a moment…")
        else:
            self.busy.stop()
        self.fields.setEnabled(not busy)
        self.later_button.setEnabled(not busy)
        self._update()

    def wipe(self) -> None:
        """Clear the typed passphrases before the page is deleted (done, Later or a lock)."""
        self.fields.clear()
