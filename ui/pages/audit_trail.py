"""The audit trail as a table: a hand-written model that pages entries in lazily, newest first.

Entries are read on the vault's own worker thread (`Session.watch_vault`) and arrive on the UI
thread; `canFetchMore` is False while a page is on its way. The trail is append-only and its
sequence numbers have no gaps (the chain check enforces both), so each older page is addressed by
sequence number, and entries written while the person scrolls never shift or repeat a page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.audit import AuditEntry, AuditEvent
from app.settings import VAULT_SETTINGS
from ui.widgets.table_model import RowsTableModel

COL_WHEN = 0
COL_EVENT = 1
COL_DETAILS = 2
COLUMNS = ("When", "Event", "Details")

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
"""The AuditEntry behind a row."""

PAGE_SIZE = 200
_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex

EVENT_WORDS: dict[str, str] = {
    AuditEvent.VAULT_CREATED: "Vault created",
    AuditEvent.VAULT_OPENED: "Vault unlocked",
    AuditEvent.VAULT_LOCKED: "Vault locked",
    AuditEvent.VAULT_UNLOCKED: "Vault unlocked",
    AuditEvent.VAULT_CLOSED: "Vault closed",
    AuditEvent.VAULT_MIGRATED: "Vault upgraded",
    AuditEvent.VAULT_VERIFIED: "Vault verified",
    AuditEvent.VAULT_RESTORED: "Restored from a backup",
    AuditEvent.BACKUP_MADE: "Backup made",
    AuditEvent.PASSPHRASE_CHANGED: "Passphrase changed",
    AuditEvent.PASSPHRASE_RESET: "New passphrase set with the recovery key",
    AuditEvent.RECOVERY_KEY_REPLACED: "Recovery key replaced",
    AuditEvent.DATA_KEY_ROTATED: "Vault key rotated",
    AuditEvent.KEYCHAIN_REMEMBERED: "Remembered on this computer",
    AuditEvent.KEYCHAIN_FORGOTTEN: "Forgotten on this computer",
    AuditEvent.SETTINGS_CHANGED: "Setting changed",
}

_HOW = {"passphrase": "with the passphrase", "recovery_key": "with the recovery key",
        "keychain": "with this computer's keychain"}


def local_time(stamp: str) -> str:
    """An ISO UTC timestamp as local time, e.g. 2025-03-04 14:05:09 (unparsable: as stored)."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def event_words(event: str) -> str:
    """Human words for an event; an unknown one reads as its name ("demo.populated")."""
    if event in EVENT_WORDS:
        return EVENT_WORDS[event]
    text = event.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "Event"


def detail_words(entry: AuditEntry) -> str:
    """The details in words (identifiers and counts only: the trail holds no client data)."""
    detail = dict(entry.detail)
    event = entry.event
    if event == AuditEvent.VAULT_OPENED and "how" in detail:
        text = _HOW.get(str(detail["how"]), str(detail["how"]))
        if detail.get("keyslots_restored_from_bak"):
            text += "; key file restored from its spare copy"
        return text
    if event == AuditEvent.VAULT_CREATED and "schema" in detail:
        return f"schema version {detail['schema']}"
    if event == AuditEvent.VAULT_MIGRATED:
        return f"schema version {detail.get('from', '?')} → {detail.get('to', '?')}"
    if event == AuditEvent.VAULT_VERIFIED and "ok" in detail:
        return "every check passed" if detail["ok"] else "problems found"
    if event == AuditEvent.BACKUP_MADE:
        size = detail.get("bytes")
        name = str(detail.get("file", ""))
        return f"{name} ({_size(size)})" if isinstance(size, int) else name
    if event == AuditEvent.SETTINGS_CHANGED and "key" in detail:
        spec = VAULT_SETTINGS.get(str(detail["key"]))
        return spec.label if spec is not None else str(detail["key"])
    if event == AuditEvent.VAULT_RESTORED:
        return f"from {detail.get('from', '?')}"
    return ", ".join(f"{key}: {value}" for key, value in sorted(detail.items()))


