"""Building blocks every page uses: a centred card page, headings, messages, links, busy rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.style import em, scaled_font


def heading(text: str, factor: float = 1.6, parent: QWidget | None = None) -> QLabel:
    """A bold heading, `factor` times the application font."""
    label = QLabel(text, parent)
    label.setObjectName("Heading")
    label.setFont(scaled_font(factor, bold=True))
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def muted(text: str, parent: QWidget | None = None) -> QLabel:
    """Secondary explanatory text, wrapped."""
    label = QLabel(text, parent)
    label.setObjectName("Muted")
    label.setWordWrap(True)
    return label


def field_label(text: str, buddy: QWidget, parent: QWidget | None = None) -> QLabel:
    """A label for an input: its mnemonic focuses the input, and it names it for screen readers."""
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    label.setFont(scaled_font(1.0, bold=True))
    if not buddy.accessibleName():
        buddy.setAccessibleName(text.replace("&", "").rstrip(":"))
    return label


class MessageLabel(QLabel):
    """An inline message (error, notice or warning) that hides itself when empty."""

    def __init__(self, kind: str = "Error", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(kind)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName(kind)
        self.hide()

    def show_message(self, text: str) -> None:
        """Show `text` (hide when empty)."""
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        """Hide and forget the message."""
        self.show_message("")


def link_button(text: str, accessible_name: str | None = None,
                parent: QWidget | None = None) -> QPushButton:
    """A button that looks like a link but is a real, focusable button."""
    button = QPushButton(text, parent)
    button.setObjectName("Link")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setAccessibleName(accessible_name or text.replace("&", "").rstrip("…."))
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return button


def primary_button(text: str, accessible_name: str | None = None,
                   parent: QWidget | None = None) -> QPushButton:
    """The page's main action."""
    button = QPushButton(text, parent)
    button.setObjectName("Primary")
    button.setAccessibleName(accessible_name or text.replace("&", "").rstrip("…."))
    button.setAutoDefault(True)
    return button


def badge(text: str = "DEMO", parent: QWidget | None = None) -> QLabel:
    """A small badge (the DEMO marker): a word, not only a colour."""
    label = QLabel(text, parent)
    label.setObjectName("Badge")
    label.setFont(scaled_font(0.85, bold=True))
    label.setAccessibleName(f"{text.title()} vault" if text == "DEMO" else text)
    label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return label


class BusyRow(QWidget):
    """An indeterminate progress bar with a sentence saying what is happening."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._bar = QProgressBar(self)
        self._bar.setRange(0, 0)
        self._bar.setTextVisible(False)
        self._bar.setFixedWidth(em(self, 10))
        self._label = QLabel(self)
        self._label.setObjectName("Muted")
        layout.addWidget(self._bar)
        layout.addWidget(self._label, 1)
        self.setAccessibleName("Working")
        self.hide()

    @property
    def busy(self) -> bool:
        """True while shown."""
        return self.isVisibleTo(self.parentWidget()) if self.parentWidget() else self.isVisible()

    def start(self, text: str) -> None:
        """Show the bar with `text` (e.g. "Unlocking…")."""
        self._label.setText(text)
        self._bar.setAccessibleName(text)
        self.setAccessibleDescription(text)
        self.show()

    def stop(self) -> None:
        """Hide the bar."""
        self.hide()


class CardPage(QWidget):
    """A page with one centred card that scrolls when the window is small or the text is large.

    Subclasses add their content to `self.card_layout`. The card's width follows the font.
    """

    def __init__(self, width_chars: int = 64, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setObjectName("PageScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        body.setObjectName("PageBody")
        scroll.setWidget(body)
        column = QVBoxLayout(body)
        margin = em(self, 3)
        column.setContentsMargins(margin, margin, margin, margin)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.card = QFrame(body)
        self.card.setObjectName("Card")
        # A fixed width (fitted to the window in resizeEvent) keeps the wrapped labels' heights
        # exact: with a free width, Qt's nested layouts squeezed some rows to nothing.
        self._card_width = em(self, width_chars)
        self._margin = em(self, 3)
        self.card.setFixedWidth(self._card_width)
        self.card.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        row.addWidget(self.card)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)
        self.card_layout = QVBoxLayout(self.card)
        pad = em(self, 4)
        self.card_layout.setContentsMargins(pad, pad, pad, pad)
        self.card_layout.setSpacing(em(self, 1.2))
        self.scroll_area = scroll

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        available = self.width() - 2 * self._margin - em(self, 2)
        width = max(min(self._card_width, available), em(self, 40))
        if self.card.width() != width:
            self.card.setFixedWidth(width)


def hline(parent: QWidget | None = None) -> QFrame:
    """A thin separator line."""
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: #d7dde3;")
    return line
