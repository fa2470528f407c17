"""How workspace widgets talk to the practice store without ever waiting for it.

Every `PracticeStore` method returns a future run on the vault's single worker thread. `Calls.run`
starts one and delivers its outcome on the UI thread (through the session's TaskRunner), to a
context QObject that may be deleted meanwhile (a lock tears the workspace down): its answer is
then dropped. A call the vault refuses at once (it is closing) reports through `on_error` too.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from PySide6.QtCore import QObject

from app.errors import TandemError
from ui.session import describe
from ui.tasks import TaskRunner

T = TypeVar("T")


class Calls:
    """Runs store calls for the workspace; outcomes arrive on the UI thread."""

    def __init__(self, tasks: TaskRunner) -> None:
        self._tasks = tasks

    def run(self, start: Callable[[], Future[T]], on_done: Callable[[T], None],
            on_error: Callable[[str], None], context: QObject) -> Future[T] | None:
        """Start `start()` and deliver its result or a sentence about its failure."""
        try:
            future = start()
        except TandemError as exc:
            on_error(describe(exc))
            return None
        self._tasks.watch(future, on_done, lambda error: on_error(describe(error)),
                          context=context)
        return future

    def run_raw(self, start: Callable[[], Future[T]], on_done: Callable[[T], None],
                on_error: Callable[[BaseException], None], context: QObject) -> Future[T] | None:
        """Like `run`, but the failure arrives as the exception (to tell kinds apart)."""
        try:
            future = start()
        except TandemError as exc:
            on_error(exc)
            return None
        self._tasks.watch(future, on_done, on_error, context=context)
        return future


def ignore(_value: Any = None) -> None:
    """A callback for answers nobody needs."""
