"""The client record's Exposure tab: the client's fear ladders, their steps, trials and chart.

Loaded the first time the tab is shown for a client. Every change goes to the vault in the
background and the ladder is read again when it is stored, so status, trial counts and
readiness always come from the store (and its rule engine), never from a guess here.

The in-session SUDS timer (with the client screen) is the next step: it will start from
`log_trial_requested`'s step like the "Log trial…" dialog and hand its readings to
`ExposureStore.log_trial(..., reading_interval_min=...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.exposure import StepStatus, load_starter_ladders
from app.resources import resource_dir
from storage.exposure import ExposureStore, Ladder, Step, Trial
from ui.widgets.common import MessageLabel
from ui.widgets.style import em, scaled_font
from ui.workspace.calls import Calls
from ui.workspace.dialogs import FormDialog
from ui.workspace.exposure.chart import StepChart
from ui.workspace.exposure.dialogs import (
    NewLadderDialog,
    SplitStepDialog,
    StepDialog,
    TrialDialog,
)
from ui.workspace.exposure.model import (
    COL_SITUATION,
    LadderModel,
    TrialsModel,
    readiness_reason,
    readiness_words,
)

CTRL = Qt.KeyboardModifier.ControlModifier
MOVE_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down)


class LadderTable(QTableView):
    """The steps: drag a row to move it, or Ctrl+Up / Ctrl+Down on the selected step."""

    move_by = Signal(int)
    """-1 (up) or +1 (down) for the current step."""

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        # Ctrl+Up/Down also move between clients (window shortcuts): here they move the step.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.modifiers() == CTRL and event.key() in MOVE_KEYS:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: D102 - Qt override
        if event.modifiers() == CTRL and event.key() in MOVE_KEYS:
            self.move_by.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)


class ExposureTab(QWidget):
    """One client's graded exposure work."""

    changed = Signal()
    """Something about the ladders was stored (other views may re-read)."""

    def __init__(self, store: ExposureStore, calls: Calls,
                 show_dialog: Callable[[QDialog], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Exposure")
        self.store = store
        self._calls = calls
        self._show_dialog = show_dialog
        self.client_id: int | None = None
        self._loaded_for: int | None = None
        self._generation = 0
        self.ladders: list[Ladder] = []
        self.trials: list[Trial] = []
        self.dialog: FormDialog | None = None
        self._keep_step: int | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, em(self, 0.8), em(self, 0.4), 0)
        layout.setSpacing(em(self, 0.5))

        top = QHBoxLayout()
        ladder_label = QLabel("&Ladder:")
        self.selector = QComboBox()
        self.selector.setAccessibleName("Ladder (target fear)")
        self.selector.setMinimumContentsLength(24)
        self.selector.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        ladder_label.setBuddy(self.selector)
        self.new_button = QPushButton("New ladder…")
        self.new_button.setAccessibleName("New ladder")
        self.new_button.setToolTip("A new fear ladder: blank or from an example")
        top.addWidget(ladder_label)
        top.addWidget(self.selector, 1)
        top.addWidget(self.new_button)
        layout.addLayout(top)

        self.empty = QLabel("No fear ladders yet. Start one with “New ladder…”: blank, or "
                            "from an example you adapt with your client.")
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(em(self, 0.4))
        self.goal_label = QLabel()
        self.goal_label.setWordWrap(True)
        self.goal_label.setAccessibleName("Goal")
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.rule_label.setObjectName("Muted")
        self.rule_label.setAccessibleName("Progression rule")
        body.addWidget(self.goal_label)
        body.addWidget(self.rule_label)

        self.buttons: dict[str, QPushButton] = {}
        self.step_actions: dict[str, QAction] = {}
        row1 = QHBoxLayout()
        row1.setSpacing(em(self, 0.4))
        for key, text, tip in (
                ("log", "Log trial…", "Log an exposure trial for the selected step (Ctrl+T)"),
                ("add", "Add step…", "Add a step; it goes in at its SUDS place"),
                ("edit", "Edit step…", "Change the selected step (or edit a cell in place: "
                                       "F2 or double-click)"),
                ("split", "Split…", "Replace the selected step with two smaller ones"),
                ("step", "Step", "Mark the step in progress or mastered, retire it, move it"),
                ("sort", "Sort by SUDS", "Put the whole ladder in order of anticipated SUDS")):
            row1.addWidget(self._button(key, text, tip))
        row1.addStretch(1)
        body.addLayout(row1)
        menu = QMenu(self)
        for key, text, tip, keys in (
                ("progress", "Mark &in progress", "The client is working on this step", ""),
                ("mastered", "Mark &mastered", "The client has mastered this step", ""),
                ("retire", "&Retire step", "Drop this step from the ladder (its trials stay)",
                 ""),
                ("", "", "", ""),
                ("up", "Move &up", "Move the step up one place (or drag it)", "Ctrl+Up"),
                ("down", "Move &down", "Move the step down one place (or drag it)",
                 "Ctrl+Down")):
            if not key:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            if keys:
                action.setShortcut(QKeySequence(keys))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the table's
            self.step_actions[key] = action
        menu.setToolTipsVisible(True)
        self.buttons["step"].setMenu(menu)
        self.buttons["log"].setObjectName("Primary")

        self.error = MessageLabel("Error")
        body.addWidget(self.error)

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.model = LadderModel(self)
        self.table = LadderTable()
        self.table.setObjectName("LadderTable")
        self.table.setAccessibleName("Ladder steps")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.setDragDropOverwriteMode(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SITUATION, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(em(self, 3))
        self.split.addWidget(self.table)

        self.detail = QWidget()
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, em(self, 0.3), 0, 0)
        detail.setSpacing(em(self, 0.3))
        self.step_title = QLabel()
        self.step_title.setFont(scaled_font(1.05, bold=True))
        self.step_title.setWordWrap(True)
        self.readiness_line = QLabel()
        self.readiness_line.setWordWrap(True)
        self.readiness_line.setAccessibleName("Readiness")
        self.readiness_line.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        detail.addWidget(self.step_title)
        detail.addWidget(self.readiness_line)
        self.detail_tabs = QTabWidget()
        self.detail_tabs.setAccessibleName("Step details")
        self.detail_tabs.setDocumentMode(True)
        self.trials_model = TrialsModel(self)
        self.trials_table = QTableView()
        self.trials_table.setAccessibleName("Trials of the step")
        self.trials_table.setModel(self.trials_model)
        self.trials_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.trials_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.trials_table.verticalHeader().hide()
        self.trials_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.trials_table.horizontalHeader().setStretchLastSection(True)
        self.chart = StepChart()
        self.detail_tabs.addTab(self.chart, "&Chart")
        self.detail_tabs.addTab(self.trials_table, "T&rials")
        detail.addWidget(self.detail_tabs, 1)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        body.addWidget(self.split, 1)
        layout.addWidget(self.body, 1)

        self.log_action = QAction("Log trial…", self)
        self.log_action.setShortcut(QKeySequence("Ctrl+T"))
        self.log_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.log_action.triggered.connect(self.log_trial)
        self.addAction(self.log_action)

        self.new_button.clicked.connect(self.new_ladder)
        self.selector.currentIndexChanged.connect(self._on_ladder_chosen)
        self.buttons["log"].clicked.connect(self.log_trial)
        self.buttons["add"].clicked.connect(self.add_step)
        self.buttons["edit"].clicked.connect(self.edit_step)
        self.buttons["split"].clicked.connect(self.split_step)
        self.buttons["sort"].clicked.connect(self.sort_by_suds)
        self.step_actions["progress"].triggered.connect(
            lambda: self.set_status(StepStatus.IN_PROGRESS))
        self.step_actions["mastered"].triggered.connect(
            lambda: self.set_status(StepStatus.MASTERED))
        self.step_actions["retire"].triggered.connect(
            lambda: self.set_status(StepStatus.DROPPED))
        self.step_actions["up"].triggered.connect(lambda: self.move_selected(-1))
        self.step_actions["down"].triggered.connect(lambda: self.move_selected(1))
        self.table.move_by.connect(self.move_selected)
        self.table.selectionModel().currentRowChanged.connect(self._on_step_changed)
        self.model.edit_requested.connect(self._on_edit_requested)
        self.model.edit_rejected.connect(self.error.show_message)
        self.model.move_requested.connect(self._on_move_requested)
        self._show_ladder_parts(False)

    def _button(self, key: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        self.buttons[key] = button
        return button

    # -- the client and its ladders ---------------------------------------------------------

    @property
    def ladder(self) -> Ladder | None:
        """The ladder shown."""
        index = self.selector.currentIndex()
        return self.ladders[index] if 0 <= index < len(self.ladders) else None

    @property
    def step(self) -> Step | None:
        """The selected step."""
        return self.model.step_at(self.table.currentIndex().row())

    def set_client(self, client_id: int | None) -> None:
        """Show `client_id`'s ladders (read when the tab is first shown), or nothing."""
        if client_id == self.client_id and client_id is not None:
            return
        self._generation += 1
        self.client_id = client_id
        self._loaded_for = None
        self._clear()
        if client_id is not None and self.isVisible():
            self.ensure_loaded()

    def showEvent(self, event: Any) -> None:  # noqa: D102 - Qt override
        super().showEvent(event)
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        """Read the client's ladders unless they are in."""
        if self.client_id is not None and self._loaded_for != self.client_id:
            self._loaded_for = self.client_id
            self.reload()

    def reload(self, select_ladder: int | None = None) -> None:
        """Read the ladders again (keeping the ladder and step shown)."""
        client_id = self.client_id
        if client_id is None:
            return
        generation = self._generation
        current = self.ladder
        wanted = select_ladder if select_ladder is not None else (current.id if current
                                                                  else None)
        self._calls.run(lambda: self.store.ladders(client_id),
                        lambda ladders: self._on_ladders(generation, ladders, wanted),
                        self._failed, self)

    def _on_ladders(self, generation: int, ladders: list[Ladder], wanted: int | None) -> None:
        if generation != self._generation:
            return
        self.ladders = list(ladders)
        self.selector.blockSignals(True)
        self.selector.clear()
        for ladder in self.ladders:
            suffix = " (archived)" if ladder.archived_at else ""
            self.selector.addItem(f"{ladder.target_fear}{suffix}", ladder.id)
        index = next((i for i, lad in enumerate(self.ladders) if lad.id == wanted), 0)
        self.selector.setCurrentIndex(index if self.ladders else -1)
        self.selector.blockSignals(False)
        self._show_ladder_parts(bool(self.ladders))
        self._on_ladder_chosen()

    def _show_ladder_parts(self, has_ladder: bool) -> None:
        self.body.setVisible(has_ladder)
        self.empty.setVisible(not has_ladder and self.client_id is not None)
        self.selector.setEnabled(has_ladder)

    def _on_ladder_chosen(self) -> None:
        ladder = self.ladder
        self.error.clear_message()
        if ladder is None:
            self.model.clear()
            self._show_step(None)
            return
        self.goal_label.setText(f"<b>Goal:</b> {_escape(ladder.goal)}" if ladder.goal
                                else "<b>Goal:</b> not written yet")
        self.rule_label.setText(f"Rule — {ladder.rule.name}. The tool suggests; you decide.")
        self._load_steps()

    def _load_steps(self, keep_step: int | None = None) -> None:
        ladder = self.ladder
        if ladder is None:
            return
        current = self.step
        self._keep_step = keep_step if keep_step is not None else (current.id if current
                                                                   else None)
        generation = self._generation
        ladder_id = ladder.id
        self._calls.run(lambda: self.store.steps(ladder_id),
                        lambda steps: self._on_steps(generation, ladder_id, steps),
                        self._failed, self)

    def _on_steps(self, generation: int, ladder_id: int, steps: list[Step]) -> None:
        ladder = self.ladder
        if generation != self._generation or ladder is None or ladder.id != ladder_id:
            return
        self.model.set_steps(steps)
        row = self.model.row_of(self._keep_step) if self._keep_step is not None else -1
        if row < 0 and steps:
            row = 0
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, COL_SITUATION),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self._show_step(self.step)

    def _failed(self, message: str) -> None:
        self.error.show_message(message)

    # -- the selected step ------------------------------------------------------------------

    def _on_step_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_step(self.model.step_at(current.row()))

    def _show_step(self, step: Step | None) -> None:
        for key, button in self.buttons.items():
            if key not in ("add", "sort"):
                button.setEnabled(step is not None)
        self.log_action.setEnabled(step is not None)
        if step is None:
            self.step_title.setText("")
            self.readiness_line.setText("")
            self.readiness_line.setAccessibleDescription("")
            self.trials = []
            self.trials_model.set_trials([])
            self.chart.clear()
            return
        actions = self.step_actions
        actions["progress"].setEnabled(step.status is not StepStatus.IN_PROGRESS)
        actions["mastered"].setEnabled(step.status is not StepStatus.MASTERED)
        actions["retire"].setEnabled(step.status is not StepStatus.DROPPED)
        row = self.model.row_of(step.id)
        actions["up"].setEnabled(row > 0)
        actions["down"].setEnabled(0 <= row < self.model.rowCount() - 1)
        self.step_title.setText(f"Step {row + 1} · {step.status.label} · anticipated SUDS "
                                f"{step.suds}")
        self.step_title.setToolTip(step.situation)
        words = readiness_words(step)
        reason = readiness_reason(step)
        line = reason if reason.startswith(words) else f"{words}. {reason}"
        self.readiness_line.setText(line)
        self.readiness_line.setAccessibleDescription(line)
        generation = self._generation
        step_id = step.id
        self._calls.run(lambda: self.store.trials(step_id),
                        lambda trials: self._on_trials(generation, step_id, trials),
                        self._failed, self)

    def _on_trials(self, generation: int, step_id: int, trials: list[Trial]) -> None:
        step = self.step
        if generation != self._generation or step is None or step.id != step_id:
            return
        self.trials = list(trials)
        self.trials_model.set_trials(self.trials)
        self.chart.show_trials(self.trials)  # drawn when the chart is on screen
        self.detail_tabs.setTabText(self.detail_tabs.indexOf(self.trials_table),
                                    f"T&rials ({len(self.trials)})")

    # -- changes ----------------------------------------------------------------------------

    def _run_dialog(self, dialog: FormDialog, start: Callable[[Any], Any],
                    done: Callable[[Any], None]) -> None:
        def submitted(value: Any) -> None:
            dialog.set_busy(True)
            self._calls.run(lambda: start(value), finish, dialog.show_error, dialog)

        def finish(result: Any) -> None:
            dialog.accept()
            if self.dialog is dialog:
                self.dialog = None
            done(result)

        dialog.submitted.connect(submitted)
        self.dialog = dialog
        self._show_dialog(dialog)

    def _stored(self, keep_step: int | None = None) -> Callable[[Any], None]:
        def done(_result: Any) -> None:
            self.error.clear_message()
            self._load_steps(keep_step)
            self.changed.emit()
        return done

    def _change(self, start: Callable[[], Any], keep_step: int | None = None) -> None:
        generation = self._generation

        def failed(message: str) -> None:
            if generation == self._generation:
                self.error.show_message(message)
                self._load_steps()

        self._calls.run(start, self._stored(keep_step), failed, self)

    def new_ladder(self) -> None:
        """New ladder…: blank or from a starter, with its rule."""
        client_id = self.client_id
        if client_id is None:
            return
        dialog = NewLadderDialog(load_starter_ladders(resource_dir() / "ladders"),
                                 self.window())

        def done(ladder_id: int) -> None:
            self.reload(select_ladder=ladder_id)
            self.changed.emit()

        self._run_dialog(dialog, lambda v: self.store.create_ladder(
            client_id, v.target_fear, v.goal, v.rule, v.steps), done)

    def add_step(self) -> None:
        """Add step…: it goes in at its SUDS place."""
        ladder = self.ladder
        if ladder is None:
            return
        self._run_dialog(StepDialog(None, self.window()),
                         lambda draft: self.store.add_step(ladder.id, draft),
                         lambda step_id: self._stored(step_id)(None))

    def edit_step(self) -> None:
        """Edit step… (a dialog)."""
        step = self.step
        if step is None:
            return
        self._run_dialog(StepDialog(step, self.window()),
                         lambda draft: self.store.update_step(step.id, draft),
                         self._stored(step.id))

    def split_step(self) -> None:
        """Split…: two smaller steps in place of one."""
        step = self.step
        if step is None:
            return
        self._run_dialog(SplitStepDialog(step, self.window()),
                         lambda pair: self.store.split_step(step.id, pair[0], pair[1]),
                         self._stored(step.id))

    def log_trial(self) -> None:
        """Log trial… (Ctrl+T) for the selected step."""
        step = self.step
        if step is None or not self.buttons["log"].isEnabled():
            return
        previous = self.trials[-1].record if self.trials and self.trials[-1].step_id == \
            step.id else None
        self._run_dialog(TrialDialog(step, previous, self.window()),
                         lambda record: self.store.log_trial(step.id, record),
                         self._stored(step.id))

    def set_status(self, status: StepStatus) -> None:
        """Mark in progress / mastered, or retire."""
        step = self.step
        if step is not None:
            self._change(lambda: self.store.set_status(step.id, status), step.id)

    def sort_by_suds(self) -> None:
        """Sort by SUDS (the whole ladder)."""
        ladder = self.ladder
        if ladder is not None:
            self._change(lambda: self.store.sort_by_suds(ladder.id))

    def move_selected(self, delta: int) -> None:
        """Move the selected step up (-1) or down (+1) one place."""
        row = self.table.currentIndex().row()
        if row < 0:
            return
        column = max(self.table.currentIndex().column(), 0)
        if self.model.move_step(row, delta):
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row + delta, column),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _on_move_requested(self, step_id: int, position: int) -> None:
        self._change(lambda: self.store.move_step(step_id, position), step_id)

    def _on_edit_requested(self, step_id: int, draft: Any) -> None:
        self.error.clear_message()
        self._change(lambda: self.store.update_step(step_id, draft), step_id)

    # -- leaving ----------------------------------------------------------------------------

    def _clear(self) -> None:
        self.ladders = []
        self.selector.blockSignals(True)
        self.selector.clear()
        self.selector.blockSignals(False)
        self.model.clear()
        self.error.clear_message()
        self.goal_label.clear()
        self.rule_label.clear()
        self._show_step(None)
        self._show_ladder_parts(False)
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None

    def wipe(self) -> None:
        """Forget everything shown (locking)."""
        self._generation += 1
        self.client_id = None
        self._loaded_for = None
        if self.dialog is not None:
            self.dialog.wipe()
        self._clear()
        for label in self.findChildren(QLabel):
            label.setAccessibleDescription("")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


