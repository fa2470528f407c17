"""Merge fields in letter templates: `{client.first_name}`, with `{{` and `}}` for braces.

Parsing is strict and happens when a template is loaded or edited, so a typo is reported then —
naming the field and where it is — and never turns into a half-filled letter. Only the fields
in FIELDS exist; each says whether it identifies the client (then a de-identified letter gets
the pseudonym or nothing in its place).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.errors import InvalidInput

FIELDS: dict[str, str] = {
    "client.name": "the client's full name (the pseudonym when de-identified)",
    "client.first_name": "the client's preferred or first name (the pseudonym when de-identified)",
    "client.pseudonym": "the client's pseudonym",
    "client.date_of_birth": "the client's date of birth (the year only when de-identified)",
    "client.age": "the client's age on the letter's date (90+ above 89)",
    "recipient.name": "the recipient's name (“colleague” when there is none)",
    "recipient.role": "the recipient's role",
    "practitioner.name": "your name",
    "practitioner.credentials": "your credentials",
    "practitioner.licence": "your licence or registration number",
    "practice.name": "the practice's name",
    "period.start": "the first day the letter covers",
    "period.end": "the last day the letter covers",
    "period.sessions": "the sessions the letter covers, e.g. “sessions 1 to 12”",
    "episode.start": "when the current episode of care began",
    "episode.end": "when the episode of care ended (“ongoing” while it continues)",
    "episode.end_reason": "why the episode of care ended",
    "today": "the letter's date",
    "sessions.total": "sessions scheduled in the period",
    "sessions.attended": "sessions attended in the period",
    "sessions.cancelled": "sessions cancelled in the period",
    "sessions.no_show": "sessions missed without notice",
    "goals": "the treatment goals, separated by semicolons",
    "outcome.measure": "the outcome measure's short name (ORS, CORS)",
    "outcome.category": "the change category in words",
    "outcome.intake": "the intake outcome total",
    "outcome.latest": "the latest outcome total",
    "outcome.change": "latest minus intake, with its sign",
    "outcome.cutoff": "the clinical cutoff used",
    "outcome.reliable_change": "the reliable-change value used",
    "outcome.rule": "the rule and values behind the change category, in one sentence",
    "alliance.mean": "the mean session rating (SRS) in the period",
    "exposure.summary": "the fear ladders and steps mastered, in one sentence",
}

IDENTIFYING: frozenset[str] = frozenset({
    "client.name", "client.first_name", "client.date_of_birth", "client.age",
    "period.start", "period.end", "episode.start", "episode.end", "today",
})
"""Fields whose value identifies the client or dates their care: a de-identified letter fills
them with the pseudonym, the year, month and year, or "90+" (measures.md §3)."""

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class Template:
    """A parsed template string: literal text and field names, in order."""

    parts: tuple[tuple[str, bool], ...]  # (text, is_field)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the text uses."""
        return tuple(text for text, is_field in self.parts if is_field)

    def fill(self, values: Mapping[str, str],
             literal: Callable[[str], str] | None = None) -> str:
        """The text with every field replaced; a missing value is an error, never blank.

        `literal`, when given, rewrites the template's own words (not the values): a
        de-identified letter passes the user's template text through the de-identifier while
        the values, already chosen for de-identification, are left as they are.
        """
        out = []
        for text, is_field in self.parts:
            if is_field:
                if text not in values:
                    raise InvalidInput(f"No value for the merge field {{{text}}}.")
                out.append(values[text])
            else:
                out.append(literal(text) if literal is not None else text)
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
