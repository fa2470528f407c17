"""The vault home page shown while unlocked: what the vault is, and its audit trail.

This page shows vault content, so locking deletes it (`wipe` first empties every label and the
model, then the window deletes the page); it is rebuilt from scratch after the next unlock.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.pages.audit_trail import COL_DETAILS, COL_EVENT, COL_WHEN, AuditTrailModel, local_time
from ui.session import Session
from ui.widgets.common import MessageLabel, badge, heading, muted
from ui.widgets.style import em, scaled_font


class WorkspacePage(QWidget):
    """Vault name, folder, created, schema version, last backup, and the audit trail."""

    backup_requested = Signal()
    """The person asked for a backup."""

    verify_requested = Signal()
    """The person asked to verify the vault."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setAccessibleName("Vault home")
        self._session = session
        outer = QVBoxLayout(self)
        margin = em(self, 3)
        outer.setContentsMargins(margin, em(self, 2), margin, em(self, 2))
        outer.setSpacing(em(self, 1.2))

        top = QHBoxLayout()
        self.title = heading("", 1.7)
        self.title.setWordWrap(False)
        top.addWidget(self.title)
        self.demo_badge = badge("DEMO")
        top.addWidget(self.demo_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addStretch(1)
        self.backup_button = QPushButton("&Back up now…")
        self.backup_button.setAccessibleName("Back up now")
        self.verify_button = QPushButton("&Verify vault")
        self.verify_button.setAccessibleName("Verify vault")
        self.lock_button = QPushButton("&Lock")
        self.lock_button.setObjectName("Primary")
        self.lock_button.setAccessibleName("Lock now")
        self.lock_button.setToolTip("Lock now (Ctrl+L)")
        for button in (self.backup_button, self.verify_button, self.lock_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(top)

        card = QFrame(self)
        card.setObjectName("Card")
        grid = QGridLayout(card)
        pad = em(self, 2.5)
        grid.setContentsMargins(pad, em(self, 1.6), pad, em(self, 1.6))
        grid.setHorizontalSpacing(em(self, 3))
        grid.setVerticalSpacing(em(self, 0.8))
        self.folder_value = self._detail(grid, 0, 0, "Folder")
        self.folder_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.created_value = self._detail(grid, 0, 1, "Created")
        self.schema_value = self._detail(grid, 1, 1, "Schema version")
        self.backup_value = self._detail(grid, 1, 0, "Last backup")
        grid.setColumnMinimumWidth(0, em(self, 70))
        grid.setColumnStretch(2, 1)  # keep the details together on wide screens
        outer.addWidget(card)

        outer.addWidget(heading("Audit trail", 1.25))
        outer.addWidget(muted("Every unlock, lock, backup and change is recorded here, newest "
                              "first. Entries can never be edited or removed."))
        self.error = MessageLabel("Error")
        outer.addWidget(self.error)
        self.model = AuditTrailModel(session, self)
        self.model.load_failed.connect(self.error.show_message)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit trail")
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(round(self.fontMetrics().height() * 1.8))
        header = self.table.horizontalHeader()
        header.setAccessibleName("Audit trail columns")
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_EVENT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_DETAILS, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_WHEN, em(self, 24))
        header.resizeSection(COL_EVENT, em(self, 30))
        outer.addWidget(self.table, 1)

        self.backup_button.clicked.connect(self.backup_requested)
        self.verify_button.clicked.connect(self.verify_requested)
        self.lock_button.clicked.connect(lambda: session.lock("manual"))
        session.snapshot_changed.connect(self._show_snapshot)
        session.audit_changed.connect(self.model.refresh)
        self._show_snapshot()
        self.model.load()

    def _detail(self, grid: QGridLayout, row: int, column: int, label: str) -> QLabel:
        box = QVBoxLayout()
        box.setSpacing(em(self, 0.2))
        caption = QLabel(label)
        caption.setObjectName("Muted")
        caption.setFont(scaled_font(0.9))
        value = QLabel()
        value.setFont(scaled_font(1.05, bold=True))
        value.setWordWrap(label == "Folder")  # a long path may wrap; the rest stay on one line
        value.setAccessibleName(label)
        caption.setBuddy(value)
        box.addWidget(caption)
        box.addWidget(value)
        grid.addLayout(box, row, column)
        return value

    def _show_snapshot(self) -> None:
        snapshot = self._session.snapshot
        if snapshot is None:
            return
        self.title.setText(snapshot.name)
        self.title.setAccessibleName(f"Vault: {snapshot.name}")
        self.demo_badge.setVisible(self._session.is_demo)
        self.folder_value.setText(str(snapshot.folder))
        self.created_value.setText(local_time(snapshot.created_at))
        self.schema_value.setText(str(snapshot.schema_version))
        self.backup_value.setText(local_time(snapshot.last_backup_at) if snapshot.last_backup_at
                                  else "Never — back up now")
        for label in (self.folder_value, self.created_value, self.schema_value,
                      self.backup_value):
            label.setAccessibleDescription(label.text())

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts on this page."""
        return self.table

    def wipe(self) -> None:
        """Empty every label and the model before the page is deleted (locking)."""
        self._session.snapshot_changed.disconnect(self._show_snapshot)
        self._session.audit_changed.disconnect(self.model.refresh)
        self.table.setModel(None)
        self.model.clear()
        for label in self.findChildren(QLabel):
            label.clear()
            label.setAccessibleName("")
            label.setAccessibleDescription("")
