"""A client's sessions, newest first: date, number, attendance, modality and the note's state."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.notes import NoteStatus
from app.sessions import Attendance
from app.workspace import SessionRow
from ui.widgets.style import MUTED
from ui.widgets.table_model import RowsTableModel
from ui.workspace.format import day_text

COL_DATE = 0
COL_NUMBER = 1
COL_ATTENDANCE = 2
COL_MODALITY = 3
COL_NOTE = 4
COLUMNS = ("Date", "No.", "Attendance", "Modality", "Note")

SESSION_ROLE = Qt.ItemDataRole.UserRole + 1
"""The SessionRow behind a row."""

_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex


def is_deleted(row: SessionRow) -> bool:
    """A signed note always has text; a signed note without any was deleted (a stub)."""
    return row.note_status is NoteStatus.SIGNED and not row.note_preview


def note_words(row: SessionRow, today: date) -> str:
    """The note column: draft, signed, late entry, deleted, none yet, or upcoming."""
    if row.note_status is None:
        if row.date > today:
            return "Upcoming"
        return "No note" if row.attendance is Attendance.ATTENDED else "—"
    if is_deleted(row):
        return "Deleted"
    word = "Signed" if row.note_status is NoteStatus.SIGNED else "Draft"
    return f"{word}, late" if row.late_entry else word


def session_title(row: SessionRow) -> str:
    """"Session 12 · Tue 2025-03-04 · 10:00"."""
    parts = [f"Session {row.number}" if row.number else "Session", day_text(row.date)]
    if row.start_time:
        parts.append(row.start_time)
    return " · ".join(parts)


def session_details(row: SessionRow) -> str:
    """"50 min · In person · Attended"."""
    return " · ".join([f"{row.duration_min} min", row.modality.label, row.attendance.label])


def session_words(row: SessionRow) -> str:
    """"Session 12 · Tue 2025-03-04 · 10:00 · 50 min · In person · Attended"."""
    return f"{session_title(row)} · {session_details(row)}"


class SessionTimelineModel(RowsTableModel[SessionRow]):
    """One client's sessions (all of them: a client has hundreds at most)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._today = date.today()

    def set_rows(self, rows: list[SessionRow], today: date) -> None:
        """Show `rows` (newest first, as the store gives them)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._today = today
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_rows([], self._today)

    def rows(self) -> list[SessionRow]:
        """Every session shown, newest first."""
        return list(self._rows)

    def session_at(self, row: int) -> SessionRow | None:
        """The session on `row`."""
        return self.row_at(row)

    def replace_session(self, session: SessionRow) -> None:
        """Show a changed session (its note was saved, signed or deleted)."""
        row = self.row_of(session.id)
        if row >= 0:
            self._rows[row] = session
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; the SessionRow under SESSION_ROLE."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[column]}: {self._text(row, column)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            preview = row.note_preview
            return session_words(row) + (f"\n{preview}" if preview else "")
        if role == Qt.ItemDataRole.ForegroundRole and (
                row.date > self._today or row.attendance is not Attendance.ATTENDED
                or column in (COL_NUMBER, COL_MODALITY)):
            return QColor(MUTED)
        if role == Qt.ItemDataRole.FontRole and column == COL_NOTE \
                and row.note_status is NoteStatus.DRAFT:
            font = QFont()
            font.setBold(True)
            return font
        if role == SESSION_ROLE:
            return row
        return None

    def _text(self, row: SessionRow, column: int) -> str:
        if column == COL_DATE:
            return day_text(row.date)
        if column == COL_NUMBER:
            return str(row.number) if row.number else ""
        if column == COL_ATTENDANCE:
            return row.attendance.label
        if column == COL_MODALITY:
            return row.modality.label
        if column == COL_NOTE:
            return note_words(row, self._today)
        return ""

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Read-only rows."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
