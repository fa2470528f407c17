"""Crash-safe file replacement: write a temp file, fsync it, rename it over, fsync the folder.

After a crash at any point, the target holds either the complete old content or the complete new
content, never a mixture. Used for the key slots and backups, the two files whose half-written
copy would be worst.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

_REASONS = {
    errno.ENOSPC: "the disk is full",
    getattr(errno, "EDQUOT", -1): "the disk quota is used up",
    errno.EFBIG: "the file is too large for that disk (is it full?)",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "the folder is read-only for you (permission denied)",
    errno.EPERM: "the folder is read-only for you (permission denied)",
    errno.ENOENT: "the folder does not exist (was the drive removed?)",
    errno.EIO: "the disk cannot be read or written (was it removed?)",
    errno.ENXIO: "the disk cannot be read or written (was it removed?)",
    errno.ENODEV: "the disk cannot be read or written (was it removed?)",
    errno.ENAMETOOLONG: "the name is too long for that disk",
}


def os_error_reason(exc: OSError) -> str:
    """Why a file operation failed, as words a person can act on ("the disk is full").

    The operating system's own text says "Permission denied" for a read-only folder and "File
    too large" for a disk that filled up under a size limit: true, but not what to do about it.
    """
    reason = _REASONS.get(exc.errno) if exc.errno is not None else None
    return reason or (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")


def fsync_directory(folder: Path) -> None:
    """Make a rename inside `folder` durable (POSIX; Windows has no directory handles for this)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_for(target: Path, suffix: str = ".tmp") -> Path:
    """A unique hidden sibling of `target`, on the same filesystem so the rename is atomic."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Replace `target` with `data` atomically and durably."""
    tmp = temp_path_for(target)
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_directory(target.parent)


def commit_file(tmp: Path, target: Path) -> None:
    """Durably move an already-written temp file into place."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    tmp.replace(target)
    fsync_directory(target.parent)
