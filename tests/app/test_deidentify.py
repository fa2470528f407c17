"""Safe Harbor de-identification, and the final check that refuses anything left behind."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.deidentify import Identifiers, deidentify, remaining_identifiers

ZOE = Identifiers.build(
    "Rowan 27", "Zoë Ñúñez-O'Brien", "Zo", phones=["+44 20 7946 0123"],
    emails=["zoe.n@example.org"], address="14 Larch Crescent\nLeeds LS6 2AB",
    dates=[date(1996, 4, 3)], others=["Dr Imogen Hale", "NHS 943 476 5919"])


@pytest.mark.parametrize("text", [
    "Zoë attended all sessions.", "ZOË said", "zoe's mother", "Ms Ñúñez-O'Brien",
    "O'Brien family", "Ñúñez", "Zoë Ñúñez-O'Brien (DOB 03/04/1996)",
    "Born 1996-04-03.", "Call 020 7946 0123", "Email zoe.n@example.org",
    "Lives at 14 Larch Crescent, Leeds LS6 2AB", "Referred by Dr Imogen Hale",
    "NHS 943 476 5919",
])
def test_identifiers_are_removed_and_the_check_passes(text: str) -> None:
    clean = deidentify(text, ZOE)
    assert remaining_identifiers(clean, ZOE) == [], clean


def test_the_name_becomes_the_pseudonym_and_reads_naturally() -> None:
    assert deidentify("Zoë's mood improved; Zoë walked.", ZOE) == \
        "Rowan 27's mood improved; Rowan 27 walked."


def test_dates_become_month_and_year() -> None:
    text = "Seen on 2026-11-23, 02/10/2026, 5 March 2026 and October 9, 2026."
    assert deidentify(text, ZOE) == (
        "Seen on November 2026, October 2026, March 2026 and October 2026.")


def test_ages_over_89_are_grouped() -> None:
    assert deidentify("a 93-year-old widow", ZOE) == "a 90+-year-old widow"
    assert deidentify("a 45 year old", ZOE) == "a 45 year old"


def test_words_that_only_contain_a_name_are_kept() -> None:
    ids = Identifiers.build("Oak 11", "Ann Lee")
    assert deidentify("Annual plan; Leeds; Ann and Lee.", ids) == \
        "Annual plan; Leeds; Oak 11 and Oak 11."


def test_the_final_check_names_what_it_found() -> None:
    found = remaining_identifiers("Zoe called from 07946 0123 about 03/04/1996", ZOE)
    assert "name “Zoë”" in found
    assert any(f.startswith("exact date") for f in found)


@given(st.sampled_from(["Zoë", "Ñúñez-O'Brien", "zoe", "O'BRIEN", "Zo"]),
       st.text(alphabet=st.characters(categories=("L", "Zs", "P")), max_size=40))
def test_names_inside_any_prose_are_caught(name: str, prose: str) -> None:
    text = f"{prose} {name} {prose}"
    assert remaining_identifiers(deidentify(text, ZOE), ZOE) == []
