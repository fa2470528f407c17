"""Keeping the last N backups of a vault in a folder, and knowing when the last one was made.

Only files that are provably this vault's backups are ever deleted: the name pattern must match
and the manifest inside must carry this vault's id. A stray file, another vault's backup, or a
half-written `.partial` is never touched.

"Newest" survives a clock that jumped, when the caller says what time it is (`now`, from the
clock that dated the backups: the vault's). Every backup on disk was made before now, so one
dated after now was dated by a clock that was wrong (running ahead then, or behind now); its
true age is unknown, and it ranks older than every backup dated by the clock as it is. Without
that, once a clock running ahead is put right, each new backup would rank below the mis-dated
ones and pruning would delete the backup it had just made, every time, until the date caught
up. Without `now`, backups are ranked by their dates alone.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.errors import VaultDamaged
from storage.backup import EXTENSION, read_manifest


@dataclass(frozen=True)
class BackupFile:
    """One backup of this vault found on disk."""

    path: Path
    created_at: datetime
    size: int


def _newest_first_key(backup: BackupFile, now: datetime | None) -> tuple[bool, datetime]:
    return (now is None or backup.created_at <= now, backup.created_at)


def backups_of(folder: Path, vault_id: str, now: datetime | None = None) -> list[BackupFile]:
    """The readable backups of vault `vault_id` in `folder`, newest first (see the module doc).

    Pass `now` (the vault's clock) so that a backup dated in the future ranks as oldest.
    """
    found: list[BackupFile] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        if path.name.startswith(".") or path.suffix != EXTENSION or not path.is_file():
            continue
        try:
            manifest, _ = read_manifest(path)
            moment = datetime.fromisoformat(manifest.created_at.replace("Z", "+00:00"))
        except (VaultDamaged, ValueError):
            continue
        if manifest.vault_id != vault_id:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        found.append(BackupFile(path, moment, path.stat().st_size))
    found.sort(key=lambda b: _newest_first_key(b, now), reverse=True)
    return found


def prune(folder: Path, vault_id: str, keep: int, now: datetime | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups of this vault; returns what was deleted."""
    keep = max(keep, 1)
    removed = []
    for backup in backups_of(folder, vault_id, now)[keep:]:
        with contextlib.suppress(OSError):
            backup.path.unlink()
            removed.append(backup.path)
    return removed
