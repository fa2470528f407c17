"""The part every read-only list in the window shares: rows of one kind, fixed named columns.

Client list, session timeline, audit trail, ratings and letters each show a list of domain rows
in a table. Row and column counts and the header come from here; each model says only how a
row reads in a cell (`data`) and where its rows come from.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

T = TypeVar("T")

_ROOT = QModelIndex()
Index = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel, Generic[T]):
    """A flat table of `T` rows under the column titles in `columns`."""

    def __init__(self, columns: tuple[str, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self._rows: list[T] = []

    def rowCount(self, parent: Index = _ROOT) -> int:
        """Rows shown (loaded so far, for the lazily paged lists)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        """The named columns."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return self.columns[section]
        return None

    def row_at(self, row: int) -> T | None:
        """The domain row shown in table row `row` (None outside the table)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, row_id: int) -> int:
        """The table row showing the domain row with this `id`, or -1."""
        for i, row in enumerate(self._rows):
            if getattr(row, "id", None) == row_id:
                return i
        return -1


def row_table(model: QAbstractTableModel, accessible_name: str, header_name: str, *,
              row_height: float, parent: QWidget | None = None) -> QTableView:
    """A read-only list table as every list in the window looks and behaves.

    Whole rows selected one at a time, no editing, no grid, zebra rows, fixed row height in
    lines of the current font (text scales), left-aligned column titles. Tab leaves the table
    instead of walking its cells, so the keyboard moves on to the next control.
    """
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(accessible_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(round(table.fontMetrics().height() * row_height))
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setAccessibleName(header_name)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table
