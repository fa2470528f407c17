"""Errors a person can act on. Each carries a message written for the user, and an exit code.

The command line maps them to exit codes and the window shows their message, so both say the same
thing. Nothing here may contain client data: messages name files and vaults, never records.
"""

from __future__ import annotations


class TandemError(Exception):
    """Base for failures with a clear, user-facing message."""

    exit_code = 1

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        return str(self.args[0]) if self.args else self.__class__.__name__


class UsageError(TandemError):
    """The request itself is malformed (a bad argument, a missing value)."""

    exit_code = 2


class WrongSecret(TandemError):
    """The passphrase, recovery key or remembered key does not open this vault."""

    exit_code = 3


class RecoveryKeyTypo(WrongSecret):
    """A recovery key failed its checksum: caught before any unlocking is attempted."""


class VaultUnavailable(TandemError):
    """The vault is missing, damaged or unreadable; nothing was changed."""

    exit_code = 4


class NotAVault(VaultUnavailable):
    """The folder exists but holds no Tandem vault."""


class VaultDamaged(VaultUnavailable):
    """The vault's files exist but failed a check (truncated, corrupted, tampered)."""


class KeySlotsDamaged(VaultDamaged):
    """Both keyslots.json and keyslots.json.bak are missing or invalid."""


class VaultAlreadyOpen(TandemError):
    """Another Tandem process holds the vault's lock."""

    exit_code = 5


class VaultTooNew(TandemError):
    """The vault was written by a newer Tandem; it is left untouched."""

    exit_code = 6


class StorageFailure(TandemError):
    """The disk refused a write (full, read-only, gone); the change was not applied."""

    exit_code = 4


class InvalidInput(TandemError):
    """Input that a person typed or imported is out of range or malformed."""

    exit_code = 2
