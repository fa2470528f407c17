"""The window's controller: which vault, whether it is open, and one small function per action.

`Session` is the only UI object that holds the open `Vault`. Pages and dialogs ask it to act and
listen to its signals; they never keep the Vault past a lock. Every slow step — the KDF when
creating or unlocking, closing, a backup, a verify, a passphrase change — runs on `tasks`, a single
background thread, so the steps also happen in the order they were asked for (a lock's close
always finishes before the next unlock takes the folder's OS lock). Database reads for display go
through `vault.submit`, the Vault's own worker thread, and come back through `tasks.watch`.

States: CREATE (no vault chosen: the first-run page), LOCKED (a vault chosen, not open: the unlock
page), NEW_VAULT (just created: the recovery key is on screen once), NEW_PASSPHRASE (just opened
with the recovery key: a new passphrase is offered before the workspace, because whoever needed
the recovery key has most likely forgotten the passphrase), UNLOCKED (the workspace).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.audit import AuditEvent
from app.errors import TandemError, WrongSecret
from app.recovery_key import RecoveryKey
from storage.keychain import Keychain
from storage.vault import Secret, Vault, VerifyReport, looks_like_vault
from ui.dialogs.prompts import Prompts
from ui.inactivity import InactivityMonitor
from ui.local_settings import LocalSettings
from ui.paths import AppPaths
from ui.tasks import TaskRunner

T = TypeVar("T")


class VaultState(Enum):
    """Where the window is."""

    CREATE = "create"
    LOCKED = "locked"
    NEW_VAULT = "new_vault"
    NEW_PASSPHRASE = "new_passphrase"
    UNLOCKED = "unlocked"


@dataclass(frozen=True)
class VaultSnapshot:
    """What the window shows about an open vault (no client data), read off the UI thread."""

    vault_id: str
    name: str
    folder: Path
    created_at: str
    schema_version: int
    last_backup_at: str | None
    lock_after_minutes: int
    lock_on_suspend: bool


@dataclass(frozen=True)
class KeychainStatus:
    """What this computer's keychain can do for the chosen vault."""

    folder: Path
    available: bool
    has_key: bool
    vault_id: str | None
    description: str


@dataclass(frozen=True)
class _Opened:
    vault: Vault
    snapshot: VaultSnapshot
    keychain_note: str = ""
    recovery_key: RecoveryKey | None = None  # when the vault was opened with it


LOCK_REASONS = {
    "manual": "",
    "idle": "Tandem locked itself after {minutes} minutes without activity.",
    "suspend": "Tandem locked itself because the computer went to sleep.",
    "damaged": "Tandem locked the vault because it failed its integrity check.",
}


def describe(error: BaseException) -> str:
    """A sentence for the person: the error's own message, or a safe generic one."""
    if isinstance(error, TandemError):
        return error.message
    return (f"Something unexpected went wrong ({type(error).__name__}). "
            "Nothing was changed.")


def _latest_backup_at(conn: Any) -> str | None:
    from storage import audit_log

    entry = audit_log.latest(conn, AuditEvent.BACKUP_MADE)
    return entry.at if entry else None


def read_snapshot(vault: Vault) -> VaultSnapshot:
    """Read the vault's details and lock settings (blocking: call it off the UI thread)."""
    from storage import settings_repo

    info = vault.info()

    def read(conn: Any) -> tuple[dict[str, Any], str | None]:
        return settings_repo.read_all(conn), _latest_backup_at(conn)

    settings, last_backup = vault.call(read)
    return VaultSnapshot(info.vault_id, info.name, info.folder, info.created_at,
                         info.schema_version, last_backup,
                         int(settings["lock.after_minutes"]), bool(settings["lock.on_suspend"]))


def _alive(context: QObject | None) -> bool:
    if context is None:
        return True
    import shiboken6

    return bool(shiboken6.isValid(context))


