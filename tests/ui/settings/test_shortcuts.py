"""Help ▸ Keyboard shortcuts is generated from the window's menus: every action, its keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from tests.ui.conftest import UI
from ui.dialogs.shortcuts import ShortcutsDialog, action_name, mnemonic


def menu_actions(ui: UI) -> list[tuple[str, QAction]]:
    found = []
    for top in ui.window.menuBar().actions():
        if top.menu() is None or not top.isVisible():
            continue
        for action in top.menu().actions():
            if not action.isSeparator() and action.text() and action.isVisible() \
                    and action.menu() is None:
                found.append((action_name(top.text()), action))
    return found


def open_shortcuts(ui: UI) -> ShortcutsDialog:
    ui.qtbot.keyClick(ui.window.focusWidget() or ui.window, Qt.Key.Key_F1)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(ShortcutsDialog) is not None)
    return ui.window.findChild(ShortcutsDialog)


def test_helpers() -> None:
    assert action_name("&Search everything…") == "Search everything"
    assert action_name("Save && close") == "Save & close"
    assert mnemonic("&Vault") == "V" and mnemonic("Save && &close") == "C"
    assert mnemonic("None") == ""


def test_every_menu_action_is_listed_with_its_keys(ui: UI) -> None:
    dialog = open_shortcuts(ui)
    actions = menu_actions(ui)
    assert len(actions) >= 10
    listed = {(r.group, r.action): r.keys for r in dialog.rows}
    for group, action in actions:
        keys = listed[(group, action_name(action.text()))]
        if action.shortcut().isEmpty():
            assert keys.startswith("Alt+"), (action.text(), keys)
        else:
            assert keys == action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert dialog.keys_for("Search everything") == QKeySequence("Ctrl+K").toString(
        QKeySequence.SequenceFormat.NativeText)
    assert dialog.keys_for("Settings") == QKeySequence("Ctrl+,").toString(
        QKeySequence.SequenceFormat.NativeText)
    assert dialog.keys_for("Keyboard shortcuts") == "F1"
    table = dialog.table
    shown = {table.item(r, 0).text() for r in range(table.rowCount())}
    assert {g for g, _ in actions} <= shown  # menu titles head their groups
    assert {action_name(a.text()) for _, a in actions} <= shown


def test_the_page_follows_the_menus(ui: UI) -> None:
    extra = QAction("&Frobnicate the widgets…", ui.window)
    extra.setShortcut(QKeySequence("Ctrl+Shift+F"))
    ui.window.menus["help"].addAction(extra)
    hidden = QAction("Only a key", ui.window)
    hidden.setShortcut(QKeySequence("Ctrl+Shift+J"))
    ui.window.addAction(hidden)
    dialog = open_shortcuts(ui)
    assert dialog.keys_for("Frobnicate the widgets") == QKeySequence("Ctrl+Shift+F").toString(
        QKeySequence.SequenceFormat.NativeText)
    assert ("Other", "Only a key") in {(r.group, r.action) for r in dialog.rows}
