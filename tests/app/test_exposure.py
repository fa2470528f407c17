"""Exposure rules: SUDS validation, trials, and readiness at the rule boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import InvalidInput
from app.exposure import (
    ProgressionRule,
    RuleKind,
    StepDraft,
    TrialRecord,
    check_suds,
    load_starter_ladders,
    readiness,
    validate_rule,
    validate_step,
    validate_trial,
)
from app.resources import resource_dir

T0 = datetime(2026, 11, 2, 10, tzinfo=UTC)


def trial(i: int = 0, **kw: object) -> TrialRecord:
    return TrialRecord(T0 + timedelta(days=i), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 101, "abc", "12.5", 3.5, True, "", None])
def test_suds_must_be_whole_numbers_0_to_100(bad: object) -> None:
    with pytest.raises(InvalidInput, match="SUDS"):
        check_suds(bad, "SUDS", optional=False)


def test_suds_accepts_typed_text() -> None:
    assert check_suds(" 45 ") == 45 and check_suds("0") == 0 and check_suds("100") == 100
    assert check_suds("") is None


def test_steps_are_validated() -> None:
    assert validate_step(StepDraft("  Ride one stop  ", 40)).situation == "Ride one stop"
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        validate_step(StepDraft("Ride one stop", 140))
    with pytest.raises(InvalidInput, match="situation"):
        validate_step(StepDraft("   ", 40))


def test_trials_are_validated() -> None:
    with pytest.raises(InvalidInput, match="Peak"):
        validate_trial(trial(suds_before=60, suds_peak=50, suds_after=20))
    with pytest.raises(InvalidInput, match="Expectancy after"):
        validate_trial(trial(expectancy_after=120))
    with pytest.raises(InvalidInput, match="minute"):
        validate_trial(trial(suds_readings=((5, 150),)))
    ok = validate_trial(trial(suds_before=40, suds_peak=70, suds_after=30,
                              expectancy_before=80, expectancy_after=30))
    assert ok.expectancy_violation == 50 and ok.suds_drop_percent == 57


HAB = ProgressionRule(RuleKind.HABITUATION, drop_percent=50, start_suds_max=40, consecutive=2)


@pytest.mark.parametrize(("trials", "ready"), [
    ([], False),
    ([{"suds_before": 30, "suds_peak": 60, "suds_after": 30}], False),  # one trial, needs two
    ([{"suds_before": 30, "suds_peak": 60, "suds_after": 30}] * 2, True),  # exactly 50 %
    ([{"suds_before": 30, "suds_peak": 60, "suds_after": 31}] * 2, False),  # 48 %
    ([{"suds_before": 40, "suds_peak": 60, "suds_after": 30}] * 2, True),  # start exactly 40
    ([{"suds_before": 41, "suds_peak": 60, "suds_after": 30}] * 2, False),  # start 41
    ([{"suds_before": 30, "suds_peak": 60, "suds_after": 30}, {"suds_before": 30, "suds_peak": 60,
                                                               "suds_after": 40},
      {"suds_before": 30, "suds_peak": 60, "suds_after": 30}], False),  # streak broken
])
def test_habituation_boundaries(trials: list[dict], ready: bool) -> None:
    result = readiness([trial(i, **t) for i, t in enumerate(trials)], HAB)
    assert result.ready is ready
    assert result.reason


def expect(occurred: bool | None, before: int, after: int) -> dict:
    return {"outcome_occurred": occurred, "expectancy_before": before,
            "expectancy_after": after}


INH = ProgressionRule(RuleKind.INHIBITORY, expectancy_drop=20, require_no_safety=True,
                      consecutive=1)


@pytest.mark.parametrize(("kw", "ready", "why"), [
    (expect(False, 80, 60), True, "fell 20"),
    (expect(False, 80, 61), False, "fell 19"),
    (expect(True, 80, 20), False, "happened"),
    ({"outcome_occurred": None, "expectancy_before": 80, "expectancy_after": 20}, False,
     "not recorded"),
    ({"outcome_occurred": False, "expectancy_before": 80, "expectancy_after": 20,
          "safety_used": ("Sitting by the door",)}, False, "Sitting by the door"),
])
def test_inhibitory_learning_boundaries(kw: dict, ready: bool, why: str) -> None:
    result = readiness([trial(**kw)], INH)
    assert result.ready is ready
    assert why in result.reason


def test_the_rule_says_what_it_is() -> None:
    assert "≥ 50%" in HAB.name and "2 consecutive" in HAB.name
    assert "expectancy fell ≥ 20" in INH.name
    with pytest.raises(InvalidInput):
        validate_rule(ProgressionRule(consecutive=0))
    assert ProgressionRule.from_json({"kind": "nonsense"}) == ProgressionRule()
    assert ProgressionRule.from_json(INH.to_json()) == INH


def test_starter_ladders_are_examples_sorted_by_suds() -> None:
    ladders = load_starter_ladders(resource_dir() / "ladders")
    assert set(ladders) == {"social-anxiety", "contamination", "panic-sensations", "driving"}
    for ladder in ladders.values():
        assert 8 <= len(ladder.steps) <= 15
        assert [s.suds for s in ladder.steps] == sorted(s.suds for s in ladder.steps)
        assert "not clinical advice" in ladder.note.lower()
