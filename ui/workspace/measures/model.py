"""Every administration of the client's ratings, oldest first, as a read-only table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.measures import Alert, AlertKind, MeasureDefinition, fmt
from app.ratings import Administration, RatingsSummary
from ui.widgets.table_model import RowsTableModel
from ui.workspace.style import MUTED

COLUMNS = ("Date", "Session", "Measure", "Items", "Total", "Collected", "Alerts", "Status")
(COL_DATE, COL_SESSION, COL_MEASURE, COL_ITEMS, COL_TOTAL, COL_COLLECTED, COL_ALERTS,
 COL_STATUS) = range(len(COLUMNS))
ADMINISTRATION_ROLE = Qt.ItemDataRole.UserRole + 1
_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex

ALERT_WORDS = {AlertKind.ORS_DETERIORATED: "Deteriorated",
               AlertKind.NO_IMPROVEMENT_BY_SESSION: "Not improving",
               AlertKind.SRS_TOTAL_LOW: "Alliance low", AlertKind.SRS_ITEM_LOW: "Item low",
               AlertKind.SRS_DROPPED: "Alliance dropped"}


class AdministrationsModel(RowsTableModel[Administration]):
    """One row per administration, voided ones included (struck through and labelled)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._alerts: dict[int, tuple[Alert, ...]] = {}
        self._responses: dict[tuple[int, str], str] = {}
        self._names: dict[str, str] = {}

    def set_data(self, administrations: list[Administration], summary: RatingsSummary | None,
                 responses: Mapping[tuple[int, str], str],
                 definitions: Mapping[str, MeasureDefinition]) -> None:
        """Show these administrations with their alerts and "discussed" responses."""
        self.beginResetModel()
        self._rows = list(administrations)
        self._alerts = {p.administration_id: p.alerts for p in summary.alerts} if summary else {}
        self._responses = dict(responses)
        self._names = {key: d.short_name for key, d in definitions.items()}
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing (another client, or locking)."""
        self.set_data([], None, {}, {})

    def administration(self, row: int) -> Administration | None:
        """The administration on `row`, if any."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def alerts(self, row: int) -> tuple[Alert, ...]:
        """The alerts the administration on `row` raised (none when void)."""
        a = self.administration(row)
        return () if a is None or a.voided else self._alerts.get(a.id, ())

    def undiscussed(self, row: int) -> tuple[Alert, ...]:
        """The alerts on `row` not yet marked as discussed."""
        a = self.administration(row)
        return tuple(alert for alert in self.alerts(row)
                     if a is not None and (a.id, alert.kind.value) not in self._responses)

    def row_of(self, administration_id: int) -> int:
        """The row showing `administration_id`, or -1."""
        return next((i for i, a in enumerate(self._rows) if a.id == administration_id), -1)

    # -- Qt's model interface ---------------------------------------------------------------

    def flags(self, index: _Index) -> Qt.ItemFlag:  # noqa: D102 - Qt override
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; voided rows struck through (and "void" in words); the administration."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        a = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[column]}: {self.text(index.row(), column) or 'none'}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_DATE:
                return a.administered_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if column == COL_ALERTS:
                return "\n".join(alert.message for alert in self.alerts(index.row())) or None
            if column == COL_STATUS and a.voided:
                return f"Void: {a.void_reason}"
            return self.text(index.row(), column) or None
        if role == Qt.ItemDataRole.FontRole and a.voided:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and a.voided:
            return QColor(MUTED)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_TOTAL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ADMINISTRATION_ROLE:
            return a
        return None

    def text(self, row: int, column: int) -> str:
        """What the cell says."""
        a = self._rows[row]
        if column == COL_DATE:
            return a.administered_at.astimezone().strftime("%Y-%m-%d")
        if column == COL_SESSION:
            return str(a.session_number) if a.session_number else "—"
        if column == COL_MEASURE:
            return self._names.get(a.measure, a.measure.upper())
        if column == COL_ITEMS:
            return " · ".join(fmt(v) for v in a.items) if a.items else "total only"
        if column == COL_TOTAL:
            return fmt(a.total)
        if column == COL_COLLECTED:
            return {"screen": "Client on screen", "paper_items": "From paper",
                    "paper_total": "From paper (total)"}.get(a.mode, a.mode)
        if column == COL_ALERTS:
            words = []
            for alert in self.alerts(row):
                word = ALERT_WORDS.get(alert.kind, alert.kind.value)
                if (a.id, alert.kind.value) in self._responses:
                    word += " (discussed)"
                words.append(word)
            return ", ".join(words)
        if column == COL_STATUS:
            if a.voided:
                return "void"
            alerts = self.alerts(row)
            if alerts and not self.undiscussed(row):
                return "discussed"
            return ""
        return ""
