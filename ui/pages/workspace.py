"""The unlocked vault: the client list on the left, the client record on the right.

The vault's own home — name, folder, schema, last backup and the audit trail — is a second view
of this page, reachable from Vault ▸ Vault overview (Ctrl+Shift+O); Escape or "Back to clients"
returns.

Everything here shows vault content, so locking deletes the page: first every pending autosave
is handed to the vault (`Session.about_to_close`, while the vault is still open; the saves run
on its worker thread before the close), then `wipe` empties every model and text, and the window
deletes the page. It is rebuilt from scratch after the next unlock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.clients import Client, ClientDetails, ClientStatus
from app.notes import AmendmentKind, NoteTemplate, load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from app.workspace import ClientRow, SessionRow, StatusFilter
from storage.practice import PracticeStore
from ui.pages.audit_trail import COL_DETAILS, COL_EVENT, COL_WHEN, AuditTrailModel, local_time
from ui.session import Session
from ui.widgets.common import MessageLabel, badge, heading, muted
from ui.widgets.style import em, scaled_font
from ui.workspace.actions import Availability
from ui.workspace.calls import Calls, ignore
from ui.workspace.client_list import ClientListModel, ClientListPanel, ClientQuery
from ui.workspace.dialogs import (
    ClientDialog,
    CloseClientDialog,
    DestroyClientDialog,
    FormDialog,
    RiskDialog,
    SessionDialog,
)
from ui.workspace.format import today
from ui.workspace.measures.client_mode import RatingRequest
from ui.workspace.measures.flags import ClientFlags
from ui.workspace.measures.forms import END, START, client_age, form_for
from ui.workspace.note_editor import NoteEditor
from ui.workspace.record import TAB_OVERVIEW, TAB_PROCESS, TAB_SESSIONS, ClientRecordView
from ui.workspace.style import WORKSPACE_STYLE


@lru_cache(maxsize=1)
def builtin_templates() -> dict[str, NoteTemplate]:
    """The shipped note templates (SOAP, DAP, BIRP, GIRP, free), read once."""
    return load_templates(resource_dir() / "templates")


class VaultOverview(QWidget):
    """Vault name, folder, created, schema version, last backup, and the audit trail."""

    backup_requested = Signal()
    """The person asked for a backup."""

    verify_requested = Signal()
    """The person asked to verify the vault."""

    back_requested = Signal()
    """The person asked to go back to the clients."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setAccessibleName("Vault overview")
        self._session = session
        outer = QVBoxLayout(self)
        margin = em(self, 3)
        outer.setContentsMargins(margin, em(self, 2), margin, em(self, 2))
        outer.setSpacing(em(self, 1.2))

        top = QHBoxLayout()
        self.back_button = QPushButton("← Back to clients")
        self.back_button.setAccessibleName("Back to clients")
        self.back_button.setToolTip("Back to the clients (Escape)")
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addSpacing(em(self, 1))
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
        self.back_button.clicked.connect(self.back_requested)
        self.lock_button.clicked.connect(lambda: session.lock("manual"))
        session.snapshot_changed.connect(self._show_snapshot)
        session.audit_changed.connect(self._on_audit_changed)
        self._show_snapshot()

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

    def _on_audit_changed(self) -> None:
        if self.model.loaded:
            self.model.refresh()

    def ensure_loaded(self) -> None:
        """Read the audit trail the first time the overview is shown (and refresh after)."""
        if self.model.loaded:
            self.model.refresh()
        else:
            self.model.load()

    def wipe(self) -> None:
        """Empty every label and the model before the page is deleted (locking)."""
        self._session.snapshot_changed.disconnect(self._show_snapshot)
        self._session.audit_changed.disconnect(self._on_audit_changed)
        self.table.setModel(None)
        self.model.clear()
        for label in self.findChildren(QLabel):
            label.clear()
            label.setAccessibleName("")
            label.setAccessibleDescription("")


