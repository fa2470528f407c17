"""Saving the Emergency Kit: at vault creation, and later from Settings with a new recovery key.

The recovery key itself is never stored (only a key slot wrapped with it), so a kit can be made
in two moments only: right after the vault is created, while the key is on screen, and later by
issuing a *new* key after the passphrase is typed again — the key on any earlier kit stops
working then, which is also what someone who lost their kit wants.

The file is written atomically with owner-only permissions through Qt's own file dialog (no OS
recent-files entry). If a new key was issued but the file could not be written, the dialog shows
the key on screen, so it is never lost between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.recovery_key import RecoveryKey
from reports.emergency_kit import write_emergency_kit
from storage.vault import Vault
from ui.dialogs.save_pdf import choose_pdf_path
from ui.session import describe
from ui.tasks import TaskRunner
from ui.widgets.common import MessageLabel, heading, muted
from ui.widgets.style import em, scaled_font

KIT_FILE_NAME = "Tandem Emergency Kit.pdf"

ChoosePath = Callable[[QWidget, str, Path, str], Path | None]


def save_emergency_kit(parent: QWidget, tasks: TaskRunner, vault_name: str, created_at: str,
                       groups: list[str], *, choose_path: ChoosePath = choose_pdf_path,
                       on_saved: Callable[[Path], None],
                       on_error: Callable[[str], None]) -> bool:
    """Ask where, then write the kit in the background; False when the person cancelled."""
    path = choose_path(parent, "Save the Emergency Kit", Path.home(), KIT_FILE_NAME)
    if path is None:
        return False
    key = "-".join(groups)
    tasks.run(lambda: write_emergency_kit(path, vault_name, created_at, key), on_saved,
              lambda error: on_error(describe(error)), context=parent)
    return True


class NewEmergencyKitDialog(QDialog):
    """Re-enter the passphrase, issue a new recovery key and save its Emergency Kit."""

    saved = Signal(object)
    """The kit was written (its Path)."""

    def __init__(self, vault: Vault, tasks: TaskRunner, *,
                 choose_path: ChoosePath = choose_pdf_path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Emergency Kit")
        self.setAccessibleName("New Emergency Kit")
        self._vault = vault
        self._tasks = tasks
        self._choose_path = choose_path
        self._busy = False
        layout = QVBoxLayout(self)
        layout.addWidget(heading("New Emergency Kit", 1.3))
        text = muted(
            "The Emergency Kit is a one-page PDF with your recovery key, to print and keep "
            "away from this computer. Tandem never stores the recovery key, so a new kit comes "
            "with a new key: the key on any earlier kit stops working. Type your passphrase to "
            "go on.")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setPlaceholderText("Your passphrase")
        caption = QLabel("&Passphrase:")
        caption.setBuddy(self.passphrase)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.passphrase, 1)
        layout.addLayout(row)
        self.notice = MessageLabel("Notice")
        self.notice.setAccessibleName("Emergency Kit progress")
        layout.addWidget(self.notice)
        self.message = MessageLabel("Error")
        self.message.setAccessibleName("Emergency Kit problem")
        layout.addWidget(self.message)
        self.key_box = QWidget()
        self.key_grid = QGridLayout(self.key_box)
        self.key_box.hide()
        layout.addWidget(self.key_box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.make_button = QPushButton("&Issue new key and save kit…")
        self.make_button.setObjectName("Primary")
        self.make_button.setAccessibleName("Issue a new recovery key and save the Emergency Kit")
        self.make_button.setDefault(True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.make_button)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.make_button.clicked.connect(self.make)
        self.passphrase.returnPressed.connect(self.make)
        self.setMinimumWidth(em(self, 36))

    def make(self) -> None:
        """Check the passphrase, ask where to save, then issue the key and write the kit."""
        if self._busy:
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.message.show_message("Type your passphrase first.")
            return
        path = self._choose_path(self, "Save the Emergency Kit", Path.home(), KIT_FILE_NAME)
        if path is None:
            return
        self._busy = True
        self.make_button.setEnabled(False)
        self.message.clear_message()
        self.notice.show_message("Checking the passphrase and issuing a new key…")
        vault = self._vault

        def run() -> tuple[RecoveryKey, Path | None, str]:
            key = vault.replace_recovery_key(passphrase)  # WrongSecret: nothing changed
            info = vault.info()
            try:
                return key, write_emergency_kit(path, info.name, info.created_at, key), ""
            except Exception as exc:
                return key, None, describe(exc)

        self._tasks.run(run, self._done, self._failed, context=self)

    def _done(self, result: tuple[RecoveryKey, Path | None, str]) -> None:
        key, path, problem = result
        self._busy = False
        self.passphrase.clear()
        if path is not None:
            self.saved.emit(path)
            self.accept()
            return
        # The key changed but the file was not written: show it once, now.
        self.notice.clear_message()
        self.message.show_message(
            f"A new recovery key was issued, but the kit could not be saved: {problem} "
            "Write the key below down now — it is shown only here.")
        for index, group in enumerate(key.groups):
            label = QLabel(group)
            label.setFont(scaled_font(1.5, bold=True, mono=True))
            label.setAccessibleName(f"Group {index + 1}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                          | Qt.TextInteractionFlag.TextSelectableByMouse)
            self.key_grid.addWidget(label, index // 4, index % 4)
        self.key_box.show()
        self.make_button.hide()
        self.cancel_button.setText("Close")

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.make_button.setEnabled(True)
        self.notice.clear_message()
        self.message.show_message(describe(error))
        self.passphrase.selectAll()
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def done(self, result: int) -> None:  # noqa: D102 - Qt override
        self.passphrase.clear()
        for label in self.key_box.findChildren(QLabel):
            label.clear()
        super().done(result)
