"""Tandem's look: a calm, light, high-contrast palette and a restrained style sheet.

Sizes of text are never fixed in pixels: headings are the application font scaled by a factor
(`scaled_font`), so the whole window follows the system's text size. The style sheet only sets
colours, borders and padding.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

INK = "#1c2733"
MUTED = "#4a5663"
ACCENT = "#245b87"
ACCENT_DARK = "#1b4669"
SURFACE = "#f3f5f7"
CARD = "#ffffff"
LINE = "#cfd6dd"
ERROR_INK = "#8f1d1d"
ERROR_BG = "#fdeeee"
ERROR_LINE = "#eab4b4"
NOTICE_INK = "#1d3f5e"
NOTICE_BG = "#eaf2f9"
NOTICE_LINE = "#b8cfe3"
WARN_INK = "#5a3b00"
WARN_BG = "#fff5dc"
WARN_LINE = "#ecd08c"
BADGE_BG = "#f2c94c"
BADGE_INK = "#2e2300"

STYLE_SHEET = f"""
QMainWindow, QWidget#Page, QScrollArea#PageScroll, QWidget#PageBody {{
    background: {SURFACE};
}}
QFrame#Card {{
    background: {CARD};
    border: 1px solid {LINE};
    border-radius: 10px;
}}
QLabel {{ color: {INK}; }}
QLabel#Muted {{ color: {MUTED}; }}
QLabel#Error {{
    color: {ERROR_INK}; background: {ERROR_BG};
    border: 1px solid {ERROR_LINE}; border-radius: 6px; padding: 6px 8px;
}}
QLabel#Notice {{
    color: {NOTICE_INK}; background: {NOTICE_BG};
    border: 1px solid {NOTICE_LINE}; border-radius: 6px; padding: 6px 8px;
}}
QLabel#Warning {{
    color: {WARN_INK}; background: {WARN_BG};
    border: 1px solid {WARN_LINE}; border-radius: 6px; padding: 8px 10px;
}}
QLabel#Badge {{
    color: {BADGE_INK}; background: {BADGE_BG};
    border: 1px solid #c9a227; border-radius: 4px; padding: 1px 7px;
}}
QLabel#KeyGroup {{
    color: {INK}; background: {SURFACE};
    border: 1px solid {LINE}; border-radius: 6px; padding: 6px 10px;
}}
QLabel#KeyGroup:focus {{ border: 2px solid {ACCENT}; padding: 5px 9px; }}
QLineEdit {{
    color: {INK}; background: #ffffff;
    border: 1px solid #9aa6b2; border-radius: 6px; padding: 5px 7px;
    selection-background-color: {ACCENT};
}}
QLineEdit:focus {{ border: 2px solid {ACCENT}; padding: 4px 6px; }}
QLineEdit:disabled {{ color: #6b7580; background: #eef1f4; }}
QPushButton {{
    color: {INK}; background: #ffffff;
    border: 1px solid #9aa6b2; border-radius: 6px; padding: 6px 14px;
}}
QPushButton:hover {{ background: #edf2f7; }}
QPushButton:pressed {{ background: #dde6ef; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; padding: 5px 13px; }}
QPushButton:disabled {{ color: #6f7a85; background: #eef1f4; border-color: #c3cbd3; }}
QPushButton#Primary {{
    color: #ffffff; background: {ACCENT}; border: 1px solid {ACCENT_DARK};
}}
QPushButton#Primary:hover {{ background: {ACCENT_DARK}; }}
QPushButton#Primary:focus {{ border: 2px solid #0e2a40; padding: 5px 13px; }}
QPushButton#Primary:disabled {{ color: #f4f6f8; background: #8fa7bc; border-color: #8fa7bc; }}
QPushButton#Link {{
    color: {ACCENT}; background: transparent; border: 1px solid transparent;
    padding: 2px 1px; text-decoration: underline;
}}
QPushButton#Link:hover {{ color: {ACCENT_DARK}; background: transparent; }}
QPushButton#Link:focus {{ border: 1px solid {ACCENT}; padding: 2px 1px; }}
QTableView {{
    background: #ffffff; alternate-background-color: #f6f8fa;
    border: 1px solid {LINE}; border-radius: 6px; gridline-color: #e3e8ed;
    selection-background-color: #d5e4f1; selection-color: {INK};
}}
QTableView::item {{ padding-left: 6px; }}
QHeaderView::section {{
    color: {INK}; background: #eaeef2; border: none;
    border-bottom: 1px solid {LINE}; padding: 5px 8px;
}}
QStatusBar {{ background: #e9edf1; color: {INK}; }}
QStatusBar QLabel {{ padding: 0 4px; }}
QProgressBar {{
    border: 1px solid {LINE}; border-radius: 4px; background: #ffffff; max-height: 8px;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QToolTip {{ color: {INK}; background: #ffffff; border: 1px solid {LINE}; }}
"""


def apply_style(app: QApplication) -> None:
    """Fusion with a light palette and Tandem's style sheet: the same calm look on every OS."""
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: SURFACE,
        QPalette.ColorRole.WindowText: INK,
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f6f8fa",
        QPalette.ColorRole.Text: INK,
        QPalette.ColorRole.Button: "#ffffff",
        QPalette.ColorRole.ButtonText: INK,
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: INK,
        QPalette.ColorRole.PlaceholderText: "#6b7580",
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b7580"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText,
                     QColor("#6b7580"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                     QColor("#6b7580"))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)


def scaled_font(factor: float = 1.0, *, bold: bool = False, mono: bool = False) -> QFont:
    """The application font times `factor` (never a fixed pixel size)."""
    font = QFont(QGuiApplication.font())
    if mono:
        font.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "Noto Sans Mono", "monospace"])
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFixedPitch(True)
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    else:
        font.setPixelSize(max(1, round(font.pixelSize() * factor)))
    font.setBold(bold)
    return font


def em(widget: QWidget, count: float) -> int:
    """`count` average character widths of `widget`'s font, in pixels (for widths that scale)."""
    return round(widget.fontMetrics().averageCharWidth() * count)
