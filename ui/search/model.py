"""The hits of the current search, as a list model the palette's view draws with its delegate."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.workspace import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The SearchHit itself."""
RUNS_ROLE = Qt.ItemDataRole.UserRole + 2
"""The snippet as (text, highlighted) runs."""
DATE_ROLE = Qt.ItemDataRole.UserRole + 3
"""The session date, as shown."""

_BREAKS = re.compile(r"\s*\n[\s\n]*")

Index = QModelIndex | QPersistentModelIndex


def session_date_text(day: date) -> str:
    """A date the way the results list shows it: Tue 17 Nov 2026 (the same on every locale)."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")
    return f"{days[day.weekday()]} {day.day} {months[day.month - 1]} {day.year}"


def snippet_runs(snippet: str) -> list[tuple[str, bool]]:
    """The snippet as runs of (text, highlighted); line breaks become " · " separators."""
    text = _BREAKS.sub(" · ", snippet.strip())
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    highlighted = False

    def flush() -> None:
        if current:
            runs.append(("".join(current), highlighted))
            current.clear()

    for ch in text:
        if ch == HIGHLIGHT_START:
            flush()
            highlighted = True
        elif ch == HIGHLIGHT_END:
            flush()
            highlighted = False
        elif ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cs"):
            current.append(" " if ch == "\t" else ch)
    flush()
    return runs


def plain_snippet(snippet: str) -> str:
    """The snippet's text without highlight marks."""
    return "".join(text for text, _ in snippet_runs(snippet))


class SearchResultsModel(QAbstractListModel):
    """One row per SearchHit, newest first (as the store returns them)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._runs: list[list[tuple[str, bool]]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, D102
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            snippet = "".join(text for text, _ in self._runs[index.row()])
            return f"{hit.client_name}, {session_date_text(hit.session_date)}: {snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Open the note of {session_date_text(hit.session_date)}"
        if role == HIT_ROLE:
            return hit
        if role == RUNS_ROLE:
            return self._runs[index.row()]
        if role == DATE_ROLE:
            return session_date_text(hit.session_date)
        return None

    def hit(self, row: int) -> SearchHit | None:
        """The hit at `row`, or None."""
        return self._hits[row] if 0 <= row < len(self._hits) else None

    @property
    def hits(self) -> list[SearchHit]:
        """The hits shown (a copy)."""
        return list(self._hits)

    def set_hits(self, hits: list[SearchHit]) -> None:
        """Show `hits` instead of what was there."""
        self.beginResetModel()
        self._hits = list(hits)
        self._runs = [snippet_runs(h.snippet) for h in self._hits]
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing (and drop every reference to the hits)."""
        self.set_hits([])
