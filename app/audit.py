"""The audit trail's rules: which events exist and how each entry chains to the one before.

Every entry carries the SHA-256 of its own content *and* of the previous entry's hash, so removing,
reordering or editing any row breaks the chain from that row on. Storage appends and reads rows;
this module alone decides what a valid chain is, so the rule is tested without a database.
Details hold identifiers and counts, never clinical text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64


class AuditEvent(StrEnum):
    """What happened. Values are stored, so never rename one."""

    VAULT_CREATED = "vault.created"
    VAULT_OPENED = "vault.opened"
    VAULT_LOCKED = "vault.locked"
    VAULT_UNLOCKED = "vault.unlocked"
    VAULT_CLOSED = "vault.closed"
    VAULT_MIGRATED = "vault.migrated"
    VAULT_VERIFIED = "vault.verified"
    VAULT_RESTORED = "vault.restored"
    BACKUP_MADE = "backup.made"
    PASSPHRASE_CHANGED = "key.passphrase_changed"
    PASSPHRASE_RESET = "key.passphrase_reset"
    RECOVERY_KEY_REPLACED = "key.recovery_replaced"
    DATA_KEY_ROTATED = "key.data_key_rotated"
    KEYCHAIN_REMEMBERED = "key.keychain_remembered"
    KEYCHAIN_FORGOTTEN = "key.keychain_forgotten"
    SETTINGS_CHANGED = "settings.changed"


@dataclass(frozen=True)
class AuditEntry:
    """One row of the trail as stored."""

    seq: int
    at: str
    event: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str


def canonical_detail(detail: Mapping[str, Any]) -> str:
    """The detail as canonical JSON (sorted keys, no spaces): the form that is hashed and stored."""
    return json.dumps(dict(detail), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, seq: int, at: str, event: str, detail_json: str) -> str:
    """The hash that links an entry to everything before it."""
    payload = "\x1f".join((prev_hash, str(seq), at, event, detail_json)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The verdict on a trail: intact, or where it first breaks."""

    entries: int
    intact: bool
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Walk the trail in order and report the first entry whose links do not hold."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(count, False, entry.seq,
                               f"entry {expected_seq} is missing (found {entry.seq})")
        if entry.prev_hash != prev:
            return ChainReport(count, False, entry.seq,
                               f"entry {entry.seq} does not follow entry {entry.seq - 1}")
        recomputed = entry_hash(prev, entry.seq, entry.at, entry.event,
                                canonical_detail(entry.detail))
        if recomputed != entry.hash:
            return ChainReport(count, False, entry.seq, f"entry {entry.seq} was altered")
        prev = entry.hash
        expected_seq += 1
    return ChainReport(count, True)
