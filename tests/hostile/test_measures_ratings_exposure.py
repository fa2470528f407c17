"""Hostile measure definitions, rating values and exposure ratings: a message, never a crash.

- A measure definition file with any value replaced by junk is loaded or refused with
  InvalidInput; a folder holding such a file still loads every good definition.
- A rating value (typed, imported or handed over by the client screen) that is NaN, infinite,
  negative, above 10, text, None, a bool or astronomically large is refused with a message and
  nothing is stored; a valid one is stored exactly.
- SUDS and expectancy ratings, trials and progression rules likewise.
"""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.clients import ClientDetails
from app.errors import InvalidInput
from app.exposure import (
    ProgressionRule,
    RuleKind,
    StepDraft,
    TrialRecord,
    check_suds,
    validate_rule,
    validate_trial,
)
from app.measures import (
    item_tenths,
    load_definitions,
    mark_to_tenths,
    paper_total_tenths,
    parse_definition,
)
from app.notes import load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from storage.exposure import ExposureStore
from storage.practice import PracticeStore
from storage.ratings import RatingInput, RatingsStore
from storage.vault import Vault
from tests.hostile.strategies import any_text, examples, json_junk, json_paths, set_at
from tests.support.vaults import snapshot

MEASURES = resource_dir() / "measures"
DEFINITIONS = load_definitions(MEASURES)
ORS = DEFINITIONS["ors"]
RAW = {path.stem: json.loads(path.read_text("utf-8")) for path in MEASURES.glob("*.json")}
TEMPLATES = load_templates(resource_dir() / "templates")

HOSTILE_NUMBERS = [math.nan, math.inf, -math.inf, -0.1, -1, 10.01, 10.1, 11, 100, 1e308, -1e308,
                   10**400, -(10**400), True, False, None, "", " ", "seven", "NaN", "inf", "1e308",
                   "7,3", "7.35", "٧", "²", "--5", "0x7", [], {}, "9" * 5000, 7.25, 5e-324]


@examples(300)
@given(data=st.data())
def test_any_junk_in_a_measure_definition_is_loaded_or_refused(data: Any) -> None:
    original = RAW[data.draw(st.sampled_from(sorted(RAW)), label="measure")]
    path = data.draw(st.sampled_from(json_paths(original)), label="path")
    raw = set_at(original, path,
                 data.draw(json_junk | st.sampled_from(HOSTILE_NUMBERS), label="junk"))
    try:
        definition = parse_definition(raw)
    except InvalidInput as exc:
        assert exc.message and len(exc.message) < 500, exc.message[:500]
        return
    # Accepted: it must be usable for scoring without surprises.
    assert 1 <= len(definition.items) <= 20
    assert 10 <= definition.item_max_tenths <= 1000
    assert definition.max_total_tenths == definition.item_max_tenths * len(definition.items)


@pytest.mark.parametrize("junk", [[1, 2], "teen", 5, None, {"min": "x"}, {"min": 1e400},
                                  {"min": 10**400}, {"max": math.inf}])
def test_odd_age_ranges_are_refused_not_fatal(junk: Any) -> None:
    raw = copy.deepcopy(RAW["ors"])
    raw["ages"] = junk
    try:
        parse_definition(raw)
    except InvalidInput as exc:
        assert "age" in exc.message.lower() or "malformed" in exc.message


@pytest.mark.parametrize(("key", "junk"), [
    ("item_max", 1e308), ("item_max", 10**400), ("reliable_change", 1e308),
    ("reliable_change", -(10**400)), ("cutoffs", [{"min_age": 1e400, "cutoff": 25}]),
    ("cutoffs", [{"min_age": math.inf, "cutoff": 25}]), ("cutoffs", [{"min_age": 18,
                                                                     "cutoff": 1e308}]),
    ("alerts", {"total_below": 1e308, "item_below": 9, "drop_at_least": 1}),
    ("items", [["id", "label"]]), ("items", ["x"]), ("cutoffs", "none"), ("alerts", []),
])
def test_numbers_and_shapes_beyond_any_range_are_refused(key: str, junk: Any) -> None:
    raw = copy.deepcopy(RAW["ors"])
    raw[key] = junk
    with pytest.raises(InvalidInput):
        parse_definition(raw)


