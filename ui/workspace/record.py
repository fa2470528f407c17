"""The client record: a header (who, how old, active or closed, risk) and three tabs.

Opening a client paints the header at once from the list's row, then asks the vault for the
sessions, risk, goals, episodes and details together; each part paints as it arrives (all of it
takes a few milliseconds even for the client with the most sessions). The private process notes
load only when their tab is opened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clients import Client, ClientStatus, RiskLevel, RiskRecord
from app.workspace import ClientRow, SessionRow
from storage.exposure import ExposureStore
from storage.practice import Goal, PracticeStore
from storage.vault import Vault
from ui.dialogs.prompts import Prompts
from ui.letters.tab import LettersTab
from ui.widgets.common import badge, heading, muted
from ui.widgets.style import em
from ui.workspace.calls import Calls
from ui.workspace.exposure.tab import ExposureTab
from ui.workspace.format import age_text, local_moment, risk_icon, risk_word, today
from ui.workspace.measures.forms import ratings_store
from ui.workspace.measures.tab import MeasuresTab
from ui.workspace.overview import OverviewTab
from ui.workspace.process_notes import ProcessNotesTab
from ui.workspace.sessions_tab import SessionsTab

TAB_OVERVIEW = 0
TAB_SESSIONS = 1
TAB_PROCESS = 2
PARTS = ("sessions", "risk", "goals", "episodes", "client")

if TYPE_CHECKING:
    from ui.letters.service import LetterService


class ClientRecordView(QWidget):
    """Everything about the open client."""

    state_changed = Signal()
    """What the Client and Note menus can do changed."""

    loaded = Signal(float)
    """Every part of the opened client arrived (seconds since it was asked for)."""

    client_changed = Signal()
    """The client's row in the list is out of date (name, status, risk, last session)."""

    problem = Signal(str)
    """Something failed that the person should hear about."""

    def __init__(self, store: PracticeStore, calls: Calls, prompts: Prompts, *, is_demo: bool,
                 show_dialog: Callable[[QDialog], None],
                 deleted_notes: dict[int, tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ClientRecord")
        self.setAccessibleName("Client record")
        self._store = store
        self._calls = calls
        self.client_id: int | None = None
        self.row: ClientRow | None = None
        self.client: Client | None = None
        self.risk: RiskRecord | None = None
        self.goals: list[Goal] = []
        self.sessions: list[SessionRow] = []
        self.destroyed = False
        self._generation = 0
        self._waiting: set[str] = set()
        self._asked_at = 0.0
        self._pending_open: tuple[int, bool, str] | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)

        self.empty = QWidget()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        self.empty_title = heading("No client open", 1.3)
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = muted("Choose a client on the left (arrow keys, then Enter), find one "
                                "with Ctrl+F, or add one with Ctrl+Shift+N.")
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addWidget(self.empty_title)
        empty_layout.addWidget(self.empty_text)
        empty_layout.addStretch(2)
        self.stack.addWidget(self.empty)

        self.record = QWidget()
        self.record.setObjectName("RecordBody")
        layout = QVBoxLayout(self.record)
        layout.setContentsMargins(em(self, 2), em(self, 1.4), em(self, 2), em(self, 1))
        layout.setSpacing(em(self, 0.4))
        top = QHBoxLayout()
        top.setSpacing(em(self, 1))
        self.name_label = heading("", 1.55)
        self.name_label.setObjectName("ClientName")
        self.name_label.setWordWrap(False)
        top.addWidget(self.name_label)
        self.demo_badge = badge("DEMO")
        self.demo_badge.setVisible(is_demo)
        top.addWidget(self.demo_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addStretch(1)
        self.new_session_button = QPushButton("New session…")
        self.new_session_button.setObjectName("Primary")
        self.new_session_button.setAccessibleName("New session")
        self.new_session_button.setToolTip("New session and note (Ctrl+N)")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName("Edit client")
        self.edit_button.setToolTip("Edit the client's details (Ctrl+E)")
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.new_session_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(top)

        facts = QHBoxLayout()
        facts.setSpacing(em(self, 1.6))
        self.preferred_label = self._fact("Preferred name")
        self.pseudonym_label = self._fact("Pseudonym")
        self.number_label = self._fact("Client number")
        self.number_label.setToolTip("The client's number, for the command line "
                                     "(tandem letter --client N)")
        self.age_label = self._fact("Age")
        self.status_label = self._fact("Status")
        self.status_label.setObjectName("StatusChip")
        risk_box = QHBoxLayout()
        risk_box.setSpacing(em(self, 0.4))
        self.risk_shape = QLabel()
        self.risk_shape.setAccessibleName("Risk shape")
        self.risk_label = self._fact("Risk")
        risk_box.addWidget(self.risk_shape)
        risk_box.addWidget(self.risk_label)
        for label in (self.preferred_label, self.pseudonym_label, self.number_label,
                      self.age_label, self.status_label):
            facts.addWidget(label)
        facts.addLayout(risk_box)
        facts.addStretch(1)
        layout.addLayout(facts)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("RecordTabs")
        self.tabs.setAccessibleName("Client record tabs")
        self.tabs.setDocumentMode(True)
        self.overview = OverviewTab()
        self.sessions_tab = SessionsTab(store, calls, prompts, show_dialog, deleted_notes)
        self.process_tab = ProcessNotesTab(store, calls)
        self.tabs.addTab(self.overview, "&Overview")
        self.tabs.addTab(self.sessions_tab, "&Sessions")
        self.tabs.addTab(self.process_tab, "&Process notes (private)")
        self.exposure_tab = ExposureTab(ExposureStore(store.vault), calls, show_dialog,
                                        prompts=prompts)
        self.tabs.addTab(self.exposure_tab, "E&xposure")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.exposure_tab),
                                "Fear ladders, exposure trials and readiness")
        self.measures_tab = MeasuresTab(ratings_store(store.vault), calls, show_dialog, self)
        self.tabs.addTab(self.measures_tab, "&Measures")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.measures_tab),
                                "ORS/SRS ratings: trajectory, change since intake, alerts")
        self.measures_tab.note_written.connect(self._on_note_written)
        vault = store.vault
        self.letters_tab = LettersTab(lambda: _letter_service(vault), show_dialog)
        self.tabs.addTab(self.letters_tab, "&Letters")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.letters_tab),
                                "Letters sent: write one with a live preview, export again")
        self.tabs.setTabToolTip(TAB_OVERVIEW, "Overview (Ctrl+1)")
        self.tabs.setTabToolTip(TAB_SESSIONS, "Sessions and notes (Ctrl+2)")
        self.tabs.setTabToolTip(TAB_PROCESS, "Private process notes (Ctrl+3)")
        layout.addWidget(self.tabs, 1)
        self.stack.addWidget(self.record)

        self.stub = QWidget()
        stub_layout = QVBoxLayout(self.stub)
        stub_layout.addStretch(1)
        self.stub_title = heading("Record destroyed", 1.3)
        self.stub_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stub_text = muted("")
        self.stub_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        stub_layout.addWidget(self.stub_title)
        stub_layout.addWidget(self.stub_text)
        stub_layout.addStretch(2)
        self.stack.addWidget(self.stub)

        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.overview.note_requested.connect(self.show_note)
        self.sessions_tab.state_changed.connect(self.state_changed)
        self.sessions_tab.session_updated.connect(self._on_session_updated)
        self.sessions_tab.save_failed.connect(
            lambda message: self.problem.emit(
                f"A note you left could not be saved yet: {message} Tandem keeps trying; "
                "do not lock or quit until it says Saved."))

    def _fact(self, name: str) -> QLabel:
        label = QLabel()
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # -- opening a client -------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True while a (not destroyed) client is shown."""
        return self.client_id is not None and not self.destroyed

    @property
    def is_loading(self) -> bool:
        """True until every part of the open client arrived."""
        return bool(self._waiting)

    def open_client(self, client_id: int, row: ClientRow | None = None, *,
                    session_id: int | None = None, highlight: str = "",
                    focus_note: bool = False) -> None:
        """Show `client_id` (the header at once from `row`, the rest as it arrives)."""
        if client_id == self.client_id and not self.destroyed:
            if row is not None:
                self._show_row(row)
            if session_id is not None:
                self._pending_open = (session_id, focus_note, highlight)
                if "sessions" not in self._waiting:
                    self._apply_pending_open()
            return
        self._leave_client()
        if session_id is not None:
            self._pending_open = (session_id, focus_note, highlight)
        self.client_id = client_id
        self.destroyed = False
        self.row = row
        self.client = None
        self.risk = None
        self.goals = []
        self.sessions = []
        self._generation += 1
        self.stack.setCurrentWidget(self.record)
        if row is not None:
            self._show_row(row)
        else:
            self._clear_header()
        self.overview.show_loading()
        self.process_tab.set_client(client_id)
        self.exposure_tab.set_client(client_id)
        self.measures_tab.set_client(client_id)
        self.letters_tab.set_client(client_id)
        self._load(PARTS)
        if self.tabs.currentIndex() == TAB_PROCESS:
            self.process_tab.ensure_loaded()
        self.state_changed.emit()

    def reload(self, parts: tuple[str, ...] = PARTS, *, open_session: int | None = None,
               focus_note: bool = False) -> None:
        """Read some parts of the open client again (after a change)."""
        if self.client_id is None or self.destroyed:
            return
        if open_session is not None:
            self._pending_open = (open_session, focus_note, "")
        self._load(parts)

    def _load(self, parts: tuple[str, ...]) -> None:
        client_id = self.client_id
        assert client_id is not None
        generation = self._generation
        store = self._store
        starts: dict[str, Callable[[], Any]] = {
            "sessions": lambda: store.sessions(client_id),
            "risk": lambda: store.risk(client_id),
            "goals": lambda: store.goals(client_id),
            "episodes": lambda: store.episodes(client_id),
            "client": lambda: store.client(client_id),
        }
        self._asked_at = time.perf_counter()
        self._waiting |= set(parts)
        for part in PARTS:  # the sessions first: they are what is read first
            if part in parts:
                self._calls.run(starts[part],
                                lambda value, p=part: self._on_part(generation, p, value),
                                lambda message, p=part: self._on_part_failed(generation, p,
                                                                             message), self)

    def _on_part(self, generation: int, part: str, value: Any) -> None:
        if generation != self._generation:
            return
        on = today()
        if part == "sessions":
            self.sessions = list(value)
            self.overview.show_sessions(self.sessions, on)
            open_id, focus, highlight = self._pending_open or (None, False, "")
            self._pending_open = None
            self.sessions_tab.set_sessions(self.sessions, on, open_id=open_id, focus=focus,
                                           highlight=highlight)
            if open_id is not None and (focus or highlight):
                self.tabs.setCurrentIndex(TAB_SESSIONS)
        elif part == "risk":
            self.risk = value
            self.overview.show_risk(value)
            self._show_risk(value.level if value else RiskLevel.NONE, value is not None)
        elif part == "goals":
            self.goals = list(value)
            self.overview.show_goals(self.goals)
        elif part == "episodes":
            self.overview.show_episodes(list(value))
        elif part == "client":
            self.client = value
            self.overview.show_client(value)
            self._show_client(value)
        self._part_done(part)

    def _on_part_failed(self, generation: int, part: str, message: str) -> None:
        if generation != self._generation:
            return
        self._part_done(part)
        self.problem.emit(f"Part of the record could not be read: {message}")

    def _part_done(self, part: str) -> None:
        self._waiting.discard(part)
        if not self._waiting:
            self.loaded.emit(time.perf_counter() - self._asked_at)
            self.state_changed.emit()

    def _apply_pending_open(self) -> None:
        if self._pending_open is None:
            return
        session_id, focus, highlight = self._pending_open
        self._pending_open = None
        self.tabs.setCurrentIndex(TAB_SESSIONS)
        self.sessions_tab.open_session(session_id, focus=focus, highlight=highlight)

    def show_note(self, session_id: int) -> None:
        """Switch to the Sessions tab with this session's note."""
        self.tabs.setCurrentIndex(TAB_SESSIONS)
        self.sessions_tab.open_session(session_id, focus=True)

    # -- the header -------------------------------------------------------------------------

    def _clear_header(self) -> None:
        for label in (self.name_label, self.preferred_label, self.pseudonym_label,
                      self.number_label, self.age_label, self.status_label, self.risk_label):
            label.clear()
            label.setAccessibleDescription("")
        self.name_label.setAccessibleName("Client")
        self.risk_shape.clear()

    def _show_row(self, row: ClientRow) -> None:
        self.row = row
        self.name_label.setText(row.name)
        self.name_label.setAccessibleName(f"Client: {row.name}")
        self._set_fact(self.preferred_label, f"“{row.preferred_name}”"
                       if row.preferred_name else "")
        self._set_fact(self.pseudonym_label, f"Pseudonym {row.pseudonym}")
        self._set_fact(self.number_label, f"No. {row.id}")
        self._show_status(row.status)
        self._show_risk(row.risk, True)

    def _show_client(self, client: Client) -> None:
        details = client.details
        self.name_label.setText(details.name)
        self.name_label.setAccessibleName(f"Client: {details.name}")
        self._set_fact(self.preferred_label, f"“{details.preferred_name}”"
                       if details.preferred_name else "")
        self._set_fact(self.pseudonym_label, f"Pseudonym {details.pseudonym}")
        self._set_fact(self.number_label, f"No. {client.id}")
        self._set_fact(self.age_label, age_text(details, today()))
        self._show_status(client.status)
        if client.destroyed_at:
            self._show_stub(client.details.pseudonym, client.destroyed_at)

    def _show_status(self, status: ClientStatus) -> None:
        self._set_fact(self.status_label, "Active" if status is ClientStatus.ACTIVE
                       else "Closed")
        self.status_label.setProperty("closed", status is ClientStatus.CLOSED)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)

    def _show_risk(self, level: RiskLevel, recorded: bool) -> None:
        size = round(self.fontMetrics().height())
        if level is RiskLevel.NONE:
            self.risk_shape.clear()
            self.risk_shape.hide()
        else:
            self.risk_shape.setPixmap(risk_icon(level, size).pixmap(size, size))
            self.risk_shape.show()
        words = f"Risk: {risk_word(level).lower()}" if recorded else "Risk: not reviewed"
        self._set_fact(self.risk_label, words)

    @staticmethod
    def _set_fact(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setAccessibleDescription(text)
        label.setVisible(bool(text))

    def _show_stub(self, pseudonym: str, when: str) -> None:
        self.destroyed = True
        self.stub_text.setText(f"The record of {pseudonym} was destroyed {local_moment(when)}. "
                               "Only this stub (the pseudonym and when) remains; the "
                               "destruction is in the audit trail.")
        self.stack.setCurrentWidget(self.stub)
        self.state_changed.emit()

    def show_destroyed(self, pseudonym: str, when: str) -> None:
        """The open client's record was destroyed: show the stub."""
        self.sessions_tab.clear()
        self.process_tab.set_client(None)
        self.exposure_tab.set_client(None)
        self.measures_tab.set_client(None)
        self.letters_tab.set_client(None)
        self.overview.clear()
        self._clear_header()
        self._show_stub(pseudonym, when)

    # -- tabs and updates -------------------------------------------------------------------

    def _on_tab_changed(self, index: int) -> None:
        if index != TAB_SESSIONS:
            self.sessions_tab.flush()
        if index != TAB_PROCESS:
            self.process_tab.flush()
        if index == TAB_PROCESS:
            self.process_tab.ensure_loaded()
        self.state_changed.emit()

    def show_tab(self, index: int) -> None:
        """Switch tab (Ctrl+1/2/3) and put the keyboard in it."""
        if not self.is_open:
            return
        self.tabs.setCurrentIndex(index)
        if index == TAB_PROCESS:
            self.process_tab.focus_editor()
        elif index == TAB_SESSIONS:
            editor = self.sessions_tab.editor
            if editor is not None:
                editor.focus_first()
            else:
                self.sessions_tab.focus_timeline()
        else:
            self.overview.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_session_updated(self, session: SessionRow) -> None:
        self.sessions = [session if s.id == session.id else s for s in self.sessions]
        self.overview.show_sessions(self.sessions, today())

    def _on_note_written(self, session_id: int) -> None:
        """A rating response went into a note: show the note as the vault has it now."""
        editor = self.sessions_tab.editor
        keep = editor.session.id if editor is not None else None
        if keep == session_id:
            self.sessions_tab.clear()
        self.reload(("sessions",), open_session=keep)

    def update_after_change(self, parts: tuple[str, ...]) -> None:
        """Re-read `parts` and tell the list its row is stale."""
        self.reload(parts)
        self.client_changed.emit()

    # -- leaving ----------------------------------------------------------------------------

    def _leave_client(self) -> None:
        self.sessions_tab.clear()
        self.process_tab.set_client(None)
        self.exposure_tab.set_client(None)
        self.measures_tab.set_client(None)
        self.letters_tab.set_client(None)
        self._waiting.clear()
        self._pending_open = None

    def close_client_view(self) -> None:
        """Show no client (saving first)."""
        self._leave_client()
        self.client_id = None
        self.row = None
        self.client = None
        self.destroyed = False
        self._generation += 1
        self.overview.clear()
        self._clear_header()
        self.stack.setCurrentWidget(self.empty)
        self.state_changed.emit()

    def flush_all(self) -> None:
        """Hand every pending save to the vault (lock, close)."""
        self.sessions_tab.flush_all()
        self.process_tab.flush()
        for tab in self.findChildren(ProcessNotesTab):
            tab.flush()

    def wipe(self) -> None:
        """Forget everything shown (locking; `flush_all` first)."""
        self._generation += 1
        self._waiting.clear()
        self.sessions_tab.wipe()
        self.process_tab.wipe()
        self.exposure_tab.wipe()
        self.measures_tab.wipe()
        self.letters_tab.wipe()
        self.overview.clear()
        self._clear_header()
        self.stub_text.clear()
        for label in self.findChildren(QLabel):
            label.setAccessibleDescription("")
        self.name_label.setAccessibleName("")


def _letter_service(vault: Vault) -> LetterService:
    """The letter pipeline, imported on first use: it loads reportlab (~0.27 s)."""
    from ui.letters.service import LetterService

    return LetterService(vault)
