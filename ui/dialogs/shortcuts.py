"""Help ▸ Keyboard shortcuts (F1): built from the window's own menus each time it opens.

Every action in every menu is listed under its menu with its shortcut, as the menu shows it; an
action without a shortcut shows its menu route instead (Alt+V, then S). Actions the window has
outside its menus (added by a page) come under "Other". Because the page is generated from the
live QActions, it cannot go stale when a later feature adds or changes a shortcut.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.common import heading, muted
from ui.widgets.style import em, scaled_font

GENERAL_KEYS = (
    ("Move between fields and buttons", "Tab / Shift+Tab"),
    ("Unlock (in the passphrase field)", "Enter"),
    ("Open a menu", "Alt + the underlined letter"),
    ("Close a dialog", "Esc"),
)
SEARCH_KEYS = (
    ("Choose a result", "↑ / ↓"),
    ("Open the chosen note", "Enter"),
    ("Close the search", "Esc"),
)


@dataclass(frozen=True)
class ShortcutRow:
    """One line of the page."""

    group: str
    action: str
    keys: str
    has_shortcut: bool


def action_name(text: str) -> str:
    """A menu text as words: mnemonics removed ("&&" stays "&"), trailing "…" dropped."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def mnemonic(text: str) -> str:
    """The underlined letter of a menu text ("&Vault" → "V"), or ""."""
    index = 0
    while (index := text.find("&", index)) >= 0 and index + 1 < len(text):
        if text[index + 1] != "&":
            return text[index + 1].upper()
        index += 2
    return ""


def native(sequence: QKeySequence) -> str:
    """A key sequence as this platform's menus write it."""
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def shortcut_rows(window: QWidget | None, actions: list[QAction]) -> list[ShortcutRow]:
    """Every menu action under its menu title, then other actions that have shortcuts."""
    rows: list[ShortcutRow] = []
    listed: set[QAction] = set()

    def walk(menu: QMenu, group: str, route: list[str]) -> None:
        for action in menu.actions():
            if action.isSeparator() or not action.text() or not action.isVisible():
                continue
            if action.menu() is not None:
                walk(action.menu(), group, [*route, mnemonic(action.text())])
                continue
            listed.add(action)
            keys = native(action.shortcut())
            if not keys:
                letters = [*route, mnemonic(action.text())]
                keys = (f"Alt+{letters[0]}, then {', '.join(letters[1:])}"
                        if all(letters) and len(letters) > 1 else "From the menu")
            rows.append(ShortcutRow(group, action_name(action.text()), keys,
                                    not action.shortcut().isEmpty()))

    if isinstance(window, QMainWindow):
        for top in window.menuBar().actions():
            menu = top.menu()
            if menu is not None and top.isVisible():
                walk(menu, action_name(top.text()), [mnemonic(top.text())])
    for action in actions:
        if action in listed or action.shortcut().isEmpty() or not action.text():
            continue
        listed.add(action)
        rows.append(ShortcutRow("Other", action_name(action.text()), native(action.shortcut()),
                                True))
    rows.extend(ShortcutRow("Search everything", name, keys, True) for name, keys in SEARCH_KEYS)
    rows.extend(ShortcutRow("Everywhere", name, keys, True) for name, keys in GENERAL_KEYS)
    return rows


class ShortcutsDialog(QDialog):
    """A table of every menu action and its keys, grouped by menu."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.setMinimumWidth(em(self, 95))
        layout = QVBoxLayout(self)
        pad = em(self, 2.5)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.addWidget(heading("Keyboard shortcuts", 1.35))
        layout.addWidget(muted("Every action in the menus, with its keys. Actions without a "
                               "shortcut are reached through their menu: hold Alt and type the "
                               "underlined letters."))
        self.rows = shortcut_rows(parent, actions)
        groups: list[str] = []
        for row in self.rows:
            if row.group not in groups:
                groups.append(row.group)
        self.table = QTableWidget(len(self.rows) + len(groups), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        bold = scaled_font(1.0, bold=True)
        line = 0
        for group in groups:
            title = QTableWidgetItem(group)
            title.setFont(bold)
            title.setBackground(QColor("#e6ecf2"))
            title.setFlags(Qt.ItemFlag.ItemIsEnabled)
            title.setData(Qt.ItemDataRole.AccessibleTextRole, f"{group} menu"
                          if group not in ("Other", "Everywhere", "Search everything")
                          else group)
            self.table.setItem(line, 0, title)
            self.table.setItem(line, 1, QTableWidgetItem(""))
            self.table.setSpan(line, 0, 1, 2)
            line += 1
            for row in (r for r in self.rows if r.group == group):
                name = QTableWidgetItem(row.action)
                keys = QTableWidgetItem(row.keys)
                if row.has_shortcut:
                    keys.setFont(bold)
                self.table.setItem(line, 0, name)
                self.table.setItem(line, 1, keys)
                line += 1
        self.table.resizeRowsToContents()
        wanted = (self.table.verticalHeader().length() + header.sizeHint().height()
                  + 2 * self.table.frameWidth())
        limit = round(parent.height() * 0.62) if parent is not None else wanted
        self.table.setMinimumHeight(min(wanted, max(limit, em(self, 30))))
        self.table.setMinimumWidth(em(self, 70))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def keys_for(self, action: str) -> str:
        """The keys listed for an action name ("" when it is not listed)."""
        return next((r.keys for r in self.rows if r.action == action), "")
