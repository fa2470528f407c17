"""Anything typed into the search box is a valid query, and means what a person expects."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlcipher3 import dbapi2 as sqlcipher

from app.search import parse_query

NOTES = [
    "The client reported panic attacks at night.",
    "Zoë’s sleep improved; she walked to the station AND back.",
    "Exposure near the station: step 4 of the ladder.",
    "O'Brien family session about school refusal.",
]


@pytest.fixture(scope="module")
def index() -> sqlcipher.Connection:
    conn = sqlcipher.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(b, tokenize='unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO f(rowid, b) VALUES (?, ?)", enumerate(NOTES, start=1))
    return conn


def matches(index: sqlcipher.Connection, typed: str) -> list[int]:
    query = parse_query(typed)
    if query is None:
        return []
    return [r[0] for r in index.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid",
                                        (query.fts,))]


@pytest.mark.parametrize(("typed", "expected"), [
    ("panic", [1]),
    ("PANIC", [1]),
    ("pan*", [1]),
    ('"panic attacks"', [1]),
    ('"attacks panic"', []),
    ("station", [2, 3]),
    ("station step", [3]),
    ("zoe", [2]),
    ("Zoë", [2]),
    ("o'brien", [4]),
    ("NEAR(", [3]),
    ("AND", [2]),
    ('"panic attacks', [1]),  # a phrase still being typed
    ('"unbalanced panic', []),
    ("-panic", [1]),
])
def test_queries_find_what_a_person_means(index: sqlcipher.Connection, typed: str,
                                          expected: list[int]) -> None:
    assert matches(index, typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "***", '""', "()", "-", "\x00", "^:"])
def test_nothing_searchable_is_no_query(typed: str) -> None:
    assert parse_query(typed) is None


def test_highlight_words_are_the_plain_terms() -> None:
    query = parse_query('pan* "night terrors" -x')
    assert query is not None
    assert query.words == ("pan", "night", "terrors", "x")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
       | st.lists(st.sampled_from(['"', "*", "-", "AND", "OR", "NOT", "NEAR(", ")", "(", ":",
                                   "^", "panic", " ", "+", "{", "}"]),
                  max_size=12).map("".join))
def test_any_text_is_a_valid_query(index: sqlcipher.Connection, typed: str) -> None:
    matches(index, typed)  # must not raise
