"""De-identification by the HIPAA Safe Harbor rules (45 CFR 164.514(b)(2)), for supervision.

Two halves, deliberately separate:
- `deidentify` rewrites text: the client's names (full, first, last, preferred, in any case, as
  whole words) become the pseudonym; dates become month and year; phone numbers, e-mail
  addresses, the client's address lines and ID numbers are removed; ages over 89 read "90+".
- `remaining_identifiers` is the final check: it scans finished text (and PDF metadata) for
  every identifier of the client and names what it finds. A document is written only when it
  finds nothing — so a bug in the first half can never leak, it can only refuse.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

REMOVED = "[removed]"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_MONTH_NAMES = "|".join(m for m in _MONTHS) + "|" + "|".join(m[:3] for m in _MONTHS)
_DATE_PATTERNS = (
    # 2026-11-23
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: _month_year(int(m[1]), int(m[2]))),
    # 23/11/2026, 23.11.2026, 11/23/2026 (day/month ambiguity: both give the same year; the
    # month is taken as the larger-than-12-safe reading)
    (re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"),
     lambda m: _month_year(int(m[3]), int(m[2]) if int(m[2]) <= 12 else int(m[1]))),
    # 23 November 2026, 23rd Nov 2026
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})\b",
                re.IGNORECASE), lambda m: f"{_month_name(m[2])} {m[3]}"),
    # November 23, 2026
    (re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b",
                re.IGNORECASE), lambda m: f"{_month_name(m[1])} {m[3]}"),
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d\s().-]{6,}\d)(?!\w)")
_LONG_NUMBER = re.compile(r"\b[A-Z]{0,3}\d{6,}[A-Z]?\b")
_AGE = re.compile(r"\b(9\d|1[0-4]\d)(\s*-?\s*(?:years?|yrs?)[\s-]*old|\s*y/?o\b)", re.IGNORECASE)


def _month_year(year: int, month: int) -> str:
    return f"{_MONTHS[month - 1]} {year}" if 1 <= month <= 12 else str(year)


def _month_name(text: str) -> str:
    key = text[:3].lower()
    return next(m for m in _MONTHS if m[:3].lower() == key)


# Typographic apostrophes and hyphens read as the plain ones: "O’Brien" is "O'Brien".
_EQUIVALENTS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'", "‐": "-",
                              "‑": "-", "‒": "-", "–": "-", "−": "-"})


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, so 'ZOË' and 'Zoe' are found as 'Zoë'.

    Invisible format characters (zero-width space, soft hyphen, direction marks) are dropped,
    so a name with one hidden inside it is still the name.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_EQUIVALENTS))
    return "".join(ch for ch in decomposed
                   if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each folded character the index of its original character."""
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = _fold(ch)  # "" for a format character: a match around it still covers it
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _replace_folded(text: str, pattern: re.Pattern[str], replace: str,
                    keep_possessive: bool = False) -> str:
    """Replace every match of `pattern` (written for folded text) in the original `text`."""
    folded, origin = _fold_with_positions(text)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1, m[0].endswith("'s"))
             for m in pattern.finditer(folded) if m.end() > m.start()]
    for start, end, possessive in reversed(spans):
        suffix = "'s" if keep_possessive and possessive else ""
        text = text[:start] + replace + suffix + text[end:]
    return text


@dataclass(frozen=True)
class Identifiers:
    """Everything that identifies one client, and the pseudonym that replaces their name."""

    pseudonym: str
    names: tuple[str, ...]  # full name, each part, preferred name
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    address_lines: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()  # date of birth and other exact dates
    others: tuple[str, ...] = field(default_factory=tuple)  # referrer name, ID numbers…

    @classmethod
    def build(cls, pseudonym: str, full_name: str, preferred_name: str = "",
              phones: Iterable[str] = (), emails: Iterable[str] = (), address: str = "",
              dates: Iterable[date] = (), others: Iterable[str] = ()) -> Identifiers:
        """Collect identifiers, splitting names into parts (hyphenated and apostrophe forms)."""
        parts: list[str] = []
        for name in (full_name, preferred_name):
            name = name.strip()
            if not name:
                continue
            parts.append(name)
            for piece in re.split(r"[\s]+", name):
                parts.append(piece)
                parts.extend(p for p in re.split(r"[-‐]", piece) if p != piece)
        # Two letters or fewer would match everywhere ("Al", "Jo"): keep whole names only.
        names = tuple(dict.fromkeys(p for p in parts if len(p) >= 3 or p == full_name))
        lines = tuple(line.strip() for line in address.splitlines() if len(line.strip()) >= 4)
        return cls(pseudonym, names, tuple(p for p in phones if p.strip()),
                   tuple(e for e in emails if e.strip()), lines, tuple(dates),
                   tuple(o for o in others if len(o.strip()) >= 3))


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(re.escape(n) for n in ordered)
    return re.compile(rf"(?<![\w])(?:{alternatives})(?:'s)?(?![\w])", re.IGNORECASE)


def deidentify(text: str, ids: Identifiers) -> str:
    """`text` with the client's identifiers replaced or removed (see the module docstring)."""
    # Everything is matched on an accent- and case-folded copy ('Zoe', 'ZOË' are 'Zoë'; an
    # address typed without its accents is still the address), then the matching span of the
    # original is replaced through a position map (folding may change lengths).
    out = text
    for line in ids.address_lines:
        out = _replace_folded(out, re.compile(re.escape(_fold(line))), REMOVED)
    out = _EMAIL.sub(REMOVED, out)
    for other in ids.others:
        out = _replace_folded(out, re.compile(rf"(?<!\w){re.escape(_fold(other))}(?!\w)"),
                              REMOVED)
    pattern = _name_pattern(_fold(n) for n in ids.names)
    if pattern is not None:
        out = _replace_folded(out, pattern, ids.pseudonym, keep_possessive=True)
    for regex, replace in _DATE_PATTERNS:
        out = regex.sub(replace, out)
    out = _AGE.sub(lambda m: f"90+{m[2]}", out)
    out = _PHONE.sub(lambda m: REMOVED if sum(c.isdigit() for c in m[0]) >= 7 else m[0], out)
    out = _LONG_NUMBER.sub(REMOVED, out)
    return out


def remaining_identifiers(text: str, ids: Identifiers) -> list[str]:
    """Every identifier of the client still in `text` (empty list: safe to write)."""
    found: list[str] = []
    folded = _fold(text)
    for name in ids.names:
        if re.search(rf"(?<![\w]){re.escape(_fold(name))}(?![\w])", folded):
            found.append(f"name “{name}”")
    digits_only = re.sub(r"\D", "", text)
    for phone in ids.phones:
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 7 and digits[-7:] in digits_only:
            found.append(f"phone number ending {digits[-4:]}")
    for email in ids.emails:
        if email.casefold() in text.casefold():
            found.append(f"e-mail address “{email}”")
    for line in ids.address_lines:
        if _fold(line) in folded:
            found.append(f"address line “{line}”")
    for day in ids.dates:
        forms = {day.isoformat(), f"{day.day:02d}/{day.month:02d}/{day.year}",
                 f"{day.day}/{day.month}/{day.year}", f"{day.month:02d}/{day.day:02d}/{day.year}",
                 f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
                 f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"}
        if any(form.casefold() in text.casefold() for form in forms):
            found.append(f"exact date {day.isoformat()}")
    for other in ids.others:
        if _fold(other) in folded:
            found.append(f"“{other}”")
    return found
