"""Off-thread work for the window: run a callable in the background, hear back on the UI thread.

The UI thread never waits for the KDF, a backup or a verify. `TaskRunner.run` hands a callable to
a small thread pool; `TaskRunner.watch` does the same for a future the caller already has (the
Vault's own single database thread, through `vault.submit`). Either way the outcome comes back
through a queued Qt signal, so callbacks always run on the UI thread, and never synchronously
inside `run`/`watch` even when the future has already finished.

A callback can name a *context* QObject (usually the page that asked): when that object has been
deleted by the time the answer arrives — the vault was locked and the page torn down — the answer
is dropped instead of touching a dead widget.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

T = TypeVar("T")


@dataclass(frozen=True)
class _Outcome:
    """A finished future and who wants to hear about it."""

    future: Future[Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    context: QObject | None


def _alive(context: QObject | None) -> bool:
    if context is None:
        return True
    import shiboken6

    return bool(shiboken6.isValid(context))


class TaskRunner(QObject):
    """Runs callables on background threads and delivers each outcome on the UI thread."""

    _finished = Signal(object)
    """A watched future finished (emitted on whichever thread finished it)."""

    idle = Signal()
    """The last pending task's outcome was delivered."""

    def __init__(self, max_workers: int = 1, name: str = "tandem-task",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self._pending = 0
        self._closed = False
        # Queued even within one thread, so a callback never runs inside run()/watch().
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        """How many tasks have not yet had their outcome delivered."""
        return self._pending

    def run(self, fn: Callable[[], T], on_done: Callable[[T], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, *,
            context: QObject | None = None) -> Future[T]:
        """Run `fn()` in the background; call `on_done(result)` or `on_error(exc)` afterwards."""
        if self._closed:
            raise RuntimeError("the task runner has been shut down")
        future = self._executor.submit(fn)
        self.watch(future, on_done, on_error, context=context)
        return future

    def watch(self, future: Future[T], on_done: Callable[[T], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None, *,
              context: QObject | None = None) -> None:
        """Deliver the outcome of a future someone else runs (e.g. `vault.submit`)."""
        self._pending += 1
        outcome = _Outcome(future, on_done, on_error, context)
        future.add_done_callback(lambda _f: self._finished.emit(outcome))

    def _on_finished(self, outcome: _Outcome) -> None:
        self._pending -= 1
        try:
            if outcome.future.cancelled() or not _alive(outcome.context):
                return
            error = outcome.future.exception()
            if error is None:
                if outcome.on_done is not None:
                    outcome.on_done(outcome.future.result())
            elif outcome.on_error is not None:
                outcome.on_error(error)
            else:
                raise error
        finally:
            if self._pending == 0:
                self.idle.emit()

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new work and (by default) wait for the running task to end."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=not wait)
