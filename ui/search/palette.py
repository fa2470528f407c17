"""The search palette (Ctrl+K): type, see the newest matching notes, Enter opens one.

Every keystroke restarts a short debounce timer; when it fires, the query goes to the vault's
own worker thread (`PracticeStore.search` returns a Future) and the answer comes back through
`session.tasks.watch`, so the UI thread never waits on the database. At most one search is in
flight: keystrokes that arrive meanwhile mark the query dirty and the latest text is searched as
soon as the answer comes back. An answer for text that is no longer in the field is dropped.

Any text is a valid query (app/search.py quotes every word), so the palette never shows a
syntax error. While the last word is still being typed it is searched as a prefix too
(`anxi` finds "anxiety"), which is what people expect from a search-as-you-type box.

The palette shows client data: the window closes it on lock (it is shown through
`MainWindow._show_dialog`), `wipe` empties the model and the field, and it is then deleted.
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from app.errors import TandemError
from app.search import parse_query
from app.workspace import SearchHit
from ui.search.delegate import SearchHitDelegate
from ui.search.model import SearchResultsModel
from ui.session import Session
from ui.widgets.common import muted
from ui.widgets.style import em

DEBOUNCE_MS = 70
RESULT_LIMIT = 50
HELP_TEXT = ("Search every note and addendum, newest first. All words must match; "
             "\"words in quotes\" find a phrase; end a word with * to match its beginning "
             "(anx* finds anxiety and anxious).")
KEYS_TEXT = "↑ ↓ choose  ·  Enter open the note  ·  Esc close"
_TYPING_WORD = re.compile(r"[^\W_]{3,}$")


def as_you_type(text: str) -> str:
    """`text` with the word still being typed searched as a prefix too (`anxi` → `anxi*`).

    Only when the text ends in a bare word of three or more letters outside quotes: a finished
    word (followed by a space), a phrase, or an explicit `*` is searched as typed.
    """
    if text.count('"') % 2 == 0 and _TYPING_WORD.search(text):
        return text + "*"
    return text


def highlight_word(text: str) -> str:
    """The first word of the query, for the note editor to highlight ("" when none)."""
    query = parse_query(text)
    return query.words[0] if query is not None and query.words else ""


class ShortcutKeeper(QObject):
    """Lets a window's shortcut win over a text field's own use of the same keys.

    Qt's text fields claim Ctrl+K for "delete to the end of the line" (Linux, macOS), so with
    the cursor in the client filter or a note, Ctrl+K would never reach the search action.
    This filter answers the field's shortcut-override question for the action's keys, inside
    the action's window only, so the action runs instead.
    """

    def __init__(self, action: QAction, window: QWidget) -> None:
        super().__init__(action)
        self._action = action
        self._window = window
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(watched, QWidget):
            return False
        if not self._action.isEnabled() or watched.window() is not self._window:
            return False
        assert isinstance(event, QKeyEvent)
        return QKeySequence(event.keyCombination()) == self._action.shortcut()


class SearchPalette(QDialog):
    """A query field over a list of hits; Up/Down choose, Enter opens, Esc closes."""

    open_requested = Signal(int, int, str)
    """Open the note of (client_id, session_id) and highlight this word."""

    results_shown = Signal()
    """The list now shows the answer to the text in the field (tests and benchmarks wait)."""

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 debounce_ms: int = DEBOUNCE_MS, limit: int = RESULT_LIMIT) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        from storage.practice import PracticeStore

        self._session = session
        self._store = PracticeStore(session.vault, {}) if session.vault is not None else None
        self._limit = limit
        self._in_flight = False
        self._dirty = False
        self._typed_at = 0.0
        self._submitted_at = 0.0
        self.last_keystroke_ms = 0.0
        """Time from the last keystroke to its results shown (debounce included)."""
        self.last_query_ms = 0.0
        """Time from sending the last query to its results shown (debounce excluded)."""
        self.searches = 0
        """How many queries were sent to the vault (tests check the debounce)."""
        self._open_when_shown = False
        self._wiped = False

        self.setObjectName("SearchPalette")
        self.setWindowTitle("Search everything")
        self.setAccessibleName("Search everything")
        self.setAccessibleDescription("Search every note; Enter opens the chosen note.")
        self.setSizeGripEnabled(False)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        card = QFrame(self)
        card.setObjectName("PaletteCard")
        card.setStyleSheet("QFrame#PaletteCard { background: #ffffff; border: 1px solid "
                           "#9aa6b2; border-radius: 10px; }")
        outer.addWidget(card)
        layout = QVBoxLayout(card)
        pad = em(self, 1.6)
        layout.setContentsMargins(pad, pad, pad, em(self, 1.0))
        layout.setSpacing(em(self, 0.8))

        self.query = QLineEdit(card)
        self.query.setPlaceholderText("Search every note…")
        self.query.setAccessibleName("Search every note")
        self.query.setClearButtonEnabled(True)
        self.query.setMaxLength(500)
        font = self.query.font()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.15)
        self.query.setFont(font)
        layout.addWidget(self.query)

        self.status = muted(HELP_TEXT, card)
        self.status.setAccessibleName("Search status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)

        self.model = SearchResultsModel(self)
        self.view = QListView(card)
        self.view.setObjectName("SearchResults")
        self.view.setAccessibleName("Matching notes")
        self.view.setModel(self.model)
        self.view.setItemDelegate(SearchHitDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays in the field
        self.view.setStyleSheet("QListView#SearchResults { border: 1px solid #cfd6dd; "
                                "border-radius: 6px; background: #ffffff; }")
        self.view.activated.connect(self._open_index)
        self.view.clicked.connect(self._open_index)
        self.view.hide()
        layout.addWidget(self.view, 1)

        self.keys_hint = muted(KEYS_TEXT, card)
        self.keys_hint.setAccessibleName("Keys")
        layout.addWidget(self.keys_hint)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._search_now)
        self.query.textChanged.connect(self._on_text_changed)
        self.query.installEventFilter(self)
        self.query.returnPressed.connect(self.open_current)
        self._fit_to_parent()

    # -- geometry ---------------------------------------------------------------------------

    def _fit_to_parent(self) -> None:
        """About 110 characters wide and most of the window's height, near its top."""
        parent = self.parentWidget()
        line = self.fontMetrics().lineSpacing()
        width = em(self, 115)
        height = line * 34
        if parent is not None:
            width = max(min(width, parent.width() - em(self, 8)), em(self, 50))
            height = max(min(height, round(parent.height() * 0.8)), line * 14)
        if not self.view.isVisibleTo(self):
            self.layout().activate()
            height = self.layout().totalHeightForWidth(width) if \
                self.layout().hasHeightForWidth() else self.sizeHint().height()
        self.resize(width, height)
        if parent is not None:
            top_left = parent.mapToGlobal(parent.rect().topLeft())
            self.move(top_left.x() + (parent.width() - width) // 2,
                      top_left.y() + max(em(self, 4), round(parent.height() * 0.08)))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: D102 - Qt override
        self._fit_to_parent()
        super().showEvent(event)
        self.focus_query()

    def focus_query(self) -> None:
        """Put the cursor in the query field with its text selected (Ctrl+K again)."""
        self.raise_()
        self.activateWindow()
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    # -- keys -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5,
                     Qt.Key.Key_PageUp: -5}
            if event.key() in steps and event.modifiers() in (
                    Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
                self.move_selection(steps[Qt.Key(event.key())])
                return True
            if event.key() == Qt.Key.Key_Enter:
                self.open_current()
                return True
        return super().eventFilter(watched, event)

    def move_selection(self, step: int) -> None:
        """Choose the hit `step` rows down (negative: up), staying within the list."""
        count = self.model.rowCount()
        if count == 0:
            return
        current = self.view.currentIndex().row()
        row = max(0, min(count - 1, (current if current >= 0 else -1) + step))
        self._select(row)

    def _select(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def current_hit(self) -> SearchHit | None:
        """The chosen hit, if any."""
        index = self.view.currentIndex()
        return self.model.hit(index.row()) if index.isValid() else None

    def open_current(self) -> None:
        """Enter: open the chosen hit's note and close the palette.

        When the list does not yet answer the text in the field (Enter came within the debounce
        or while a search ran), the note opens as soon as the answer is shown.
        """
        if self._wiped:
            return
        if self._timer.isActive() or self._in_flight:
            self._open_when_shown = True
            if self._timer.isActive():
                self._search_now()
            return
        hit = self.current_hit()
        if hit is None:
            return
        self.open_requested.emit(hit.client_id, hit.session_id,
                                 highlight_word(self.query.text()))
        self.accept()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self._select(index.row())
            self.open_current()

    # -- searching --------------------------------------------------------------------------

    def _on_text_changed(self, _text: str) -> None:
        self._open_when_shown = False
        self._typed_at = time.perf_counter()
        self._timer.start()

    def _search_now(self) -> None:
        self._timer.stop()
        if self._wiped:
            return
        text = self.query.text()
        if parse_query(text) is None:
            self.model.clear()
            self._show_list(False)
            self._show_status(HELP_TEXT)
            self._after_results()
            return
        if self._in_flight:
            self._dirty = True
            return
        self._submit(text)

    def _submit(self, text: str) -> None:
        store = self._store
        if store is None:
            return
        self._in_flight = True
        self._dirty = False
        self._submitted_at = time.perf_counter()
        self.searches += 1
        try:
            future = store.search(as_you_type(text), self._limit)
        except TandemError:  # the vault was locked this instant: the palette is going away
            self._in_flight = False
            return
        self._session.tasks.watch(future, lambda hits: self._on_hits(text, hits),
                                  self._on_failed, context=self)

    def _on_hits(self, text: str, hits: list[SearchHit]) -> None:
        self._in_flight = False
        if self._wiped:
            return
        if self._dirty or text != self.query.text():
            self._dirty = False
            if not self._timer.isActive():
                self._search_now()
            return
        chosen = self.current_hit()
        self.model.set_hits(hits)
        self._show_list(bool(hits))
        if hits:
            keep = next((row for row, hit in enumerate(hits)
                         if chosen is not None and hit.note_id == chosen.note_id), 0)
            self._select(keep)
            shown = (f"The {len(hits)} newest matching notes; add a word to narrow them."
                     if len(hits) >= self._limit else
                     "1 matching note." if len(hits) == 1 else
                     f"{len(hits)} matching notes, newest first.")
            self._show_status(shown)
        else:
            self._show_status("No note matches. Check the spelling, or use fewer words.")
        self._after_results()

    def _on_failed(self, error: BaseException) -> None:
        self._in_flight = False
        if self._wiped:
            return
        self.model.clear()
        self._show_list(False)
        message = error.message if isinstance(error, TandemError) else (
            "Search is not available right now.")
        self._show_status(message)
        self._after_results()

    def _show_list(self, shown: bool) -> None:
        """Results make the palette tall; without them it is just the field and a line."""
        if self.view.isVisibleTo(self) != shown:
            self.view.setVisible(shown)
            self._fit_to_parent()

    def _show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleDescription(text)

    def _after_results(self) -> None:
        now = time.perf_counter()
        self.last_keystroke_ms = (now - self._typed_at) * 1000 if self._typed_at else 0.0
        self.last_query_ms = (now - self._submitted_at) * 1000 if self._submitted_at else 0.0
        self.results_shown.emit()
        if self._open_when_shown:
            self._open_when_shown = False
            self.open_current()

    # -- locking ----------------------------------------------------------------------------

    def wipe(self) -> None:
        """Forget the query and every hit (the vault is locking or the palette closed)."""
        if self._wiped:
            return
        self._wiped = True
        self._timer.stop()
        self._store = None
        self.view.setModel(None)
        self.model.clear()
        self.model.deleteLater()
        self.query.blockSignals(True)
        self.query.clear()
        self.query.blockSignals(False)
        self.status.clear()