@pytest.mark.parametrize("content", [
    b'{"format": "tandem-measure", "version": 1, "ages": [1]}', b"[1, 2]", b"\xff\xfe",
    b'"tandem-measure"', b"[" * 100_000, b'{"format": "tandem-measure", "version": 1, '
    b'"item_max": ' + b"9" * 5000 + b"}", b"null",
])
def test_a_broken_definition_file_never_stops_the_others_loading(tmp_path: Path,
                                                                 content: bytes) -> None:
    for name, raw in RAW.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(raw), "utf-8")
    (tmp_path / "zz-broken.json").write_bytes(content)
    assert set(load_definitions(tmp_path)) == set(DEFINITIONS)


@examples(200)
@given(value=st.sampled_from(HOSTILE_NUMBERS) | st.floats() | st.integers() | any_text
       | st.decimals(allow_nan=True).map(str))
def test_item_and_total_scores_are_a_number_in_range_or_refused(value: Any) -> None:
    for convert, high in ((lambda v: item_tenths(v, ORS), 100),
                          (lambda v: paper_total_tenths(v, ORS), 400)):
        try:
            tenths = convert(value)
        except InvalidInput as exc:
            assert exc.message
        else:
            assert isinstance(tenths, int) and 0 <= tenths <= high


@examples(100)
@given(position=st.floats() | st.integers(), length=st.floats() | st.integers())
def test_a_mark_anywhere_is_a_score_or_refused(position: Any, length: Any) -> None:
    try:
        tenths = mark_to_tenths(position, length)
    except InvalidInput:
        return
    assert 0 <= tenths <= 100


@pytest.fixture
def ratings_vault(vault_factory: Any) -> tuple[Vault, int, int]:
    vault, _ = vault_factory("Ratings")
    store = PracticeStore(vault, TEMPLATES)
    client = store.create_client(ClientDetails("Rated Client")).result().id
    session = store.create_session(client, SessionDetails(date(2026, 1, 5))).result().id
    return vault, client, session


@examples(120)
@given(mode=st.sampled_from(["screen", "paper_items", "paper_total", "", "email", None]),
       measure=st.sampled_from(["ors", "srs", "cors", "vas", "nope", ""]),
       items=st.lists(st.sampled_from(HOSTILE_NUMBERS) | st.integers(-5, 120), max_size=6),
       total=st.sampled_from(HOSTILE_NUMBERS) | st.integers(-5, 500) | st.none(),
       capture=st.none() | st.dictionaries(st.text(max_size=5), json_junk, max_size=3))
def test_hostile_ratings_are_refused_and_nothing_is_stored(
        ratings_vault: tuple[Vault, int, int], mode: Any, measure: Any, items: list[Any],
        total: Any, capture: Any) -> None:
    vault, client, session = ratings_vault
    store = RatingsStore(vault, DEFINITIONS)
    before = vault.call(snapshot)
    rating = RatingInput(client, session, measure, mode, tuple(items),
                         None if mode != "paper_total" else total, capture=capture)
    try:
        stored = store.record(rating).result()
    except InvalidInput as exc:
        assert exc.message and len(exc.message) < 300
        assert vault.call(snapshot) == before
        return
    definition = DEFINITIONS[measure]
    assert 0 <= stored.total <= definition.max_total_tenths
    assert all(0 <= v <= definition.item_max_tenths for v in stored.items)
    store.summary(client).result()  # the trajectory still computes


@pytest.mark.parametrize("total", ["", "36.0", 36.0, None, math.nan, True, -1, 401, 10**400])
def test_a_paper_total_that_is_not_whole_tenths_in_range_is_refused(
        ratings_vault: tuple[Vault, int, int], total: Any) -> None:
    vault, client, session = ratings_vault
    before = vault.call(snapshot)
    with pytest.raises(InvalidInput) as info:
        RatingsStore(vault, DEFINITIONS).record(
            RatingInput(client, session, "ors", "paper_total", (), total)).result()
    assert "total" in info.value.message
    assert vault.call(snapshot) == before


@pytest.mark.parametrize("capture", [{"dpi": math.nan}, {"\ud800": 1}, {"x": "\udfff"},
                                     {"n": 10**400}, {"obj": object()},
                                     {"deep": [[[[[[[[[[1]]]]]]]]]]}, "not a mapping"])
