"""Key material: random data keys, Argon2id and HKDF key derivation, AES-256-GCM key wrapping.

The vault's data key is random and never derived from the passphrase, so changing the passphrase
only re-wraps 32 bytes and the database is never rewritten (Cryptomator, LUKS). Each way in — the
passphrase, the recovery key — derives its own key-encryption key and wraps the data key with
AES-256-GCM; the AAD binds the wrap to the vault id and slot name, so a slot cannot be moved to
another vault or another slot name.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import WrongSecret

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
TARGET_SECONDS = 0.5
KDF_PROFILE_ENV = "TANDEM_KDF_PROFILE"


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters, stored beside each passphrase slot so they can grow over time."""

    memory_kib: int
    time_cost: int
    parallelism: int

    # Bounds on what a key file may ask for: a tampered file must not make us allocate 64 GiB,
    # nor accept parameters too weak to matter.
    MIN_MEMORY_KIB = 19 * 1024
    MAX_MEMORY_KIB = 4 * 1024 * 1024
    MAX_TIME_COST = 64
    MAX_PARALLELISM = 16

    def check(self) -> None:
        """Raise ValueError when the parameters are outside the range Tandem ever writes."""
        if not (self.MIN_MEMORY_KIB <= self.memory_kib <= self.MAX_MEMORY_KIB):
            raise ValueError(f"Argon2 memory {self.memory_kib} KiB out of range")
        if not (1 <= self.time_cost <= self.MAX_TIME_COST):
            raise ValueError(f"Argon2 time cost {self.time_cost} out of range")
        if not (1 <= self.parallelism <= self.MAX_PARALLELISM):
            raise ValueError(f"Argon2 parallelism {self.parallelism} out of range")

    def as_dict(self) -> dict[str, int]:
        """The JSON form stored in the key slot."""
        return asdict(self)


# The OWASP minimum (19 MiB, t=2, p=1): ~20 ms. Only selected explicitly, for the test suite and
# scripted benchmarks, through TANDEM_KDF_PROFILE=minimum; it is still a real memory-hard KDF.
MINIMUM_PARAMS = Argon2Params(memory_kib=19 * 1024, time_cost=2, parallelism=1)
_BASE_PARAMS = Argon2Params(memory_kib=256 * 1024, time_cost=3, parallelism=4)


def random_key() -> bytes:
    """A fresh 256-bit key from the OS random source."""
    return secrets.token_bytes(KEY_BYTES)


def argon2id(secret: bytes, salt: bytes, params: Argon2Params) -> bytes:
    """Derive a 256-bit key-encryption key from a passphrase."""
    params.check()
    return hash_secret_raw(secret, salt, params.time_cost, params.memory_kib,
                           params.parallelism, KEY_BYTES, Type.ID)


def calibrated_params(target_seconds: float = TARGET_SECONDS) -> Argon2Params:
    """Parameters that take about `target_seconds` on this machine (256 MiB, t ≥ 3, p = 4).

    Memory is fixed (memory is what makes GPU guessing expensive); the time cost scales.
    """
    if os.environ.get(KDF_PROFILE_ENV) == "minimum":
        return MINIMUM_PARAMS
    start = time.perf_counter()
    argon2id(b"calibration", b"\0" * SALT_BYTES, _BASE_PARAMS)
    elapsed = max(time.perf_counter() - start, 1e-3)
    time_cost = round(_BASE_PARAMS.time_cost * target_seconds / elapsed)
    time_cost = min(max(time_cost, _BASE_PARAMS.time_cost), 12)
    return Argon2Params(_BASE_PARAMS.memory_kib, time_cost, _BASE_PARAMS.parallelism)


def hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    """Derive a key from a high-entropy secret (the recovery key): no stretching needed."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


def wrap(kek: bytes, data_key: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """Encrypt `data_key` under `kek`; returns (nonce, ciphertext-with-tag)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(kek).encrypt(nonce, data_key, aad)


def unwrap(kek: bytes, nonce: bytes, wrapped: bytes, aad: bytes) -> bytes:
    """Decrypt a wrapped data key; a wrong secret fails authentication: WrongSecret."""
    try:
        key = AESGCM(kek).decrypt(nonce, wrapped, aad)
    except InvalidTag:
        raise WrongSecret("That passphrase does not open this vault.") from None
    if len(key) != KEY_BYTES:
        raise WrongSecret("That passphrase does not open this vault.")
    return key
