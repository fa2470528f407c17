"""The client list: a lazy table model over `ClientRow`, and the panel around it.

The model asks the store for pages of PAGE_SIZE rows (`canFetchMore`/`fetchMore`), so a ten-year
caseload paints as fast as a new one. Every change of the filter text, status or order starts a
new *generation*; answers to an older generation are dropped, so a slow answer to "ma" can never
overwrite the newer answer to "mar". The panel debounces typing (FILTER_DEBOUNCE_MS) and only
opens a client on Enter or a click: arrow keys move through the list without opening (and
auditing) every record on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.clients import ClientStatus, RiskLevel
from app.workspace import ClientOrder, ClientRow, StatusFilter
from ui.widgets.common import MessageLabel
from ui.widgets.style import MUTED, em
from ui.widgets.table_model import RowsTableModel, row_table
from ui.workspace.calls import Calls
from ui.workspace.format import risk_icon, risk_word

COL_NAME = 0
COL_LAST = 1
COL_RISK = 2
COL_FLAGS = 3
COLUMNS = ("Client", "Last session", "Risk", "Flags")

CLIENT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The ClientRow behind a row."""

CLIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""The client's id."""

PAGE_SIZE = 200
FILTER_DEBOUNCE_MS = 80
_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ClientQuery:
    """What the list shows: filter text, which clients, in which order."""

    text: str = ""
    status: StatusFilter = StatusFilter.ACTIVE
    order: ClientOrder = ClientOrder.NAME


Fetch = Callable[[ClientQuery, int, int], Future[list[ClientRow]]]
"""(query, offset, limit) -> a future page of rows."""


def flag_words(row: ClientRow, query: ClientQuery) -> str:
    """The flags column: later features add flags; "Closed" shows when all clients are listed."""
    words = list(row.flags)
    if query.status is StatusFilter.ALL and row.status is ClientStatus.CLOSED:
        words.insert(0, "Closed")
    return ", ".join(words)


