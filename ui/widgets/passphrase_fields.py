"""A new passphrase typed twice, with the live strength meter: what creating a vault asks for.

One widget, so every place that sets a passphrase — the page after a recovery-key unlock, the
Change passphrase dialog — asks the same way and holds it to the same rule: strong enough
(`app.passphrase_strength`, the rule vault creation and `tandem vault passwd` use) and typed the
same twice. Whatever is not right yet is always said in words (`hint`), never only by a greyed
button.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from ui.widgets.common import MessageLabel, field_label
from ui.widgets.strength import StrengthMeter
from ui.widgets.style import em


class NewPassphraseFields(QWidget):
    """New passphrase, strength meter, repeat field and the mismatch message."""

    changed = Signal()
    """What was typed changed (re-read `ready` and `hint`)."""

    submitted = Signal()
    """Return was pressed in the repeat field."""

    def __init__(self, parent: QWidget | None = None, *, label: str = "&New passphrase",
                 repeat_label: str = "&Repeat the new passphrase",
                 spacing: float = 1.0) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em(self, spacing))

        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName(label.replace("&", ""))
        self.passphrase_edit.setAccessibleDescription(
            "At least 10 characters; several unrelated words are easy to remember and hard "
            "to guess.")
        layout.addWidget(field_label(label, self.passphrase_edit, self))
        layout.addWidget(self.passphrase_edit)
        self.meter = StrengthMeter(self)
        layout.addWidget(self.meter)

        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit.setAccessibleName(repeat_label.replace("&", ""))
        layout.addWidget(field_label(repeat_label, self.repeat_edit, self))
        layout.addWidget(self.repeat_edit)
        self.mismatch = MessageLabel("Error", self)
        self.mismatch.setAccessibleName("Passphrase mismatch")
        layout.addWidget(self.mismatch)

        self.passphrase_edit.textChanged.connect(self._update)
        self.repeat_edit.textChanged.connect(self._update)
        self.passphrase_edit.returnPressed.connect(self.repeat_edit.setFocus)
        self.repeat_edit.returnPressed.connect(self.submitted)
        self._update()

    @property
    def passphrase(self) -> str:
        """The new passphrase as typed."""
        return self.passphrase_edit.text()

    @property
    def ready(self) -> bool:
        """True when the passphrase is strong enough and typed the same twice."""
        return (self.meter.strength.acceptable
                and self.passphrase_edit.text() == self.repeat_edit.text())

    @property
    def hint(self) -> str:
        """What is still missing, in words ("" when ready)."""
        if not self.passphrase_edit.text():
            return "Type a new passphrase."
        if not self.meter.strength.acceptable:
            return "The new passphrase is not strong enough yet."
        if self.passphrase_edit.text() != self.repeat_edit.text():
            return "Type the same new passphrase twice."
        return ""

    @property
    def mismatch_text(self) -> str:
        """The message for two fields that differ ("" while they agree or the repeat is empty)."""
        repeat = self.repeat_edit.text()
        if repeat and repeat != self.passphrase_edit.text():
            return "The two new passphrases do not match yet."
        return ""

    def _update(self) -> None:
        self.meter.update_for(self.passphrase_edit.text())
        self.mismatch.show_message(self.mismatch_text)
        self.changed.emit()

    def clear(self) -> None:
        """Forget both fields (after use, on close and on lock)."""
        self.passphrase_edit.clear()
        self.repeat_edit.clear()
