"""The Measures tab: the trajectory chart, the change against intake, every administration.

The chart is drawn by matplotlib, imported the first time the tab is shown with a client (not at
start-up). Everything is read off the UI thread; a lock deletes the tab with the workspace.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.measures import MeasureDefinition, fmt
from app.ratings import Administration, RatingsSummary
from storage.ratings import RatingInput, RatingsStore
from ui.widgets.common import MessageLabel, heading, muted
from ui.widgets.style import em
from ui.widgets.table_model import row_table
from ui.workspace.calls import Calls
from ui.workspace.format import today
from ui.workspace.measures.chart import TrajectoryChart
from ui.workspace.measures.dialogs import (
    DiscussedDialog,
    PaperEntryDialog,
    PaperScores,
    VoidDialog,
)
from ui.workspace.measures.forms import client_age, paper_choices
from ui.workspace.measures.model import (
    COL_ALERTS,
    COL_COLLECTED,
    COL_DATE,
    COL_ITEMS,
    COL_MEASURE,
    COL_SESSION,
    COL_STATUS,
    COL_TOTAL,
    AdministrationsModel,
)


def cutoff_sentence(summary: RatingsSummary, definitions: dict[str, MeasureDefinition],
                    age: int | None) -> str:
    """The comparison convention in words: "Clinical range: below 25.0 (…)"."""
    change = summary.change
    outcome = summary.outcome[-1].measure if summary.outcome else None
    definition = definitions.get(outcome) if outcome else None
    if change.cutoff_tenths is None or definition is None:
        return "Clinical range: no cutoff applies (no outcome rating yet, or none for this age)."
    band = definition.cutoff_for(age)
    ages = ""
    if band is not None:
        ages = (f"ages {band.min_age}+" if band.max_age is None
                else f"ages {band.min_age}–{band.max_age}")
    unknown = " (age not recorded: the adult cutoff)" if age is None else ""
    return (f"Clinical range: below {fmt(change.cutoff_tenths)} — {definition.short_name} cutoff "
            f"for {ages}{unknown}; a total of {fmt(change.cutoff_tenths)} or more counts as "
            "non-clinical.")


class MeasuresTab(QWidget):
    """A client's outcome and alliance ratings."""

    ratings_changed = Signal()
    """A rating was recorded, voided or discussed (the client list's flags are stale)."""

    note_written = Signal(int)
    """A "discussed with client" response was written into this session's note."""

    loaded = Signal(float)
    """The tab painted a client (seconds since it asked, chart included)."""

    def __init__(self, store: RatingsStore, calls: Calls, show_dialog: Callable[[QDialog], None],
                 context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Measures")
        self.store = store
        self._calls = calls
        self._show_dialog = show_dialog
        self._context = context  # the record: .sessions, .client, .sessions_tab
        self.client_id: int | None = None
        self.summary: RatingsSummary | None = None
        self._generation = 0
        self._parts: dict[str, Any] = {}
        self._loaded_for: int | None = None
        self._asked_at = 0.0
        self.last_load_seconds = 0.0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, em(self, 1), 0, 0)
        layout.setSpacing(em(self, 0.5))
        top = QHBoxLayout()
        top.setSpacing(em(self, 1))
        self.change_label = heading("", 1.15)
        self.change_label.setAccessibleName("Change since intake")
        self.change_label.setWordWrap(True)
        top.addWidget(self.change_label, 1)
        self.paper_button = QPushButton("Enter from &paper…")
        self.paper_button.setAccessibleName("Enter from paper")
        self.void_button = QPushButton("&Void…")
        self.void_button.setAccessibleName("Void rating")
        self.discussed_button = QPushButton("&Discussed with client…")
        self.discussed_button.setAccessibleName("Discussed with client")
        for button in (self.paper_button, self.void_button, self.discussed_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.rule_label = muted("")
        self.rule_label.setAccessibleName("Change rule")
        self.cutoff_label = muted("")
        self.cutoff_label.setAccessibleName("Clinical cutoff")
        for label in (self.change_label, self.rule_label, self.cutoff_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.rule_label)
        layout.addWidget(self.cutoff_label)
        self.error = MessageLabel("Error")
        layout.addWidget(self.error)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.chart = TrajectoryChart()
        self.splitter.addWidget(self.chart)
        self.model = AdministrationsModel(self)
        self.table = row_table(self.model, "Every rating, oldest first", "Rating columns",
                               row_height=1.8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        metrics = self.fontMetrics()
        samples = {COL_DATE: "2026-12-31", COL_SESSION: "Session", COL_MEASURE: "Measure",
                   COL_ITEMS: "10.0 · 10.0 · 10.0 · 10.0", COL_TOTAL: "40.0",
                   COL_COLLECTED: "From paper (total)", COL_ALERTS: "Alliance low (discussed)",
                   COL_STATUS: "discussed"}
        for column, sample in samples.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + em(self, 2))
        self.table.setMinimumHeight(round(self.fontMetrics().height() * 1.8 * 4))
        self._sized = False
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)

        self.paper_button.clicked.connect(self.enter_from_paper)
        self.void_button.clicked.connect(self.void_selected)
        self.discussed_button.clicked.connect(self.discuss_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.discuss_selected())
        self._update_buttons()

    # -- which client -----------------------------------------------------------------------

    def set_client(self, client_id: int | None) -> None:
        """Show `client_id` (read when the tab is shown), or nobody."""
        if client_id == self.client_id and client_id is not None:
            return
        self.client_id = client_id
        self._generation += 1
        self._loaded_for = None
        self.summary = None
        self.model.clear()
        self.chart.clear()
        for label in (self.change_label, self.rule_label, self.cutoff_label):
            label.clear()
        self.error.clear_message()
        self._update_buttons()
        if client_id is not None and self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: D102 - Qt override
        super().showEvent(event)
        if not self._sized:  # the chart gets most of the height; the table scrolls
            self._sized = True
            total = max(self.splitter.height(), em(self, 30))
            self.splitter.setSizes([round(total * 0.62), round(total * 0.38)])
        if self.client_id is not None and self._loaded_for != self.client_id:
            self.reload()

    @property
    def is_loaded(self) -> bool:
        """True once the open client's ratings are painted."""
        return self.client_id is not None and self._loaded_for == self.client_id

    def reload(self) -> None:
        """Read the ratings, the summary and the responses again, then paint."""
        client_id = self.client_id
        if client_id is None:
            return
        self._generation += 1
        generation = self._generation
        self._parts = {}
        self._asked_at = time.perf_counter()
        store = self.store
        starts = {"administrations": lambda: store.administrations(client_id),
                  "summary": lambda: store.summary(client_id),
                  "responses": lambda: store.responses(client_id)}
        for part, start in starts.items():
            self._calls.run(start, lambda value, p=part: self._on_part(generation, p, value),
                            lambda message: self._on_failed(generation, message), self)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.error.show_message(f"The ratings could not be read: {message}")

    def _on_part(self, generation: int, part: str, value: Any) -> None:
        if generation != self._generation:
            return
        self._parts[part] = value
        if len(self._parts) == 3:
            self._paint(self._parts["administrations"], self._parts["summary"],
                        self._parts["responses"])

    def _age(self) -> int | None:
        client = getattr(self._context, "client", None)
        return client_age(client.details.date_of_birth, today()) if client else None

    def _paint(self, administrations: list[Administration], summary: RatingsSummary,
               responses: dict[tuple[int, str], str]) -> None:
        selected = self.selected()
        definitions = self.store.definitions
        self.summary = summary
        self.model.set_data(administrations, summary, responses, definitions)
        change = summary.change
        self.change_label.setText(f"Change since intake: {change.category.label}")
        self.rule_label.setText(change.explanation)
        age = self._age()
        self.cutoff_label.setText(cutoff_sentence(summary, definitions, age))
        for label in (self.change_label, self.rule_label, self.cutoff_label):
            label.setAccessibleDescription(label.text())
        outcome = definitions.get(summary.outcome[-1].measure) if summary.outcome else None
        alliance = definitions.get(summary.alliance[-1].measure) if summary.alliance else None
        cutoff = (f"Clinical cutoff {fmt(change.cutoff_tenths)} (below: clinical range)"
                  if change.cutoff_tenths is not None else "")
        self.chart.show_summary(summary, outcome_name=outcome.short_name if outcome else "ORS",
                                alliance_name=alliance.short_name if alliance else "SRS",
                                cutoff_label=cutoff)
        if selected is not None:
            row = self.model.row_of(selected.id)
            if row >= 0:
                self.table.selectionModel().select(
                    self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
        elif self.model.rowCount():
            self.table.scrollToBottom()
        self._loaded_for = self.client_id
        self.error.clear_message()
        self._update_buttons()
        self.last_load_seconds = time.perf_counter() - self._asked_at
        self.loaded.emit(self.last_load_seconds)

    # -- actions ----------------------------------------------------------------------------

    def selected(self) -> Administration | None:
        """The administration on the selected row."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.administration(rows[0].row()) if rows else None

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _update_buttons(self, *_args: Any) -> None:
        administration = self.selected()
        self.paper_button.setEnabled(self.client_id is not None)
        self.void_button.setEnabled(administration is not None and not administration.voided)
        self.discussed_button.setEnabled(bool(self.model.alerts(self._selected_row())))

    def _submit(self, dialog: Any, start: Callable[[Any], Any],
                done: Callable[[Any], None]) -> None:
        def submitted(value: Any) -> None:
            dialog.set_busy(True)
            self._calls.run(lambda: start(value), finish, dialog.show_error, dialog)

        def finish(result: Any) -> None:
            dialog.accept()
            done(result)

        dialog.submitted.connect(submitted)
        self._show_dialog(dialog)

    def _changed(self) -> None:
        self.reload()
        self.ratings_changed.emit()

    def enter_from_paper(self) -> None:
        """Enter from paper…: the four items or the total, as the client wrote them."""
        client_id = self.client_id
        if client_id is None:
            return
        sessions = list(getattr(self._context, "sessions", []))
        editor = getattr(getattr(self._context, "sessions_tab", None), "editor", None)
        session_id = editor.session.id if editor is not None else (
            sessions[0].id if sessions else None)
        dialog = PaperEntryDialog(paper_choices(self._age()), sessions, session_id, self.window())

        def start(scores: PaperScores) -> Any:
            return self.store.record(RatingInput(
                client_id, scores.session_id, scores.measure, scores.mode, scores.items,
                scores.total, completed_by="client"))

        self._submit(dialog, start, lambda _a: self._changed())

    def void_selected(self) -> None:
        """Void…: mark the selected rating void, with a reason."""
        administration = self.selected()
        if administration is None or administration.voided:
            return
        definition = self.store.definitions.get(administration.measure)
        name = definition.short_name if definition else administration.measure
        dialog = VoidDialog(administration, name, self.window())
        self._submit(dialog, lambda reason: self.store.void(administration.id, reason),
                     lambda _r: self._changed())

    def discuss_selected(self) -> None:
        """Discussed with client…: the response goes into the session's note."""
        row = self._selected_row()
        administration = self.model.administration(row)
        alerts = self.model.undiscussed(row) or self.model.alerts(row)
        if administration is None or not alerts:
            return
        dialog = DiscussedDialog(alerts, self.window())

        def start(value: Any) -> Any:
            alert, response = value
            return self.store.mark_discussed(administration.id, alert.kind, alert.message,
                                             response)

        def done(_none: None) -> None:
            self._changed()
            if administration.session_id is not None:
                self.note_written.emit(administration.session_id)

        self._submit(dialog, start, done)

    def select_row(self, row: int) -> None:
        """Select `row` (tests, keyboard)."""
        self.table.selectRow(row)

    def wipe(self) -> None:
        """Forget everything shown (locking)."""
        self._generation += 1
        self.client_id = None
        self._loaded_for = None
        self.summary = None
        self.model.clear()
        self.chart.clear()
        for label in self.findChildren(QLabel):
            label.clear()
            label.setAccessibleDescription("")
