"""The Client, Note and Exposure menus: every workspace action with its shortcut, when it applies.

The window owns the actions (menus outlive a lock); the workspace page that is on screen does
the work. `bind` connects them to a new page after an unlock and to nothing after a lock, when
every action is disabled.

The Exposure menu's actions (and Client ▸ Exposure) act on the open client's Exposure tab
(`page.record.exposure_tab`): it says which of them apply (`menu_availability`) and when that
may have changed (`availability_changed`), and it has a method of each action's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

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
    show_exposure: bool = False
    run_exposure: bool = False
    log_trial: bool = False
    add_step: bool = False
    new_ladder: bool = False
    edit_ladder: bool = False
    archive_ladder: bool = False
    restore_ladder: bool = False
    show_archived_ladders: bool = False
    show_letters: bool = False
    write_letter: bool = False


EXPOSURE_KEYS = frozenset({"show_exposure", "run_exposure", "log_trial", "add_step",
                           "new_ladder", "edit_ladder", "archive_ladder", "restore_ladder",
                           "show_archived_ladders"})
"""Actions done by the client's Exposure tab rather than the page itself."""


LETTER_KEYS = frozenset({"show_letters", "write_letter"})
"""Actions done by the client's Letters tab."""


def exposure_tab_of(page: Any) -> Any:
    """The open record's Exposure tab, if the page has one."""
    return getattr(getattr(page, "record", None), "exposure_tab", None)


class WorkspaceActions(QObject):
    """The actions of the Client, Note and Exposure menus (and Vault ▸ Vault overview)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._page: QObject | None = None
        self._exposure: QObject | None = None
        self.actions: dict[str, QAction] = {}
        self.exposure_menu: QMenu | None = None
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
        add("show_exposure", "Expos&ure", "Ctrl+4",
            "The client's fear ladders, exposure trials and readiness")
        add("show_letters", "Le&tters", "Ctrl+5", "Letters sent for the client")
        add("write_letter", "&Write letter…", "Ctrl+Shift+L",
            "A progress letter, end-of-treatment or supervision summary, with a live preview")
        add("run_exposure", "&Run exposure in session…", "Ctrl+Shift+E",
            "A timed exposure for the selected step: the client rates SUDS on their screen "
            "every few minutes")
        add("log_trial", "&Log trial…", "Ctrl+T",
            "Log an exposure trial for the selected step (homework or in session)")
        add("add_step", "&Add step…", None, "Add a step to the ladder at its SUDS place")
        add("new_ladder", "&New ladder…", None, "A new fear ladder, blank or from an example")
        add("edit_ladder", "&Edit ladder…", None,
            "Change the target fear, the goal or the progression rule")
        add("archive_ladder", "Ar&chive ladder…", None,
            "Put a finished ladder away (kept, and restorable)")
        add("restore_ladder", "Re&store ladder", None, "Take an archived ladder back into use")
        add("show_archived_ladders", "Sho&w archived ladders", None,
            "List archived ladders in the Exposure tab too")
        self.actions["vault_overview"].setCheckable(True)
        self.actions["show_archived_ladders"].setCheckable(True)
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
        """The Client, Note and Exposure menus, inserted before `before` (the Vault menu).

        Returns the Client and Note menus; the Exposure menu is `exposure_menu`.
        """
        client = QMenu("&Client", bar)
        a = self.actions
        client.addActions([a["new_client"], a["find_client"], a["edit_client"],
                           a["review_risk"]])
        client.addSeparator()
        client.addActions([a["next_client"], a["previous_client"]])
        client.addSeparator()
        client.addActions([a["show_overview"], a["show_sessions"], a["show_process_notes"],
                           a["show_exposure"], a["show_letters"]])
        client.addSeparator()
        client.addAction(a["write_letter"])
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
        exposure = QMenu("&Exposure", bar)
        exposure.addActions([a["run_exposure"], a["log_trial"]])
        exposure.addSeparator()
        exposure.addAction(a["add_step"])
        exposure.addSeparator()
        exposure.addActions([a["new_ladder"], a["edit_ladder"], a["archive_ladder"],
                             a["restore_ladder"]])
        exposure.addSeparator()
        exposure.addAction(a["show_archived_ladders"])
        exposure.setToolTipsVisible(True)
        self.exposure_menu = exposure
        for menu in (client, note, exposure):
            if before is not None:
                bar.insertMenu(before, menu)
            else:
                bar.addMenu(menu)
        return client, note

    def bind(self, page: QObject | None) -> None:
        """Act on `page` (the unlocked workspace), or on nothing."""
        for old in (self._page, self._exposure):
            if old is not None and shiboken6.isValid(old):
                signal = getattr(old, "availability_changed", None)
                if signal is not None:
                    signal.disconnect(self.refresh)
        self._page = page
        self._exposure = None
        if page is not None:
            page.availability_changed.connect(self.refresh)  # type: ignore[attr-defined]
            tab = exposure_tab_of(page)
            if tab is not None:
                tab.availability_changed.connect(self.refresh)
                self._exposure = tab
        self.refresh()

    def refresh(self) -> None:
        """Enable what applies to the page now."""
        page = self._page
        overview = self.actions["vault_overview"]
        if page is None or not shiboken6.isValid(page):
            self.update(Availability())
            overview.setChecked(False)
            return
        available: Availability = page.availability()  # type: ignore[attr-defined]
        tab = exposure_tab_of(page)
        if tab is not None and shiboken6.isValid(tab):
            flags = {k: bool(v) for k, v in tab.menu_availability().items()
                     if k in EXPOSURE_KEYS}
            if getattr(page, "showing_overview", False):
                flags = dict.fromkeys(flags, False)
            available = replace(available, show_exposure=available.show_sessions, **flags)
        record = getattr(page, "record", None)
        if getattr(record, "letters_tab", None) is not None:
            open_client = available.show_sessions and not getattr(record, "destroyed", False)
            available = replace(available, show_letters=open_client, write_letter=open_client)
            self.actions["show_archived_ladders"].setChecked(bool(tab.show_archived))
        self.update(available)
        overview.setChecked(bool(getattr(page, "showing_overview", False)))

    def update(self, available: Availability) -> None:
        """Enable exactly the actions `available` allows."""
        for field in fields(available):
            self.actions[field.name].setEnabled(bool(getattr(available, field.name)))

    def _trigger(self, key: str) -> None:
        page = self._page
        if page is None or not shiboken6.isValid(page):
            return
        target: Any = page
        if key in LETTER_KEYS:
            record = getattr(page, "record", None)
            tab = getattr(record, "letters_tab", None)
            if record is None or tab is None:
                return
            record.tabs.setCurrentWidget(tab)
            if key == "write_letter":
                tab.write_letter()
            else:
                tab.table.setFocus()
            return
        if key in EXPOSURE_KEYS:
            target = exposure_tab_of(page)
            if key == "show_exposure":
                show_clients = getattr(page, "show_clients", None)
                if show_clients is not None:
                    show_clients()
            if key == "show_archived_ladders" and target is not None:
                self.actions[key].setChecked(bool(target.show_archived))  # the tab decides
        handler: Callable[[], None] | None = getattr(target, key, None)
        if handler is not None:
            handler()
