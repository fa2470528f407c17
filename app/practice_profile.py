"""The practice profile: who the practitioner is, as printed on letterheads and signatures.

It describes the practitioner, not clients, but it still lives inside the encrypted vault (a
practice's address and licence number are nobody else's business) and travels with backups.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from app.errors import InvalidInput
from app.text import clean_text

MAX_IMAGE_BYTES = 2 * 1024 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


@dataclass(frozen=True)
class PracticeProfile:
    """The letterhead and signature block."""

    practitioner_name: str = ""
    credentials: str = ""
    licence_number: str = ""
    practice_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""

    def to_json(self) -> dict[str, str]:
        """The profile as stored."""
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Any) -> PracticeProfile:
        """A stored profile; unknown keys are ignored and bad values read as empty."""
        if not isinstance(raw, dict):
            return cls()
        values = {f.name: raw.get(f.name, "") for f in fields(cls)}
        return cls(**{k: v if isinstance(v, str) else "" for k, v in values.items()})


def validate_profile(profile: PracticeProfile) -> PracticeProfile:
    """The profile cleaned, or InvalidInput naming the field."""
    labels = {"practitioner_name": "Your name", "credentials": "Credentials",
              "licence_number": "Licence number", "practice_name": "Practice name",
              "address": "Address", "phone": "Phone", "email": "Email"}
    cleaned = {}
    for name, label in labels.items():
        cleaned[name] = clean_text(getattr(profile, name), label,
                                   max_chars=1000 if name == "address" else 200,
                                   multiline=name == "address")
    if cleaned["email"] and "@" not in cleaned["email"]:
        raise InvalidInput("The email address does not look like one (name@example.org).")
    return PracticeProfile(**cleaned)


def check_image(data: bytes, label: str) -> str:
    """The image's type ("png" or "jpeg"), or InvalidInput: logos and signatures only."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(f"The {label} image is larger than 2 MB; use a smaller file.")
    if data.startswith(_PNG):
        return "png"
    if data.startswith(_JPEG):
        return "jpeg"
    raise InvalidInput(f"The {label} must be a PNG or JPEG image.")
