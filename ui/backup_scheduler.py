"""Automatic backups: when Tandem closes, once a day, and a banner when the last one is too old.

- **On close** (`backup.on_close`): the window calls `before_close()` after its pages are gone
  (so the editor's last save is queued first) and before the vault closes. The backup runs on
  the session's background thread while a local event loop keeps the window painted (user input
  is held back, so nothing can start in the middle); the close then always goes on. A failure is
  recorded in the vault's audit trail (`backup.failed`), shown in a message that outlives the
  window, and again in the banner at the next unlock.
- **Daily** (`backup.daily`): at unlock and every hour the time of the last backup is read — the
  newer of the audit trail's last `backup.made` and the newest of this vault's files in the backup
  folder. When it is older than 24 hours a backup starts in the background. After unlocking, the
  first automatic backup waits a short grace period: its snapshot holds the vault's database
  thread for a moment, and the first minute after unlocking belongs to the client list.
- After every automatic backup the folder is pruned to the newest `backup.keep` files of this
  vault (`storage.backup_rotation.prune` only ever deletes provable backups of this vault).
- Only one backup at a time: automatic ones are skipped while one runs, and every backup goes
  through the session's single background thread.
- The demo vault is never backed up automatically and shows no banner: it protects nothing real.
- The banner shows over the workspace only: never over client mode's rating screen.

Default folder when none is set: `AppPaths.data_dir / "Backups"`. Everything slow (settings,
audit trail, listing backup files, the backup itself) runs off the UI thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from app.audit import AuditEvent
from app.errors import TandemError
from storage.backup_rotation import BackupFile
from storage.vault import Vault
from ui.paths import AppPaths
from ui.session import Session, VaultState, describe
from ui.widgets.style import WARN_BG, WARN_INK, WARN_LINE, em, scaled_font

BACKUP_FAILED = "backup.failed"
"""Audit event: an automatic backup could not be made (detail: when, and the reason)."""

DAILY = timedelta(hours=24)
CHECK_INTERVAL_MS = 60 * 60 * 1000
GRACE_AFTER_UNLOCK_MS = 45 * 1000


def default_backup_folder(paths: AppPaths) -> Path:
    """Where backups go when no folder is set."""
    return paths.data_dir / "Backups"


def parse_time(stamp: str) -> datetime | None:
    """An ISO timestamp as stored (…Z) as an aware datetime, or None."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def age_text(age: timedelta) -> str:
    """"just now", "5 minutes ago", "3 hours ago", "8 days ago"."""
    seconds = max(0, int(age.total_seconds()))
    if seconds < 90:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"  # pragma: no cover - unreachable


@dataclass(frozen=True)
class BackupPolicy:
    """The backup settings of the open vault, with the folder resolved."""

    folder: Path
    folder_setting: str
    on_close: bool
    daily: bool
    keep: int
    warn_after_days: int

    @classmethod
    def from_settings(cls, settings: dict[str, Any], paths: AppPaths) -> BackupPolicy:
        """From `settings_repo.read_all` values."""
        chosen = str(settings["backup.folder"] or "")
        folder = Path(chosen).expanduser() if chosen else default_backup_folder(paths)
        return cls(folder, chosen, bool(settings["backup.on_close"]),
                   bool(settings["backup.daily"]), int(settings["backup.keep"]),
                   int(settings["backup.warn_after_days"]))


@dataclass(frozen=True)
class BackupStatus:
    """What the banner and the Settings dialog say about backups."""

    vault_id: str
    policy: BackupPolicy
    last_backup_at: datetime | None
    failure: str
    """Why the last automatic backup failed, when that is newer than the last backup ("")."""
    failure_at: datetime | None
    backups: tuple[BackupFile, ...]
    """This vault's backups in the folder, newest first."""

    def age(self, now: datetime) -> timedelta | None:
        """How old the last backup is (None: there is none)."""
        return None if self.last_backup_at is None else now - self.last_backup_at

    def overdue(self, now: datetime) -> bool:
        """True when there is no backup or the last is older than the warning threshold."""
        age = self.age(now)
        # A last backup dated in the future (the clock was ahead, then corrected) proves
        # nothing about today: count it as missing rather than as fresh.
        return age is None or age < timedelta(0) or age > timedelta(
            days=self.policy.warn_after_days)

    def due_daily(self, now: datetime) -> bool:
        """True when daily backups are on and the last one is 24 hours old or more."""
        age = self.age(now)
        return self.policy.daily and (age is None or age < timedelta(0) or age >= DAILY)