class ClientListModel(RowsTableModel[ClientRow]):
    """Clients matching the query, a page at a time."""

    page_loaded = Signal()
    """A page of rows arrived for the current query (the first one replaces the list)."""

    load_failed = Signal(str)
    """Reading the list failed (its message)."""

    def __init__(self, fetch: Fetch, calls: Calls, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._fetch = fetch
        self._calls = calls
        self._query = ClientQuery()
        self._generation = 0
        self._loading = False
        self._loaded = False
        self._more = False
        self.icon_size = 16

    # -- loading ----------------------------------------------------------------------------

    @property
    def query(self) -> ClientQuery:
        """What is shown (or on its way)."""
        return self._query

    @property
    def loaded(self) -> bool:
        """True once the first page of the current query arrived."""
        return self._loaded

    @property
    def loading(self) -> bool:
        """True while a page is on its way."""
        return self._loading

    def set_query(self, query: ClientQuery) -> None:
        """Show the clients matching `query` (a new first page; older answers are dropped)."""
        if query == self._query and (self._loaded or self._loading):
            return
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Read the list again from the top, as many rows as are shown now (after a change)."""
        self._generation += 1
        self._loading = True
        self._loaded = False
        limit = max(PAGE_SIZE, len(self._rows))
        self._request(self._generation, 0, limit, first=True)

    def _request(self, generation: int, offset: int, limit: int, *, first: bool) -> None:
        query = self._query
        self._calls.run(lambda: self._fetch(query, offset, limit),
                        lambda rows: self._on_page(generation, first, limit, rows),
                        lambda message: self._on_failed(generation, message), self)

    def _on_page(self, generation: int, first: bool, limit: int, rows: list[ClientRow]) -> None:
        if generation != self._generation:
            return  # an answer to an older query
        self._loading = False
        self._more = len(rows) >= limit
        if first:
            self.beginResetModel()
            self._rows = list(rows)
            self._loaded = True
            self.endResetModel()
        else:
            known = {r.id for r in self._rows}
            fresh = [r for r in rows if r.id not in known]
            if fresh:
                start = len(self._rows)
                self.beginInsertRows(_ROOT, start, start + len(fresh) - 1)
                self._rows.extend(fresh)
                self.endInsertRows()
        self.page_loaded.emit()

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.load_failed.emit(message)

    def clear(self) -> None:
        """Forget every row (the vault is being locked)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._loaded = False
        self._loading = False
        self._more = False
        self.endResetModel()

    # -- looking rows up --------------------------------------------------------------------

    def client_at(self, row: int) -> ClientRow | None:
        """The client on `row`, if any."""
        return self.row_at(row)

    def has_flags(self) -> bool:
        """True when some row shows a flag (the column is hidden otherwise)."""
        return any(flag_words(row, self._query) for row in self._rows)

    def update_client(self, client_id: int, **changes: Any) -> None:
        """Change what one row shows at once (the store is re-read later)."""
        row = self.row_of(client_id)
        if row < 0:
            return
        self._rows[row] = replace(self._rows[row], **changes)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- Qt's model interface ---------------------------------------------------------------

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:
        """True when the last page came back full and no page is on its way."""
        return not parent.isValid() and self._loaded and self._more and not self._loading

    def fetchMore(self, parent: _Index = _ROOT) -> None:
        """Ask for the next page."""
        if not self.canFetchMore(parent):
            return
        self._loading = True
        self._request(self._generation, len(self._rows), PAGE_SIZE, first=False)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, the risk shape, tooltips, and the row under CLIENT_ROLE."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._text(row, column)
            return f"{COLUMNS[column]}: {text}" if text else f"{COLUMNS[column]}: none"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_NAME:
                status = "active" if row.status is ClientStatus.ACTIVE else "closed"
                return (f"{row.display_name} · pseudonym {row.pseudonym} · {status} · "
                        f"{row.sessions} session{'s' if row.sessions != 1 else ''}")
            if column == COL_RISK:
                return f"Risk: {risk_word(row.risk).lower()}"
            return self._text(row, column) or None
        if role == Qt.ItemDataRole.DecorationRole and column == COL_RISK:
            if row.risk is RiskLevel.NONE:
                return None
            return risk_icon(row.risk, self.icon_size)
        if role == Qt.ItemDataRole.ForegroundRole and (
                row.status is ClientStatus.CLOSED or column in (COL_LAST, COL_FLAGS)):
            return QColor(MUTED)
        if role == CLIENT_ROLE:
            return row
        if role == CLIENT_ID_ROLE:
            return row.id
        return None

    def _text(self, row: ClientRow, column: int) -> str:
        if column == COL_NAME:
            return row.display_name
        if column == COL_LAST:
            return row.last_session.isoformat() if row.last_session else "—"
        if column == COL_RISK:
            return "" if row.risk is RiskLevel.NONE else risk_word(row.risk)
        if column == COL_FLAGS:
            return flag_words(row, self._query)
        return ""

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Read-only rows."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ClientListPanel(QWidget):
    """The filter field, the active/closed/all switch, the order, and the list."""

    client_opened = Signal(object)
    """The person opened a client (Enter or a click): its ClientRow."""

    new_client_requested = Signal()
    """The person asked for a new client."""

    def __init__(self, model: ClientListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ClientListPanel")
        self.setAccessibleName("Client list")
        self.model = model
        self._current_id: int | None = None
        self._open_on_load = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(em(self, 1.5), em(self, 1.2), em(self, 0.8), em(self, 1))
        layout.setSpacing(em(self, 0.8))

        top = QHBoxLayout()
        title = QLabel("Clients")
        title.setObjectName("PanelTitle")
        top.addWidget(title)
        top.addStretch(1)
        self.new_button = QPushButton("New client…")
        self.new_button.setAccessibleName("New client")
        self.new_button.setToolTip("New client (Ctrl+Shift+N)")
        top.addWidget(self.new_button)
        layout.addLayout(top)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Find a client (Ctrl+F)")
        self.filter_edit.setAccessibleName("Find a client")
        self.filter_edit.setAccessibleDescription(
            "Filters by name, preferred name or pseudonym as you type. Down moves to the list, "
            "Enter opens the highlighted client.")
        self.filter_edit.setClearButtonEnabled(True)
        layout.addWidget(self.filter_edit)

        switches = QHBoxLayout()
        switches.setSpacing(0)
        self.status_group = QButtonGroup(self)
        self.status_buttons: dict[StatusFilter, QPushButton] = {}
        for position, (status, text) in enumerate(((StatusFilter.ACTIVE, "Active"),
                                                   (StatusFilter.CLOSED, "Closed"),
                                                   (StatusFilter.ALL, "All"))):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setObjectName("Segment")
            button.setProperty("position", ("first", "middle", "last")[position])
            button.setAccessibleName(f"Show {text.lower()} clients")
            self.status_group.addButton(button)
            self.status_buttons[status] = button
            switches.addWidget(button)
        self.status_buttons[StatusFilter.ACTIVE].setChecked(True)
        switches.addStretch(1)
        switches.addSpacing(em(self, 1))
        self.order_combo = QComboBox()
        self.order_combo.addItem("By name", ClientOrder.NAME)
        self.order_combo.addItem("By last session", ClientOrder.LAST_SESSION)
        self.order_combo.setAccessibleName("Sort clients")
        self.order_combo.setToolTip("Sort the clients by name or by their last session")
        switches.addWidget(self.order_combo)
        layout.addLayout(switches)

        self.error = MessageLabel("Error")
        layout.addWidget(self.error)

        self.table = row_table(model, "Clients", "Client list columns", row_height=2)
        self.table.setObjectName("ClientTable")
        model.icon_size = max(12, round(self.fontMetrics().height() * 0.9))
        self.table.setIconSize(self.table.iconSize().scaled(
            model.icon_size, model.icon_size, Qt.AspectRatioMode.KeepAspectRatio))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        pad = em(self, 3)
        widths = {COL_LAST: metrics.horizontalAdvance("2026-12-31") + pad,
                  COL_RISK: metrics.horizontalAdvance("Moderate") + model.icon_size + pad,
                  COL_FLAGS: metrics.horizontalAdvance("Deteriorating") + pad}
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.table.setColumnHidden(COL_FLAGS, True)  # shown once some client has a flag
        self._widths = widths
        layout.addWidget(self.table, 1)

        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        self.count_label.setAccessibleName("Clients shown")
        layout.addWidget(self.count_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(FILTER_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_query)
        self.filter_edit.textChanged.connect(lambda _t: self._debounce.start())
        self.status_group.buttonClicked.connect(lambda _b: self._apply_query())
        self.order_combo.currentIndexChanged.connect(lambda _i: self._apply_query())
        self.new_button.clicked.connect(self.new_client_requested)
        self.table.clicked.connect(self._on_clicked)
        self.filter_edit.installEventFilter(self)
        self.table.installEventFilter(self)
        model.page_loaded.connect(self._on_page_loaded)
        model.load_failed.connect(self.error.show_message)
        model.modelReset.connect(self._update_count)
        model.rowsInserted.connect(lambda *_a: self._update_count())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        # Names come first: with little room (large text), the date column goes (the sort
        # by last session and the record still show it); risk always stays.
        room = self.table.width() - 2 * self.table.frameWidth() - em(self, 2) \
            - self._widths[COL_RISK] - (0 if self.table.isColumnHidden(COL_FLAGS)
                                        else self._widths[COL_FLAGS])
        self.table.setColumnHidden(COL_LAST, room - self._widths[COL_LAST] < em(self, 20))

    # -- the query --------------------------------------------------------------------------

    def query(self) -> ClientQuery:
        """What the controls ask for."""
        status = next((s for s, b in self.status_buttons.items() if b.isChecked()),
                      StatusFilter.ACTIVE)
        return ClientQuery(self.filter_edit.text().strip(), status,
                           ClientOrder(self.order_combo.currentData()))

    def _apply_query(self) -> None:
        self._debounce.stop()
        self.error.clear_message()
        self.model.set_query(self.query())

    def apply_now(self) -> None:
        """Apply a pending filter change at once (Enter pressed before the debounce ran)."""
        if self._debounce.isActive() or self.query() != self.model.query:
            self._apply_query()

    def set_status(self, status: StatusFilter) -> None:
        """Switch to active, closed or all clients."""
        self.status_buttons[status].setChecked(True)
        self._apply_query()

    # -- the current client -----------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        """The client open in the record (highlighted here when listed)."""
        return self._current_id

    def mark_current(self, client_id: int | None) -> None:
        """Highlight the row of `client_id` (the open client) without opening anything."""
        self._current_id = client_id
        self._select_row(self.model.row_of(client_id) if client_id is not None else -1)

    def _select_row(self, row: int) -> None:
        selection = self.table.selectionModel()
        if row < 0:
            selection.clearSelection()
            return
        index = self.model.index(row, COL_NAME)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def current_row(self) -> int:
        """The highlighted row (-1 when none)."""
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def open_row(self, row: int) -> None:
        """Open the client on `row`."""
        client = self.model.client_at(row)
        if client is None:
            return
        self._select_row(row)
        self._current_id = client.id
        self.client_opened.emit(client)

    def step(self, delta: int) -> bool:
        """Open the next (+1) or previous (-1) client in the list; False at either end."""
        if self.model.rowCount() == 0:
            return False
        current = self.model.row_of(self._current_id) if self._current_id is not None else -1
        if current < 0:
            current = self.current_row()
        target = (0 if delta > 0 else self.model.rowCount() - 1) if current < 0 \
            else current + delta
        if target >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
            return False
        if not 0 <= target < self.model.rowCount():
            return False
        self.open_row(target)
        return True

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())

    def _open_highlighted(self) -> None:
        row = self.current_row()
        self.open_row(row if row >= 0 else 0)

    def _on_page_loaded(self) -> None:
        self.table.setColumnHidden(COL_FLAGS, not self.model.has_flags())
        if self._current_id is not None:
            row = self.model.row_of(self._current_id)
            if row >= 0 and self.current_row() != row:
                self._select_row(row)
        if self._open_on_load:
            self._open_on_load = False
            self.open_row(0)
        self._update_count()

    def _update_count(self) -> None:
        count = self.model.rowCount()
        query = self.model.query
        more = "+" if self.model.canFetchMore() else ""
        kind = {StatusFilter.ACTIVE: "active ", StatusFilter.CLOSED: "closed ",
                StatusFilter.ALL: ""}[query.status]
        if not self.model.loaded:
            text = ""
        elif count == 0 and query.text:
            text = f"No {kind}client matches “{query.text}”."
        elif count == 0:
            text = f"No {kind}clients."
        else:
            text = f"{count}{more} {kind}client{'s' if count != 1 else ''}"
        self.count_label.setText(text)
        self.count_label.setAccessibleDescription(text)

    # -- keys -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down/Enter/Escape in the filter; Enter in the list opens the highlighted client."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier):
            key = event.key()
            if watched is self.filter_edit:
                if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                    self.table.setFocus(Qt.FocusReason.TabFocusReason)
                    if self.current_row() < 0 and self.model.rowCount():
                        self._select_row(0)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    if self._debounce.isActive() or self.query() != self.model.query \
                            or self.model.loading:
                        self._open_on_load = True
                        self._apply_query()
                    else:
                        self.open_row(0)  # the first match of what was typed
                    return True
                if key == Qt.Key.Key_Escape and self.filter_edit.text():
                    self.filter_edit.clear()
                    return True
            elif watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_highlighted()
                return True
        return super().eventFilter(watched, event)

    def focus_filter(self) -> None:
        """Put the cursor in the filter field, its text selected (Ctrl+F)."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def wipe(self) -> None:
        """Forget every client shown (locking)."""
        self._debounce.stop()
        self.table.setModel(None)
        self.model.clear()
        self.filter_edit.clear()
        self.count_label.clear()
        self.error.clear_message()
