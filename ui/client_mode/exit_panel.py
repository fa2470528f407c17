"""The therapist's way out of client mode: a PIN (a few tries) or the vault passphrase.

Shown inside the client's window, never as a separate window. Both checks are slow on purpose
(Argon2 / the vault's KDF) and run on a worker thread; the field is cleared as soon as it is read,
and a wrong entry says so. After `PinGuard.max_attempts` wrong PINs only the passphrase works.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import WrongSecret
from app.pin import PinGuard
from ui.tasks import TaskRunner
from ui.widgets.common import MessageLabel
from ui.widgets.style import em, scaled_font

_COUNT_WORDS = {1: "one try", 2: "two tries", 3: "three tries", 4: "four tries"}


class ExitPanel(QWidget):
    """PIN or passphrase entry; emits `released` once one of them is right."""

    released = Signal()
    back = Signal()

    def __init__(self, check_passphrase: Callable[[str], None],
                 check_pin: Callable[[str], bool] | None, tasks: TaskRunner,
                 guard: PinGuard | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ExitPanel")
        self._check_passphrase = check_passphrase
        self._check_pin = check_pin
        self._tasks = tasks
        self.guard = guard or PinGuard()
        self.busy = False
        self.mode = "pin"

        card = QFrame(self)
        card.setObjectName("Card")
        self.heading = QLabel("Therapist")
        self.heading.setFont(scaled_font(1.9, bold=True))
        self.heading.setAccessibleName("Therapist")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt = QLabel()
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setWordWrap(True)
        self.prompt.setFont(scaled_font(1.25))
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setFont(scaled_font(1.4))
        self.secret_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.secret_edit.setMaxLength(1024)
        self.secret_edit.returnPressed.connect(self.submit)
        self.message = MessageLabel("Error")
        self.message.setFont(scaled_font(1.1))
        self.status = MessageLabel("Notice")
        self.status.setFont(scaled_font(1.1))
        self.mode_link = QPushButton("Use the vault passphrase instead")
        self.mode_link.setObjectName("Link")
        self.mode_link.setFont(scaled_font(1.1))
        self.mode_link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.mode_link.clicked.connect(lambda: self.set_mode("passphrase"))
        self.back_button = QPushButton("Back")
        self.back_button.setFont(scaled_font(1.25))
        self.back_button.setAccessibleName("Back to the form")
        self.back_button.clicked.connect(self.go_back)
        self.end_button = QPushButton("End client mode")
        self.end_button.setObjectName("Primary")
        self.end_button.setFont(scaled_font(1.25, bold=True))
        self.end_button.clicked.connect(self.submit)
        for button in (self.back_button, self.end_button, self.mode_link):
            button.setAutoDefault(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.end_button)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(14)
        inner.addWidget(self.heading)
        inner.addWidget(self.prompt)
        inner.addWidget(self.secret_edit)
        inner.addWidget(self.message)
        inner.addWidget(self.status)
        inner.addWidget(self.mode_link, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addSpacing(6)
        inner.addLayout(buttons)
        card.setFixedWidth(max(em(self.prompt, 46), 440))
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.reset()

    @property
    def pin_allowed(self) -> bool:
        """True while a PIN may still end client mode."""
        return self._check_pin is not None and not self.guard.locked_out

    def reset(self) -> None:
        """Fresh each time it opens: empty field, no message, the PIN if it may be used."""
        self.message.hide()
        self.status.hide()
        self.set_mode("pin" if self.pin_allowed else "passphrase", keep_message=False)

    def set_mode(self, mode: str, *, keep_message: bool = True) -> None:
        """Ask for the PIN or the passphrase (the PIN only while it is allowed)."""
        self.mode = "pin" if mode == "pin" and self.pin_allowed else "passphrase"
        self.secret_edit.clear()
        if self.mode == "pin":
            self.prompt.setText("Enter the therapist PIN to end client mode.")
            self.secret_edit.setAccessibleName("Therapist PIN")
            self.secret_edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly
                                                 | Qt.InputMethodHint.ImhSensitiveData)
        else:
            self.prompt.setText("Enter the vault passphrase to end client mode.")
            self.secret_edit.setAccessibleName("Vault passphrase")
            self.secret_edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData
                                                 | Qt.InputMethodHint.ImhNoPredictiveText)
        self.mode_link.setVisible(self.mode == "pin")
        if not keep_message:
            self.message.hide()
        self.secret_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.secret_edit, self.end_button, self.back_button, self.mode_link):
            widget.setEnabled(not busy)
        self.status.setText("Checking…" if busy else "")
        self.status.setVisible(busy)
        if not busy:
            self.secret_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def go_back(self) -> None:
        """Back to the client's page (not while a check is running: it must be counted)."""
        if not self.busy:
            self.secret_edit.clear()
            self.back.emit()

    def submit(self) -> None:
        """Check what was typed, off the UI thread; the field is emptied at once."""
        if self.busy:
            return
        secret = self.secret_edit.text()
        self.secret_edit.clear()
        if not secret:
            self._say("Enter the PIN first." if self.mode == "pin"
                      else "Enter the passphrase first.")
            return
        self._say("")
        self._set_busy(True)
        if self.mode == "pin" and self._check_pin is not None:
            check_pin = self._check_pin
            self._tasks.run(lambda: check_pin(secret), self._pin_checked,
                            self._pin_error, context=self)
        else:
            check = self._check_passphrase
            self._tasks.run(lambda: check(secret), lambda _none: self._passed(),
                            self._passphrase_refused, context=self)

    def _passed(self) -> None:
        self._set_busy(False)
        self.released.emit()

    def _pin_checked(self, ok: bool) -> None:
        if ok is True:
            self._passed()
            return
        self._pin_error(None)

    def _pin_error(self, _error: BaseException | None) -> None:
        self._set_busy(False)
        self.guard.failed()
        if self.guard.locked_out:
            self.set_mode("passphrase")
            self._say("That PIN is not right, and too many PINs were wrong: only the vault "
                      "passphrase can end client mode now.")
            return
        left = _COUNT_WORDS.get(self.guard.attempts_left, "a few tries")
        self._say(f"That PIN is not right. {left.capitalize()} left.")

    def _passphrase_refused(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, WrongSecret):
            self._say("That passphrase is not right.")
        else:
            self._say("The passphrase could not be checked. Try again.")
