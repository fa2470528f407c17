"""Autosave for anything the therapist types: notes and the private process notes.

Rules (the issue: "killing the process at any moment loses at most the last 2 seconds"):
- a save starts IDLE_MS after typing stops, and at the latest CEILING_MS after the first change
  not yet saved, so continuous typing is saved every CEILING_MS too;
- a save starts at once when a field loses focus, and when the note is left, the vault locked or
  the window closed (`flush`);
- saves are futures on the vault's single worker thread, so they commit in the order they were
  made and a lock's close always comes after them; the UI thread never waits for one;
- a failed save keeps the text where it is, says why, and retries (a full disk may be freed);
- notes are saved without refreshing their search text while typing (`reindex=False`, cheap)
  and with it when the note is left, and at most once every REINDEX_EVERY_S of typing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.errors import InvalidInput
from ui.session import describe
from ui.workspace.calls import Calls
from ui.workspace.format import local_clock

IDLE_MS = 1500
CEILING_MS = 1500
REINDEX_EVERY_S = 60.0
RETRY_MS = (2000, 5000, 10000, 30000)


class SaveStatus(Enum):
    """What the status line says."""

    IDLE = "idle"
    SAVING = "saving"
    SAVED = "saved"
    FAILED = "failed"


class Autosaver(QObject):
    """Decides when to save one editor's text and reports how it went."""

    status_changed = Signal()
    """The status (saving, saved at, failed because) changed."""

    saved = Signal(object)
    """A save finished; its result (e.g. the SavedDraft)."""

    settled = Signal()
    """Every change is saved and nothing is on its way any more."""

    def __init__(self, calls: Calls, save: Callable[[bool], Future[Any]],
                 stamp_of: Callable[[Any], str], *,
                 reindex: Callable[[], Future[Any]] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._calls = calls
        self._save = save
        self._stamp_of = stamp_of
        self._reindex = reindex
        self._monotonic = monotonic
        self._changes = 0
        self._submitted = 0
        self._saved = 0
        self._in_flight = 0
        self._unindexed = False
        self._last_reindex = monotonic()
        self._retry_step = 0
        self.status = SaveStatus.IDLE
        self.saved_at = ""
        self.error = ""
        self._idle = self._timer(IDLE_MS)
        self._ceiling = self._timer(CEILING_MS)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(lambda: self.flush())

    def _timer(self, ms: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(self._on_timer)
        return timer

    # -- what the editor tells it -----------------------------------------------------------

    def changed(self) -> None:
        """The text changed: save soon."""
        self._changes += 1
        self._idle.start()
        if not self._ceiling.isActive():
            self._ceiling.start()

    def flush(self, *, reindex: bool = False) -> None:
        """Save now if anything is unsaved; with `reindex`, bring the search text up to date."""
        self._idle.stop()
        self._ceiling.stop()
        if self._changes != self._submitted:
            self._submit(reindex)
        elif reindex and self._unindexed and self._reindex is not None:
            self._submit_reindex()

    def stop(self) -> None:
        """Stop every timer (the editor is being deleted; flush first)."""
        for timer in (self._idle, self._ceiling, self._retry):
            timer.stop()

    # -- what the editor asks ---------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """True while some change is not known to be saved."""
        return self._saved != self._changes

    @property
    def busy(self) -> bool:
        """True while a save is on its way or a change waits for one."""
        return self.dirty or self._in_flight > 0

    def status_text(self) -> str:
        """"Saving…", "Saved 12:04", or what went wrong."""
        if self.status is SaveStatus.SAVING:
            return "Saving…"
        if self.status is SaveStatus.FAILED:
            retry = (" Tandem will try again in a few seconds." if self._retry.isActive()
                     else " Change the text to try again.")
            return f"Not saved: {self.error}{retry} Your text is still here."
        if self.status is SaveStatus.SAVED:
            return f"Saved {self.saved_at}"
        return ""

    # -- saving -----------------------------------------------------------------------------

    def _on_timer(self) -> None:
        due = (self._reindex is not None and self._unindexed
               and self._monotonic() - self._last_reindex >= REINDEX_EVERY_S)
        self.flush(reindex=due)

    def _submit(self, reindex: bool) -> None:
        mark = self._changes
        indexed = reindex and self._reindex is not None
        future = self._calls.run_raw(lambda: self._save(indexed),
                                     lambda result: self._on_saved(mark, result),
                                     lambda error: self._on_failed(error, indexed), self)
        if future is None:
            return
        self._submitted = mark
        self._in_flight += 1
        if indexed:
            self._unindexed = False
            self._last_reindex = self._monotonic()
        elif self._reindex is not None:
            self._unindexed = True
        self._set(SaveStatus.SAVING)

    def _submit_reindex(self) -> None:
        assert self._reindex is not None
        reindex = self._reindex
        future = self._calls.run_raw(reindex, self._on_reindexed,
                                     lambda error: self._on_failed(error, True), self)
        if future is not None:
            self._unindexed = False
            self._last_reindex = self._monotonic()
            self._in_flight += 1

    def _on_saved(self, mark: int, result: Any) -> None:
        self._in_flight -= 1
        self._saved = max(self._saved, mark)
        self._retry_step = 0
        self._retry.stop()
        self.error = ""
        self.saved_at = local_clock(self._stamp_of(result)) or self.saved_at
        self.saved.emit(result)
        if self._in_flight == 0:
            self._set(SaveStatus.SAVED)
        self._check_settled()

    def _on_reindexed(self, _changed: object) -> None:
        self._in_flight -= 1
        self._check_settled()

    def _check_settled(self) -> None:
        if self._in_flight == 0 and not self.dirty:
            self.settled.emit()

    def _on_failed(self, error: BaseException, indexed: bool) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._submitted = self._saved  # whatever was not saved goes again with the next save
        if indexed:
            self._unindexed = True
        self.error = describe(error)
        if not isinstance(error, InvalidInput):  # a full or missing disk may come back
            delay = RETRY_MS[min(self._retry_step, len(RETRY_MS) - 1)]
            self._retry_step += 1
            self._retry.start(delay)
        self._set(SaveStatus.FAILED)

    def _set(self, status: SaveStatus) -> None:
        self.status = status
        self.status_changed.emit()