class WorkspacePage(QWidget):
    """Clients, their records and notes; the vault overview as a second view."""

    backup_requested = Signal()
    """The person asked for a backup."""

    verify_requested = Signal()
    """The person asked to verify the vault."""

    availability_changed = Signal()
    """What the Client, Note and Vault menus can do changed."""

    rating_requested = Signal(object)
    """The therapist started a rating on the client's screen (a RatingRequest)."""

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 show_dialog: Callable[[QDialog], None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setAccessibleName("Practice workspace")
        self.setStyleSheet(WORKSPACE_STYLE)
        assert session.vault is not None, "the workspace needs an open vault"
        self._session = session
        self._prompts = session.prompts
        self._show_dialog_hook = show_dialog
        self._wiped = False
        self.store = PracticeStore(session.vault, builtin_templates())
        self.calls = Calls(session.tasks)
        self.deleted_notes: dict[int, tuple[str, str]] = {}
        self._warned = ""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.views = QStackedWidget()
        outer.addWidget(self.views)

        self.practice = QSplitter(Qt.Orientation.Horizontal)
        self.practice.setObjectName("Practice")
        self.practice.setChildrenCollapsible(False)
        self.client_model = ClientListModel(self._fetch_clients, self.calls, self)
        self.client_list = ClientListPanel(self.client_model)
        self.client_list.setMinimumWidth(em(self, 38))
        self.record = ClientRecordView(self.store, self.calls, self._prompts,
                                       is_demo=session.is_demo, show_dialog=self.show_dialog,
                                       deleted_notes=self.deleted_notes)
        self.record.sessions_tab.set_templates(builtin_templates())  # theirs arrive next
        self.practice.addWidget(self.client_list)
        self.practice.addWidget(self.record)
        self.practice.setStretchFactor(0, 0)
        self.practice.setStretchFactor(1, 1)
        self.practice.setHandleWidth(1)
        self._sized = False
        self.views.addWidget(self.practice)

        self.overview = VaultOverview(session)
        self.views.addWidget(self.overview)

        self.overview.backup_requested.connect(self.backup_requested)
        self.overview.verify_requested.connect(self.verify_requested)
        self.overview.back_requested.connect(self.show_clients)
        self.overview.installEventFilter(self)
        self.client_list.client_opened.connect(self._on_client_opened)
        self.client_list.new_client_requested.connect(self.new_client)
        self.client_model.page_loaded.connect(self.availability_changed)
        self.record.state_changed.connect(self._on_record_state)
        self.record.client_changed.connect(self.client_model.reload)
        self.record.problem.connect(self._warn)
        self.record.new_session_button.clicked.connect(self.new_session)
        self.record.edit_button.clicked.connect(self.edit_client)
        session.about_to_close.connect(self.flush_all)
        self.flags = ClientFlags(self.record.measures_tab.store, self.client_model,
                                 self.client_list, self.calls, self)
        self.record.measures_tab.ratings_changed.connect(self.flags.refresh)

        self.calls.run(self.store.templates, self._on_templates, ignore, self)
        self.client_model.reload()

    # -- the views --------------------------------------------------------------------------

    @property
    def showing_overview(self) -> bool:
        """True while the vault overview is on screen."""
        return self.views.currentWidget() is self.overview

    def show_overview(self) -> None:
        """Vault ▸ Vault overview: the vault's details and audit trail."""
        self.record.sessions_tab.flush()
        self.views.setCurrentWidget(self.overview)
        self.overview.ensure_loaded()
        self.overview.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.availability_changed.emit()

    def show_clients(self) -> None:
        """Back to the client list and record."""
        if self.views.currentWidget() is not self.practice:
            self.views.setCurrentWidget(self.practice)
            self.client_list.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.availability_changed.emit()

    def vault_overview(self) -> None:
        """Toggle between the clients and the vault overview."""
        if self.showing_overview:
            self.show_clients()
        else:
            self.show_overview()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Escape in the vault overview goes back to the clients."""
        if watched is self.overview and event.type() == QEvent.Type.ShortcutOverride \
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            self.show_clients()
            return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        if not self._sized and self.width() > 0:
            # The list takes about a quarter of the window: enough for names and dates.
            self._sized = True
            width = self.width()
            left = min(max(round(width * 0.3), em(self, 46)), em(self, 72))
            self.practice.setSizes([left, max(1, width - left)])

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: D102 - Qt override
        if event.key() == Qt.Key.Key_Escape and self.showing_overview:
            self.show_clients()
            return
        super().keyPressEvent(event)

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts: the client filter."""
        return self.client_list.filter_edit

    def show_dialog(self, dialog: QDialog) -> None:
        """Show a dialog the window tracks (closed and deleted on lock)."""
        if self._show_dialog_hook is not None:
            self._show_dialog_hook(dialog)
        else:
            dialog.open()

    # -- opening clients and notes ----------------------------------------------------------

    def _fetch_clients(self, query: ClientQuery, offset: int, limit: int) -> Any:
        return self.store.list_clients(text=query.text, status=query.status, order=query.order,
                                       limit=limit, offset=offset)

    def _on_templates(self, templates: dict[str, NoteTemplate]) -> None:
        self.record.sessions_tab.set_templates(templates)

    def _on_client_opened(self, row: ClientRow) -> None:
        self.record.open_client(row.id, row)

    def open_client(self, client_id: int) -> None:
        """Open a client's record by id (highlighted in the list when it is listed)."""
        self.show_clients()
        row_index = self.client_model.row_of(client_id)
        row = self.client_model.client_at(row_index) if row_index >= 0 else None
        self.client_list.mark_current(client_id)
        self.record.open_client(client_id, row)

    def open_note(self, client_id: int, session_id: int, highlight: str = "") -> None:
        """Open the client, the session's note, and mark the first match of `highlight`.

        The slot search uses (Enter on a hit): works for closed clients and clients outside
        the current filter too.
        """
        self.show_clients()
        row_index = self.client_model.row_of(client_id)
        row = self.client_model.client_at(row_index) if row_index >= 0 else None
        self.client_list.mark_current(client_id)
        self.record.open_client(client_id, row, session_id=session_id, highlight=highlight,
                                focus_note=True)

    def _on_record_state(self) -> None:
        self.availability_changed.emit()

    def _warn(self, message: str) -> None:
        if message == self._warned:
            return
        self._warned = message
        self._prompts.inform(self, "Not saved yet", message, warning=True)

    # -- what the menus can do --------------------------------------------------------------

    def _editor(self) -> NoteEditor | None:
        if self.showing_overview or not self.record.is_open \
                or self.record.tabs.currentIndex() != TAB_SESSIONS:
            return None
        return self.record.sessions_tab.editor

    def availability(self) -> Availability:
        """Which workspace actions apply now."""
        if self._wiped:
            return Availability()
        record = self.record
        has_client = record.is_open
        client = record.client
        status = client.status if client else (record.row.status if record.row else None)
        editor = self._editor()
        listed = self.client_model.rowCount() > 0
        return Availability(
            new_client=True, find_client=True,
            edit_client=has_client and client is not None,
            review_risk=has_client and not record.is_loading,
            next_client=listed, previous_client=listed,
            show_overview=has_client, show_sessions=has_client, show_process_notes=has_client,
            close_client=has_client and status is ClientStatus.ACTIVE,
            reopen_client=has_client and status is ClientStatus.CLOSED,
            destroy_client=has_client and client is not None,
            new_session=has_client,
            edit_session=editor is not None,
            save_note=has_client,
            sign_note=editor is not None and editor.can_sign,
            add_addendum=editor is not None and editor.can_amend,
            add_correction=editor is not None and editor.can_amend,
            delete_note=editor is not None and editor.can_delete,
            start_ors=self._rating_session() is not None,
            start_srs=self._rating_session() is not None,
            vault_overview=True,
        )

    # -- client actions ---------------------------------------------------------------------

    def find_client(self) -> None:
        """Client ▸ Find client (Ctrl+F)."""
        self.show_clients()
        self.client_list.focus_filter()

    def next_client(self) -> None:
        """Client ▸ Next client (Ctrl+Down)."""
        self.show_clients()
        self.client_list.step(+1)

    def previous_client(self) -> None:
        """Client ▸ Previous client (Ctrl+Up)."""
        self.show_clients()
        self.client_list.step(-1)

    def show_overview_tab(self) -> None:
        """Client ▸ Overview (Ctrl+1)."""
        self.record.show_tab(TAB_OVERVIEW)

    def show_sessions(self) -> None:
        """Client ▸ Sessions and notes (Ctrl+2)."""
        self.record.show_tab(TAB_SESSIONS)

    def show_process_notes(self) -> None:
        """Client ▸ Process notes (Ctrl+3)."""
        self.record.show_tab(TAB_PROCESS)

    def _submit(self, dialog: FormDialog, start: Callable[[Any], Any],
                done: Callable[[Any], None]) -> None:
        """Wire a dialog: run `start(value)` in the background, then `done(result)`."""
        def submitted(value: Any) -> None:
            dialog.set_busy(True)
            self.calls.run(lambda: start(value), lambda result: finish(result),
                           dialog.show_error, dialog)

        def finish(result: Any) -> None:
            dialog.accept()
            done(result)

        dialog.submitted.connect(submitted)
        self.show_dialog(dialog)

    def new_client(self) -> None:
        """Client ▸ New client (Ctrl+Shift+N): details and first goals."""
        self.show_clients()
        dialog = ClientDialog(self.window())
        store = self.store

        def start(value: tuple[ClientDetails, list[str]]) -> Any:
            details, goals = value
            future = store.create_client(details)
            return _then(future, lambda client: store.set_goals(client.id, goals)
                         if goals else None)

        def done(client: Client) -> None:
            self.client_list.set_status(StatusFilter.ACTIVE) \
                if self.client_list.query().status is StatusFilter.CLOSED \
                else self.client_model.reload()
            self.client_list.mark_current(client.id)
            self.record.open_client(client.id)

        self._submit(dialog, start, done)

    def edit_client(self) -> None:
        """Client ▸ Edit client (Ctrl+E): details and goals."""
        client = self.record.client
        if client is None or not self.record.is_open:
            return
        open_goals = [g.text for g in self.record.goals if g.achieved_on is None]
        dialog = ClientDialog(self.window(), client=client, goals=open_goals)
        store = self.store
        client_id = client.id

        def start(value: tuple[ClientDetails, list[str]]) -> Any:
            details, goals = value
            future = store.update_client(client_id, details)
            if goals == open_goals:
                return future
            return _then(future, lambda _c: store.set_goals(client_id, goals))

        self._submit(dialog, start,
                     lambda _r: self.record.update_after_change(("client", "goals")))

    def review_risk(self) -> None:
        """Client ▸ Review risk."""
        client_id = self.record.client_id
        if client_id is None or not self.record.is_open:
            return
        dialog = RiskDialog(self.window(), current=self.record.risk)
        self._submit(dialog, lambda record: self.store.record_risk(client_id, record),
                     lambda _r: self.record.update_after_change(("risk",)))

    def close_client(self) -> None:
        """Client ▸ Close client: ends the episode with a reason."""
        client_id = self.record.client_id
        if client_id is None or not self.record.is_open:
            return
        dialog = CloseClientDialog(self.window())

        def start(value: tuple[str, date]) -> Any:
            reason, ended = value
            return self.store.close_client(client_id, reason, ended)

        self._submit(dialog, start,
                     lambda _r: self.record.update_after_change(("client", "episodes")))

    def reopen_client(self) -> None:
        """Client ▸ Reopen client: a new episode of care from today."""
        client_id = self.record.client_id
        if client_id is None or not self.record.is_open:
            return

        def answered(yes: bool) -> None:
            if yes and self.record.client_id == client_id:
                self.calls.run(lambda: self.store.reopen_client(client_id),
                               lambda _r: self.record.update_after_change(
                                   ("client", "episodes")),
                               self._report, self)

        self._prompts.confirm(self, "Reopen this client?",
                              "A new episode of care starts today. Earlier episodes stay in "
                              "the record.", "Reopen", answered)

    def destroy_client(self) -> None:
        """Client ▸ Destroy record: asked twice, the second time by typing the name."""
        client = self.record.client
        if client is None or not self.record.is_open:
            return

        def first(yes: bool) -> None:
            if not yes or self.record.client_id != client.id:
                return
            dialog = DestroyClientDialog(client.details.name, self.window())

            def done(_none: None) -> None:
                from app.clock import SystemClock, iso

                self.record.show_destroyed(client.details.pseudonym, iso(SystemClock().now()))
                self.client_list.mark_current(None)
                self.client_model.reload()

            self._submit(dialog, lambda _v: self.store.destroy_client(client.id), done)

        self._prompts.confirm(
            self, "Destroy this client's record?",
            "This erases the whole record for good — details, sessions, notes, process notes "
            "— and cannot be undone. Records are usually kept for 7 years or more after the "
            "last contact. You will be asked to type the client's name next.",
            "Continue…", first, destructive=True)

    # -- note actions -----------------------------------------------------------------------

    def new_session(self) -> None:
        """Note ▸ New session (Ctrl+N): date, time, attendance, modality; then the note."""
        client_id = self.record.client_id
        if client_id is None or not self.record.is_open:
            return
        self.show_clients()
        past = [s for s in self.record.sessions if s.date <= today()]
        dialog = SessionDialog(self.window(), like=past[0] if past else None)

        def done(row: SessionRow) -> None:
            if self.record.client_id != client_id:
                return
            self.record.tabs.setCurrentIndex(TAB_SESSIONS)
            self.record.reload(("sessions",), open_session=row.id, focus_note=True)
            self.record.client_changed.emit()

        self._submit(dialog, lambda details: self.store.create_session(client_id, details),
                     done)

    def edit_session(self) -> None:
        """Note ▸ Edit session: date, time, attendance, modality."""
        editor = self._editor()
        if editor is None:
            return
        session = editor.session
        dialog = SessionDialog(self.window(), session=session)

        def start(details: SessionDetails) -> Any:
            return self.store.update_session(session.id, details)

        def done(_none: None) -> None:
            self.record.reload(("sessions",), open_session=session.id)
            self.record.client_changed.emit()

        self._submit(dialog, start, done)

    def save_note(self) -> None:
        """Note ▸ Save now (Ctrl+S): the note and the process notes, at once."""
        self.record.sessions_tab.flush(final=True)
        self.record.process_tab.flush()

    def sign_note(self) -> None:
        """Note ▸ Sign note (Ctrl+Shift+S)."""
        editor = self._editor()
        if editor is not None:
            editor.sign()

    def add_addendum(self) -> None:
        """Note ▸ Add addendum."""
        editor = self._editor()
        if editor is not None:
            editor.add_amendment(AmendmentKind.ADDENDUM)

    def add_correction(self) -> None:
        """Note ▸ Add correction."""
        editor = self._editor()
        if editor is not None:
            editor.add_amendment(AmendmentKind.CORRECTION)

    def delete_note(self) -> None:
        """Note ▸ Delete note."""
        editor = self._editor()
        if editor is not None:
            editor.delete()

    # -- ratings on the client's screen -----------------------------------------------------

    def _rating_session(self) -> int | None:
        """The selected session a rating would belong to (None: no client or session)."""
        record = self.record
        editor = record.sessions_tab.editor
        if self.showing_overview or not record.is_open or record.client is None \
                or editor is None:
            return None
        return editor.session.id

    def start_ors(self) -> None:
        """Note ▸ ORS — start of session (Ctrl+Shift+1): the client rates the past week."""
        self._start_rating(START)

    def start_srs(self) -> None:
        """Note ▸ SRS — end of session (Ctrl+Shift+2): the client rates the session."""
        self._start_rating(END)

    def _start_rating(self, which: str) -> None:
        session_id = self._rating_session()
        client = self.record.client
        if session_id is None or client is None:
            return
        details = client.details
        definition, why = form_for(which, client_age(details.date_of_birth, today()))
        if definition is None:
            self._prompts.inform(self, "No rating form for this age", why)
            return
        first = details.preferred_name or details.name.split(" ")[0]
        self.rating_requested.emit(RatingRequest(client.id, session_id, definition.id, first))

    def reopen_after_rating(self, client_id: int, session_id: int | None) -> None:
        """After client mode: the same client and session again, on the Measures tab."""
        self.show_clients()
        row_index = self.client_model.row_of(client_id)
        row = self.client_model.client_at(row_index) if row_index >= 0 else None
        self.client_list.mark_current(client_id)
        self.record.open_client(client_id, row, session_id=session_id)
        self.record.tabs.setCurrentWidget(self.record.measures_tab)

    def ratings_changed_elsewhere(self) -> None:
        """A rating was stored from outside the tab: read the tab and the flags again."""
        self.record.measures_tab.reload()
        self.flags.refresh()

    def _report(self, message: str) -> None:
        self._prompts.inform(self, "Not done", message, warning=True)

    # -- the screenshot ---------------------------------------------------------------------

    def show_example(self) -> None:
        """For --screenshot: open the first listed client that has a draft or a recent note."""
        if self.client_model.rowCount():
            self.client_list.open_row(0)
            self.record.tabs.setCurrentIndex(TAB_SESSIONS)

    @property
    def example_ready(self) -> bool:
        """True once the example client's record and note are painted."""
        editor = self.record.sessions_tab.editor
        return (self.record.is_open and not self.record.is_loading and editor is not None
                and editor.mode.value != "loading")

    # -- locking ----------------------------------------------------------------------------

    def flush_all(self) -> None:
        """Hand every unsaved text to the vault now (lock, close): never waits."""
        if not self._wiped:
            self.record.flush_all()

    def wipe(self) -> None:
        """Save what is pending, then empty every model, label and field (locking)."""
        if self._wiped:
            return
        if self._session.vault is not None:
            self.flush_all()  # the window is closing: the vault is still open
        self._wiped = True
        self._session.about_to_close.disconnect(self.flush_all)
        self.client_list.wipe()
        self.record.wipe()
        self.overview.wipe()
        for edit in self.findChildren(QTextEdit):
            edit.blockSignals(True)
            edit.clear()
        for box in self.findChildren(QPlainTextEdit):
            box.blockSignals(True)
            box.clear()
        for line in self.findChildren(QLineEdit):
            line.blockSignals(True)
            line.clear()
        for label in self.findChildren(QLabel):
            label.clear()
            label.setAccessibleDescription("")
            label.setToolTip("")


def _then(future: Any, follow: Callable[[Any], Any]) -> Any:
    """A future for `future`'s result after `follow(result)`'s future (if any) is done too.

    Both run on the vault's worker thread, one after the other; nothing here waits.
    """
    from concurrent.futures import Future

    out: Future[Any] = Future()

    def first_done(f: Any) -> None:
        error = f.exception()
        if error is not None:
            out.set_exception(error)
            return
        result = f.result()
        try:
            second = follow(result)
        except BaseException as exc:
            out.set_exception(exc)
            return
        if second is None:
            out.set_result(result)
            return
        second.add_done_callback(
            lambda s: out.set_exception(s.exception()) if s.exception() is not None
            else out.set_result(result))

    future.add_done_callback(first_done)
    return out

