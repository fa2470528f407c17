"""One writer per vault: an OS lock on a file in the vault folder, released when the process dies.

An OS lock (flock / LockFileEx) rather than a PID file, so a crashed Tandem never leaves a stale
lock behind. Locks belong to open file descriptions, so a second open in the same process is
refused too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from app.errors import StorageFailure, VaultAlreadyOpen
from storage.atomic import os_error_reason

LOCK_NAME = ".tandem.lock"


class VaultLock:
    """Holds the vault folder's lock until `release()`."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / LOCK_NAME
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock or raise VaultAlreadyOpen."""
        try:
            handle = open(self._path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        except OSError as exc:
            raise StorageFailure(
                f"Cannot use the vault folder {self._path.parent}: {os_error_reason(exc)}. "
                "Tandem needs to write there (its lock, and every change).") from None
        try:
            if os.name == "nt":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise VaultAlreadyOpen(
                "This vault is already open in another Tandem window or process. "
                "Close it there first."
            ) from None
        self._handle = handle

    def release(self) -> None:
        """Give the lock back (closing the file releases it)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._handle is not None
