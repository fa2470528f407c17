"""Keeping the last N backups of a vault in a folder, and knowing when the last one was made.

Only files that are provably this vault's backups are ever deleted: the name pattern must match
and the manifest inside must carry this vault's id. A stray file, another vault's backup, or a
half-written `.partial` is never touched.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import VaultDamaged
from storage.backup import EXTENSION, read_manifest


@dataclass(frozen=True)
class BackupFile:
    """One backup of this vault found on disk."""

    path: Path
    created_at: datetime
    size: int


def backups_of(folder: Path, vault_id: str) -> list[BackupFile]:
    """The readable backups of vault `vault_id` in `folder`, newest first."""
    found = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        if path.name.startswith(".") or path.suffix != EXTENSION or not path.is_file():
            continue
        try:
            manifest, _ = read_manifest(path)
        except VaultDamaged:
            continue
        if manifest.vault_id != vault_id:
            continue
        moment = datetime.fromisoformat(manifest.created_at.replace("Z", "+00:00"))
        found.append(BackupFile(path, moment, path.stat().st_size))
    found.sort(key=lambda b: b.created_at, reverse=True)
    return found


def prune(folder: Path, vault_id: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of this vault; returns what was deleted."""
    keep = max(keep, 1)
    removed = []
    for backup in backups_of(folder, vault_id)[keep:]:
        with contextlib.suppress(OSError):
            backup.path.unlink()
            removed.append(backup.path)
    return removed
