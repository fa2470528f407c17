"""Drawing one search hit: client and date on the first line, the snippet on the next two.

Matched words are drawn **bold on an amber background**, so the highlight does not depend on
colour alone. The snippet is laid out word by word and cut with an ellipsis after two lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.search.model import DATE_ROLE, HIT_ROLE, RUNS_ROLE
from ui.widgets.style import ACCENT, CARD, INK, LINE, MUTED

HIGHLIGHT_BG = "#ffd866"
HIGHLIGHT_INK = "#1c1400"
SELECTED_BG = "#d5e4f1"
HOVER_BG = "#edf2f7"
SNIPPET_LINES = 2
ELLIPSIS = "…"
_PIECE = re.compile(r"\s*\S+\s*|\s+")


@dataclass(frozen=True)
class Piece:
    """A word (with its trailing space) placed on a line."""

    text: str
    highlighted: bool
    x: int
    width: int  # of the text without trailing space (what the highlight covers)


def layout_runs(runs: list[tuple[str, bool]], available: int, plain: QFontMetrics,
                bold: QFontMetrics, max_lines: int = SNIPPET_LINES) -> list[list[Piece]]:
    """Place the runs' words on at most `max_lines` lines of `available` pixels; cut with …."""
    lines: list[list[Piece]] = [[]]
    x = 0
    words = [(m.group(0), hl) for text, hl in runs for m in _PIECE.finditer(text)]
    for word, highlighted in words:
        metrics = bold if highlighted else plain
        core = word.strip()
        if not core:
            x += metrics.horizontalAdvance(word) if lines[-1] else 0
            continue
        lead = word[: len(word) - len(word.lstrip())] if lines[-1] else ""
        x += metrics.horizontalAdvance(lead)
        width = metrics.horizontalAdvance(core)
        if lines[-1] and x + width > available:
            if len(lines) == max_lines:
                _end_with_ellipsis(lines[-1], available, plain)
                return lines
            lines.append([])
            x = 0
        if width > available:  # one very long word: cut it
            core = metrics.elidedText(core, Qt.TextElideMode.ElideRight, available)
            width = metrics.horizontalAdvance(core)
        lines[-1].append(Piece(core, highlighted, x, width))
        x += width
        trailing = word[len(word.rstrip()):]
        x += metrics.horizontalAdvance(trailing)
    return lines


def _end_with_ellipsis(line: list[Piece], available: int, plain: QFontMetrics) -> None:
    room = plain.horizontalAdvance(" " + ELLIPSIS)
    while line and line[-1].x + line[-1].width + room > available:
        line.pop()
    x = line[-1].x + line[-1].width if line else 0
    line.append(Piece(ELLIPSIS, False, x + plain.horizontalAdvance(" "),
                      plain.horizontalAdvance(ELLIPSIS)))


class SearchHitDelegate(QStyledItemDelegate):
    """Paints a hit in three lines of the view's font; the height follows the font."""

    @staticmethod
    def _padding(metrics: QFontMetrics) -> tuple[int, int]:
        return round(metrics.height() * 0.45), round(metrics.averageCharWidth() * 1.6)

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: D102 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        pad_y, _pad_x = self._padding(metrics)
        line = metrics.lineSpacing()
        height = 2 * pad_y + line * (1 + SNIPPET_LINES) + round(line * 0.2)
        return QSize(metrics.averageCharWidth() * 40, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,  # noqa: D102
              index: QModelIndex | QPersistentModelIndex) -> None:
        hit = index.data(HIT_ROLE)
        if hit is None:
            return
        painter.save()
        try:
            self._paint(painter, option, index)
        finally:
            painter.restore()

    def _paint(self, painter: QPainter, option: QStyleOptionViewItem,
               index: QModelIndex | QPersistentModelIndex) -> None:
        rect = QRect(option.rect)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hover = bool(state & QStyle.StateFlag.State_MouseOver)
        painter.fillRect(rect, QColor(SELECTED_BG if selected else HOVER_BG if hover else CARD))
        painter.fillRect(QRect(rect.left(), rect.bottom(), rect.width(), 1), QColor(LINE))
        if selected:  # not colour alone: a bar marks the chosen row
            bar = max(3, round(QFontMetrics(option.font).averageCharWidth() * 0.45))
            painter.fillRect(QRect(rect.left(), rect.top(), bar, rect.height()), QColor(ACCENT))

        plain_font = QFont(option.font)
        bold_font = QFont(option.font)
        bold_font.setBold(True)
        plain = QFontMetrics(plain_font)
        bold = QFontMetrics(bold_font)
        pad_y, pad_x = self._padding(plain)
        line = plain.lineSpacing()
        left = rect.left() + pad_x
        width = max(1, rect.width() - 2 * pad_x)
        y = rect.top() + pad_y

        hit = index.data(HIT_ROLE)
        date_text = str(index.data(DATE_ROLE) or "")
        date_width = plain.horizontalAdvance(date_text)
        painter.setFont(plain_font)
        painter.setPen(QColor(MUTED))
        painter.drawText(QRect(left + width - date_width, y, date_width, line),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                         date_text)
        gap = plain.averageCharWidth() * 2
        name = bold.elidedText(hit.client_name, Qt.TextElideMode.ElideRight,
                               max(0, width - date_width - gap))
        painter.setFont(bold_font)
        painter.setPen(QColor(INK))
        painter.drawText(QRect(left, y, width - date_width - gap, line),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), name)

        y += line + round(line * 0.2)
        runs = index.data(RUNS_ROLE) or []
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for pieces in layout_runs(runs, width, plain, bold):
            for number, piece in enumerate(pieces):
                box = QRect(left + piece.x, y, piece.width, line)
                if piece.highlighted:
                    after = pieces[number + 1] if number + 1 < len(pieces) else None
                    span = box.adjusted(-2, 1, 2, -1)
                    if after is not None and after.highlighted:  # one band for a phrase
                        span.setRight(left + after.x)
                    painter.fillRect(span, QColor(HIGHLIGHT_BG))
                    painter.setFont(bold_font)
                    painter.setPen(QColor(HIGHLIGHT_INK))
                else:
                    painter.setFont(plain_font)
                    painter.setPen(QColor(INK if piece.text != "…" else MUTED))
                painter.drawText(box.adjusted(0, 0, 2, 0), flags, piece.text)
            y += line