def test_odd_capture_details_never_cost_the_rating(ratings_vault: tuple[Vault, int, int],
                                                   capture: Any) -> None:
    vault, client, session = ratings_vault
    stored = RatingsStore(vault, DEFINITIONS).record(
        RatingInput(client, session, "ors", "screen", (50, 61, 72, 83),
                    capture=capture)).result()
    assert stored.total == 266
    raw = vault.call(lambda c: c.execute("SELECT capture FROM measure_administrations WHERE "
                                         "id = ?", (stored.id,)).fetchone()[0])
    json.loads(raw)  # standard JSON (no NaN), readable by the export


@pytest.mark.parametrize("value", [*HOSTILE_NUMBERS, "101", "-1", "50 ", 100.0, 3.5])
def test_suds_values_are_whole_numbers_0_to_100_or_refused(value: Any) -> None:
    try:
        checked = check_suds(value, "SUDS", optional=False)
    except InvalidInput as exc:
        assert exc.message.startswith("SUDS")
    else:
        assert isinstance(checked, int) and 0 <= checked <= 100


_trial_numbers = st.sampled_from(HOSTILE_NUMBERS) | st.integers(-5, 150) | st.none()


@examples(150)
@given(before=_trial_numbers, peak=_trial_numbers, after=_trial_numbers,
       exp_before=_trial_numbers, exp_after=_trial_numbers,
       readings=st.lists(st.tuples(_trial_numbers, _trial_numbers)
                         | st.tuples(_trial_numbers) | st.tuples(st.integers(0, 60),
                                                                 st.integers(0, 100),
                                                                 st.integers()),
                         max_size=4),
       minutes=_trial_numbers, text=any_text)
def test_hostile_trials_are_refused_with_a_message(before: Any, peak: Any, after: Any,
                                                   exp_before: Any, exp_after: Any,
                                                   readings: list[Any], minutes: Any,
                                                   text: str) -> None:
    trial = TrialRecord(datetime(2026, 1, 5, 9, tzinfo=UTC), suds_before=before,
                        suds_peak=peak, suds_after=after, expectancy_before=exp_before,
                        expectancy_after=exp_after, suds_readings=tuple(readings),
                        planned_minutes=minutes, place=text, learned=text)
    try:
        checked = validate_trial(trial)
    except InvalidInput as exc:
        assert exc.message
        return
    for value in (checked.suds_before, checked.suds_peak, checked.suds_after,
                  checked.expectancy_before, checked.expectancy_after):
        assert value is None or (isinstance(value, int) and 0 <= value <= 100)
    assert all(isinstance(m, int) and isinstance(s, int) for m, s in checked.suds_readings)


@examples(80)
@given(drop=_trial_numbers, start=_trial_numbers, expectancy=_trial_numbers,
       consecutive=_trial_numbers)
def test_hostile_progression_rules_are_refused(drop: Any, start: Any, expectancy: Any,
                                               consecutive: Any) -> None:
    for kind in RuleKind:
        rule = ProgressionRule(kind, drop, start, expectancy, True, consecutive)
        try:
            validate_rule(rule)
        except InvalidInput as exc:
            assert exc.message


@examples(60)
@given(suds=st.sampled_from(HOSTILE_NUMBERS) | st.integers(-5, 150),
       situation=any_text, safety=st.lists(any_text, max_size=3))
def test_hostile_steps_leave_the_ladder_unchanged(vault_factory: Any, suds: Any, situation: str,
                                                  safety: list[str]) -> None:
    vault = _ladder_vault(vault_factory)
    store = ExposureStore(vault)
    ladder = store.ladders(1).result()[0].id
    before = vault.call(snapshot)
    try:
        store.add_step(ladder, StepDraft(situation, suds, "", tuple(safety))).result()
    except InvalidInput as exc:
        assert exc.message
        assert vault.call(snapshot) == before
    else:
        store.steps(ladder).result()


_LADDER_VAULTS: dict[int, Vault] = {}


def _ladder_vault(vault_factory: Any) -> Vault:
    """One vault per test run (hypothesis calls the test many times with the same fixture)."""
    key = id(vault_factory)
    if key not in _LADDER_VAULTS:
        _LADDER_VAULTS.clear()
        vault, _ = vault_factory("Ladders")
        client = PracticeStore(vault, TEMPLATES).create_client(
            ClientDetails("Ladder Client")).result().id
        ExposureStore(vault).create_ladder(client, "Lifts").result()
        _LADDER_VAULTS[key] = vault
    return _LADDER_VAULTS[key]
