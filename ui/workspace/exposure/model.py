"""The ladder's steps as a table, in the therapist's order.

Readiness reads as words ("Ready to move on" / "Not yet") with the rule's reason in the tooltip,
never as a colour alone. Situation and anticipated SUDS edit in place: the model checks the
edit (SUDS 0–100) and either asks for it to be saved or says what is wrong; it never writes to
the vault itself. Rows move by drag and drop or keyboard through `moveRows`, which moves the row
at once and asks for the new position to be stored.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from app.errors import InvalidInput
from app.exposure import StepDraft, StepStatus, TrialRecord, validate_step
from storage.exposure import Step, Trial

Index = QModelIndex | QPersistentModelIndex
MIME = "application/x-tandem-ladder-step"

COL_POSITION, COL_SITUATION, COL_SUDS, COL_STATUS, COL_TRIALS, COL_LATEST, COL_READY = range(7)
HEADERS = ("#", "Situation", "SUDS", "Status", "Trials", "Latest peak", "Readiness")
HEADER_TIPS = ("Position in the ladder (drag a row, or Ctrl+Up / Ctrl+Down, to move it)",
               "The situation (F2 to edit)", "Anticipated SUDS, 0–100 (F2 to edit)",
               "Planned, in progress, mastered or retired", "How many trials were logged",
               "Peak SUDS of the latest trial",
               "Whether the step meets the ladder's rule. The decision is yours.")
READY = "Ready to move on"
NOT_YET = "Not yet"


def readiness_words(step: Step) -> str:
    """The readiness column's words."""
    if step.status is StepStatus.DROPPED:
        return "Retired"
    if step.status is StepStatus.MASTERED:
        return "Mastered"
    return READY if step.readiness.ready else NOT_YET


def readiness_reason(step: Step) -> str:
    """Why (or why not), in the rule's words."""
    if step.status is StepStatus.DROPPED:
        return "This step was retired; its trials are kept."
    reason = step.readiness.reason
    if step.status is StepStatus.MASTERED:
        return f"Marked mastered. {reason}"
    return reason


