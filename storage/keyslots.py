"""keyslots.json: the vault's data key, wrapped once for each way in (LUKS-style key slots).

A slot is the data key encrypted (AES-256-GCM) under a key derived from one secret: the passphrase
(Argon2id, parameters stored in the slot) or the recovery key (HKDF; it already has 136 random
bits). The file carries a SHA-256 checksum of its own content, which is what tells a *damaged* file
(checksum fails: fall back to keyslots.json.bak) from a *wrong passphrase* (checksum fine, the GCM
tag fails). A rekey in progress keeps the new key's slots under "pending" until the database is
re-encrypted, so a crash mid-rekey never leaves a vault that no key opens.

The .bak file mirrors the last good version. It is rewritten after every successful change, so an
old passphrase stops working everywhere in the folder once the change has been confirmed (older
*backups* still carry the old slots — the backup screen says so).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.errors import KeySlotsDamaged, StorageFailure, WrongSecret
from app.recovery_key import RecoveryKey
from storage import crypto
from storage.atomic import atomic_write_bytes, os_error_reason

FILE_NAME = "keyslots.json"
BACKUP_NAME = "keyslots.json.bak"
FORMAT = "tandem-keyslots"
VERSION = 1
PASSPHRASE = "passphrase"
RECOVERY = "recovery"
MAX_FILE_BYTES = 64 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, expected: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if expected is not None and len(data) != expected:
        raise ValueError("wrong length")
    return data


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC-normalise so 'é' typed on macOS (NFD) and on Windows (NFC) is the same passphrase."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _aad(vault_id: str, slot_name: str) -> bytes:
    return f"tandem-keyslot-v1|{vault_id}|{slot_name}".encode()


@dataclass(frozen=True)
class KeySlot:
    """One wrapped copy of the data key and how to derive the key that unwraps it."""

    kdf: str
    salt: bytes
    nonce: bytes
    wrapped: bytes
    params: crypto.Argon2Params | None = None

    def to_json(self) -> dict[str, Any]:
        """The slot as stored."""
        out: dict[str, Any] = {"kdf": self.kdf, "salt": _b64(self.salt),
                               "nonce": _b64(self.nonce), "wrapped": _b64(self.wrapped)}
        if self.params is not None:
            out["params"] = self.params.as_dict()
        return out

    @classmethod
    def from_json(cls, raw: Any) -> KeySlot:
        """Parse and validate a stored slot; ValueError when anything is off."""
        if not isinstance(raw, dict):
            raise ValueError("slot is not an object")
        kdf = raw.get("kdf")
        params = None
        if kdf == "argon2id":
            p = raw.get("params")
            if not isinstance(p, dict) or set(p) != {"memory_kib", "time_cost", "parallelism"}:
                raise ValueError("bad Argon2 parameters")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in p.values()):
                raise ValueError("bad Argon2 parameters")
            params = crypto.Argon2Params(**p)
            params.check()
        elif kdf != "hkdf-sha256":
            raise ValueError(f"unknown kdf {kdf!r}")
        return cls(kdf=kdf, salt=_unb64(raw.get("salt"), crypto.SALT_BYTES),
                   nonce=_unb64(raw.get("nonce"), crypto.NONCE_BYTES),
                   wrapped=_unb64(raw.get("wrapped"), crypto.KEY_BYTES + 16), params=params)


def passphrase_slot(passphrase: str, data_key: bytes, vault_id: str,
                    params: crypto.Argon2Params) -> KeySlot:
    """Wrap `data_key` under a passphrase."""
    salt = crypto.random_key()[: crypto.SALT_BYTES]
    kek = crypto.argon2id(normalise_passphrase(passphrase), salt, params)
    nonce, wrapped = crypto.wrap(kek, data_key, _aad(vault_id, PASSPHRASE))
    return KeySlot("argon2id", salt, nonce, wrapped, params)


def recovery_slot(recovery_key: RecoveryKey, data_key: bytes, vault_id: str) -> KeySlot:
    """Wrap `data_key` under a recovery key."""
    salt = crypto.random_key()[: crypto.SALT_BYTES]
    kek = crypto.hkdf(recovery_key.secret, salt, b"tandem-recovery-slot-v1")
    nonce, wrapped = crypto.wrap(kek, data_key, _aad(vault_id, RECOVERY))
    return KeySlot("hkdf-sha256", salt, nonce, wrapped)


def unlock_with_passphrase(slot: KeySlot, passphrase: str, vault_id: str) -> bytes:
    """The data key, or WrongSecret."""
    if slot.params is None:
        raise WrongSecret("That passphrase does not open this vault.")
    kek = crypto.argon2id(normalise_passphrase(passphrase), slot.salt, slot.params)
    return crypto.unwrap(kek, slot.nonce, slot.wrapped, _aad(vault_id, PASSPHRASE))


def unlock_with_recovery_key(slot: KeySlot, recovery_key: RecoveryKey, vault_id: str) -> bytes:
    """The data key, or WrongSecret worded for recovery keys."""
    kek = crypto.hkdf(recovery_key.secret, slot.salt, b"tandem-recovery-slot-v1")
    try:
        return crypto.unwrap(kek, slot.nonce, slot.wrapped, _aad(vault_id, RECOVERY))
    except WrongSecret:
        raise WrongSecret("That recovery key does not open this vault.") from None


@dataclass(frozen=True)
class KeySlotFile:
    """The whole key file: vault identity, current slots and (during a rekey) pending slots."""

    vault_id: str
    created_at: str
    slots: Mapping[str, KeySlot]
    pending: Mapping[str, KeySlot] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def _body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "slots": {name: slot.to_json() for name, slot in sorted(self.slots.items())},
            "pending": (None if self.pending is None else
                        {name: slot.to_json() for name, slot in sorted(self.pending.items())}),
            **dict(self.extra),
        }

    def to_bytes(self) -> bytes:
        """Serialised with a checksum over the canonical body."""
        body = self._body()
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        body["checksum"] = hashlib.sha256(canonical.encode()).hexdigest()
        return (json.dumps(body, sort_keys=True, indent=2) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> KeySlotFile:
        """Parse and validate; ValueError names what is wrong."""
        if len(data) > MAX_FILE_BYTES:
            raise ValueError("key file is too large")
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError("key file is not valid JSON (truncated or damaged)") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not a Tandem key file")
        if raw.get("version") != VERSION:
            raise ValueError(f"key file version {raw.get('version')!r} is not supported")
        checksum = raw.pop("checksum", None)
        canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"))
        if checksum != hashlib.sha256(canonical.encode()).hexdigest():
            raise ValueError("key file checksum does not match (damaged or edited)")
        slots_raw = raw.get("slots")
        if not isinstance(slots_raw, dict) or PASSPHRASE not in slots_raw:
            raise ValueError("key file has no passphrase slot")
        slots = {name: KeySlot.from_json(s) for name, s in slots_raw.items()}
        pending_raw = raw.get("pending")
        pending = None
        if pending_raw is not None:
            if not isinstance(pending_raw, dict):
                raise ValueError("bad pending slots")
            pending = {name: KeySlot.from_json(s) for name, s in pending_raw.items()}
        vault_id, created_at = raw.get("vault_id"), raw.get("created_at")
        if not isinstance(vault_id, str) or not isinstance(created_at, str):
            raise ValueError("key file lacks the vault's identity")
        known = {"format", "version", "vault_id", "created_at", "slots", "pending"}
        extra = {k: v for k, v in raw.items() if k not in known}
        return cls(vault_id, created_at, slots, pending, extra)

    def with_slot(self, name: str, slot: KeySlot) -> KeySlotFile:
        """A copy with one current slot replaced."""
        return replace(self, slots={**self.slots, name: slot})


@dataclass(frozen=True)
class LoadedKeySlots:
    """A key file as read, and whether it came from the .bak copy."""

    file: KeySlotFile
    from_backup: bool
    problem: str = ""


def load(folder: Path) -> LoadedKeySlots:
    """Read keyslots.json, falling back to keyslots.json.bak when the main file is damaged."""
    problems = []
    for name, is_backup in ((FILE_NAME, False), (BACKUP_NAME, True)):
        path = folder / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        except OSError as exc:
            problems.append(f"{name} cannot be read ({exc.strerror})")
            continue
        try:
            parsed = KeySlotFile.from_bytes(data)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        return LoadedKeySlots(parsed, is_backup, "; ".join(problems))
    raise KeySlotsDamaged(
        "The vault's key file is damaged and its spare copy too ("
        + "; ".join(problems)
        + "). Your data is still encrypted and intact: restore the vault from a backup "
        "(tandem restore BACKUP DEST, with your passphrase or recovery key)."
    )


def sync_backup(folder: Path) -> bool:
    """Make keyslots.json.bak a copy of a valid keyslots.json again; True if it was rewritten.

    They differ only after a crash between the two writes of `save` (the .bak may then still
    hold the previous passphrase's slot) or when the .bak was damaged.
    """
    current = (folder / FILE_NAME).read_bytes()
    try:
        spare = (folder / BACKUP_NAME).read_bytes()
    except OSError:
        spare = b""
    if spare == current:
        return False
    atomic_write_bytes(folder / BACKUP_NAME, current)
    return True


def remove_stale_temp_files(folder: Path) -> int:
    """Delete half-written key files left by a crash mid-save; returns how many.

    They hold slots for a passphrase that never took effect, but one that would still unwrap the
    data key: an old passphrase must stop working everywhere in the folder. Call with the lock.
    """
    removed = 0
    for stale in folder.glob(f".{FILE_NAME}.*.tmp"):
        try:
            stale.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def save(folder: Path, key_file: KeySlotFile) -> None:
    """Write keyslots.json atomically, then mirror it to keyslots.json.bak.

    Order matters: at every instant at least one of the two files is complete and valid.
    If keyslots.json cannot be written (a full or read-only disk), StorageFailure says so and
    the key file is exactly as it was. Once it *is* written the change has taken effect, so a
    failure to refresh the .bak is not reported as a failure of the change (the caller would
    then tell the user that their old passphrase still works when it no longer does): the next
    open brings the .bak up to date (`sync_backup`).
    """
    data = key_file.to_bytes()
    try:
        atomic_write_bytes(folder / FILE_NAME, data)
    except OSError as exc:
        raise StorageFailure(
            f"The vault's key file could not be written in {folder} ({os_error_reason(exc)}); "
            "the keys are as they were before.") from None
    with contextlib.suppress(OSError):
        atomic_write_bytes(folder / BACKUP_NAME, data)
