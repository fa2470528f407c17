"""Recovery keys: 136 random bits a person can copy by hand, with a checksum that catches typos.

Format: 32 characters of Crockford base32 (no I, L, O or U, so nothing looks alike) in eight groups
of four, e.g. ``7K3M-Q9XA-…``. The last 24 bits are a SHA-256 checksum of the secret, so a mistyped
character is reported as a typo before any unlocking is tried (a wrong key that happens to pass
has a 1 in 16 million chance). Typing is forgiving: case, spaces and dashes are ignored, and the
letters O, I and L are read as 0, 1 and 1.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from app.errors import RecoveryKeyTypo

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
SECRET_BYTES = 17
CHECKSUM_BYTES = 3
CHARACTERS = (SECRET_BYTES + CHECKSUM_BYTES) * 8 // 5  # 32
GROUP = 4


def _checksum(secret: bytes) -> bytes:
    return hashlib.sha256(b"tandem-recovery-key-v1" + secret).digest()[:CHECKSUM_BYTES]


def _encode(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(CHARACTERS):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


@dataclass(frozen=True)
class RecoveryKey:
    """A recovery key's secret bytes; `str()` gives the grouped form for the Emergency Kit."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != SECRET_BYTES:
            raise ValueError("a recovery key secret is 17 bytes")

    @classmethod
    def generate(cls) -> RecoveryKey:
        """A new key from the operating system's random source."""
        return cls(secrets.token_bytes(SECRET_BYTES))

    @property
    def groups(self) -> list[str]:
        """The key in groups of four characters, the way people read it aloud."""
        text = _encode(self.secret + _checksum(self.secret))
        return [text[i : i + GROUP] for i in range(0, CHARACTERS, GROUP)]

    def __str__(self) -> str:
        return "-".join(self.groups)

    def __repr__(self) -> str:  # never print the secret by accident (logs, tracebacks)
        return "RecoveryKey(<hidden>)"

    @classmethod
    def parse(cls, typed: str) -> RecoveryKey:
        """Read a key as a person typed it; raise RecoveryKeyTypo with a helpful message."""
        cleaned = "".join(ch for ch in typed.upper() if not ch.isspace() and ch not in "-_.")
        if not cleaned:
            raise RecoveryKeyTypo("Enter the recovery key from your Emergency Kit.")
        bad = sorted({ch for ch in cleaned if ch not in _DECODE})
        if bad:
            shown = ", ".join(repr(ch) for ch in bad[:3])
            raise RecoveryKeyTypo(
                f"A recovery key never contains {shown}: check the key for a typo."
            )
        if len(cleaned) != CHARACTERS:
            raise RecoveryKeyTypo(
                f"A recovery key has {CHARACTERS} characters (8 groups of 4); "
                f"this one has {len(cleaned)}."
            )
        number = 0
        for ch in cleaned:
            number = (number << 5) | _DECODE[ch]
        raw = number.to_bytes(SECRET_BYTES + CHECKSUM_BYTES, "big")
        secret, check = raw[:SECRET_BYTES], raw[SECRET_BYTES:]
        if not secrets.compare_digest(check, _checksum(secret)):
            raise RecoveryKeyTypo(
                "This recovery key does not check out: a character was probably mistyped."
            )
        return cls(secret)
