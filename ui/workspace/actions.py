"""The Client and Note menus: every workspace action with its shortcut, enabled when it applies.

The window owns the actions (menus outlive a lock); the workspace page that is on screen does
the work. `bind` connects them to a new page after an unlock and to nothing after a lock, when
every action is disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget


@dataclass(frozen=True)
class Availability:
    """Which workspace actions apply right now."""

    new_client: bool = False
    find_client: bool = False
    edit_client: bool = False
    review_risk: bool = False
    next_client: bool = False
    previous_client: bool = False
    show_overview: bool = False
    show_sessions: bool = False
    show_process_notes: bool = False
    close_client: bool = False
    reopen_client: bool = False
    destroy_client: bool = False
    new_session: bool = False
    edit_session: bool = False
    save_note: bool = False
    sign_note: bool = False
    add_addendum: bool = False
    add_correction: bool = False
    delete_note: bool = False
    start_ors: bool = False
    start_srs: bool = False
    vault_overview: bool = False


class WorkspaceActions(QObject):
    """The actions of the Client and Note menus (and Vault ▸ Vault overview)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._page: QObject | None = None
        self.actions: dict[str, QAction] = {}
        add = self._add
        add("new_client", "&New client…", "Ctrl+Shift+N", "Add a client")
        add("find_client", "&Find client", "Ctrl+F", "Filter the client list by name")
        add("edit_client", "&Edit client…", "Ctrl+E", "Change the client's details and goals")
        add("review_risk", "Review &risk…", None, "Record a risk review")
        add("next_client", "Ne&xt client", "Ctrl+Down", "Open the next client in the list")
        add("previous_client", "Pre&vious client", "Ctrl+Up",
            "Open the previous client in the list")
        add("show_overview", "&Overview", "Ctrl+1", "The client's overview")
        add("show_sessions", "&Sessions and notes", "Ctrl+2", "The client's sessions")
        add("show_process_notes", "&Process notes (private)", "Ctrl+3",
            "The private process notes")
        add("close_client", "&Close client…", None, "End the episode of care")
        add("reopen_client", "Re&open client…", None, "Start a new episode of care")
        add("destroy_client", "&Destroy record…", None,
            "Erase the client's record for good (leaves a stub)")
        add("new_session", "&New session…", "Ctrl+N", "Add a session and write its note")
        add("edit_session", "&Edit session…", None, "Change the session's date, time or "
                                                      "attendance")
        add("save_note", "Sa&ve now", "Ctrl+S", "Save the note now (it also saves itself)")
        add("sign_note", "Si&gn note…", "Ctrl+Shift+S", "Sign and lock the note")
        add("add_addendum", "Add &addendum…", None, "Add new information to a signed note")
        add("add_correction", "Add &correction…", None, "Correct a signed note")
        add("delete_note", "&Delete note…", None, "Delete the note")
        add("start_ors", "&ORS — start of session", "Ctrl+Shift+1",
            "The client rates the past week on their screen (ORS, or CORS for 6–12)")
        add("start_srs", "SRS — &end of session", "Ctrl+Shift+2",
            "The client rates this session on their screen (SRS, or CSRS for 6–12)")
        add("vault_overview", "Vault &overview", "Ctrl+Shift+O",
            "The vault's details and audit trail")
        self.actions["vault_overview"].setCheckable(True)
        self.update(Availability())

    def _add(self, key: str, text: str, shortcut: str | None, tip: str) -> None:
        action = QAction(text, self._window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False, k=key: self._trigger(k))
        self._window.addAction(action)
        self.actions[key] = action

    def __getitem__(self, key: str) -> QAction:
        return self.actions[key]

    def add_menus(self, bar: QMenuBar, before: QAction | None = None) -> tuple[QMenu, QMenu]:
        """The Client and Note menus, inserted before `before` (the Help menu)."""
        client = QMenu("&Client", bar)
        a = self.actions
        client.addActions([a["new_client"], a["find_client"], a["edit_client"],
                           a["review_risk"]])
        client.addSeparator()
        client.addActions([a["next_client"], a["previous_client"]])
        client.addSeparator()
        client.addActions([a["show_overview"], a["show_sessions"], a["show_process_notes"]])
        client.addSeparator()
        client.addActions([a["close_client"], a["reopen_client"]])
        client.addSeparator()
        client.addAction(a["destroy_client"])
        note = QMenu("&Note", bar)
        note.addActions([a["new_session"], a["edit_session"]])
        note.addSeparator()
        note.addActions([a["save_note"], a["sign_note"]])
        note.addSeparator()
        note.addActions([a["add_addendum"], a["add_correction"]])
        note.addSeparator()
        note.addAction(a["delete_note"])
        note.addSeparator()
        note.addActions([a["start_ors"], a["start_srs"]])
        for menu in (client, note):
            if before is not None:
                bar.insertMenu(before, menu)
            else:
                bar.addMenu(menu)
        return client, note

    def bind(self, page: QObject | None) -> None:
        """Act on `page` (the unlocked workspace), or on nothing."""
        old = self._page
        if old is not None and shiboken6.isValid(old):
            signal = getattr(old, "availability_changed", None)
            if signal is not None:
                signal.disconnect(self.refresh)
        self._page = page
        if page is not None:
            page.availability_changed.connect(self.refresh)  # type: ignore[attr-defined]
        self.refresh()

    def refresh(self) -> None:
        """Enable what applies to the page now."""
        page = self._page
        overview = self.actions["vault_overview"]
        if page is None or not shiboken6.isValid(page):
            self.update(Availability())
            overview.setChecked(False)
            return
        self.update(page.availability())  # type: ignore[attr-defined]
        overview.setChecked(bool(getattr(page, "showing_overview", False)))

    def update(self, available: Availability) -> None:
        """Enable exactly the actions `available` allows."""
        for field in fields(available):
            self.actions[field.name].setEnabled(bool(getattr(available, field.name)))

    def _trigger(self, key: str) -> None:
        page = self._page
        if page is None or not shiboken6.isValid(page):
            return
        handler: Callable[[], None] | None = getattr(page, key, None)
        if handler is not None:
            handler()