class Session(QObject):
    """The chosen vault and, while unlocked, the open Vault; every action on it."""

    state_changed = Signal()
    """The vault was created, unlocked or locked, or another vault was chosen."""

    snapshot_changed = Signal()
    """The open vault's details changed (a backup, a settings change)."""

    audit_changed = Signal()
    """New entries were written to the open vault's audit trail."""

    keychain_changed = Signal()
    """What the keychain holds for the chosen vault is now known, or changed."""

    problem_reported = Signal(str)
    """Something failed that no single page asked for (preparing the demo vault)."""

    notified = Signal(str, str)
    """A message (title, text) for the person that needs no answer."""

    busy_changed = Signal(str)
    """Background work on the vault started (its description) or ended (empty)."""

    about_to_close = Signal()
    """The open vault is about to be locked or closed: hand pending saves to it now.

    Emitted while the vault is still open. Work submitted to the vault from a slot runs on its
    worker thread before the close (one thread, first come first served), so a page flushes its
    autosaves here without the UI thread ever waiting for them.
    """

    def __init__(self, paths: AppPaths, local_settings: LocalSettings, *,
                 prompts: Prompts | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time,
                 keychain_factory: Callable[[], Keychain] = Keychain,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.local_settings = local_settings
        self.prompts = prompts or Prompts()
        self.monotonic = monotonic
        """Elapsed time for the inactivity lock and timed exposures (a fake clock in tests)."""
        self.wall = wall
        self.tasks = TaskRunner(1, "tandem-session", self)
        self.probe_tasks = TaskRunner(1, "tandem-keychain", self)
        self.monitor = InactivityMonitor(monotonic, wall, parent=self)
        self.monitor.timed_out.connect(self._on_timed_out)
        self.monitor.slept.connect(self._on_slept)
        self._keychain_factory = keychain_factory
        self._keychain: Keychain | None = None
        self.state = VaultState.CREATE
        self.folder: Path | None = None
        self.vault: Vault | None = None
        self.snapshot: VaultSnapshot | None = None
        self.keychain_status: KeychainStatus | None = None
        self.lock_reason = ""
        self._recovery_key: RecoveryKey | None = None
        self._unlock_recovery_key: RecoveryKey | None = None
        """The recovery key the vault was just opened with, only while NEW_PASSPHRASE."""
        self._generation = 0
        self._busy_count = 0
        self._shut_down = False

    # -- what the window asks -------------------------------------------------------------

    @property
    def keychain(self) -> Keychain:
        """The keychain of this computer (created on first use; resolved off-thread)."""
        if self._keychain is None:
            self._keychain = self._keychain_factory()
        return self._keychain

    @property
    def is_demo(self) -> bool:
        """True when the chosen vault is the demo vault."""
        if self.folder is None:
            return False
        try:
            return self.folder.resolve() == self.paths.demo_vault.resolve()
        except OSError:
            return False

    @property
    def recovery_key_groups(self) -> list[str]:
        """The new vault's recovery key, while it is shown once (NEW_VAULT)."""
        return self._recovery_key.groups if self._recovery_key is not None else []

    @property
    def unlocked(self) -> bool:
        """True while a vault is open (UNLOCKED, NEW_VAULT or NEW_PASSPHRASE)."""
        return self.vault is not None

    def _set_state(self, state: VaultState) -> None:
        self._generation += 1
        self.state = state
        self.state_changed.emit()

    def _begin_busy(self, text: str) -> None:
        self._busy_count += 1
        self.busy_changed.emit(text)

    def _end_busy(self) -> None:
        self._busy_count = max(0, self._busy_count - 1)
        if self._busy_count == 0:
            self.busy_changed.emit("")

    # -- choosing a vault -----------------------------------------------------------------

    def start(self, vault: Path | None = None, demo: bool = False) -> None:
        """Pick the first page: the named vault, the demo, the last vault, or first run."""
        if demo:
            self.open_demo()
        elif vault is not None:
            self.show_vault(vault)
        else:
            last = self.local_settings.last_vault()
            if last is not None and looks_like_vault(last):
                self.show_vault(last)
            else:
                self._set_state(VaultState.CREATE)

    def show_vault(self, folder: Path) -> None:
        """Close whatever is open and show the unlock page for `folder`."""
        self._close_open_vault()
        self.folder = folder
        self.lock_reason = ""
        self.keychain_status = None
        if not self.is_demo:
            self.local_settings.set_last_vault(folder)
        self._set_state(VaultState.LOCKED)
        self.probe_keychain()

    def open_demo(self) -> None:
        """Show the demo vault's unlock page, creating the demo vault first if needed."""
        self._close_open_vault()
        folder = self.paths.demo_vault
        self.folder = folder
        self.lock_reason = ""
        self.keychain_status = None
        self._set_state(VaultState.LOCKED)
        self._begin_busy("Preparing the demo vault…")

        def prepared(_created: bool) -> None:
            self._end_busy()
            self.probe_keychain()

        def failed(error: BaseException) -> None:
            self._end_busy()
            self.problem_reported.emit(describe(error))

        def prepare() -> bool:
            # Imported here: the demo generator pulls in the whole practice model.
            from ui.demo import ensure_demo_vault

            return ensure_demo_vault(folder)

        self.tasks.run(prepare, prepared, failed)

    def new_vault(self) -> None:
        """Close whatever is open and show the create-vault page."""
        self._close_open_vault()
        self._set_state(VaultState.CREATE)

    def cancel_create(self) -> None:
        """Leave the create page for the unlock page of the vault chosen before, if any."""
        if self.folder is not None and self.state is VaultState.CREATE:
            self._set_state(VaultState.LOCKED)
            self.probe_keychain()

    def _close_open_vault(self) -> None:
        vault = self.vault
        if vault is None:
            return
        self.about_to_close.emit()
        self._drop_vault()
        self._close_in_background(vault, AuditEvent.VAULT_CLOSED)

    def _drop_vault(self) -> None:
        self.vault = None
        self.snapshot = None
        self._recovery_key = None
        self._unlock_recovery_key = None
        self.monitor.stop()

    def _close_in_background(self, vault: Vault, event: str) -> None:
        """Close `vault` after whatever is already queued (at once when shutting down)."""
        if self._shut_down:
            vault.close(event)
        else:
            self.tasks.run(lambda: vault.close(event), on_error=self._ignore)

    @staticmethod
    def _ignore(_error: BaseException) -> None:
        """Closing is best effort: Vault.close already swallows what it can."""

    # -- creating -------------------------------------------------------------------------

    def create_vault(self, folder: Path, name: str | None, passphrase: str,
                     on_failed: Callable[[str], None], *, context: QObject | None = None) -> None:
        """Create a vault off the UI thread; then show its recovery key (NEW_VAULT)."""
        generation = self._generation

        def run() -> tuple[Vault, RecoveryKey, VaultSnapshot]:
            vault, recovery_key = Vault.create(folder, passphrase, name=name)
            try:
                return vault, recovery_key, read_snapshot(vault)
            except BaseException:
                vault.close(None)
                raise

        def done(result: tuple[Vault, RecoveryKey, VaultSnapshot]) -> None:
            vault, recovery_key, snapshot = result
            if generation != self._generation or self._shut_down:
                self._close_in_background(vault, AuditEvent.VAULT_CLOSED)
                return
            self.folder = folder
            self.keychain_status = None
            self.local_settings.set_last_vault(folder)
            self._recovery_key = recovery_key
            self._adopt(vault, snapshot, VaultState.NEW_VAULT)

        def failed(error: BaseException) -> None:
            if _alive(context):
                on_failed(describe(error))

        self.tasks.run(run, done, failed)

    def confirm_recovery_key(self) -> None:
        """The person copied the recovery key: forget it and open the workspace."""
        if self.state is VaultState.NEW_VAULT and self.vault is not None:
            self._recovery_key = None
            self._set_state(VaultState.UNLOCKED)

    # -- unlocking ------------------------------------------------------------------------

    def unlock(self, secret: Secret, remember: bool, on_failed: Callable[[str], None], *,
               context: QObject | None = None) -> None:
        """Open the chosen vault off the UI thread; remember its key when asked to."""
        self._open(lambda: secret, remember, on_failed, context)

    def unlock_with_keychain(self, on_failed: Callable[[str], None], *,
                             context: QObject | None = None) -> None:
        """Open the chosen vault with the key remembered on this computer (opt-in, on request)."""
        status = self.keychain_status
        vault_id = status.vault_id if status is not None else None
        if vault_id is None:
            on_failed("Nothing is remembered for this vault on this computer.")
            return
        keychain = self.keychain

        def recalled() -> Secret:
            key = keychain.recall(vault_id)
            if key is None:
                raise WrongSecret("Nothing is remembered for this vault on this computer; "
                                  "use the passphrase.")
            return Secret(data_key=key)

        def failed(message: str) -> None:
            self.probe_keychain()
            on_failed(message)

        self._open(recalled, False, failed, context)

    def _open(self, secret_source: Callable[[], Secret], remember: bool,
              on_failed: Callable[[str], None], context: QObject | None) -> None:
        folder = self.folder
        if self.vault is not None:
            return  # already open
        if folder is None or self._shut_down:
            on_failed("Choose a vault to open first.")
            return
        generation = self._generation
        keychain = self.keychain

        def run() -> _Opened:
            secret = secret_source()
            vault = Vault.open(folder, secret, defer_check=True)
            try:
                note = ""
                if remember:
                    try:
                        keychain.remember(vault.vault_id, vault.remembered_key())
                    except Exception as exc:  # the keychain is a convenience: never fatal
                        note = (f"The key could not be remembered on this computer ({exc}). "
                                "The vault is open; use the passphrase next time.")
                    else:
                        vault.audit(AuditEvent.KEYCHAIN_REMEMBERED)
                return _Opened(vault, read_snapshot(vault), note, secret.recovery_key)
            except BaseException:
                vault.close(None)
                raise

        def done(opened: _Opened) -> None:
            if generation != self._generation or self._shut_down or self.vault is not None:
                self._close_in_background(opened.vault, AuditEvent.VAULT_CLOSED)
                return
            # Opened with the recovery key: offer a new passphrase first (kept until answered).
            self._unlock_recovery_key = opened.recovery_key
            self._adopt(opened.vault, opened.snapshot,
                        VaultState.UNLOCKED if opened.recovery_key is None
                        else VaultState.NEW_PASSPHRASE)
            self._check_integrity_after_unlock(opened.vault)
            if opened.vault.recovery_key_needs_replacing:
                self.notified.emit(
                    "Issue a new recovery key",
                    "A key rotation was interrupted and finished now. Its new recovery key was "
                    "never shown, so your Emergency Kit no longer works: issue a new recovery "
                    "key from the Vault menu and keep it safe.")
            if remember:
                self.probe_keychain()
            if opened.keychain_note:
                self.notified.emit("Not remembered", opened.keychain_note)

        def failed(error: BaseException) -> None:
            if _alive(context):
                on_failed(describe(error))

        self.tasks.run(run, done, failed)

    def _check_integrity_after_unlock(self, vault: Vault) -> None:
        """Run the full-page check the fast unlock deferred; lock at once if it finds damage."""
        def checked(problems: list[str]) -> None:
            if problems and self.vault is vault:
                self.lock("damaged")
                self.problem_reported.emit(
                    "The vault failed its integrity check (" + problems[0][:100] + "). It was "
                    "locked and nothing more was written. Restore it from a backup.")

        self.probe_tasks.run(vault.check_integrity, checked, self._ignore)

    def _adopt(self, vault: Vault, snapshot: VaultSnapshot, state: VaultState) -> None:
        self.vault = vault
        self.snapshot = snapshot
        self.lock_reason = ""
        self.monitor.start(snapshot.lock_after_minutes)
        self._set_state(state)

    def adopt_open_vault(self, vault: Vault) -> None:
        """Show a vault that is already open (the --screenshot path; blocking, no dialogs)."""
        self.folder = vault.folder
        self._adopt(vault, read_snapshot(vault), VaultState.UNLOCKED)

    # -- locking --------------------------------------------------------------------------

    def lock(self, reason: str = "manual") -> None:
        """Close the vault and show the unlock page everywhere (Ctrl+L, idle, sleep)."""
        vault = self.vault
        if vault is None:
            return
        minutes = self.snapshot.lock_after_minutes if self.snapshot else 0
        if reason != "damaged":  # a damaged vault gets nothing more written to it
            self.about_to_close.emit()
        self._drop_vault()
        self.lock_reason = LOCK_REASONS.get(reason, "").format(minutes=minutes)
        self._set_state(VaultState.LOCKED)
        self._close_in_background(vault, AuditEvent.VAULT_LOCKED)
        self.probe_keychain()

    def _on_timed_out(self) -> None:
        self.lock("idle")

    def _on_slept(self) -> None:
        if self.snapshot is None or self.snapshot.lock_on_suspend:
            self.lock("suspend")

    def shutdown(self) -> None:
        """Close the open vault and wait for background work (the window is closing)."""
        if self._shut_down:
            return
        self._shut_down = True
        vault = self.vault
        if vault is not None:
            self.about_to_close.emit()
        self._drop_vault()
        self.tasks.shutdown(wait=True)
        self.probe_tasks.shutdown(wait=False)
        if vault is not None:
            vault.close(AuditEvent.VAULT_CLOSED)

    # -- the keychain ---------------------------------------------------------------------

    def probe_keychain(self) -> None:
        """Find out, off the UI thread, whether a keychain exists and holds this vault's key."""
        folder = self.folder
        if folder is None or self._shut_down:
            return
        keychain = self.keychain

        def probe() -> KeychainStatus:
            from storage import keyslots

            vault_id: str | None = None
            with contextlib.suppress(TandemError, OSError):
                vault_id = keyslots.load(folder).file.vault_id
            available = keychain.available
            has_key = bool(available and vault_id and keychain.recall(vault_id) is not None)
            return KeychainStatus(folder, available, has_key, vault_id, keychain.description)

        def probed(status: KeychainStatus) -> None:
            if status.folder == self.folder:
                self.keychain_status = status
                self.keychain_changed.emit()

        self.probe_tasks.run(probe, probed, self._ignore)

    def forget_on_this_computer(self) -> None:
        """Remove this vault's key from the keychain (and say so in the audit trail)."""
        vault = self.vault
        status = self.keychain_status
        vault_id = vault.vault_id if vault is not None else (status.vault_id if status else None)
        if vault_id is None:
            return
        keychain = self.keychain

        def run() -> None:
            keychain.forget(vault_id)
            if vault is not None:
                with contextlib.suppress(TandemError):
                    vault.audit(AuditEvent.KEYCHAIN_FORGOTTEN)

        def done(_none: None) -> None:
            self.probe_keychain()
            if vault is not None and vault is self.vault:
                self.audit_changed.emit()
            self.notified.emit("Forgotten on this computer",
                               "This computer no longer remembers the vault's key. "
                               "Unlock with your passphrase or recovery key.")

        def failed(error: BaseException) -> None:
            self.notified.emit("Not forgotten", describe(error))

        self.tasks.run(run, done, failed)

    # -- vault actions --------------------------------------------------------------------

    def _vault_task(self, text: str, work: Callable[[Vault], T],
                    on_done: Callable[[T], None], on_failed: Callable[[str], None],
                    context: QObject | None, *, refresh: bool = True) -> bool:
        """Run `work(vault)` in the background for the open vault; False when none is open."""
        vault = self.vault
        if vault is None:
            return False
        generation = self._generation
        self._begin_busy(text)

        def run() -> tuple[T, VaultSnapshot | None]:
            result = work(vault)
            return result, read_snapshot(vault) if refresh else None

        def done(outcome: tuple[T, VaultSnapshot | None]) -> None:
            self._end_busy()
            result, snapshot = outcome
            if generation != self._generation or vault is not self.vault:
                return  # locked meanwhile: the work is done and audited, the page is gone
            if snapshot is not None:
                self.snapshot = snapshot
                self.monitor.set_minutes(snapshot.lock_after_minutes)
                self.snapshot_changed.emit()
            self.audit_changed.emit()
            if _alive(context):
                on_done(result)

        def failed(error: BaseException) -> None:
            self._end_busy()
            if generation == self._generation and _alive(context):
                on_failed(describe(error))

        self.tasks.run(run, done, failed)
        return True

    def back_up(self, dest_dir: Path, on_done: Callable[[Path], None],
                on_failed: Callable[[str], None], *, context: QObject | None = None) -> bool:
        """Write and verify a backup of the open vault in `dest_dir`."""
        from storage.backup import make_backup

        return self._vault_task("Backing up…", lambda v: make_backup(v, dest_dir),
                                on_done, on_failed, context)

    def verify(self, on_done: Callable[[VerifyReport], None], on_failed: Callable[[str], None],
               *, context: QObject | None = None) -> bool:
        """Run every check on the open vault."""
        return self._vault_task("Verifying the vault…", lambda v: v.verify(), on_done,
                                on_failed, context, refresh=False)

    def change_passphrase(self, old: str, new: str, on_done: Callable[[None], None],
                          on_failed: Callable[[str], None], *,
                          context: QObject | None = None) -> bool:
        """Re-wrap the vault key under a new passphrase (the old one stops working)."""
        return self._vault_task("Changing the passphrase…",
                                lambda v: v.change_passphrase(old, new), on_done, on_failed,
                                context, refresh=False)

    # -- a forgotten passphrase -------------------------------------------------------------

    @property
    def offering_new_passphrase(self) -> bool:
        """True from an unlock with the recovery key until a new passphrase or Later."""
        return self.state is VaultState.NEW_PASSPHRASE and self.vault is not None

    def reset_passphrase(self, new: str, on_done: Callable[[None], None],
                         on_failed: Callable[[str], None], *,
                         recovery_key: RecoveryKey | None = None,
                         context: QObject | None = None) -> bool:
        """Set a new passphrase with the recovery key; the forgotten one stops working.

        `recovery_key` is the one typed in the Change passphrase dialog. Right after an unlock
        with the recovery key (NEW_PASSPHRASE) it may be left out: the key just used is proved
        again, so it need not be typed twice. The KDF runs on the background thread. On success
        from NEW_PASSPHRASE the workspace opens and the person is told what changed.
        """
        key = recovery_key if recovery_key is not None else self._unlock_recovery_key
        if key is None:
            on_failed("Type the recovery key from your Emergency Kit.")
            return False
        from_prompt = recovery_key is None

        def done(_none: None) -> None:
            if from_prompt and self.state is VaultState.NEW_PASSPHRASE:
                self._unlock_recovery_key = None
                self._set_state(VaultState.UNLOCKED)
                self.notified.emit(
                    "New passphrase set",
                    "Unlock with your new passphrase from now on; the one you used before no "
                    "longer opens the vault. Your recovery key still works: keep your Emergency "
                    "Kit somewhere safe.")
            if _alive(context):
                on_done(None)

        def failed(message: str) -> None:
            if _alive(context):
                on_failed(message)

        # No context here: leaving NEW_PASSPHRASE must not depend on the page still existing.
        return self._vault_task("Setting the new passphrase…",
                                lambda v: v.reset_passphrase(key, new), done, failed, None,
                                refresh=False)

    def postpone_new_passphrase(self) -> None:
        """"Later": keep the current passphrase, forget the recovery key, open the workspace."""
        if self.offering_new_passphrase:
            self._unlock_recovery_key = None
            self._set_state(VaultState.UNLOCKED)

    def save_settings(self, lock_after_minutes: int, lock_on_suspend: bool,
                      on_done: Callable[[None], None], on_failed: Callable[[str], None], *,
                      context: QObject | None = None) -> bool:
        """Store the lock settings in the vault (each change audited) and apply them."""
        from storage import settings_repo

        before = self.snapshot

        def work(vault: Vault) -> None:
            if before is None or before.lock_after_minutes != lock_after_minutes:
                settings_repo.put(vault, "lock.after_minutes", lock_after_minutes)
            if before is None or before.lock_on_suspend != lock_on_suspend:
                settings_repo.put(vault, "lock.on_suspend", lock_on_suspend)

        return self._vault_task("Saving settings…", work, on_done, on_failed, context)

    def watch_vault(self, fn: Callable[[Any], T], on_done: Callable[[T], None],
                    on_failed: Callable[[str], None], *, context: QObject) -> bool:
        """Run a read `fn(connection)` on the vault's own thread; the answer comes to `context`."""
        vault = self.vault
        if vault is None:
            return False
        try:
            future = vault.submit(fn)
        except TandemError as exc:
            on_failed(describe(exc))
            return False
        self.tasks.watch(future, on_done, lambda e: on_failed(describe(e)), context=context)
        return True