class LadderModel(QAbstractTableModel):
    """A ladder's steps (a hand-written table model)."""

    edit_requested = Signal(int, object)
    """(step id, StepDraft): an in-place edit that passed the checks."""

    edit_rejected = Signal(str)
    """An in-place edit did not pass the checks: what is wrong (nothing was saved)."""

    move_requested = Signal(int, int)
    """(step id, new position): a row was moved by drag or keyboard."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.steps: list[Step] = []

    # -- contents ---------------------------------------------------------------------------

    def set_steps(self, steps: list[Step]) -> None:
        """Show these steps (in their stored order)."""
        self.beginResetModel()
        self.steps = list(steps)
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing (another client, or locking)."""
        self.set_steps([])

    def step_at(self, row: int) -> Step | None:
        """The step on `row`, if any."""
        return self.steps[row] if 0 <= row < len(self.steps) else None

    def row_of(self, step_id: int) -> int:
        """The row of step `step_id`, or -1."""
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), -1)

    # -- the table --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(self.steps)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: D102 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        if orientation is Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid() or not 0 <= index.row() < len(self.steps):
            return None
        step = self.steps[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == COL_POSITION:
                return str(index.row() + 1)
            if column == COL_SITUATION:
                return step.situation
            if column == COL_SUDS:
                return str(step.suds)  # a string: the editor is a line edit, not a 0–99 spinbox
            if column == COL_STATUS:
                return step.status.label
            if column == COL_TRIALS:
                return str(step.trials)
            if column == COL_LATEST:
                return "—" if step.latest_suds is None else str(step.latest_suds)
            if column == COL_READY:
                return readiness_words(step)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_READY:
                return readiness_reason(step)
            if column == COL_SITUATION:
                parts = [step.situation]
                if step.safety_behaviours:
                    parts.append("Safety behaviours: " + ", ".join(step.safety_behaviours))
                if step.notes:
                    parts.append(step.notes)
                return "\n".join(parts)
            if column == COL_LATEST:
                return "Peak SUDS of the latest trial"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and column == COL_READY:
            return readiness_reason(step)
        if role == Qt.ItemDataRole.FontRole and column == COL_READY and \
                readiness_words(step) == READY:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.FontRole and step.status is StepStatus.DROPPED:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
                COL_POSITION, COL_SUDS, COL_TRIALS, COL_LATEST):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:  # noqa: D102
        base = Qt.ItemFlag.ItemIsDropEnabled  # between rows
        if not index.isValid():
            return base
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled)
        if index.column() in (COL_SITUATION, COL_SUDS):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any,  # noqa: D102 - Qt override
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() \
                or index.column() not in (COL_SITUATION, COL_SUDS):
            return False
        step = self.steps[index.row()]
        situation = str(value) if index.column() == COL_SITUATION else step.situation
        suds: Any = value if index.column() == COL_SUDS else step.suds
        try:
            draft = validate_step(StepDraft(situation, suds, step.notes, step.safety_behaviours))
        except InvalidInput as exc:
            self.edit_rejected.emit(exc.message)
            return False
        if draft.situation == step.situation and draft.suds == step.suds:
            return False
        self.edit_requested.emit(step.id, draft)
        return False  # shown once stored (the store's answer refreshes the ladder)

    # -- moving rows ------------------------------------------------------------------------

    def moveRows(self, source_parent: Index, source_row: int, count: int,
                 destination_parent: Index, destination_child: int) -> bool:
        """Move one row before `destination_child` (Qt's convention) and ask to store it."""
        if source_parent.isValid() or destination_parent.isValid() or count != 1 \
                or not 0 <= source_row < len(self.steps) \
                or not 0 <= destination_child <= len(self.steps) \
                or destination_child in (source_row, source_row + 1):
            return False
        if not self.beginMoveRows(QModelIndex(), source_row, source_row, QModelIndex(),
                                  destination_child):
            return False
        step = self.steps.pop(source_row)
        new_position = destination_child - 1 if destination_child > source_row \
            else destination_child
        self.steps.insert(new_position, step)
        self.endMoveRows()
        self.dataChanged.emit(self.index(0, COL_POSITION),
                              self.index(len(self.steps) - 1, COL_POSITION))
        self.move_requested.emit(step.id, new_position)
        return True

    def move_step(self, row: int, delta: int) -> bool:
        """Move the step on `row` up (-1) or down (+1) one place."""
        target = row + delta
        if not 0 <= row < len(self.steps) or not 0 <= target < len(self.steps):
            return False
        return self.moveRow(QModelIndex(), row, QModelIndex(), target + (1 if delta > 0 else 0))

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: D102 - Qt override
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: D102 - Qt override
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: D102 - Qt override
        return [MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: D102 - Qt override
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data.setData(MIME, QByteArray(",".join(str(r) for r in rows).encode()))
        return data

    def canDropMimeData(  # noqa: D102 - Qt override
            self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
            parent: Index) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(MIME)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,
                     column: int, parent: Index) -> bool:
        """Move the dragged step; returns False so the view removes nothing itself."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            rows = [int(r) for r in bytes(data.data(MIME).data()).decode().split(",") if r]
        except ValueError:
            return False
        if len(rows) != 1:
            return False
        source = rows[0]
        if row < 0:  # dropped on a row: take its place
            row = parent.row() if parent.isValid() else len(self.steps)
            if row > source:
                row += 1
        self.moveRows(QModelIndex(), source, 1, QModelIndex(), row)
        return False


TRIAL_HEADERS = ("When", "Where", "SUDS before", "Peak", "After", "Drop", "Expectancy",
                 "Violation", "Feared outcome happened", "Safety behaviours used",
                 "What I learned")


def _outcome(record: TrialRecord) -> str:
    if record.outcome_occurred is None:
        return "Not recorded"
    return "Yes" if record.outcome_occurred else "No"


def _num(value: int | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


class TrialsModel(QAbstractTableModel):
    """A step's trials, oldest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.trials: list[Trial] = []

    def set_trials(self, trials: list[Trial]) -> None:
        """Show these trials."""
        self.beginResetModel()
        self.trials = list(trials)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(self.trials)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(TRIAL_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: D102 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation is Qt.Orientation.Horizontal and 0 <= section < len(TRIAL_HEADERS):
                return TRIAL_HEADERS[section]
            if orientation is Qt.Orientation.Vertical:
                return str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid() or not 0 <= index.row() < len(self.trials):
            return None
        record = self.trials[index.row()].record
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            column = index.column()
            if column == 0:
                return record.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if column == 1:
                where = "In session" if record.setting == "session" else "Homework"
                return f"{where}, {record.place}" if record.place else where
            values = [record.suds_before, record.suds_peak, record.suds_after]
            if 2 <= column <= 4:
                return _num(values[column - 2])
            if column == 5:
                return _num(record.suds_drop_percent, "%")
            if column == 6:
                return f"{_num(record.expectancy_before, '%')} → " \
                       f"{_num(record.expectancy_after, '%')}"
            if column == 7:
                return _num(record.expectancy_violation, " points")
            if column == 8:
                return _outcome(record)
            if column == 9:
                return ", ".join(record.safety_used) or "None"
            if column == 10:
                return record.learned
        return None
