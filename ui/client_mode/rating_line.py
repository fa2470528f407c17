"""One visual-analogue line: no mark until touched, 10 cm where the screen knows its size.

Mouse, touch, pen and keyboard all place the mark. The score is the mark's fraction of the line
× the item's maximum (`app.measures.mark_to_tenths`), whatever the line's length in pixels.
No number is ever painted: the client sees a line, its anchors and their own mark.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.measures import mark_to_tenths
from ui.client_mode.form import FormItem, ScreenMetrics, line_length
from ui.widgets.style import ACCENT, INK, MUTED, scaled_font

HINT = "Tap or click on the line"
LINE_INK = QColor(INK)
MARK_INK = QColor(ACCENT)
HINT_INK = QColor(MUTED)
FOCUS_INK = QColor(ACCENT)
TOUCH_EVENTS = (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                QEvent.Type.TouchCancel)


def value_words(tenths: int | None, item_max_tenths: int) -> str:
    """The mark for a screen reader: "about 7 of 10" (never shown on screen)."""
    if tenths is None:
        return "Not marked yet."
    top = item_max_tenths / 10
    return f"Marked at about {round(tenths / 10):g} of {top:g}."


def scaled(factor: float, step: float) -> float:
    """A text factor shrunk by `step` to fit a small screen, never below the app's own font."""
    return max(factor * step, min(factor, 1.0))


def _plain_label(text: str, factor: float, *, bold: bool = False, muted: bool = False,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignHCenter) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # definitions are data, never markup
    label.setWordWrap(True)
    label.setFont(scaled_font(factor, bold=bold))
    label.setProperty("factor", factor)
    label.setAlignment(align | Qt.AlignmentFlag.AlignTop)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    if muted:
        label.setObjectName("Muted")
    return label


