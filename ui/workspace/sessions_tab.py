"""The Sessions tab: the timeline on the left, the open session's note on the right.

Moving through the timeline with the arrow keys opens each session's note to read (notes load
in about a millisecond); Enter moves into the note, Escape in the note comes back. Leaving a
note saves it first; an editor whose last save is still on its way stays alive, hidden, until
the save is in (and keeps retrying if it failed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.notes import NoteTemplate
from app.workspace import SessionRow
from storage.practice import PracticeStore
from ui.dialogs.prompts import Prompts
from ui.widgets.style import em
from ui.widgets.table_model import row_table
from ui.workspace.calls import Calls
from ui.workspace.note_editor import NoteEditor
from ui.workspace.timeline import (
    COL_ATTENDANCE,
    COL_DATE,
    COL_MODALITY,
    COL_NOTE,
    COL_NUMBER,
    SessionTimelineModel,
)


class SessionsTab(QWidget):
    """A client's sessions and the note editor."""

    state_changed = Signal()
    """The open note's state changed (what the Note menu can do)."""

    session_updated = Signal(object)
    """A session's note changed (its new SessionRow)."""

    save_failed = Signal(str)
    """A note that was left could not be saved yet (the message); it keeps retrying."""

    def __init__(self, store: PracticeStore, calls: Calls, prompts: Prompts,
                 show_dialog: Callable[[QDialog], None],
                 deleted_notes: dict[int, tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sessions")
        self._store = store
        self._calls = calls
        self._prompts = prompts
        self._show_dialog = show_dialog
        self._deleted_notes = deleted_notes
        self.templates: dict[str, NoteTemplate] = {}
        self.default_template = "soap"
        self.editor: NoteEditor | None = None
        self._today = date.today()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, em(self, 1), 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter)

        self.model = SessionTimelineModel(self)
        self.table = row_table(self.model, "Sessions, newest first", "Session columns",
                               row_height=1.9)
        self.table.setObjectName("Timeline")
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        metrics = self.fontMetrics()
        pad = em(self, 3)
        samples = {COL_DATE: "Wed 2026-12-31", COL_NUMBER: "No.", COL_ATTENDANCE: "Attendance",
                   COL_MODALITY: "In person", COL_NOTE: "Signed, late"}
        widths = {column: metrics.horizontalAdvance(sample) + pad
                  for column, sample in samples.items()}
        self._widths = widths
        self._user_sized = False
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.table.setMinimumWidth(em(self, 36))
        self._timeline_width = sum(widths.values()) + 2 * self.table.frameWidth() + em(self, 2)
        self.splitter.addWidget(self.table)

        self.editor_stack = QStackedWidget()
        self.editor_stack.setObjectName("EditorStack")
        self.placeholder = QLabel("Choose a session to read or write its note.\n"
                                  "New session: Ctrl+N")
        self.placeholder.setObjectName("Muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.editor_stack.addWidget(self.placeholder)
        self.editor_stack.setMinimumWidth(em(self, 40))
        self.splitter.addWidget(self.editor_stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setHandleWidth(max(3, em(self, 0.6)))
        self.splitter.setSizes([self._timeline_width, em(self, 90)])

        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.installEventFilter(self)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._user_sized = True

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Drop the modality, then the attendance column when the note would be too narrow."""
        available = self.splitter.width()
        if available <= 0:
            return
        editor_wants = em(self, 62)
        frame = 2 * self.table.frameWidth() + em(self, 2)
        width = sum(self._widths.values()) + frame
        hidden: set[int] = set()
        for column in (COL_MODALITY, COL_ATTENDANCE):
            if width + editor_wants <= available:
                break
            hidden.add(column)
            width -= self._widths[column]
        for column in (COL_MODALITY, COL_ATTENDANCE):
            self.table.setColumnHidden(column, column in hidden)
        if not self._user_sized:
            self.splitter.setSizes([width, max(1, available - width)])

    # -- the client's sessions --------------------------------------------------------------

    def clear(self) -> None:
        """Leave the open note and show no sessions (another client)."""
        self.close_editor()
        self.model.clear()

    def set_sessions(self, rows: list[SessionRow], on: date, *, open_id: int | None = None,
                     focus: bool = False, highlight: str = "") -> None:
        """Show `rows`; open `open_id`, the open note again, or the latest session."""
        self._today = on
        keep = self.editor.session.id if self.editor is not None else None
        self.model.set_rows(rows, on)
        target = open_id or keep
        if target is None or self.model.row_of(target) < 0:
            past = [r for r in rows if r.date <= on]
            target = (past or rows)[0].id if rows else None
        if target is None:
            self.close_editor()
            return
        self.open_session(target, focus=focus, highlight=highlight)

    def open_session(self, session_id: int, *, focus: bool = False, highlight: str = "") -> None:
        """Show the note of `session_id` (loading it unless it is open already)."""
        row = self.model.row_of(session_id)
        if row < 0:
            return
        self._select(row)
        session = self.model.session_at(row)
        assert session is not None
        editor = self.editor
        if editor is None or editor.session.id != session_id:
            self.close_editor()
            editor = NoteEditor(session, self._store, self._calls, self._prompts,
                                self.templates, self.default_template, self._show_dialog,
                                self._deleted_notes)
            editor.state_changed.connect(self.state_changed)
            editor.session_changed.connect(self._on_session_changed)
            editor.template_used.connect(self._on_template_used)
            editor.save_failed.connect(self.save_failed)
            editor.focus_timeline_requested.connect(self.focus_timeline)
            self.editor = editor
            self.editor_stack.addWidget(editor)
            self.editor_stack.setCurrentWidget(editor)
            editor.load()
            self.state_changed.emit()
            if focus:
                editor.state_changed.connect(self._focus_once)
        elif focus:
            editor.focus_first()
        if highlight:
            editor.highlight(highlight)

    def _focus_once(self) -> None:
        editor = self.editor
        if editor is None:
            return
        editor.state_changed.disconnect(self._focus_once)
        if not editor.highlight_pending:
            editor.focus_first()

    def close_editor(self) -> None:
        """Save and leave the open note."""
        editor = self.editor
        if editor is None:
            return
        self.editor = None
        self.editor_stack.setCurrentWidget(self.placeholder)
        self.editor_stack.removeWidget(editor)
        editor.retire()
        self.state_changed.emit()

    def flush(self, *, final: bool = False) -> None:
        """Save the open note now."""
        if self.editor is not None:
            self.editor.flush(final=final)

    def flush_all(self) -> None:
        """Save every note that still has something unsaved (locking, closing)."""
        for editor in self.findChildren(NoteEditor):
            editor.flush(final=True)

    def _select(self, row: int) -> None:
        selection = self.table.selectionModel()
        index = self.model.index(row, 0)
        if self.table.currentIndex().row() != row:
            selection.blockSignals(True)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
            selection.blockSignals(False)
            self.table.viewport().update()
        self.table.scrollTo(index)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        session = self.model.session_at(current.row()) if current.isValid() else None
        if session is not None:
            self.open_session(session.id)

    def _on_session_changed(self, session: SessionRow) -> None:
        self.model.replace_session(session)
        self.session_updated.emit(session)

    def _on_template_used(self, template_id: str) -> None:
        self.default_template = template_id

    def focus_timeline(self) -> None:
        """Put the keyboard in the list of sessions."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the timeline moves into the note."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.table.currentIndex()
            session = self.model.session_at(index.row()) if index.isValid() else None
            if session is not None:
                self.open_session(session.id, focus=True)
            return True
        return super().eventFilter(watched, event)

    def set_templates(self, templates: Mapping[str, NoteTemplate]) -> None:
        """The templates new notes can use."""
        self.templates = dict(templates)

    def wipe(self) -> None:
        """Forget every note shown (locking; flush first)."""
        for editor in self.findChildren(NoteEditor):
            editor.wipe()
        self.table.setModel(None)
        self.model.clear()
