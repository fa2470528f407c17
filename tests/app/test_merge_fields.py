"""Merge fields: strict parsing with messages that name the problem."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InvalidInput
from app.merge_fields import FIELDS, parse


def test_fields_are_filled() -> None:
    template = parse("Dear {recipient.name}, re {client.first_name} ({{confidential}})")
    assert template.fields == ("recipient.name", "client.first_name")
    assert template.fill({"recipient.name": "Dr Hale", "client.first_name": "Zoë"}) == \
        "Dear Dr Hale, re Zoë ({confidential})"


@pytest.mark.parametrize(("text", "message"), [
    ("Dear {recipient.nam}", r"Unknown merge field \{recipient.nam\}.*recipient.name"),
    ("Dear {unknown}", r"Unknown merge field \{unknown\}"),
    ("Dear {recipient.name", "lone “{” at character 6"),
    ("Dear recipient.name}", "lone “}”"),
    ("{{client.name}", "lone “}”"),
])
def test_bad_templates_are_named(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse(text)


def test_escaped_braces_around_a_field() -> None:
    assert parse("{{{client.name}}}").fill({"client.name": "X"}) == "{X}"


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(InvalidInput, match=r"\{client.name\}"):
        parse("Re {client.name}").fill({})


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        template = parse(text)
    except InvalidInput:
        return
    template.fill(dict.fromkeys(FIELDS, "x"))
