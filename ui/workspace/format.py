"""How the workspace words and draws things: local times, days, ages, risk (word and shape).

Stored times are ISO 8601 UTC; the therapist reads local time. Risk is always a word first and a
shape second, each level its own shape, so colour is never the only signal.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap, QPolygonF

from app.clients import ClientDetails, RiskLevel, age_on

RISK_WORDS = {
    RiskLevel.NONE: "None reported",
    RiskLevel.LOW: "Low",
    RiskLevel.MODERATE: "Moderate",
    RiskLevel.HIGH: "High",
}
RISK_COLOURS = {
    RiskLevel.LOW: "#5c6b2e",
    RiskLevel.MODERATE: "#a15c00",
    RiskLevel.HIGH: "#b42318",
}

_icons: dict[tuple[RiskLevel, int], QIcon] = {}


def parse_stamp(stamp: str | None) -> datetime | None:
    """A stored ISO timestamp as an aware datetime, or None."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def local_moment(stamp: str | None) -> str:
    """A stored timestamp as local "2025-03-04 14:05" (as stored when unparsable)."""
    moment = parse_stamp(stamp)
    if moment is None:
        return stamp or ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def short_moment(stamp: str | None) -> str:
    """"14:05" today, "2025-03-04 14:05" on another day."""
    moment = parse_stamp(stamp)
    if moment is None:
        return stamp or ""
    local = moment.astimezone()
    return local.strftime("%H:%M") if local.date() == today() else \
        local.strftime("%Y-%m-%d %H:%M")


def local_clock(stamp: str | None) -> str:
    """A stored timestamp as local "14:05"."""
    moment = parse_stamp(stamp)
    return moment.astimezone().strftime("%H:%M") if moment else ""


def local_day(stamp: str | None) -> date | None:
    """The local calendar day of a stored timestamp."""
    moment = parse_stamp(stamp)
    return moment.astimezone().date() if moment else None


def today() -> date:
    """Today in local time."""
    return datetime.now().astimezone().date()


def day_text(day: date | None) -> str:
    """"Tue 2025-03-04": the weekday helps, the ISO date is unambiguous."""
    if day is None:
        return ""
    return f"{day.strftime('%a')} {day.isoformat()}"


def age_text(details: ClientDetails, on: date) -> str:
    """"34 years", "Age band 18–25", or that no age is recorded."""
    if details.date_of_birth is not None:
        years = age_on(details.date_of_birth, on)
        return f"{years} year{'s' if years != 1 else ''}"
    if details.age_band:
        return f"Age band {details.age_band}"
    return "Age not recorded"


def risk_word(level: RiskLevel) -> str:
    """The level in words."""
    return RISK_WORDS[level]


def risk_icon(level: RiskLevel, size: int) -> QIcon:
    """A shape per level (dot, diamond, triangle with "!"); none for "none reported"."""
    key = (level, size)
    if key in _icons:
        return _icons[key]
    icon = QIcon()
    if level is not RiskLevel.NONE:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(RISK_COLOURS[level]))
        s = float(size)
        if level is RiskLevel.LOW:
            painter.drawEllipse(QRectF(s * 0.28, s * 0.28, s * 0.44, s * 0.44))
        elif level is RiskLevel.MODERATE:
            painter.drawPolygon(QPolygonF([QPointF(s / 2, s * 0.12), QPointF(s * 0.88, s / 2),
                                           QPointF(s / 2, s * 0.88), QPointF(s * 0.12, s / 2)]))
        else:
            painter.drawPolygon(QPolygonF([QPointF(s / 2, s * 0.06), QPointF(s * 0.96, s * 0.9),
                                           QPointF(s * 0.04, s * 0.9)]))
            painter.setPen(QColor("#ffffff"))
            font = QFont()
            font.setBold(True)
            font.setPointSizeF(max(1.0, s * 0.42))
            painter.setFont(font)
            painter.drawText(QRectF(0, s * 0.28, s, s * 0.62), Qt.AlignmentFlag.AlignCenter, "!")
        painter.end()
        icon = QIcon(pixmap)
    _icons[key] = icon
    return icon
