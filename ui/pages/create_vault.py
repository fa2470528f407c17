"""First run: create a vault — location, practice name, a passphrase typed twice with live advice.

"Create" stays disabled until the passphrase is strong enough and typed the same twice; the reason
is always on screen in words. Creating runs the KDF off the UI thread with a busy row.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

from storage.vault import default_vault_folder
from ui.session import Session
from ui.widgets.common import (
    BusyRow,
    CardPage,
    MessageLabel,
    field_label,
    heading,
    hline,
    link_button,
    muted,
    primary_button,
)
from ui.widgets.strength import StrengthMeter
from ui.widgets.style import em


class CreateVaultPage(CardPage):
    """The first-run page (also File ▸ New vault…)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(92, parent)
        self.setAccessibleName("Create a vault")
        self._session = session
        layout = self.card_layout

        layout.addWidget(heading("Create your practice vault"))
        layout.addWidget(muted(
            "Tandem keeps your practice records in one encrypted folder on this computer. "
            "Only your passphrase — or the recovery key you will be shown next — opens it."))

        self.location_edit = QLineEdit(str(session.paths.default_vault))
        self.location_edit.setAccessibleName("Vault location")
        self.location_edit.setAccessibleDescription(
            "The folder the vault is created in; it must be new or empty.")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAccessibleName("Browse for the vault location")
        layout.addWidget(field_label("&Location", self.location_edit))
        row = QHBoxLayout()
        row.addWidget(self.location_edit, 1)
        row.addWidget(self.browse_button)
        layout.addLayout(row)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Riverside Therapy")
        self.name_edit.setAccessibleName("Practice name")
        self.name_edit.setMaxLength(120)
        layout.addWidget(field_label("Practice &name", self.name_edit))
        layout.addWidget(self.name_edit)

        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("Passphrase")
        self.passphrase_edit.setAccessibleDescription(
            "At least 10 characters; several unrelated words are easy to remember and hard "
            "to guess.")
        layout.addWidget(field_label("&Passphrase", self.passphrase_edit))
        layout.addWidget(self.passphrase_edit)
        self.meter = StrengthMeter()
        layout.addWidget(self.meter)

        self.repeat_edit = QLineEdit()
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit.setAccessibleName("Repeat the passphrase")
        layout.addWidget(field_label("&Repeat the passphrase", self.repeat_edit))
        layout.addWidget(self.repeat_edit)
        self.mismatch = MessageLabel("Error")
        self.mismatch.setAccessibleName("Passphrase mismatch")
        layout.addWidget(self.mismatch)

        self.error = MessageLabel("Error")
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button: QPushButton | None = None
        if session.folder is not None:
            self.cancel_button = QPushButton("Cancel")
            self.cancel_button.setAccessibleName("Cancel and go back to the unlock screen")
            self.cancel_button.clicked.connect(session.cancel_create)
            buttons.addWidget(self.cancel_button)
        self.create_button = primary_button("&Create vault")
        self.create_button.setMinimumWidth(em(self, 16))
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)

        layout.addWidget(hline())
        links = QHBoxLayout()
        self.open_link = link_button("Open an existing vault…")
        self.demo_link = link_button("Explore the demo vault")
        links.addWidget(self.open_link)
        links.addWidget(self.demo_link)
        links.addStretch(1)
        layout.addLayout(links)

        self.browse_button.clicked.connect(self._browse)
        self.passphrase_edit.textChanged.connect(self._update)
        self.repeat_edit.textChanged.connect(self._update)
        self.location_edit.textChanged.connect(self._update)
        self.repeat_edit.returnPressed.connect(self._create)
        self.passphrase_edit.returnPressed.connect(self.repeat_edit.setFocus)
        self.create_button.clicked.connect(self._create)
        self.demo_link.clicked.connect(session.open_demo)
        self._update()

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts on this page."""
        return self.name_edit

    def _browse(self) -> None:
        current = Path(self.location_edit.text().strip() or str(self._session.paths.default_vault))
        chosen = self._session.prompts.choose_folder(
            self, "Where should the vault folder go?", current.parent)
        if chosen is not None:
            name = current.name if current.name else "Practice.tandem"
            self.location_edit.setText(str(chosen / name))

    def target_folder(self) -> Path | None:
        """The vault folder the location names (with .tandem added), or None when unusable."""
        text = self.location_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        if not path.is_absolute() or not path.name or path.name == path.anchor:
            return None
        return default_vault_folder(path)

    def _update(self) -> None:
        passphrase = self.passphrase_edit.text()
        repeat = self.repeat_edit.text()
        strength = self.meter.update_for(passphrase)
        mismatch = bool(repeat) and repeat != passphrase
        self.mismatch.show_message(
            "The two passphrases do not match yet." if mismatch else "")
        ready = (self.target_folder() is not None and strength.acceptable
                 and passphrase == repeat and not self.busy.isVisibleTo(self))
        self.create_button.setEnabled(ready)
        if self.target_folder() is None:
            hint = "Choose a full path for the vault folder."
        elif not strength.acceptable:
            hint = "The passphrase is not strong enough yet."
        elif passphrase != repeat:
            hint = "Type the same passphrase twice."
        else:
            hint = "Create the vault."
        self.create_button.setToolTip(hint)
        self.create_button.setAccessibleDescription(hint)

    def _create(self) -> None:
        if not self.create_button.isEnabled():
            return
        folder = self.target_folder()
        if folder is None:
            return
        self.error.clear_message()
        self._set_busy(True)
        self._session.create_vault(folder, self.name_edit.text().strip() or None,
                                   self.passphrase_edit.text(), self._on_failed, context=self)

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        self.error.show_message(message)
        self.location_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.busy.start("Creating the vault — protecting the key takes a moment…")
        else:
            self.busy.stop()
        for widget in (self.location_edit, self.browse_button, self.name_edit,
                       self.passphrase_edit, self.repeat_edit, self.open_link, self.demo_link):
            widget.setEnabled(not busy)
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(not busy)
        self._update()

    def wipe(self) -> None:
        """Clear the passphrase fields before the page is deleted."""
        self.passphrase_edit.clear()
        self.repeat_edit.clear()
