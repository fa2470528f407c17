"""Merge fields in letter templates: `{client.first_name}`, with `{{` and `}}` for braces.

Parsing is strict and happens when a template is loaded or edited, so a typo is reported then —
naming the field and where it is — and never turns into a half-filled letter. Only the fields
in FIELDS exist; each says whether it identifies the client (then a de-identified letter gets
the pseudonym or nothing in its place).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.errors import InvalidInput

FIELDS: dict[str, str] = {
    "client.name": "the client's full name",
    "client.first_name": "the client's preferred or first name",
    "client.date_of_birth": "the client's date of birth",
    "client.age": "the client's age",
    "recipient.name": "the recipient's name",
    "recipient.role": "the recipient's role",
    "practitioner.name": "your name",
    "practitioner.credentials": "your credentials",
    "practice.name": "the practice's name",
    "period.start": "the first day the letter covers",
    "period.end": "the last day the letter covers",
    "today": "the letter's date",
    "sessions.attended": "sessions attended in the period",
    "sessions.cancelled": "sessions cancelled in the period",
    "sessions.no_show": "sessions missed without notice",
    "outcome.category": "the change category in words",
    "outcome.intake": "the intake outcome total",
    "outcome.latest": "the latest outcome total",
}

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class Template:
    """A parsed template string: literal text and field names, in order."""

    parts: tuple[tuple[str, bool], ...]  # (text, is_field)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the text uses."""
        return tuple(text for text, is_field in self.parts if is_field)

    def fill(self, values: Mapping[str, str]) -> str:
        """The text with every field replaced; a missing value is an error, never blank."""
        out = []
        for text, is_field in self.parts:
            if is_field:
                if text not in values:
                    raise InvalidInput(f"No value for the merge field {{{text}}}.")
                out.append(values[text])
            else:
                out.append(text)
        return "".join(out)


def parse(text: str, where: str = "the template") -> Template:
    """Parse `text`; InvalidInput names an unknown field, or a stray or nested brace."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            parts.append((text[position:match.start()], False))
        token = match.group(0)
        if token == "{{":
            parts.append(("{", False))
        elif token == "}}":
            parts.append(("}", False))
        elif token in "{}":
            column = match.start() + 1
            raise InvalidInput(
                f"A lone “{token}” at character {column} of {where}: write {{{{ or }}}} for a "
                "brace, or close the merge field.")
        else:
            name = match.group(1).strip()
            if name not in FIELDS:
                near = difflib.get_close_matches(name, list(FIELDS), n=2, cutoff=0.7)
                hint = f" Did you mean {{{near[0]}}}?" if near else ""
                raise InvalidInput(f"Unknown merge field {{{name}}} in {where}.{hint}")
            parts.append((name, True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return Template(tuple(parts))
