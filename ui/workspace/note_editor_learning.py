"""A small bar above a draft note: what the client learned in their last exposure, to insert.

Graded exposure asks the client, after each trial, what they learned — in their own words. The
next session's note is where that belongs, so an editable note of a client with exposure work
offers the latest one (from a trial before the end of the session's day). It never takes the
keyboard, never shows on a signed note, and goes away once inserted or dismissed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from storage.exposure import LearningQuote
from ui.widgets.style import NOTICE_BG, NOTICE_INK, NOTICE_LINE, em

_STYLE = f"""
QFrame#LearningOffer {{
    background: {NOTICE_BG}; border: 1px solid {NOTICE_LINE}; border-radius: 6px;
}}
QLabel#LearningText {{ color: {NOTICE_INK}; background: transparent; border: none; }}
"""


def quote_day(quote: LearningQuote) -> str:
    """The trial's day as the bar and the note say it: "12 Mar 2026"."""
    local = quote.started_at.astimezone()
    return f"{local.day} {local:%b %Y}"


def note_text(quote: LearningQuote) -> str:
    """What goes into the note: the client's words, quoted, with the exposure's day."""
    return f"From the exposure on {quote_day(quote)}, in the client's words: “{quote.text}”"


class LearningOffer(QFrame):
    """“From the last exposure (12 Mar 2026): “…”” with Insert and Not now."""

    insert_requested = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LearningOffer")
        self.setStyleSheet(_STYLE)
        self.setAccessibleName("What the client learned in the last exposure")
        self.quote: LearningQuote | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(em(self, 0.8), em(self, 0.35), em(self, 0.4), em(self, 0.35))
        row.setSpacing(em(self, 0.6))
        self.text = QLabel()
        self.text.setObjectName("LearningText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # the client's words, never markup
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Last exposure's learning")
        self.insert_button = QPushButton("&Insert")
        self.insert_button.setAccessibleName("Insert what the client learned into the note")
        self.insert_button.setToolTip("Put the client's words into the note at the cursor")
        self.dismiss_button = QPushButton("Not now")
        self.dismiss_button.setAccessibleName("Dismiss the suggestion")
        self.dismiss_button.setToolTip("Hide this suggestion for this note")
        for button in (self.insert_button, self.dismiss_button):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click never takes the keyboard
        row.addWidget(self.text, 1)
        row.addWidget(self.insert_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.insert_button.clicked.connect(self.insert_requested)
        self.dismiss_button.clicked.connect(self.dismissed)
        self.hide()

    def set_quote(self, quote: LearningQuote | None) -> None:
        """Offer `quote` (None: nothing to offer)."""
        self.quote = quote
        text = (f"From the last exposure ({quote_day(quote)}): “{quote.text}”"
                if quote is not None else "")
        self.text.setText(text)
        self.text.setAccessibleDescription(text)

    def wipe(self) -> None:
        """Forget the client's words (locking)."""
        self.quote = None
        self.text.clear()
        self.text.setAccessibleDescription("")
        self.hide()
