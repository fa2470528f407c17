"""Rules for text people type: what is stored as typed, and what is refused with a clear reason.

Emoji, right-to-left scripts, combining accents and every other printable character are kept
exactly. Refused: NUL and other control characters (they break exports and other programs, and
never come from a keyboard), and text longer than the field's limit (a 5 MB paste into a note is a
mistake, and would make every search and save slow).
"""

from __future__ import annotations

import unicodedata

from app.errors import InvalidInput

NOTE_MAX_CHARS = 200_000  # ~60 pages of dense prose per note
SHORT_MAX_CHARS = 200
LINE_BREAKS = {"\n", "\r", "\t"}


def clean_text(value: str, label: str, *, max_chars: int = SHORT_MAX_CHARS,
               multiline: bool = False, required: bool = False) -> str:
    """`value` normalised to NFC with CRLF as LF, or InvalidInput naming `label` and the problem."""
    if not isinstance(value, str):
        raise InvalidInput(f"{label} must be text.")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    if not multiline:
        text = text.strip()
    for ch in text:
        if ch in LINE_BREAKS:
            if not multiline and ch != "\t":
                raise InvalidInput(f"{label} must be on one line.")
            continue
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise InvalidInput(
                f"{label} contains an invisible control character (U+{ord(ch):04X}) that cannot "
                "be stored; it often comes from copying out of another program. Remove it and "
                "try again.")
    if len(text) > max_chars:
        raise InvalidInput(
            f"{label} is too long ({len(text):,} characters; the limit is {max_chars:,}). "
            "Nothing was saved.")
    if required and not text.strip():
        raise InvalidInput(f"{label} cannot be empty.")
    return text
