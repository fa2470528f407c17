"""Help ▸ Keyboard shortcuts: every action that has a shortcut, as the menus show it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.common import heading, muted
from ui.widgets.style import em

GENERAL_KEYS = (
    ("Move between fields and buttons", "Tab / Shift+Tab"),
    ("Unlock (in the passphrase field)", "Enter"),
    ("Open a menu", "Alt + the underlined letter"),
)


class ShortcutsDialog(QDialog):
    """A table of keyboard shortcuts."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.setMinimumWidth(em(self, 80))
        layout = QVBoxLayout(self)
        pad = em(self, 2.5)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.addWidget(heading("Keyboard shortcuts", 1.35))
        layout.addWidget(muted("Every control can be reached with the keyboard."))
        rows = [(a.text().replace("&", "").rstrip("…"),
                 a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                for a in actions if not a.shortcut().isEmpty()]
        rows.extend(GENERAL_KEYS)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.setMinimumHeight(self.table.verticalHeader().length()
                                    + header.sizeHint().height() + 2 * self.table.frameWidth())
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