def read_status(vault: Vault, paths: AppPaths) -> BackupStatus:
    """Read the backup settings, the audit trail and the folder (blocking: off the UI thread)."""
    from storage import audit_log, settings_repo
    from storage.backup_rotation import backups_of

    def read(conn: Any) -> tuple[dict[str, Any], Any, Any]:
        return (settings_repo.read_all(conn), audit_log.latest(conn, AuditEvent.BACKUP_MADE),
                audit_log.latest(conn, BACKUP_FAILED))

    settings, made, failed = vault.call(read)
    policy = BackupPolicy.from_settings(settings, paths)
    try:
        backups = tuple(backups_of(policy.folder, vault.vault_id, now=vault.clock.now()))
    except OSError:
        backups = ()
    candidates = [b.created_at for b in backups[:1]]
    if made is not None and (moment := parse_time(made.at)) is not None:
        candidates.append(moment)
    last = max(candidates) if candidates else None
    failure, failure_at = "", None
    if failed is not None and (moment := parse_time(failed.at)) is not None and (
            last is None or moment > last):
        failure = str(failed.detail.get("error", "")) or "The reason was not recorded."
        failure_at = moment
    return BackupStatus(vault.vault_id, policy, last, failure, failure_at, backups)


def _back_up_and_prune(vault: Vault, folder: Path, keep: int) -> Path:
    from storage.backup import make_backup
    from storage.backup_rotation import prune

    path = make_backup(vault, folder)
    with contextlib.suppress(OSError):
        prune(folder, vault.vault_id, keep, now=vault.clock.now())
    return path


def _record_failure(vault: Vault, when: str, error: BaseException) -> str:
    message = describe(error)
    with contextlib.suppress(Exception):
        vault.audit(BACKUP_FAILED, {"when": when, "error": message[:300]})
    return message


