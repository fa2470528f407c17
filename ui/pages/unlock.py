"""The unlock page, which is also the lock screen.

Passphrase (Enter unlocks) or, after "Use recovery key instead", the recovery key — checked for
typos with `RecoveryKey.parse` before any unlocking is tried; a vault opened with it offers a new
passphrase next (`NewPassphrasePage`), since the old one has most likely been forgotten.
"Remember on this computer" stores the vault key in the OS keychain after a successful unlock; it
is disabled, with the reason in its tooltip, when no secure keychain exists. A key already
remembered is offered as a button, never used automatically. Opening runs off the UI thread; a
failure shows inline, clears the field and puts the cursor back.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from app.errors import RecoveryKeyTypo
from app.recovery_key import RecoveryKey
from storage.vault import SUFFIX, Secret
from ui.session import Session
from ui.widgets.common import (
    BusyRow,
    CardPage,
    MessageLabel,
    badge,
    heading,
    hline,
    link_button,
    muted,
    primary_button,
)
from ui.widgets.style import em, scaled_font

NO_KEYCHAIN_TIP = ("No secure keychain is available on this computer, so Tandem will not store "
                   "the vault key here. Unlock with your passphrase.")
CHECKING_TIP = "Checking this computer's keychain…"
RECOVERY_HELP = ("Forgot your passphrase? Once the recovery key has opened the vault, you can "
                 "choose a new passphrase.")
REMEMBER_TIP = ("Keep the vault key in this computer's keychain, so it can be unlocked without "
                "typing. Anyone who can log in to this computer as you could then open the vault.")


def _demo_passphrase() -> str:
    from ui.demo import DEMO_PASSPHRASE  # only for the demo: it imports the demo generator

    return DEMO_PASSPHRASE


class UnlockPage(CardPage):
    """Unlock the chosen vault with its passphrase, its recovery key or the keychain."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(84, parent)
        self.setAccessibleName("Unlock vault")
        self._session = session
        self._use_recovery_key = False
        folder = session.folder
        layout = self.card_layout

        top = QHBoxLayout()
        self.title = heading("Unlock your vault")
        top.addWidget(self.title, 1)
        self.demo_badge = badge("DEMO")
        top.addWidget(self.demo_badge)
        layout.addLayout(top)
        # Only once it has a parent: showing a parentless widget makes it a window of its own.
        self.demo_badge.setVisible(session.is_demo)

        name = folder.name.removesuffix(SUFFIX) if folder is not None else ""
        self.vault_label = QLabel(name)
        self.vault_label.setFont(scaled_font(1.2, bold=True))
        self.vault_label.setAccessibleName(f"Vault {name}")
        self.path_label = muted(str(folder) if folder is not None else "")
        self.path_label.setAccessibleName("Vault folder")
        layout.addWidget(self.vault_label)
        layout.addWidget(self.path_label)

        self.reason = MessageLabel("Notice")
        self.reason.setAccessibleName("Why Tandem is locked")
        self.reason.show_message(session.lock_reason)
        layout.addWidget(self.reason)

        self.demo_note = QLabel()
        demo_passphrase = _demo_passphrase() if session.is_demo else ""
        self.demo_note.setObjectName("Notice")
        self.demo_note.setWordWrap(True)
        self.demo_note.setTextFormat(Qt.TextFormat.RichText)
        self.demo_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_note.setAccessibleName("Demo passphrase")
        self.demo_note.setText(
            f"Demo passphrase: <b>{html.escape(demo_passphrase)}</b><br>"
            "The demo vault holds made-up examples only; its passphrase is published.")
        self.demo_note.setAccessibleDescription(f"The demo passphrase is {demo_passphrase}.")
        layout.addWidget(self.demo_note)
        self.demo_note.setVisible(session.is_demo)

        self.field_label = QLabel("&Passphrase")
        self.field_label.setFont(scaled_font(1.0, bold=True))
        self.secret_edit = QLineEdit()
        self.field_label.setBuddy(self.secret_edit)
        layout.addWidget(self.field_label)
        layout.addWidget(self.secret_edit)
        self.mode_link = link_button("Use recovery key instead")
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_link)
        mode_row.addStretch(1)
        layout.addLayout(mode_row)
        self.recovery_help = muted(RECOVERY_HELP)
        self.recovery_help.setFont(scaled_font(0.9))
        layout.addWidget(self.recovery_help)

        self.remember_box = QCheckBox("Re&member on this computer")
        self.remember_box.setAccessibleName("Remember on this computer")
        # As wide as its words: the whole box is what a click toggles.
        self.remember_box.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.remember_box.setEnabled(False)
        self.remember_box.setToolTip(CHECKING_TIP)
        layout.addWidget(self.remember_box)
        self.remember_help = muted(CHECKING_TIP)
        self.remember_help.setFont(scaled_font(0.9))
        layout.addWidget(self.remember_help)

        self.error = MessageLabel("Error")
        self.error.setAccessibleName("Unlock problem")
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)

        buttons = QHBoxLayout()
        self.keychain_button = QPushButton("Unlock with this computer's &keychain")
        self.keychain_button.setAccessibleName("Unlock with this computer's keychain")
        self.keychain_button.hide()
        buttons.addWidget(self.keychain_button)
        buttons.addStretch(1)
        self.unlock_button = primary_button("&Unlock")
        self.unlock_button.setMinimumWidth(em(self, 14))
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)

        layout.addWidget(hline())
        links = QHBoxLayout()
        self.open_link = link_button("Open another vault…")
        self.create_link = link_button("Create a new vault…")
        links.addWidget(self.open_link)
        links.addWidget(self.create_link)
        links.addStretch(1)
        layout.addLayout(links)

        self._apply_mode()
        self.secret_edit.returnPressed.connect(self.unlock)
        self.unlock_button.clicked.connect(self.unlock)
        self.mode_link.clicked.connect(self._toggle_mode)
        self.keychain_button.clicked.connect(self.unlock_with_keychain)
        self.create_link.clicked.connect(session.new_vault)
        session.keychain_changed.connect(self._show_keychain)
        session.problem_reported.connect(self._on_problem)
        self._show_keychain()
        if session.keychain_status is None or session.keychain_status.folder != folder:
            # Ask the keychain only after this page has been painted.
            QTimer.singleShot(0, self, session.probe_keychain)

    # -- what is shown ------------------------------------------------------------------------

    @property
    def using_recovery_key(self) -> bool:
        """True in recovery-key mode."""
        return self._use_recovery_key

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts on this page."""
        return self.secret_edit

    def _toggle_mode(self) -> None:
        self._use_recovery_key = not self._use_recovery_key
        self._apply_mode()
        self.error.clear_message()
        self.secret_edit.clear()
        self.secret_edit.setFocus()

    def _apply_mode(self) -> None:
        if self._use_recovery_key:
            self.field_label.setText("&Recovery key")
            self.secret_edit.setEchoMode(QLineEdit.EchoMode.Normal)
            self.secret_edit.setFont(scaled_font(1.15, mono=True))
            self.secret_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
            self.secret_edit.setAccessibleName("Recovery key")
            self.secret_edit.setAccessibleDescription(
                "The 32 characters from your Emergency Kit; dashes and case do not matter.")
            self.mode_link.setText("Use the passphrase instead")
            self.mode_link.setAccessibleName("Use the passphrase instead")
            self.recovery_help.show()
        else:
            self.field_label.setText("&Passphrase")
            self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.secret_edit.setFont(scaled_font(1.0))
            self.secret_edit.setPlaceholderText("")
            self.secret_edit.setAccessibleName("Passphrase")
            self.secret_edit.setAccessibleDescription("Press Enter to unlock.")
            self.mode_link.setText("Use recovery key instead")
            self.mode_link.setAccessibleName("Use recovery key instead")
            self.recovery_help.hide()

    def _show_keychain(self) -> None:
        status = self._session.keychain_status
        if status is None or status.folder != self._session.folder:
            return
        if status.available:
            self.remember_box.setEnabled(not self.busy.isVisibleTo(self))
            self.remember_box.setToolTip(REMEMBER_TIP)
            self.remember_box.setAccessibleDescription(REMEMBER_TIP)
            self.remember_help.setText(
                "Optional. " + REMEMBER_TIP + " Your passphrase and recovery key keep working.")
        else:
            self.remember_box.setChecked(False)
            self.remember_box.setEnabled(False)
            self.remember_box.setToolTip(NO_KEYCHAIN_TIP)
            self.remember_box.setAccessibleDescription(NO_KEYCHAIN_TIP)
            self.remember_help.setText(NO_KEYCHAIN_TIP)
        self.keychain_button.setVisible(status.available and status.has_key)

    @property
    def keychain_checked(self) -> bool:
        """True once the keychain probe for this vault has answered."""
        status = self._session.keychain_status
        return status is not None and status.folder == self._session.folder

    # -- unlocking ------------------------------------------------------------------------

    def unlock(self) -> None:
        """Check the typed secret and open the vault off the UI thread."""
        if self.busy.isVisibleTo(self):
            return
        typed = self.secret_edit.text()
        if self._use_recovery_key:
            try:
                secret = Secret(recovery_key=RecoveryKey.parse(typed))
            except RecoveryKeyTypo as exc:
                self.error.show_message(exc.message)
                self.secret_edit.setFocus()
                return
        else:
            if not typed:
                self.error.show_message("Type the vault's passphrase.")
                self.secret_edit.setFocus()
                return
            secret = Secret(passphrase=typed)
        remember = self.remember_box.isChecked() and self.remember_box.isEnabled()
        self.error.clear_message()
        self._set_busy(True)
        self._session.unlock(secret, remember, self._on_failed, context=self)

    def unlock_with_keychain(self) -> None:
        """Open the vault with the key this computer remembers (only when asked)."""
        if self.busy.isVisibleTo(self):
            return
        self.error.clear_message()
        self._set_busy(True)
        self._session.unlock_with_keychain(self._on_failed, context=self)

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        self.error.show_message(message)
        self.secret_edit.clear()
        self.secret_edit.setFocus()

    def _on_problem(self, message: str) -> None:
        self.error.show_message(message)

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.busy.start("Unlocking…")
        else:
            self.busy.stop()
        for widget in (self.secret_edit, self.unlock_button, self.mode_link,
                       self.keychain_button, self.open_link, self.create_link):
            widget.setEnabled(not busy)
        status = self._session.keychain_status
        self.remember_box.setEnabled(not busy and status is not None and status.available
                                     and status.folder == self._session.folder)

    def wipe(self) -> None:
        """Clear the typed secret before the page is deleted."""
        self._session.keychain_changed.disconnect(self._show_keychain)
        self._session.problem_reported.disconnect(self._on_problem)
        self.secret_edit.clear()