def _size(count: int) -> str:
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} bytes"


def _page(newest_first_limit: int | None, below_seq: int | None) -> Any:
    """A read for the vault thread: the newest page, or the page just below `below_seq`."""
    from storage import audit_log

    def read(conn: Any) -> list[AuditEntry]:
        if below_seq is None:
            return audit_log.entries(conn, newest_first=True, limit=newest_first_limit or PAGE_SIZE)
        start = max(1, below_seq - PAGE_SIZE)
        rows = audit_log.entries(conn, newest_first=False, limit=below_seq - start,
                                 offset=start - 1)
        return list(reversed(rows))
    return read


class AuditTrailModel(RowsTableModel[AuditEntry]):
    """The vault's audit trail, newest first, fetched a page at a time."""

    page_loaded = Signal()
    """A page of entries arrived (or the first, empty answer)."""

    load_failed = Signal(str)
    """Reading the trail failed (its message)."""

    def __init__(self, session: Any, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._session = session
        self._loading = False
        self._loaded_once = False

    # -- loading ------------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """True once the first page has arrived."""
        return self._loaded_once

    @property
    def loading(self) -> bool:
        """True while a page is being read."""
        return self._loading

    def load(self) -> None:
        """Read the newest page (again), replacing what is shown."""
        if self._loading:
            return
        self._loading = True
        if not self._session.watch_vault(_page(PAGE_SIZE, None), self._on_first_page,
                                         self._on_failed, context=self):
            self._loading = False

    def refresh(self) -> None:
        """Put entries written since the last read at the top."""
        if not self._loaded_once:
            self.load()
            return
        if self._loading:
            return
        self._loading = True
        if not self._session.watch_vault(_page(PAGE_SIZE, None), self._on_newer,
                                         self._on_failed, context=self):
            self._loading = False

    def _on_first_page(self, entries: list[AuditEntry]) -> None:
        self._loading = False
        self.beginResetModel()
        self._rows = list(entries)
        self._loaded_once = True
        self.endResetModel()
        self.page_loaded.emit()

    def _on_newer(self, entries: list[AuditEntry]) -> None:
        self._loading = False
        top = self._rows[0].seq if self._rows else 0
        newer = [e for e in entries if e.seq > top]
        if len(newer) == len(entries) and self._rows:
            self._on_first_page(entries)  # more is new than one page: start again from the top
            return
        if newer:
            self.beginInsertRows(QModelIndex(), 0, len(newer) - 1)
            self._rows[:0] = newer
            self.endInsertRows()
        self.page_loaded.emit()

    def _on_older(self, entries: list[AuditEntry]) -> None:
        self._loading = False
        bottom = self._rows[-1].seq if self._rows else None
        older = [e for e in entries if bottom is None or e.seq < bottom]
        if older:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(older) - 1)
            self._rows.extend(older)
            self.endInsertRows()
        self.page_loaded.emit()

    def _on_failed(self, message: str) -> None:
        self._loading = False
        self.load_failed.emit(message)

    def clear(self) -> None:
        """Drop every entry (the vault is being locked)."""
        self.beginResetModel()
        self._rows = []
        self._loaded_once = False
        self.endResetModel()

    # -- Qt's model interface -------------------------------------------------------------

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:
        """True when older entries remain and no page is on its way."""
        if parent.isValid() or self._loading or not self._loaded_once or not self._rows:
            return False
        return self._rows[-1].seq > 1

    def fetchMore(self, parent: _Index = _ROOT) -> None:
        """Ask for the next older page."""
        if not self.canFetchMore(parent):
            return
        self._loading = True
        if not self._session.watch_vault(_page(None, self._rows[-1].seq), self._on_older,
                                         self._on_failed, context=self):
            self._loading = False

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The text of a cell; the AuditEntry under ENTRY_ROLE."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            if column == COL_WHEN:
                return local_time(entry.at)
            if column == COL_EVENT:
                return event_words(entry.event)
            if column == COL_DETAILS:
                return detail_words(entry)
            return None
        if role == ENTRY_ROLE:
            return entry
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Read-only rows."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
