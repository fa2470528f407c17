"""Scoring, change categories and alerts at their boundaries (measures.md §1)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InvalidInput
from app.measures import (
    AlertKind,
    ChangeCategory,
    alliance_alerts,
    change_category,
    fmt,
    item_tenths,
    load_definitions,
    mark_to_tenths,
    outcome_alerts,
    paper_total_tenths,
    parse_definition,
)
from app.resources import resource_dir

DEFS = load_definitions(resource_dir() / "measures")
ORS, SRS, CORS = DEFS["ors"], DEFS["srs"], DEFS["cors"]


def test_shipped_definitions_load_with_hashes_and_copyright() -> None:
    assert set(DEFS) == {"ors", "srs", "cors", "csrs", "vas"}
    assert [i.label for i in ORS.items] == ["Individually", "Interpersonally", "Socially",
                                            "Overall"]
    assert [i.label for i in CORS.items] == ["Me", "Family", "School", "Everything"]
    assert all(len(d.hash) == 64 and d.copyright for d in DEFS.values())


def test_a_translated_definition_replaces_the_text_and_changes_the_hash() -> None:
    raw = json.loads((resource_dir() / "measures" / "ors.json").read_text())
    raw["items"][0]["label"] = "Individuellement"
    translated = parse_definition(raw)
    assert translated.items[0].label == "Individuellement"
    assert translated.hash != ORS.hash


@pytest.mark.parametrize(("age", "cutoff", "form_ok"), [
    (40, 250, True), (18, 250, True), (17, 280, True), (13, 280, True), (12, None, False),
    (None, 250, True),
])
def test_cutoff_and_form_follow_the_age_band(age: int | None, cutoff: int | None,
                                             form_ok: bool) -> None:
    band = ORS.cutoff_for(age)
    assert (band.cutoff_tenths if band else None) == cutoff
    assert ORS.suits_age(age) is form_ok
    assert CORS.suits_age(9) and not CORS.suits_age(13)
    assert CORS.cutoff_for(9).cutoff_tenths == 320


@pytest.mark.parametrize(("position", "length", "tenths"), [
    (0, 378, 0), (378, 378, 100), (189, 378, 50), (37.8, 378, 10), (3.78, 378, 1),
    (1.88, 378, 0), (600, 600, 100), (300, 600, 50), (-5, 378, 0), (400, 378, 100),
])
def test_mark_to_score_is_the_fraction_of_the_line(position: float, length: float,
                                                   tenths: int) -> None:
    assert mark_to_tenths(position, length) == tenths


@given(st.floats(0, 1), st.sampled_from([200.0, 378.0, 567.0, 756.0, 1200.0]))
def test_score_depends_on_the_fraction_not_the_pixels(fraction: float, length: float) -> None:
    assert mark_to_tenths(fraction * length, length) == round(fraction * 100)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -0.1, 10.1, "seven", "", None, "1e9",
                                 7.25, True, [], "NaN"])
def test_bad_item_scores_are_refused_with_a_message(bad: object) -> None:
    with pytest.raises(InvalidInput):
        item_tenths(bad, ORS)


@pytest.mark.parametrize(("typed", "tenths"), [(0, 0), (10, 100), ("7.3", 73), ("7,3", 73),
                                               (9.9, 99), (0.1, 1)])
def test_typed_item_scores(typed: object, tenths: int) -> None:
    assert item_tenths(typed, ORS) == tenths


def test_paper_totals_range_over_the_whole_form() -> None:
    assert paper_total_tenths("40", ORS) == 400
    assert paper_total_tenths(24.9, ORS) == 249
    with pytest.raises(InvalidInput, match=r"between 0\.0 and 40\.0"):
        paper_total_tenths(40.1, ORS)


@pytest.mark.parametrize(("intake", "latest", "category"), [
    (200, 250, ChangeCategory.RECOVERED),          # +5.0, crosses to exactly the cutoff
    (200, 249, ChangeCategory.NO_RELIABLE_CHANGE),  # +4.9
    (240, 290, ChangeCategory.RECOVERED),
    (250, 300, ChangeCategory.RELIABLY_IMPROVED),  # intake already at the cutoff: not clinical
    (249, 299, ChangeCategory.RECOVERED),          # intake 24.9 is clinical
    (150, 200, ChangeCategory.RELIABLY_IMPROVED),  # reliable but still below the cutoff
    (300, 250, ChangeCategory.RELIABLY_DETERIORATED),  # -5.0
    (300, 251, ChangeCategory.NO_RELIABLE_CHANGE),     # -4.9
])
def test_change_categories_at_the_boundaries(intake: int, latest: int,
                                             category: ChangeCategory) -> None:
    result = change_category([intake, 230, latest], cutoff=250, reliable_change=50)
    assert result.category is category
    assert "reliable change ≥ 5.0" in result.explanation
    assert "clinical cutoff 25.0" in result.explanation


def test_not_enough_data() -> None:
    assert change_category([200], 250, 50).category is ChangeCategory.NOT_ENOUGH_DATA
    assert change_category([], 250, 50).category is ChangeCategory.NOT_ENOUGH_DATA
    assert change_category([200, 300], 320, None).category is ChangeCategory.NOT_ENOUGH_DATA


@pytest.mark.parametrize(("totals", "session", "kinds"), [
    ([300, 250], 2, [AlertKind.ORS_DETERIORATED]),
    ([300, 251], 2, []),
    ([200, 240], 4, [AlertKind.NO_IMPROVEMENT_BY_SESSION]),
    ([200, 240], 3, []),
    ([200, 250], 4, []),
])
def test_outcome_alerts(totals: list[int], session: int, kinds: list[AlertKind]) -> None:
    assert [a.kind for a in outcome_alerts(totals, 50, session, 4)] == kinds


@pytest.mark.parametrize(("items", "previous", "kinds"), [
    ([90, 90, 90, 90], None, []),                     # 36.0: not below 36
    ([90, 90, 90, 89], None, [AlertKind.SRS_TOTAL_LOW, AlertKind.SRS_ITEM_LOW]),  # 35.9
    ([100, 100, 100, 89], None, [AlertKind.SRS_ITEM_LOW]),
    ([100, 100, 95, 95], 400, [AlertKind.SRS_DROPPED]),  # drop exactly 1.0
    ([100, 100, 95, 96], 400, []),                      # drop 0.9
])
def test_alliance_alerts(items: list[int], previous: int | None,
                         kinds: list[AlertKind]) -> None:
    assert SRS.alerts is not None
    assert [a.kind for a in alliance_alerts(items, previous, SRS.alerts, SRS)] == kinds


def test_scores_print_with_one_decimal() -> None:
    assert fmt(249) == "24.9" and fmt(0) == "0.0" and fmt(400) == "40.0" and fmt(None) == "—"


@pytest.mark.parametrize("broken", [
    {}, {"format": "tandem-measure", "version": 1},
    {"format": "tandem-measure", "version": 1, "id": "x", "name": "X", "items": []},
    {"format": "tandem-measure", "version": 1, "id": "x", "name": "X",
     "items": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]},
    {"format": "tandem-measure", "version": 2},
])
def test_broken_definitions_are_refused(broken: dict) -> None:
    with pytest.raises(InvalidInput):
        parse_definition(broken)
