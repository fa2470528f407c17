"""'Remember on this computer': the vault's data key in the OS keychain — a convenience only.

Only backends that encrypt with the user's login are accepted (Secret Service, KWallet, macOS
Keychain, Windows Credential Locker). Anything else — keyrings.alt's plaintext or "encrypted" file
backends, the null or fail backends, an unknown third-party plugin — counts as no keychain: the
option is then unavailable, never silently weaker. The passphrase and recovery key always work
without the keychain (Signal Desktop lost users' keychain copies on OS reinstalls).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from typing import Any

SERVICE = "Tandem vault key"

# Fully qualified class names of the keyring backends that are safe to hold a vault key.
TRUSTED_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
})


def _qualname(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


class Keychain:
    """The OS keychain, if a trusted one is available; resolve lazily (it can take a while)."""

    def __init__(self, backend: Any = None, trusted: frozenset[str] | None = None) -> None:
        self._backend = backend
        self._trusted = TRUSTED_BACKENDS if trusted is None else trusted
        self._resolved = backend is not None

    def _resolve(self) -> Any:
        if not self._resolved:
            self._resolved = True
            try:
                import keyring

                self._backend = keyring.get_keyring()
            except Exception:
                self._backend = None
        return self._backend

    def _secure_backend(self) -> Any:
        backend = self._resolve()
        if backend is None:
            return None
        candidates = getattr(backend, "backends", None)  # keyring's ChainerBackend
        if candidates is not None:
            trusted = [b for b in candidates if _qualname(b) in self._trusted]
            return max(trusted, key=lambda b: getattr(b, "priority", 0), default=None)
        return backend if _qualname(backend) in self._trusted else None

    @property
    def available(self) -> bool:
        """True when a trusted keychain is there to use."""
        return self._secure_backend() is not None

    @property
    def description(self) -> str:
        """Which keychain would be used, for the settings screen."""
        backend = self._secure_backend()
        if backend is None:
            return "No secure keychain is available on this computer."
        return f"Stored in {getattr(backend, 'name', type(backend).__name__)}."

    def remember(self, vault_id: str, data_key: bytes) -> None:
        """Store the key; raise RuntimeError when no trusted keychain accepts it."""
        backend = self._secure_backend()
        if backend is None:
            raise RuntimeError("No secure keychain is available on this computer.")
        backend.set_password(SERVICE, vault_id, base64.b64encode(data_key).decode("ascii"))

    def recall(self, vault_id: str) -> bytes | None:
        """The remembered key, or None (never raises: the keychain is only a convenience)."""
        backend = self._secure_backend()
        if backend is None:
            return None
        try:
            stored = backend.get_password(SERVICE, vault_id)
        except Exception:
            return None
        if not stored:
            return None
        try:
            key = base64.b64decode(stored.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return None
        return key if len(key) == 32 else None

    def forget(self, vault_id: str) -> None:
        """Remove the remembered key, if any."""
        backend = self._secure_backend()
        if backend is None:
            return
        with contextlib.suppress(Exception):
            backend.delete_password(SERVICE, vault_id)
