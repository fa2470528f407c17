"""The main window: menus, status bar, and one page at a time in the middle.

Pages are built for the session's state and thrown away when it changes: leaving the unlocked
state removes the workspace page from the window tree at once, empties it and deletes it, and
closes every dialog, so nothing that showed vault content survives a lock. The title is only ever
"Tandem" or "Tandem — <vault name>": never client data.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

from app.version import __version__
from storage.vault import SUFFIX, looks_like_vault
from ui.pages.create_vault import CreateVaultPage
from ui.pages.new_passphrase import NewPassphrasePage
from ui.pages.recovery_key import RecoveryKeyPage
from ui.pages.unlock import UnlockPage
from ui.pages.workspace import WorkspacePage
from ui.session import Session, VaultState
from ui.widgets.common import badge
from ui.widgets.style import em
from ui.workspace.actions import WorkspaceActions

APP_TITLE = "Tandem"


def window_title(vault_name: str | None) -> str:
    """"Tandem", or "Tandem — <vault name>" while a vault is open."""
    return f"{APP_TITLE} — {vault_name}" if vault_name else APP_TITLE


class MainWindow(QMainWindow):
    """Tandem's window."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.prompts = session.prompts
        self.page: QWidget | None = None
        self._retired: set[QObject] = set()
        self._dialogs: set[QDialog] = set()
        self.save_geometry_on_close = True
        self.setWindowTitle(APP_TITLE)
        self.setAccessibleName(APP_TITLE)
        self._stack = QStackedWidget(self)
        self.setCentralWidget(self._stack)
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        from ui.backup_scheduler import BackupScheduler

        self.backup_scheduler = BackupScheduler(session, self)
        self.resize(1280, 800)
        geometry = session.local_settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)

        session.state_changed.connect(self._on_state_changed)
        session.snapshot_changed.connect(self._update_chrome)
        session.keychain_changed.connect(self._update_actions)
        session.notified.connect(self._on_notified)
        session.busy_changed.connect(self._on_busy_changed)
        self._on_state_changed()

    # -- menus ------------------------------------------------------------------------------

    def _action(self, text: str, slot: object, shortcut: str | None = None,
                tip: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            # Listed explicitly: offscreen Qt did not match QKeySequence.Quit for Ctrl+Q.
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        # No shortcut: Ctrl+N is New session, what a therapist does every hour.
        self.new_vault_action = self._action("&New vault…", self.session.new_vault, None,
                                             "Create a new vault")
        self.open_vault_action = self._action("&Open vault…", self.open_vault, "Ctrl+O",
                                              "Open an existing vault folder")
        self.lock_action = self._action("&Lock now", lambda: self.session.lock("manual"),
                                        "Ctrl+L", "Lock the vault now")
        # Ctrl+L locks from any Tandem window; dialogs and message boxes get the action too.
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.prompts.shared_actions.append(self.lock_action)
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q", "Lock and quit Tandem")
        self.backup_action = self._action("&Back up now…", self.back_up, "Ctrl+B",
                                          "Write an encrypted, verified backup file")
        self.verify_action = self._action("&Verify vault", self.verify, None,
                                          "Run every integrity check")
        self.caseload_action = self._action("Caseload &report…", self.caseload_report, None,
                                            "Outcomes of every client, for supervision "
                                            "(PDF or CSV, de-identified by default)")
        self.passphrase_action = self._action("&Change passphrase…", self.change_passphrase,
                                              None, "Choose a new passphrase")
        self.forget_action = self._action("&Forget on this computer", self.forget, None,
                                          "Remove the vault key from this computer's keychain")
        self.settings_action = self._action("&Settings…", self.open_settings, "Ctrl+,",
                                            "Practice profile, locking, backups, licences")
        self.search_action = self._action("&Search everything…", self.search_everything,
                                          "Ctrl+K", "Search every note and addendum")
        from ui.search.palette import ShortcutKeeper

        ShortcutKeeper(self.search_action, self)  # Ctrl+K also from inside text fields
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        self.about_action = self._action("&About Tandem", self.show_about)
        self.workspace_actions = WorkspaceActions(self)
        from ui.workspace.measures.client_mode import ClientModeRunner

        self.client_mode = ClientModeRunner(self)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setAccessibleName("Menu bar")
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_vault_action, self.open_vault_action])
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        go_menu = bar.addMenu("&Go")
        go_menu.addAction(self.search_action)
        vault_menu = bar.addMenu("&Vault")
        vault_menu.addAction(self.workspace_actions["vault_overview"])
        vault_menu.addSeparator()
        vault_menu.addActions([self.backup_action, self.verify_action])
        vault_menu.addAction(self.caseload_action)
        vault_menu.addSeparator()
        vault_menu.addActions([self.passphrase_action, self.forget_action])
        vault_menu.addSeparator()
        vault_menu.addAction(self.settings_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts_action, self.about_action])
        client_menu, note_menu = self.workspace_actions.add_menus(bar, vault_menu.menuAction())
        self.menus = {"file": file_menu, "go": go_menu, "vault": vault_menu, "help": help_menu}
        self.menus.update(client=client_menu, note=note_menu)
        self.menus["exposure"] = self.workspace_actions.exposure_menu

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setSizeGripEnabled(False)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(em(self, 10))
        self.busy_bar.hide()
        self.busy_label = QLabel()
        self.busy_label.setAccessibleName("Background work")
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Vault status")
        self.name_label = QLabel()
        self.name_label.setAccessibleName("Open vault")
        self.demo_badge = badge("DEMO")
        status.addWidget(self.busy_bar)
        status.addWidget(self.busy_label)
        status.addPermanentWidget(self.state_label)
        status.addPermanentWidget(self.name_label)
        status.addPermanentWidget(self.demo_badge)

    # -- pages ------------------------------------------------------------------------------

    def _on_state_changed(self) -> None:
        self._close_dialogs()
        state = self.session.state
        page: QWidget
        if state is VaultState.CREATE:
            create = CreateVaultPage(self.session)
            create.open_link.clicked.connect(self.open_vault)
            page = create
        elif state is VaultState.LOCKED:
            unlock = UnlockPage(self.session)
            unlock.open_link.clicked.connect(self.open_vault)
            page = unlock
        elif state is VaultState.NEW_VAULT:
            page = RecoveryKeyPage(self.session)
        elif state is VaultState.NEW_PASSPHRASE:
            page = NewPassphrasePage(self.session)
        else:
            workspace = WorkspacePage(self.session, show_dialog=self._show_dialog)
            workspace.backup_requested.connect(self.back_up)
            workspace.verify_requested.connect(self.verify)
            workspace.rating_requested.connect(self.client_mode.start)
            page = workspace
        self._set_page(page)
        self.workspace_actions.bind(page if isinstance(page, WorkspacePage) else None)
        self._update_chrome()
        self._update_actions()

    def _set_page(self, page: QWidget) -> None:
        old = self.page
        self._stack.addWidget(page)
        self._stack.setCurrentWidget(page)
        self.page = page
        if old is not None:
            self._retire(old)
        focus = getattr(page, "initial_focus", None)
        if focus is not None:
            QTimer.singleShot(0, page, lambda: focus().setFocus(Qt.FocusReason.OtherFocusReason))

    def _retire(self, widget: QWidget) -> None:
        """Empty `widget`, take it out of the window tree now, and delete it."""
        wipe = getattr(widget, "wipe", None)
        if wipe is not None:
            wipe()
        widget.hide()
        if self._stack.indexOf(widget) >= 0:
            self._stack.removeWidget(widget)
        # Out of the tree at once; the Python reference keeps it alive until Qt deletes it
        # (it may be in the middle of emitting the signal that locked the vault).
        widget.setParent(None)
        self._retired.add(widget)
        widget.destroyed.connect(lambda _obj=None, w=widget: self._retired.discard(w))
        widget.deleteLater()

    def _close_dialogs(self) -> None:
        self.prompts.close_all()
        for dialog in list(self._dialogs):
            self._dialogs.discard(dialog)
            if shiboken6.isValid(dialog):
                dialog.reject()
                self._retire(dialog)
        # Anything else (a file picker in its own event loop) is only rejected: Qt owns it, and
        # deleting it under its exec() would crash. The action that opened it checks the state.
        for other in self.findChildren(QDialog):
            if other.isVisible():
                other.reject()

    def _show_dialog(self, dialog: QDialog) -> None:
        # A window-modal dialog blocks this window's shortcuts: give it Ctrl+L too.
        dialog.addAction(self.lock_action)
        self._dialogs.add(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_finished(d))
        dialog.open()

    def show_tracked_dialog(self, dialog: QDialog) -> None:
        """Open `dialog` window-modal; it is closed and deleted on lock."""
        self._show_dialog(dialog)

    def enter_client_mode(self, page: QWidget) -> None:
        """Client mode: the workspace is torn down as a lock does (the vault stays open)."""
        self._close_dialogs()
        self._set_page(page)
        self.workspace_actions.bind(None)
        for action in (self.backup_action, self.verify_action, self.passphrase_action,
                       self.settings_action, self.search_action, self.caseload_action,
                       self.lock_action,
                       self.open_vault_action, self.new_vault_action):
            action.setEnabled(False)

    def leave_client_mode(self) -> WorkspacePage | None:
        """Client mode ended: a new page for the session's state (a fresh workspace)."""
        self.open_vault_action.setEnabled(True)
        self.new_vault_action.setEnabled(True)
        self._on_state_changed()
        return self.page if isinstance(self.page, WorkspacePage) else None

    def _dialog_finished(self, dialog: QDialog) -> None:
        if dialog in self._dialogs:
            self._dialogs.discard(dialog)
            self._retire(dialog)

    # -- chrome -----------------------------------------------------------------------------

    def _update_chrome(self) -> None:
        session = self.session
        snapshot = session.snapshot if session.unlocked else None
        self.setWindowTitle(window_title(snapshot.name if snapshot else None))
        state = session.state
        if state is VaultState.CREATE:
            self.state_label.setText("No vault open")
        elif state is VaultState.LOCKED:
            self.state_label.setText("Locked")
        else:
            self.state_label.setText("Unlocked")
        self.name_label.setText(snapshot.name if snapshot else "")
        self.name_label.setVisible(snapshot is not None)
        self.demo_badge.setVisible(session.is_demo and state is not VaultState.CREATE)

    def _update_actions(self) -> None:
        session = self.session
        unlocked = session.state is VaultState.UNLOCKED
        for action in (self.backup_action, self.verify_action, self.passphrase_action,
                       self.settings_action, self.search_action, self.caseload_action):
            action.setEnabled(unlocked)
        self.lock_action.setEnabled(session.unlocked)
        status = session.keychain_status
        self.forget_action.setEnabled(bool(
            status is not None and status.folder == session.folder and status.has_key))

    def _on_busy_changed(self, text: str) -> None:
        self.busy_label.setText(text)
        self.busy_bar.setVisible(bool(text))
        self.busy_bar.setAccessibleName(text or "Idle")

    def _on_notified(self, title: str, text: str) -> None:
        self.prompts.inform(self, title, text)

    # -- actions ----------------------------------------------------------------------------

    def open_vault(self) -> None:
        """File ▸ Open vault…: pick a NAME.tandem folder and show its unlock page."""
        session = self.session
        start = session.folder.parent if session.folder else session.paths.default_vault.parent
        chosen = self.prompts.choose_folder(self, "Open a vault folder (NAME.tandem)", start)
        if chosen is None:
            return
        folder = find_vault(chosen)
        if folder is None:
            self.prompts.inform(self, "Not a vault",
                                f"{chosen} is not a Tandem vault. Choose a folder whose name "
                                f"ends in {SUFFIX}.", warning=True)
            return
        session.show_vault(folder)

    def back_up(self) -> None:
        """Vault ▸ Back up now…: choose a folder, write and verify a backup off the UI thread."""
        session = self.session
        if session.state is not VaultState.UNLOCKED:
            return
        default = session.paths.data_dir / "Backups"
        try:
            default.mkdir(parents=True, exist_ok=True)
        except OSError:
            default = Path.home()
        chosen = self.prompts.choose_folder(self, "Choose a folder for the backup", default)
        if chosen is None or session.state is not VaultState.UNLOCKED:
            return

        def done(path: Path) -> None:
            self.prompts.inform(self, "Backup made",
                                f"The backup was written and verified:\n{path.name}\n"
                                f"in {path.parent}\n\nIt opens only with this vault's "
                                "passphrase or recovery key.")

        def failed(message: str) -> None:
            self.prompts.inform(self, "Backup failed", message, warning=True)

        session.back_up(chosen, done, failed, context=self)

    def caseload_report(self) -> None:
        """Vault ▸ Caseload report: every client's outcomes, made in the background."""
        from ui.dialogs.caseload_report import CaseloadReportDialog

        vault = self.session.vault
        if vault is None or self.session.state is not VaultState.UNLOCKED:
            return
        self._show_dialog(CaseloadReportDialog(vault, self.session.tasks, self))

    def verify(self) -> None:
        """Vault ▸ Verify vault: run every check off the UI thread and show each result."""
        from ui.dialogs.verify_report import VerifyReportDialog

        def failed(message: str) -> None:
            self.prompts.inform(self, "Verification failed", message, warning=True)

        self.session.verify(lambda report: self._show_dialog(VerifyReportDialog(report, self)),
                            failed, context=self)

    def change_passphrase(self) -> None:
        """Vault ▸ Change passphrase…."""
        from ui.dialogs.change_passphrase import ChangePassphraseDialog

        if self.session.state is not VaultState.UNLOCKED:
            return
        dialog = ChangePassphraseDialog(self.session, self)
        dialog.accepted.connect(lambda: self.prompts.inform(
            self, "Passphrase changed",
            "The new passphrase is in use; the old one no longer opens the vault."))
        self._show_dialog(dialog)

    def open_settings(self) -> None:
        """Vault ▸ Settings…."""
        from ui.dialogs.vault_settings import VaultSettingsDialog

        if self.session.state is not VaultState.UNLOCKED:
            return
        dialog = VaultSettingsDialog(self.session, self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage("Settings saved.", 5000))
        self._show_dialog(dialog)

    def search_everything(self) -> None:
        """Go ▸ Search everything… (Ctrl+K): the search palette; Enter opens the note."""
        from ui.search.palette import SearchPalette

        if self.session.state is not VaultState.UNLOCKED:
            return
        for palette in self.findChildren(SearchPalette):
            if palette in self._dialogs and palette.isVisible():
                palette.focus_query()
                return
        palette = SearchPalette(self.session, self)
        palette.open_requested.connect(self._open_search_hit)
        self._show_dialog(palette)

    def _open_search_hit(self, client_id: int, session_id: int, highlight: str) -> None:
        open_note = getattr(self.page, "open_note", None)
        if open_note is not None:
            open_note(client_id, session_id, highlight=highlight)

    def forget(self) -> None:
        """Vault ▸ Forget on this computer."""
        self.session.forget_on_this_computer()

    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard shortcuts."""
        from ui.dialogs.shortcuts import ShortcutsDialog

        self._show_dialog(ShortcutsDialog(self.actions(), self))

    def show_about(self) -> None:
        """Help ▸ About Tandem."""
        self.prompts.inform(
            self, "About Tandem",
            f"Tandem {__version__}\n\nEncrypted, local practice records for psychotherapists. "
            "Your records stay on this computer, encrypted; only your passphrase or recovery "
            "key opens them.")

    # -- closing ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window closes the vault."""
        if self.save_geometry_on_close:
            self.session.local_settings.set_window_geometry(self.saveGeometry())
        self._close_dialogs()
        self.client_mode.abort()
        if self.page is not None:
            self._retire(self.page)
            self.page = None
        self.backup_scheduler.before_close()  # backup.on_close: before the vault closes
        self.session.shutdown()
        super().closeEvent(event)


def find_vault(chosen: Path) -> Path | None:
    """The vault at `chosen`, or the single vault directly inside it; None when there is none."""
    if looks_like_vault(chosen):
        return chosen
    try:
        inside = [p for p in chosen.iterdir() if p.suffix == SUFFIX and looks_like_vault(p)]
    except OSError:
        return None
    return inside[0] if len(inside) == 1 else None
