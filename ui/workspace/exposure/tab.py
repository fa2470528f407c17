"""The client record's Exposure tab: the client's fear ladders, their steps, trials and charts.

Loaded the first time the tab is shown for a client. Every change goes to the vault in the
background and the ladder is read again when it is stored, so status, trial counts and
readiness always come from the store (and its rule engine), never from a guess here.

Ladders: edit (fear, goal, rule), sort, archive (asked first) and restore from the "Ladder"
menu button; archived ladders are hidden unless "Show archived ladders" is on, and an archived
ladder is read-only until restored. Steps: log a trial (Ctrl+T), run a timed exposure in session
with the client's SUDS screen (`runner.py`), add, edit, split, mark, move. Below the ladder: the
selected step's chart and trials, and the whole ladder over time.

The window's Exposure menu drives the same methods (`menu_availability` says which apply;
`availability_changed` says when that may have changed).
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

from app.exposure import StepStatus, TrialRecord, load_starter_ladders
from app.resources import resource_dir
from storage.exposure import ExposureStore, Ladder, Step, Trial
from ui.dialogs.prompts import Prompts
from ui.widgets.common import MessageLabel
from ui.widgets.style import em, scaled_font
from ui.workspace.calls import Calls
from ui.workspace.dialogs import FormDialog
from ui.workspace.exposure.chart import LadderChart, StepChart
from ui.workspace.exposure.dialogs import (
    EditLadderDialog,
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
from ui.workspace.format import local_moment, today

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

    availability_changed = Signal()
    """What the Exposure menu can do here may have changed."""

    def __init__(self, store: ExposureStore, calls: Calls,
                 show_dialog: Callable[[QDialog], None], parent: QWidget | None = None, *,
                 prompts: Prompts | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Exposure")
        self.store = store
        self._calls = calls
        self._show_dialog = show_dialog
        self._prompts = prompts
        self.client_id: int | None = None
        self._loaded_for: int | None = None
        self._generation = 0
        self.all_ladders: list[Ladder] = []
        self.ladders: list[Ladder] = []
        """The ladders in the selector: archived ones only when `show_archived` is on."""
        self.show_archived = False
        self.trials: list[Trial] = []
        self.dialog: FormDialog | None = None
        self._keep_step: int | None = None
        self._want: tuple[int, int | None] | None = None
        self._ladder_chart_stale = True
        self._steps_in = False
        self._focus_when_loaded = False

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
        self.ladder_button = QPushButton("Ladder")
        self.ladder_button.setAccessibleName("Ladder actions")
        self.ladder_button.setToolTip("Edit the ladder, sort it, archive or restore it, show "
                                      "archived ladders")
        self.new_button = QPushButton("New ladder…")
        self.new_button.setAccessibleName("New ladder")
        self.new_button.setToolTip("A new fear ladder: blank or from an example")
        top.addWidget(ladder_label)
        top.addWidget(self.selector, 1)
        top.addWidget(self.ladder_button)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self.ladder_actions: dict[str, QAction] = {}
        ladder_menu = QMenu(self)
        for key, text, tip in (
                ("edit", "&Edit ladder…", "Change the target fear, the goal or the progression "
                                          "rule"),
                ("sort", "&Sort steps by SUDS", "Put the whole ladder in order of anticipated "
                                                "SUDS"),
                ("", "", ""),
                ("archive", "&Archive ladder…", "Put a finished ladder away: kept, hidden, and "
                                                "restorable"),
                ("restore", "&Restore ladder", "Take the archived ladder back into use"),
                ("", "", ""),
                ("show_archived", "Show arc&hived ladders", "List archived ladders too")):
            if not key:
                ladder_menu.addSeparator()
                continue
            action = ladder_menu.addAction(text)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            self.ladder_actions[key] = action
        self.ladder_actions["show_archived"].setCheckable(True)
        ladder_menu.setToolTipsVisible(True)
        self.ladder_button.setMenu(ladder_menu)

        self.empty = QLabel("No fear ladders yet. Start one with “New ladder…”: blank, or "
                            "from an example you adapt with your client.")
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(em(self, 0.4))
        self.archived_note = QLabel()
        self.archived_note.setObjectName("Warning")
        self.archived_note.setWordWrap(True)
        self.archived_note.setAccessibleName("Archived ladder")
        self.archived_note.hide()
        body.addWidget(self.archived_note)
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
                ("run", "Run in session…", "A timed exposure now: the client rates SUDS on "
                                           "their screen every few minutes (Ctrl+Shift+E)"),
                ("add", "Add step…", "Add a step; it goes in at its SUDS place"),
                ("edit", "Edit step…", "Change the selected step (or edit a cell in place: "
                                       "F2 or double-click)"),
                ("split", "Split…", "Replace the selected step with two smaller ones"),
                ("step", "Step", "Mark the step in progress or mastered, retire it, move it")):
            row1.addWidget(self._button(key, text, tip))
        row1.addStretch(1)
        body.addLayout(row1)
        self.buttons["run"].setAccessibleName("Run exposure in session")
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
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.setDragDropOverwriteMode(False)
        self.table.setDropIndicatorShown(True)
        self._set_editable(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setAccessibleName("Step columns")
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
        self.trials_table.horizontalHeader().setAccessibleName("Trial columns")
        self.trials_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.trials_table.horizontalHeader().setStretchLastSection(True)
        self.chart = StepChart()
        self.ladder_chart = LadderChart()
        self.detail_tabs.addTab(self.chart, "&Chart")
        self.detail_tabs.addTab(self.trials_table, "T&rials")
        self.detail_tabs.addTab(self.ladder_chart, "Ladder over &time")
        self.detail_tabs.setTabToolTip(self.detail_tabs.indexOf(self.ladder_chart),
                                       "Every step's peak SUDS per trial, by date")
        detail.addWidget(self.detail_tabs, 1)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        body.addWidget(self.split, 1)
        layout.addWidget(self.body, 1)

        self.new_button.clicked.connect(self.new_ladder)
        self.selector.currentIndexChanged.connect(self._on_ladder_chosen)
        self.buttons["log"].clicked.connect(self.log_trial)
        self.buttons["run"].clicked.connect(self.run_exposure)
        self.buttons["add"].clicked.connect(self.add_step)
        self.buttons["edit"].clicked.connect(self.edit_step)
        self.buttons["split"].clicked.connect(self.split_step)
        self.ladder_actions["edit"].triggered.connect(self.edit_ladder)
        self.ladder_actions["sort"].triggered.connect(self.sort_by_suds)
        self.ladder_actions["archive"].triggered.connect(self.archive_ladder)
        self.ladder_actions["restore"].triggered.connect(self.restore_ladder)
        self.ladder_actions["show_archived"].toggled.connect(self._set_show_archived)
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
        self.detail_tabs.currentChanged.connect(lambda _i: self._load_ladder_chart())
        self._show_ladder_parts(False)

    def _button(self, key: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        self.buttons[key] = button
        return button

    def _set_editable(self, editable: bool) -> None:
        """An archived ladder is read-only: no in-place edits, no dragging."""
        self.table.setDragEnabled(editable)
        self.table.setAcceptDrops(editable)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers)

    @property
    def prompts(self) -> Prompts:
        """The window's message boxes (tests pre-program their answers there)."""
        if self._prompts is None:
            found = getattr(self.window(), "prompts", None)
            self._prompts = found if isinstance(found, Prompts) else Prompts()
        return self._prompts

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

    @property
    def read_only(self) -> bool:
        """True while an archived ladder is shown."""
        ladder = self.ladder
        return ladder is not None and ladder.archived_at is not None

    def set_client(self, client_id: int | None) -> None:
        """Show `client_id`'s ladders (read when the tab is first shown), or nothing."""
        if client_id == self.client_id and client_id is not None:
            return
        self._generation += 1
        self.client_id = client_id
        self._loaded_for = None
        self._want = None
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

    def select_step(self, ladder_id: int, step_id: int | None = None) -> None:
        """Show this ladder and select this step (now, or once they are read)."""
        self._want = (ladder_id, step_id)
        index = next((i for i, lad in enumerate(self.ladders) if lad.id == ladder_id), -1)
        if index >= 0 and self._loaded_for == self.client_id:
            self._want = None
            if index != self.selector.currentIndex():
                self._keep_step = step_id
                self.selector.setCurrentIndex(index)  # loads its steps, keeping `step_id`
            elif step_id is not None:
                self._load_steps(step_id)

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
        self.all_ladders = list(ladders)
        if self._want is not None:
            wanted = self._want[0]
            self._keep_step = self._want[1]
            self._want = None
        self._fill_selector(wanted)

    def _fill_selector(self, wanted: int | None) -> None:
        """The selector from `all_ladders` (archived ones only when shown), on `wanted`."""
        self.ladders = [lad for lad in self.all_ladders
                        if self.show_archived or lad.archived_at is None]
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
        if not self.ladders:
            self._steps_in = True
            self._take_focus_if_asked()

    def _show_ladder_parts(self, has_ladder: bool) -> None:
        self.body.setVisible(has_ladder)
        archived = sum(1 for lad in self.all_ladders if lad.archived_at is not None)
        if not has_ladder and archived:
            self.empty.setText(f"No current fear ladders ({archived} archived: Ladder ▸ Show "
                               "archived ladders). Start one with “New ladder…”.")
        else:
            self.empty.setText("No fear ladders yet. Start one with “New ladder…”: blank, or "
                               "from an example you adapt with your client.")
        self.empty.setVisible(not has_ladder and self.client_id is not None)
        self.selector.setEnabled(has_ladder)

    def _on_ladder_chosen(self) -> None:
        ladder = self.ladder
        self.error.clear_message()
        self._ladder_chart_stale = True
        self.ladder_chart.clear()
        if ladder is None:
            self.model.clear()
            self._show_step(None)
            self._refresh_ladder_actions()
            return
        self.goal_label.setText(f"<b>Goal:</b> {_escape(ladder.goal)}" if ladder.goal
                                else "<b>Goal:</b> not written yet")
        self.rule_label.setText(f"Rule — {ladder.rule.name}. The tool suggests; you decide.")
        if ladder.archived_at:
            text = (f"Archived {local_moment(ladder.archived_at)}. Its steps and trials are "
                    "kept; restore it (Ladder ▸ Restore ladder) to log trials or change it.")
            self.archived_note.setText(text)
            self.archived_note.setAccessibleDescription(text)
        self.archived_note.setVisible(ladder.archived_at is not None)
        self._set_editable(ladder.archived_at is None)
        self._refresh_ladder_actions()
        keep, self._keep_step = self._keep_step, None
        self._load_steps(keep)

    def _refresh_ladder_actions(self) -> None:
        ladder = self.ladder
        archived = ladder is not None and ladder.archived_at is not None
        actions = self.ladder_actions
        actions["edit"].setEnabled(ladder is not None and not archived)
        actions["sort"].setEnabled(ladder is not None and not archived)
        actions["archive"].setEnabled(ladder is not None and not archived)
        actions["restore"].setEnabled(archived)
        actions["restore"].setVisible(archived)
        actions["archive"].setVisible(not archived)
        show = actions["show_archived"]
        show.blockSignals(True)
        show.setChecked(self.show_archived)
        show.blockSignals(False)
        show.setEnabled(self.client_id is not None)
        self.ladder_button.setEnabled(self.client_id is not None and bool(self.all_ladders))
        self.new_button.setEnabled(self.client_id is not None)
        self.availability_changed.emit()

    def _load_steps(self, keep_step: int | None = None) -> None:
        ladder = self.ladder
        if ladder is None:
            return
        current = self.step
        keep = keep_step if keep_step is not None else (current.id if current else None)
        generation = self._generation
        ladder_id = ladder.id
        self._calls.run(lambda: self.store.steps(ladder_id),
                        lambda steps: self._on_steps(generation, ladder_id, steps, keep),
                        self._failed, self)

    def _on_steps(self, generation: int, ladder_id: int, steps: list[Step],
                  keep: int | None) -> None:
        ladder = self.ladder
        if generation != self._generation or ladder is None or ladder.id != ladder_id:
            return
        self.model.set_steps(steps)
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and steps:
            row = 0
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, COL_SITUATION),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(self.model.index(row, COL_SITUATION))
        self._show_step(self.step)
        self._ladder_chart_stale = True
        self._load_ladder_chart()
        self._steps_in = True
        self._take_focus_if_asked()

    def _take_focus_if_asked(self) -> None:
        if self._focus_when_loaded and self.isVisible():
            self._focus_when_loaded = False
            target = self.table if self.body.isVisible() else self.new_button
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _load_ladder_chart(self) -> None:
        """The whole ladder over time, read when its tab is shown (and again after changes)."""
        ladder = self.ladder
        if ladder is None or not self._ladder_chart_stale \
                or self.detail_tabs.currentWidget() is not self.ladder_chart:
            return
        self._ladder_chart_stale = False
        generation = self._generation
        ladder_id = ladder.id
        steps = list(self.model.steps)
        self._calls.run(lambda: self.store.ladder_trials(ladder_id),
                        lambda trials: self._on_ladder_trials(generation, ladder_id, steps,
                                                              trials),
                        self._failed, self)

    def _on_ladder_trials(self, generation: int, ladder_id: int, steps: list[Step],
                          trials: list[Trial]) -> None:
        ladder = self.ladder
        if generation != self._generation or ladder is None or ladder.id != ladder_id:
            return
        self.ladder_chart.show_ladder(steps, trials)

    def _failed(self, message: str) -> None:
        self.error.show_message(message)

    # -- the selected step ------------------------------------------------------------------

    def _on_step_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_step(self.model.step_at(current.row()))

    def _show_step(self, step: Step | None) -> None:
        writable = not self.read_only
        for key, button in self.buttons.items():
            if key == "add":
                button.setEnabled(self.ladder is not None and writable)
            else:
                button.setEnabled(step is not None and writable)
        if step is not None and step.status is StepStatus.DROPPED:
            self.buttons["run"].setEnabled(False)  # a retired step is not practised
        self.availability_changed.emit()
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

    # -- what the Exposure menu can do ------------------------------------------------------

    def on_screen(self) -> bool:
        """True while this tab is the one shown in the client's record."""
        window = self.window()
        return self.client_id is not None and window is not self and \
            self.isVisibleTo(window)

    def menu_availability(self) -> dict[str, bool]:
        """Which Exposure menu actions apply now (all need the tab on screen)."""
        here = self.on_screen() and self._loaded_for == self.client_id
        ladder = self.ladder
        step = self.step
        writable = ladder is not None and ladder.archived_at is None
        return {
            "new_ladder": here,
            "edit_ladder": here and writable,
            "archive_ladder": here and writable,
            "restore_ladder": here and ladder is not None and not writable,
            "show_archived_ladders": here,
            "add_step": here and writable,
            "log_trial": here and writable and step is not None,
            "run_exposure": here and writable and step is not None
                            and step.status is not StepStatus.DROPPED,
        }

    def show_exposure(self) -> None:
        """Client ▸ Exposure (Ctrl+4): this tab, with the keyboard in the ladder."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        if parent is not None:
            parent.setCurrentWidget(self)
        if self._loaded_for == self.client_id and self._steps_in:
            target = self.table if self.body.isVisible() else self.new_button
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self._focus_when_loaded = True  # the ladders are still being read

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

        def closed() -> None:
            if self.dialog is dialog:
                self.dialog = None

        dialog.submitted.connect(submitted)
        dialog.rejected.connect(closed)
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

    def edit_ladder(self) -> None:
        """Ladder ▸ Edit ladder…: target fear, goal, progression rule and its thresholds."""
        ladder = self.ladder
        if ladder is None or ladder.archived_at is not None:
            return
        dialog = EditLadderDialog(ladder.target_fear, ladder.goal, ladder.rule, self.window())

        def done(_none: None) -> None:
            self.reload(select_ladder=ladder.id)
            self.changed.emit()

        self._run_dialog(dialog, lambda v: self.store.update_ladder(
            ladder.id, v.target_fear, v.goal, v.rule), done)

    def archive_ladder(self) -> None:
        """Ladder ▸ Archive ladder…: asked first; kept, hidden, restorable."""
        ladder = self.ladder
        if ladder is None or ladder.archived_at is not None:
            return

        def answered(yes: bool) -> None:
            if yes and self.ladder is not None and self.ladder.id == ladder.id:
                self._calls.run(lambda: self.store.archive_ladder(ladder.id),
                                lambda _none: self._after_archive(ladder.id), self._failed,
                                self)

        self.prompts.confirm(
            self, "Archive this ladder?",
            f"“{ladder.target_fear}” is put away with its steps and trials. It no longer shows "
            "here unless “Show archived ladders” is on, and it can be restored at any time.",
            "Archive ladder", answered)

    def _after_archive(self, ladder_id: int) -> None:
        self.changed.emit()
        self.reload(select_ladder=ladder_id if self.show_archived else None)

    def restore_ladder(self) -> None:
        """Ladder ▸ Restore ladder: an archived ladder back in use."""
        ladder = self.ladder
        if ladder is None or ladder.archived_at is None:
            return

        def restored(_none: None) -> None:
            self.reload(select_ladder=ladder.id)
            self.changed.emit()

        self._calls.run(lambda: self.store.restore_ladder(ladder.id), restored, self._failed,
                        self)

    def show_archived_ladders(self) -> None:
        """Ladder ▸ Show archived ladders: on or off."""
        self._set_show_archived(not self.show_archived)

    def _set_show_archived(self, show: bool) -> None:
        if show == self.show_archived:
            return
        self.show_archived = show
        current = self.ladder
        self._keep_step = self.step.id if self.step is not None else None
        self._fill_selector(current.id if current is not None else None)

    def add_step(self) -> None:
        """Add step…: it goes in at its SUDS place."""
        ladder = self.ladder
        if ladder is None or self.read_only:
            return
        self._run_dialog(StepDialog(None, self.window()),
                         lambda draft: self.store.add_step(ladder.id, draft),
                         lambda step_id: self._stored(step_id)(None))

    def edit_step(self) -> None:
        """Edit step… (a dialog)."""
        step = self.step
        if step is None or self.read_only:
            return
        self._run_dialog(StepDialog(step, self.window()),
                         lambda draft: self.store.update_step(step.id, draft),
                         self._stored(step.id))

    def split_step(self) -> None:
        """Split…: two smaller steps in place of one."""
        step = self.step
        if step is None or self.read_only:
            return
        self._run_dialog(SplitStepDialog(step, self.window()),
                         lambda pair: self.store.split_step(step.id, pair[0], pair[1]),
                         self._stored(step.id))

    def _previous_trial(self, step: Step) -> TrialRecord | None:
        """The step's latest trial, when its trials are the ones shown."""
        if self.trials and self.trials[-1].step_id == step.id:
            return self.trials[-1].record
        return None

    def log_trial(self) -> None:
        """Log trial… (Ctrl+T) for the selected step: homework, today, from the keyboard."""
        step = self.step
        if step is None or not self.buttons["log"].isEnabled():
            return
        self._run_dialog(TrialDialog(step, self._previous_trial(step), self.window()),
                         lambda record: self.store.log_trial(step.id, record),
                         self._stored(step.id))

    def run_exposure(self) -> None:
        """Run in session… (Ctrl+Shift+E): a timed exposure with the client's SUDS screen."""
        from ui.workspace.exposure.runner import ExposureRunner, RunPlan

        step, ladder, client_id = self.step, self.ladder, self.client_id
        if step is None or ladder is None or client_id is None \
                or not self.buttons["run"].isEnabled():
            return
        first_name, session_id, session_time = self._client_context()
        ExposureRunner.of(self.window()).prepare(RunPlan(
            client_id, ladder.id, step, first_name, session_id, session_time,
            self._previous_trial(step)))

    def _client_context(self) -> tuple[str, int | None, str | None]:
        """The client's first name for the greeting, and today's session (id, start time)."""
        record = self.parentWidget()
        while record is not None and not hasattr(record, "sessions_tab"):
            record = record.parentWidget()
        client = getattr(record, "client", None)
        first = ""
        if client is not None and getattr(client, "id", None) == self.client_id:
            details = client.details
            first = details.preferred_name or details.name.split(" ")[0]
        on = today()
        sessions = [s for s in getattr(record, "sessions", []) if s.date == on
                    and s.client_id == self.client_id]
        if not sessions:
            return first, None, None
        chosen = sessions[0]
        return first, chosen.id, chosen.start_time

    def log_timed_trial(self, step: Step, record: TrialRecord, interval: int,
                        session_id: int | None, on_saved: Callable[[], None],
                        on_cancelled: Callable[[], None]) -> TrialDialog:
        """The trial of a timed in-session exposure, filled in from its readings."""
        dialog = TrialDialog(step, None, self.window(), prefill=record, interval=interval)

        def done(_trial_id: int) -> None:
            self._stored(step.id)(None)
            on_saved()

        self._run_dialog(dialog, lambda value: self.store.log_trial(
            step.id, value, session_id, interval), done)
        dialog.rejected.connect(on_cancelled)
        return dialog

    def set_status(self, status: StepStatus) -> None:
        """Mark in progress / mastered, or retire."""
        step = self.step
        if step is not None and not self.read_only:
            self._change(lambda: self.store.set_status(step.id, status), step.id)

    def sort_by_suds(self) -> None:
        """Ladder ▸ Sort steps by SUDS (the whole ladder)."""
        ladder = self.ladder
        if ladder is not None and not self.read_only:
            self._change(lambda: self.store.sort_by_suds(ladder.id))

    def move_selected(self, delta: int) -> None:
        """Move the selected step up (-1) or down (+1) one place."""
        row = self.table.currentIndex().row()
        if row < 0 or self.read_only:
            return
        column = max(self.table.currentIndex().column(), 0)
        if self.model.move_step(row, delta):
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row + delta, column),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _on_move_requested(self, step_id: int, position: int) -> None:
        if self.read_only:
            self._load_steps(step_id)
            return
        self._change(lambda: self.store.move_step(step_id, position), step_id)

    def _on_edit_requested(self, step_id: int, draft: Any) -> None:
        self.error.clear_message()
        if not self.read_only:
            self._change(lambda: self.store.update_step(step_id, draft), step_id)

    # -- leaving ----------------------------------------------------------------------------

    def _clear(self) -> None:
        self._steps_in = False
        self._focus_when_loaded = False
        self.all_ladders = []
        self.ladders = []
        self.selector.blockSignals(True)
        self.selector.clear()
        self.selector.blockSignals(False)
        self.model.clear()
        self.error.clear_message()
        self.goal_label.clear()
        self.rule_label.clear()
        self.archived_note.clear()
        self.archived_note.hide()
        self.ladder_chart.clear()
        self._show_step(None)
        self._show_ladder_parts(False)
        self._refresh_ladder_actions()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None

    def wipe(self) -> None:
        """Forget everything shown (locking)."""
        self._generation += 1
        self.client_id = None
        self._loaded_for = None
        self._want = None
        if self.dialog is not None:
            self.dialog.wipe()
        self._clear()
        for label in self.findChildren(QLabel):
            label.setAccessibleDescription("")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


