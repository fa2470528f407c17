"""Hostile inputs for the property tests, and how many of them to try.

`examples(n)`: hypothesis settings with n examples in CI, scaled by `TANDEM_HOSTILE_SCALE` for a
long run (e.g. 20 → twenty times as many). Run with `--hypothesis-show-statistics` to see how
many inputs each test really tried.
"""

from __future__ import annotations

import math
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.storage.test_portability import corrupt as set_at  # noqa: F401 - shared helper

SCALE = float(os.environ.get("TANDEM_HOSTILE_SCALE", "1"))


def examples(n: int) -> settings:
    """Settings for a property test: n examples (scaled), no deadline (the vault has an fsync)."""
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture,
                                           HealthCheck.filter_too_much])


# Characters that break naive code: NUL and other controls, a lone surrogate (not valid UTF-8),
# bidirectional overrides and marks, a byte-order mark, joiners, combining accents, emoji with
# skin tones and ZWJ sequences, line and paragraph separators, the replacement character.
ODD_CHARACTERS = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\ud800", "\udfff",
                  "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff",
                  "\u200b", "\u200d", "\u0301", "e\u0301", "\U0001F469\u200d\U0001F4BB",
                  "\U0001F44D\U0001F3FD", "\u2028", "\u2029", "\ufffd", "\r", "\r\n", "\t",
                  "\n", "שלום", "مرحبا", "漢字", "Zoë", "'", '"', "\\", "%", "_", "*", "{", "}"]

odd_text = st.lists(st.sampled_from(ODD_CHARACTERS) | st.text(max_size=8), max_size=30).map(
    "".join)
any_text = (st.text(st.characters(exclude_categories=()), max_size=200)  # surrogates included
            | odd_text)

json_scalars = (st.none() | st.booleans() | st.integers()
                | st.integers(min_value=10**20, max_value=10**400)
                | st.floats(allow_nan=True, allow_infinity=True)
                | st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308, -1, 0, 1.5])
                | any_text)
json_junk: st.SearchStrategy[Any] = st.recursive(
    json_scalars, lambda children: st.lists(children, max_size=4)
    | st.dictionaries(any_text, children, max_size=4), max_leaves=20)


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value: object keys and list indices, containers included."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += json_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += json_paths(item, (*prefix, index))
    return found


def deep(depth: int, leaf: Any = 1) -> Any:
    """A value nested `depth` lists deep."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value
