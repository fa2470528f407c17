"""The workspace's additions to Tandem's style sheet.

Colours, borders and padding only: sizes of text follow the application font.
"""

from __future__ import annotations

from ui.widgets.style import (
    ACCENT,
    ERROR_BG,
    ERROR_INK,
    ERROR_LINE,
    INK,
    LINE,
    MUTED,
    NOTICE_BG,
    NOTICE_INK,
    NOTICE_LINE,
    WARN_BG,
    WARN_INK,
    WARN_LINE,
)

DANGER = "#a8201a"
DANGER_DARK = "#7f1712"

WORKSPACE_STYLE = f"""
QWidget#ClientListPanel {{ background: #eef1f4; }}
QLabel#PanelTitle {{ color: {INK}; font-weight: bold; }}
QSplitter::handle {{ background: {LINE}; }}
QSplitter::handle:horizontal {{ width: 1px; }}
QPushButton#Segment {{
    border-radius: 0; padding: 4px 12px; background: #ffffff; margin-right: -1px;
}}
QPushButton#Segment[position="first"] {{
    border-top-left-radius: 6px; border-bottom-left-radius: 6px;
}}
QPushButton#Segment[position="last"] {{
    border-top-right-radius: 6px; border-bottom-right-radius: 6px;
}}
QPushButton#Segment:checked {{
    background: {ACCENT}; color: #ffffff; border-color: {ACCENT};
}}
QPushButton#Segment:focus {{ border: 2px solid #0e2a40; padding: 3px 11px; }}
QComboBox {{
    color: {INK}; background: #ffffff; border: 1px solid #9aa6b2; border-radius: 6px;
    padding: 4px 8px;
}}
QComboBox:focus {{ border: 2px solid {ACCENT}; padding: 3px 7px; }}
QComboBox:disabled {{ color: #6b7580; background: #eef1f4; }}
QTableView#ClientTable, QTableView#Timeline {{ border-radius: 6px; }}
QTableView#ClientTable:focus, QTableView#Timeline:focus {{ border: 2px solid {ACCENT}; }}
QWidget#ClientRecord, QWidget#RecordBody {{ background: #f3f5f7; }}
QLabel#StatusChip {{
    color: #1f5130; background: #e3f1e7; border: 1px solid #a9d1b5; border-radius: 4px;
    padding: 1px 7px;
}}
QLabel#StatusChip[closed="true"] {{
    color: #4a5663; background: #eceff2; border: 1px solid #c3cbd3;
}}
QTabWidget::pane {{ border: none; border-top: 1px solid {LINE}; }}
QTabBar::tab {{
    color: {MUTED}; background: transparent; padding: 7px 16px; margin-right: 4px;
    border: none; border-bottom: 3px solid transparent;
}}
QTabBar::tab:selected {{ color: {INK}; border-bottom: 3px solid {ACCENT}; font-weight: bold; }}
QTabBar::tab:hover {{ color: {INK}; }}
QTabBar::tab:focus {{ text-decoration: underline; }}
QScrollArea#OverviewScroll, QWidget#OverviewBody, QScrollArea#NoteScroll,
QWidget#NoteBody {{ background: transparent; }}
QLabel#CardTitle {{ color: {ACCENT}; }}
QTextEdit, QPlainTextEdit {{
    color: {INK}; background: #ffffff; border: 1px solid #b7c1cb; border-radius: 6px;
    selection-background-color: {ACCENT}; selection-color: #ffffff;
}}
QTextEdit:focus, QPlainTextEdit:focus {{ border: 2px solid {ACCENT}; }}
QTextEdit[readOnly="true"] {{ background: #fbfcfd; border: 1px solid #dde3e8; }}
QPlainTextEdit#ProcessNotes {{ background: #fffdf6; }}
QLabel#SectionTitle {{ color: {INK}; padding-top: 6px; }}
QLabel#SaveStatus {{ color: {MUTED}; }}
QLabel#SaveError {{ color: {ERROR_INK}; font-weight: bold; }}
QLabel#LateEntry {{
    color: {WARN_INK}; background: {WARN_BG}; border: 1px solid {WARN_LINE};
    border-radius: 6px; padding: 4px 8px;
}}
QLabel#Private {{
    color: {WARN_INK}; background: {WARN_BG}; border: 1px solid {WARN_LINE};
    border-radius: 6px; padding: 8px 10px;
}}
QLabel#SignedLine {{
    color: #1f5130; background: #e3f1e7; border: 1px solid #a9d1b5; border-radius: 6px;
    padding: 4px 8px;
}}
QFrame#Amendment {{
    background: {NOTICE_BG}; border: 1px solid {NOTICE_LINE}; border-radius: 8px;
}}
QLabel#AmendmentTitle {{ color: {NOTICE_INK}; }}
QLabel#DeletedStub {{
    color: {ERROR_INK}; background: {ERROR_BG}; border: 1px solid {ERROR_LINE};
    border-radius: 6px; padding: 8px 10px;
}}
QLabel#FormSection {{ color: {ACCENT}; font-weight: bold; padding-top: 8px; }}
QPushButton#Danger {{ color: #ffffff; background: {DANGER}; border: 1px solid {DANGER_DARK}; }}
QPushButton#Danger:hover {{ background: {DANGER_DARK}; }}
QPushButton#Danger:focus {{ border: 2px solid #3d0a07; padding: 5px 13px; }}
QPushButton#Danger:disabled {{ color: #f4f6f8; background: #c99a97; border-color: #c99a97; }}
QScrollArea#DialogScroll, QWidget#DialogBody {{ background: transparent; }}
"""