class BackupBanner(QToolBar):
    """A warning strip across the top of the window: words first, never colour alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Backup warning", parent)
        self.setObjectName("BackupBanner")
        self.setAccessibleName("Backup warning")
        self.setMovable(False)
        self.setFloatable(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.toggleViewAction().setVisible(False)
        self.setStyleSheet(f"QToolBar#BackupBanner {{ background: {WARN_BG}; border: none; "
                           f"border-bottom: 1px solid {WARN_LINE}; padding: 4px; }}"
                           f"QToolBar#BackupBanner QLabel {{ color: {WARN_INK}; }}")
        body = QWidget(self)
        row = QHBoxLayout(body)
        row.setContentsMargins(em(self, 1.5), em(self, 0.3), em(self, 1.5), em(self, 0.3))
        row.setSpacing(em(self, 1.5))
        self.title = QLabel(body)
        self.title.setFont(scaled_font(1.0, bold=True))
        self.title.setAccessibleName("Backup warning")
        self.text = QLabel(body)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Backup details")
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.button = QPushButton("&Back up now", body)
        self.button.setAccessibleName("Back up now")
        row.addWidget(self.title)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addWidget(body)
        self.hide()

    def show_warning(self, title: str, text: str, *, busy: bool = False) -> None:
        """Show the banner with a bold title and a sentence."""
        self.title.setText(title)
        self.text.setText(text)
        self.text.setAccessibleDescription(text)
        self.button.setEnabled(not busy)
        self.setAccessibleDescription(f"{title} {text}")
        self.show()

    def clear_warning(self) -> None:
        """Hide the banner."""
        self.hide()
        self.title.clear()
        self.text.clear()


class BackupScheduler(QObject):
    """Backs the open vault up on close and daily, and keeps the banner up to date."""

    status_changed = Signal()
    """`status` or `running` changed."""

    def __init__(self, session: Session, window: QMainWindow) -> None:
        super().__init__(window)
        self._session = session
        self._window = window
        self.status: BackupStatus | None = None
        self.running = False
        self.closing = False
        self.grace_ms = GRACE_AFTER_UNLOCK_MS
        """How long after unlocking the first automatic backup waits (tests set 0)."""
        self.last_error = ""
        self.last_close_backup: Path | None = None
        """The backup made when the window last closed (None: none was made)."""
        self.banner = BackupBanner(window)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.banner)
        self.banner.button.clicked.connect(lambda: self.back_up_now())
        self._hourly = QTimer(self)
        self._hourly.setInterval(CHECK_INTERVAL_MS)
        self._hourly.timeout.connect(self.check_daily)
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.timeout.connect(self.check_daily)
        self._hourly_running = False
        session.state_changed.connect(self._on_state_changed)
        session.snapshot_changed.connect(self.refresh)
        central = window.centralWidget()
        if isinstance(central, QStackedWidget):  # the banner shows over the workspace only
            central.currentChanged.connect(lambda _index: self._update_banner())
        self._on_state_changed()

    # -- state ------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True while a real (not demo) vault is unlocked in the workspace."""
        session = self._session
        return (session.state is VaultState.UNLOCKED and session.vault is not None
                and not session.is_demo)

    def now(self) -> datetime:
        """The vault's clock (the audit trail's and the backups' time)."""
        vault = self._session.vault
        if vault is not None:
            return vault.clock.now()
        from app.clock import SystemClock

        return SystemClock().now()

    def _on_state_changed(self) -> None:
        self._grace.stop()
        self._hourly.stop()
        self.status = None
        self.running = False
        self.banner.clear_warning()
        if not self.active:
            self.status_changed.emit()
            return
        self._hourly.start()
        self.refresh(then=lambda _s: self._grace.start(max(0, self.grace_ms)))

    def refresh(self, then: Callable[[BackupStatus], None] | None = None) -> None:
        """Re-read the backup status off the UI thread, then update the banner."""
        if not self.active:
            return
        vault = self._session.vault
        assert vault is not None
        paths = self._session.paths

        def done(status: BackupStatus) -> None:
            if self._session.vault is not vault or not self.active:
                return
            self.status = status
            self._update_banner()
            self.status_changed.emit()
            if then is not None:
                then(status)

        with contextlib.suppress(RuntimeError):  # the session is shutting down
            self._session.tasks.run(lambda: read_status(vault, paths), done,
                                    lambda _e: None, context=self)

    def _showing_workspace(self) -> bool:
        """True while the window shows the workspace (not client mode, not a lock screen)."""
        from ui.pages.workspace import WorkspacePage

        central = self._window.centralWidget()
        current = central.currentWidget() if isinstance(central, QStackedWidget) else None
        return isinstance(current, WorkspacePage)

    def _update_banner(self) -> None:
        status = self.status
        if status is None or not self.active or not self._showing_workspace():
            self.banner.clear_warning()
            return
        now = self.now()
        if self.running:
            if self.banner.isVisible():
                self.banner.show_warning(self.banner.title.text(), "Backing up now…",
                                         busy=True)
            return
        if status.failure:
            when = age_text(now - status.failure_at) if status.failure_at else ""
            self.banner.show_warning(
                "The last automatic backup failed" + (f" ({when})." if when else "."),
                f"{status.failure} Back up now, or choose another folder in Settings "
                "▸ Backups.")
            return
        if not status.overdue(now):
            self.banner.clear_warning()
            return
        age = status.age(now)
        if age is None:
            self.banner.show_warning(
                "No backup yet.",
                "If this computer is lost or its disk fails, the records are gone. Back up "
                "now, and keep a copy on another drive.")
        else:
            self.banner.show_warning(
                f"The last backup was {age_text(age)}.",
                f"That is more than {status.policy.warn_after_days} "
                f"day{'s' if status.policy.warn_after_days != 1 else ''}. Back up now, and "
                "keep a copy on another drive.")

    # -- backing up -------------------------------------------------------------------------

    def check_daily(self) -> None:
        """Start a background backup when daily backups are on and the last is 24 h old."""
        if not self.active or self.running or self._hourly_running:
            return
        self._hourly_running = True

        def checked(status: BackupStatus) -> None:
            self._hourly_running = False
            if status.due_daily(self.now()) and not self.running:
                self._start(status.policy.folder, status.policy.keep, "daily")

        self.refresh(then=checked)
        if not self.active:
            self._hourly_running = False

    def back_up_now(self, folder: Path | None = None,
                    on_done: Callable[[Path], None] | None = None,
                    on_failed: Callable[[str], None] | None = None) -> bool:
        """Back up now into `folder` (default: the configured one), then prune; False if busy."""
        if not self.active and not (self._session.vault is not None
                                    and self._session.state is VaultState.UNLOCKED):
            return False
        status = self.status
        target = folder or (status.policy.folder if status else
                            default_backup_folder(self._session.paths))
        keep = status.policy.keep if status else 10
        return self._start(target, keep, "manual", on_done, on_failed)

    def _start(self, folder: Path, keep: int, when: str,
               on_done: Callable[[Path], None] | None = None,
               on_failed: Callable[[str], None] | None = None) -> bool:
        if self.running:
            return False
        vault = self._session.vault
        if vault is None:
            return False
        self.running = True
        self.last_error = ""
        self._update_banner()
        self.status_changed.emit()

        def done(path: Path) -> None:
            self.running = False
            self.refresh()
            self.status_changed.emit()
            if on_done is not None:
                on_done(path)

        def failed(message: str) -> None:
            self.running = False
            self.last_error = message
            if when != "manual":
                with contextlib.suppress(TandemError, RuntimeError):
                    self._session.tasks.run(
                        lambda: _record_failure(vault, when, TandemError(message)),
                        lambda _m: self.refresh(), lambda _e: None, context=self)
            else:
                self.refresh()
            self.status_changed.emit()
            if on_failed is not None:
                on_failed(message)

        started = self._session.back_up(
            folder, lambda path: self._prune_then(path, folder, keep, done), failed,
            context=self)
        if not started:
            self.running = False
            self.status_changed.emit()
        return started

    def _prune_then(self, path: Path, folder: Path, keep: int,
                    done: Callable[[Path], None]) -> None:
        from storage.backup_rotation import prune

        vault = self._session.vault
        vault_id = self.status.vault_id if self.status else (vault.vault_id if vault else "")
        if not vault_id:
            done(path)
            return
        now = vault.clock.now() if vault is not None else None

        def run() -> Path:
            with contextlib.suppress(OSError):
                prune(folder, vault_id, keep, now=now)
            return path

        try:
            self._session.tasks.run(run, done, lambda _e: done(path), context=self)
        except RuntimeError:
            done(path)

    # -- closing ----------------------------------------------------------------------------

    def before_close(self) -> None:
        """The window is closing: back up when the session closes the vault (`backup.on_close`).

        The backup itself runs from `Session.about_to_close`, connected here, after the pages'
        own handlers (connected earlier) have handed their last autosaves to the vault, so the
        backup holds every word. It waits in a local event loop that paints but takes no input
        and returns when the backup is written; if it fails, the failure is recorded and shown,
        and the close goes on.
        """
        session = self._session
        if self.closing or session.vault is None or session.is_demo or \
                session.state is not VaultState.UNLOCKED:
            return
        self.closing = True
        self._grace.stop()
        self._hourly.stop()
        session.monitor.stop()  # no idle lock in the middle of the last backup
        session.about_to_close.connect(self._back_up_for_close)

    def _back_up_for_close(self) -> None:
        session = self._session
        session.about_to_close.disconnect(self._back_up_for_close)
        vault = session.vault
        if vault is None:
            return
        paths = session.paths

        def work() -> tuple[Path | None, str]:
            try:
                policy = read_status(vault, paths).policy
                if not policy.on_close:
                    return None, ""
                return _back_up_and_prune(vault, policy.folder, policy.keep), ""
            except Exception as exc:  # never lose the close: record and report instead
                return None, _record_failure(vault, "close", exc)

        loop = QEventLoop(self)
        outcome: list[tuple[Path | None, str]] = []

        def finished(result: tuple[Path | None, str]) -> None:
            outcome.append(result)
            loop.quit()

        def crashed(error: BaseException) -> None:
            outcome.append((None, describe(error)))
            loop.quit()

        self.banner.show_warning("Backing up before Tandem closes…",
                                 "This takes a moment; the vault closes right after.", busy=True)
        self._window.statusBar().showMessage("Backing up before closing…")
        try:
            session.tasks.run(work, finished, crashed)
        except RuntimeError:
            return
        if not outcome:
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self.banner.clear_warning()
        self._window.statusBar().clearMessage()
        path, error = outcome[0] if outcome else (None, "")
        if error:
            self.last_error = error
            session.prompts.inform(
                None, "Backup failed",
                f"The backup when closing could not be made: {error}\n\nThe vault was closed "
                "safely and nothing in it was lost. Tandem will remind you at the next unlock; "
                "check the backup folder in Settings ▸ Backups.", warning=True)
        self.last_close_backup = path