class _TrackArea(QWidget):
    """The room the line is painted in (by RatingLine): it only reserves the height."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


class RatingLine(QWidget):
    """A line with its label and description above, anchors under its ends, and one mark."""

    marked = Signal(int)
    """The score changed (tenths); first emitted when the client first touches the line."""

    def __init__(self, item: FormItem, item_max_tenths: int = 100,
                 metrics: ScreenMetrics | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.item_max_tenths = item_max_tenths
        self._metrics = metrics or ScreenMetrics.of(None)
        self._fraction: float | None = None
        self._tenths: int | None = None
        self._dragging = False
        self.length = 1
        self.length_basis = ""
        self.x0 = 0
        self.small_step = max(1, item_max_tenths // 100)  # 0.1 on a 0–10 line
        self.large_step = max(1, item_max_tenths // 10)  # 1.0 on a 0–10 line
        self.last_input = ""

        self.setObjectName("RatingLine")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(item.label)

        self.label = _plain_label(item.label, 1.55, bold=True)
        self.description = _plain_label(item.description, 1.2, muted=True)
        self.description.setVisible(bool(item.description))
        self.track = _TrackArea(self)
        short = max(len(item.left_anchor), len(item.right_anchor)) <= 2  # ☹ / ☺ faces
        factor = 2.4 if short else (1.2 if len(item.left_anchor + item.right_anchor) < 40
                                    else 1.1)
        self.left_anchor = _plain_label(item.left_anchor, factor,
                                        align=Qt.AlignmentFlag.AlignLeft)
        self.right_anchor = _plain_label(item.right_anchor, factor,
                                         align=Qt.AlignmentFlag.AlignRight)
        self.left_anchor.setObjectName("Anchor")
        self.right_anchor.setObjectName("Anchor")

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.label)
        column.addWidget(self.description)
        column.addWidget(self.track)
        self._anchors = QHBoxLayout()
        self._anchors.setSpacing(0)
        self._anchors.addWidget(self.left_anchor, 0, Qt.AlignmentFlag.AlignTop)
        self._anchors.addStretch(1)
        self._anchors.addWidget(self.right_anchor, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(self._anchors)
        self.apply_scale(1.0)
        self._describe()

    # -- geometry ------------------------------------------------------------------------

    def apply_scale(self, step: float) -> None:
        """Text `step` times its design size (1.0; less to fit a small screen), track to match."""
        for label in (self.label, self.description, self.left_anchor, self.right_anchor):
            label.setFont(scaled_font(scaled(float(label.property("factor")), step),
                                      bold=label.font().bold()))
        font_px = self.fontMetrics().height()
        self.hint_font = scaled_font(scaled(1.1, step))
        self.hint_font.setItalic(True)
        self.pad = max(22, round(font_px * 1.4))  # room past the ends for the mark and a finger
        self.track.setFixedHeight(max(56, round(font_px * 3.4 * max(step, 0.85))))
        self._relayout()
        self.updateGeometry()

    @property
    def metrics(self) -> ScreenMetrics:
        """The screen facts the length was computed from."""
        return self._metrics

    def set_metrics(self, metrics: ScreenMetrics) -> None:
        """Recompute the length for another screen; the mark keeps its fraction and score."""
        self._metrics = metrics
        self._relayout()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        available = max(self.width() - 2 * self.pad, 1)
        window = self.window().width() if self.window() is not self else self.width()
        self.length, self.length_basis = line_length(self._metrics, available, window)
        self.x0 = (self.width() - self.length) // 2
        anchor_width = max(round(self.length * 0.46), 40)
        for label in (self.left_anchor, self.right_anchor):
            label.setFixedWidth(anchor_width)
        # The anchors sit under the ends of the line (a little past them, like the mark).
        edge = max(self.x0 - self.pad // 2, 0)
        self._anchors.setContentsMargins(edge, 0, max(self.width() - self.x0 - self.length
                                                      - self.pad // 2, 0), 0)
        self.update()

    def track_rect(self) -> QRect:
        """The tall hit area: the track and the anchors under it, a margin past each end."""
        area = self.track.geometry()
        bottom = max(area.bottom(), self.left_anchor.geometry().bottom(),
                     self.right_anchor.geometry().bottom())
        return QRect(self.x0 - self.pad, area.top(), self.length + 2 * self.pad,
                     bottom - area.top() + 1)

    def ring_rect(self) -> QRect:
        """Where the focus ring is drawn: around the line."""
        area = self.track.geometry()
        return QRect(self.x0 - self.pad, area.top(), self.length + 2 * self.pad, area.height())

    def line_y(self) -> int:
        """Where the line is drawn, in this widget's coordinates."""
        area = self.track.geometry()
        return area.top() + round(area.height() * 0.62)

    # -- the mark ------------------------------------------------------------------------

    @property
    def tenths(self) -> int | None:
        """The score in tenths, or None while the line has no mark."""
        return self._tenths

    @property
    def is_marked(self) -> bool:
        """True once the client has placed a mark."""
        return self._tenths is not None

    @property
    def position(self) -> float | None:
        """The mark's raw position along the line, in px from its left end."""
        return None if self._fraction is None else self._fraction * self.length

    def clear(self) -> None:
        """Remove the mark (a new reading of the same form)."""
        self._fraction = None
        self._tenths = None
        self._dragging = False
        self.last_input = ""
        self._describe()
        self.update()

    def set_from_x(self, x: float, device: str = "mouse") -> None:
        """Place the mark at `x` (widget coordinates); past the ends counts as the end."""
        position = min(max(x - self.x0, 0.0), float(self.length))
        self._place(position / self.length,
                    mark_to_tenths(position, self.length, self.item_max_tenths), device)

    def set_tenths(self, tenths: int, device: str = "keyboard") -> None:
        """Place the mark at a score (keyboard entry), clamped to the line."""
        tenths = min(max(tenths, 0), self.item_max_tenths)
        self._place(tenths / self.item_max_tenths, tenths, device)

    def _place(self, fraction: float, tenths: int, device: str) -> None:
        old = self._mark_rect()
        changed = tenths != self._tenths
        self._fraction = fraction
        self._tenths = tenths
        self.last_input = device
        self.update(old.united(self._mark_rect()) if old.isValid() else self.ring_rect())
        if changed:
            self.marked.emit(tenths)
            if not self._dragging:
                self._announce()

    def _mark_rect(self) -> QRect:
        if self._fraction is None:
            return QRect()
        x = self.x0 + round(self._fraction * self.length)
        half = self.pad
        return QRect(x - half, self.track.geometry().top(), 2 * half,
                     self.track.geometry().height())

    # -- accessibility -------------------------------------------------------------------

    def _describe(self) -> None:
        anchors = ""
        if self.item.left_anchor or self.item.right_anchor:
            anchors = f"A line from {self.item.left_anchor} to {self.item.right_anchor}. "
        how = "" if self.is_marked else "Click on the line, or use the arrow keys. "
        self.setAccessibleDescription(
            f"{self.item.description + '. ' if self.item.description else ''}{anchors}{how}"
            f"{value_words(self._tenths, self.item_max_tenths)}")

    def _announce(self) -> None:
        self._describe()
        if QAccessible.isActive():
            QAccessible.updateAccessibility(
                QAccessibleEvent(self, QAccessible.Event.DescriptionChanged))
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(
                self, value_words(self._tenths, self.item_max_tenths)))

    # -- input ---------------------------------------------------------------------------

    def _hit(self, point: QPointF) -> bool:
        return self.track_rect().contains(point.toPoint())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: D102 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self._hit(event.position()):
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._dragging = True
            self.set_from_x(event.position().x(), "mouse")
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: D102 - Qt override
        if self._dragging and event.buttons() & Qt.MouseButton.LeftButton:
            self.set_from_x(event.position().x(), "mouse")
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: D102 - Qt override
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self.set_from_x(event.position().x(), "mouse")
            self._end_drag()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def _end_drag(self) -> None:
        if self._dragging:
            self._dragging = False
            self._announce()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: D102 - Qt override
        kind = event.type()
        if kind == QEvent.Type.TabletPress and self._hit(event.position()):
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._dragging = True
            self.set_from_x(event.position().x(), "pen")
        elif kind == QEvent.Type.TabletMove and self._dragging:
            self.set_from_x(event.position().x(), "pen")
        elif kind == QEvent.Type.TabletRelease and self._dragging:
            self.set_from_x(event.position().x(), "pen")
            self._end_drag()
        else:
            event.ignore()
            return
        event.accept()

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() in TOUCH_EVENTS and isinstance(event, QTouchEvent):
            return self._touch(event)
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> bool:
        points = event.points()
        kind = event.type()
        if kind == QEvent.Type.TouchCancel:
            self._end_drag()
            return True
        if not points:
            return False
        position = points[0].position()
        if kind == QEvent.Type.TouchBegin:
            if not self._hit(position):
                event.ignore()
                return False
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._dragging = True
        if self._dragging:
            self.set_from_x(position.x(), "touch")
            if kind == QEvent.Type.TouchEnd:
                self._end_drag()
        event.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: D102 - Qt override
        key = event.key()
        steps = {Qt.Key.Key_Right: self.small_step, Qt.Key.Key_Up: self.small_step,
                 Qt.Key.Key_Left: -self.small_step, Qt.Key.Key_Down: -self.small_step,
                 Qt.Key.Key_PageUp: self.large_step, Qt.Key.Key_PageDown: -self.large_step}
        if event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier):
            super().keyPressEvent(event)
            return
        if key in steps:
            if self._tenths is None:  # the first key places the mark in the middle
                self.set_tenths(self.item_max_tenths // 2)
            else:
                self.set_tenths(self._tenths + steps[key])
        elif key == Qt.Key.Key_Home:
            self.set_tenths(0)
        elif key == Qt.Key.Key_End:
            self.set_tenths(self.item_max_tenths)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: D102 - Qt override
        super().focusInEvent(event)
        self.update(self.ring_rect().adjusted(-4, -4, 4, 4))

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: D102 - Qt override
        super().focusOutEvent(event)
        self._end_drag()
        self.update(self.ring_rect().adjusted(-4, -4, 4, 4))

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font_px = self.fontMetrics().height()
        y = self.line_y()
        x0, x1 = self.x0, self.x0 + self.length
        if self.hasFocus():
            ring = QRectF(self.ring_rect()).adjusted(2, 2, -2, -2)
            painter.setPen(QPen(FOCUS_INK, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(ring, 12, 12)
        if self._fraction is None:
            painter.setPen(HINT_INK)
            painter.setFont(self.hint_font)
            area = self.track.geometry()
            painter.drawText(QRect(x0, area.top(), self.length, y - area.top() - 8),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, HINT)
        tick = max(12, round(font_px * 0.75))
        painter.setPen(QPen(LINE_INK, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(x0, y, x1, y)
        painter.setPen(QPen(LINE_INK, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(x0, y - tick, x0, y + tick)
        painter.drawLine(x1, y - tick, x1, y + tick)
        if self._fraction is not None:
            x = x0 + self._fraction * self.length
            half = max(16, min(round(font_px * 1.3), round(self.track.height() * 0.36)))
            painter.setPen(QPen(MARK_INK, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawLine(QPointF(x, y - half), QPointF(x, y + half))
            radius = max(9, round(font_px * 0.6))
            painter.setPen(QPen(QColor("#ffffff"), 3))
            painter.setBrush(MARK_INK)
            painter.drawEllipse(QPointF(x, y), radius, radius)
        painter.end()
