"""The new vault's recovery key, shown once: write it down, then retype its last two groups.

The key is the only way in besides the passphrase; the page says plainly that without either,
nobody can open the vault. "Continue" enables only when the last two groups are typed correctly,
which proves the key was copied (forgivingly: case, spaces and look-alike letters do not matter).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ui.dialogs.emergency_kit import save_emergency_kit
from ui.dialogs.save_pdf import choose_pdf_path
from ui.session import Session
from ui.tasks import TaskRunner
from ui.widgets.common import (
    CardPage,
    MessageLabel,
    field_label,
    heading,
    muted,
    primary_button,
)
from ui.widgets.style import em, scaled_font

KIT_TIP = ("A one-page PDF with this key and what to do with it: print it and keep it away "
           "from this computer")
CHECKED_GROUPS = 2


def normalise_group(text: str) -> str:
    """A typed group as the key spells it: upper case, no spaces or dashes, O→0, I/L→1."""
    cleaned = "".join(ch for ch in text.upper() if not ch.isspace() and ch not in "-_.")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


class RecoveryKeyPage(CardPage):
    """Shows the recovery key in groups and asks for the last two back."""

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 choose_path: Callable[[QWidget, str, Path, str], Path | None] = choose_pdf_path
                 ) -> None:
        super().__init__(96, parent)
        self.setAccessibleName("Your recovery key")
        self._session = session
        self.choose_path = choose_path
        self._tasks = TaskRunner(name="tandem-kit", parent=self)
        self._groups = list(session.recovery_key_groups)
        layout = self.card_layout

        layout.addWidget(heading("Your recovery key"))
        layout.addWidget(muted(
            "If you forget your passphrase, this key is the only other way into the vault. "
            "Write it down or print the Emergency Kit, and keep it somewhere safe, away from "
            "this computer. It is shown only now."))
        warning = MessageLabel("Warning")
        warning.setFont(scaled_font(1.0, bold=True))
        warning.show_message(
            "Important: without your passphrase or this recovery key, nobody can open the "
            "vault — not you, and not the makers of Tandem. There is no reset.")
        layout.addWidget(warning)

        grid = QGridLayout()
        grid.setHorizontalSpacing(em(self, 1.2))
        grid.setVerticalSpacing(em(self, 1))
        self.group_labels: list[QLabel] = []
        for i, group in enumerate(self._groups):
            label = QLabel(group)
            label.setObjectName("KeyGroup")
            label.setFont(scaled_font(1.7, bold=True, mono=True))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            # Reachable with Tab too, so a screen reader can read each group.
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            label.setAccessibleName(f"Group {i + 1}")
            label.setAccessibleDescription(" ".join(group))
            number = QLabel(str(i + 1))
            number.setObjectName("Muted")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(label, (i // 4) * 2, i % 4)
            grid.addWidget(number, (i // 4) * 2 + 1, i % 4)
            self.group_labels.append(label)
        layout.addLayout(grid)

        kit_row = QHBoxLayout()
        self.print_button = QPushButton("&Save Emergency Kit (PDF)…")
        self.print_button.setToolTip(KIT_TIP)
        self.print_button.setAccessibleName("Save Emergency Kit")
        self.print_button.setAccessibleDescription(KIT_TIP)
        self.print_button.clicked.connect(self.save_kit)
        kit_row.addWidget(self.print_button)
        self.kit_status = muted("Print it, then delete the file — or keep it only on a drive "
                                "that stays somewhere safe.")
        self.kit_status.setAccessibleName("Emergency Kit")
        self.kit_status.setWordWrap(True)
        kit_row.addWidget(self.kit_status, 1)
        layout.addLayout(kit_row)
        self.kit_error = MessageLabel("Error")
        layout.addWidget(self.kit_error)

        first = len(self._groups) - CHECKED_GROUPS + 1
        layout.addWidget(muted(
            f"To show that you have a copy, type groups {first} and {first + 1} below."))
        self.check_edits: list[QLineEdit] = []
        row = QHBoxLayout()
        for n in range(first, first + CHECKED_GROUPS):
            edit = QLineEdit()
            edit.setFont(scaled_font(1.3, mono=True))
            edit.setMaxLength(8)
            edit.setAccessibleName(f"Group {n}")
            edit.setMinimumWidth(em(self, 10))
            edit.textChanged.connect(self._update)
            column = QHBoxLayout()
            column.addWidget(field_label(f"Group {n}:", edit))
            column.addWidget(edit)
            row.addLayout(column)
            self.check_edits.append(edit)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = MessageLabel("Error")
        self.status.setAccessibleName("Check result")
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.continue_button = primary_button("&Continue")
        self.continue_button.setMinimumWidth(em(self, 16))
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)

        self.continue_button.clicked.connect(self._continue)
        self.check_edits[-1].returnPressed.connect(self._continue)
        self.check_edits[0].returnPressed.connect(self.check_edits[-1].setFocus)
        self._update()

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts: the key itself, so Tab reads it group by group."""
        return self.group_labels[0] if self.group_labels else self.check_edits[0]

    def _matches(self) -> list[bool]:
        expected = self._groups[-CHECKED_GROUPS:]
        return [normalise_group(edit.text()) == group
                for edit, group in zip(self.check_edits, expected, strict=True)]

    def _update(self) -> None:
        matches = self._matches()
        ok = bool(self._groups) and all(matches)
        self.continue_button.setEnabled(ok)
        full = [len(normalise_group(e.text())) >= 4 for e in self.check_edits]
        wrong = [n for n, (m, f) in enumerate(zip(matches, full, strict=True)) if f and not m]
        if wrong:
            first = len(self._groups) - CHECKED_GROUPS + 1
            names = " and ".join(f"group {first + n}" for n in wrong)
            self.status.show_message(
                f"That does not match {names}: compare each character with the key above.")
        else:
            self.status.clear_message()
        tip = "Continue to the vault." if ok else "Type the last two groups first."
        self.continue_button.setToolTip(tip)
        self.continue_button.setAccessibleDescription(tip)

    def save_kit(self) -> None:
        """Save the Emergency Kit for this key as a PDF where the person chooses."""
        snapshot = self._session.snapshot
        if snapshot is None or not self._groups:
            return
        self.kit_error.clear_message()
        if save_emergency_kit(self, self._tasks, snapshot.name, snapshot.created_at,
                              self._groups, choose_path=self.choose_path,
                              on_saved=self._kit_saved, on_error=self.kit_error.show_message):
            self.print_button.setEnabled(False)

    def _kit_saved(self, path: Path) -> None:
        self.print_button.setEnabled(True)
        self.kit_status.setText(f"Saved to {path}. Print it, then keep the paper somewhere "
                                "safe, away from this computer.")

    def _continue(self) -> None:
        if self.continue_button.isEnabled():
            self._session.confirm_recovery_key()

    def wipe(self) -> None:
        """Remove the key from every label before the page is deleted."""
        for label in self.group_labels:
            label.clear()
            label.setAccessibleDescription("")
        for edit in self.check_edits:
            edit.clear()
        self._groups = []
