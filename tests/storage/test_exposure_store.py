"""Fear ladders in a real vault: steps in the therapist's order, trials, readiness, learning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.clients import ClientDetails
from app.errors import InvalidInput
from app.exposure import ProgressionRule, RuleKind, StepDraft, StepStatus, TrialRecord
from storage.exposure import ExposureStore
from storage.practice import PracticeStore

T0 = datetime(2026, 11, 2, 10, tzinfo=UTC)


@pytest.fixture
def store(vault_factory):
    vault, _ = vault_factory()
    client = PracticeStore(vault, {}).create_client(ClientDetails("Jonas Berg")).result()
    return ExposureStore(vault), client.id


def situations(store: ExposureStore, ladder: int) -> list[str]:
    return [s.situation for s in store.steps(ladder).result()]


def test_ladder_starts_sorted_by_suds_and_keeps_the_therapists_order(store) -> None:
    exposure, client = store
    ladder = exposure.create_ladder(client, "Driving", "Motorway alone", steps=[
        StepDraft("Motorway", 90), StepDraft("Car park", 20), StepDraft("Town", 50)]).result()
    assert situations(exposure, ladder) == ["Car park", "Town", "Motorway"]
    new = exposure.add_step(ladder, StepDraft("Dual carriageway", 70)).result()
    assert situations(exposure, ladder) == ["Car park", "Town", "Dual carriageway", "Motorway"]
    exposure.move_step(new, 0).result()
    assert situations(exposure, ladder)[0] == "Dual carriageway"
    exposure.sort_by_suds(ladder).result()
    assert situations(exposure, ladder) == ["Car park", "Town", "Dual carriageway", "Motorway"]
    steps = exposure.steps(ladder).result()
    exposure.split_step(steps[1].id, StepDraft("Town, quiet time", 40),
                        StepDraft("Town, rush hour", 60)).result()
    assert situations(exposure, ladder) == ["Car park", "Town, quiet time", "Town, rush hour",
                                            "Dual carriageway", "Motorway"]
    assert [s.position for s in exposure.steps(ladder).result()] == [0, 1, 2, 3, 4]


def test_bad_suds_is_refused_and_nothing_changes(store) -> None:
    exposure, client = store
    ladder = exposure.create_ladder(client, "Driving", steps=[StepDraft("Car park", 20)]).result()
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        exposure.add_step(ladder, StepDraft("Motorway", 120))
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        exposure.update_step(exposure.steps(ladder).result()[0].id, StepDraft("Car park", -5))
    assert [(s.situation, s.suds) for s in exposure.steps(ladder).result()] == [("Car park", 20)]


def test_trials_drive_status_and_readiness(store) -> None:
    exposure, client = store
    ladder = exposure.create_ladder(
        client, "Driving", rule=ProgressionRule(RuleKind.HABITUATION, consecutive=2),
        steps=[StepDraft("Car park", 20)]).result()
    step = exposure.steps(ladder).result()[0]
    assert step.status is StepStatus.PLANNED and not step.readiness.ready
    for day in range(2):
        exposure.log_trial(step.id, TrialRecord(T0 + timedelta(days=day), "homework",
                                                suds_before=30, suds_peak=60, suds_after=20,
                                                learned=f"Day {day}: it passed")).result()
    step = exposure.steps(ladder).result()[0]
    assert step.status is StepStatus.IN_PROGRESS and step.trials == 2 and step.latest_suds == 60
    assert step.readiness.ready and "Your decision" in step.readiness.reason
    assert exposure.latest_learning(client).result() == "Day 1: it passed"
    with pytest.raises(InvalidInput, match="Peak"):
        exposure.log_trial(step.id, TrialRecord(T0, suds_before=70, suds_peak=50))
    assert exposure.steps(ladder).result()[0].trials == 2


def test_inhibitory_rule_is_stored_with_the_ladder(store) -> None:
    exposure, client = store
    rule = ProgressionRule(RuleKind.INHIBITORY, expectancy_drop=30, consecutive=1)
    ladder = exposure.create_ladder(client, "Panic", rule=rule,
                                    steps=[StepDraft("Spin in a chair", 40)]).result()
    assert exposure.ladders(client).result()[0].rule == rule
    step = exposure.steps(ladder).result()[0]
    exposure.log_trial(step.id, TrialRecord(T0, outcome_occurred=False, expectancy_before=90,
                                            expectancy_after=40,
                                            safety_used=("Holding the desk",))).result()
    assert "Holding the desk" in exposure.steps(ladder).result()[0].readiness.reason


def test_whole_ladder_trials_timed_readings_archive_and_restore(store) -> None:
    exposure, client = store
    ladder = exposure.create_ladder(client, "Driving", steps=[
        StepDraft("Car park", 20), StepDraft("Town", 50)]).result()
    other = exposure.create_ladder(client, "Lifts", steps=[StepDraft("One floor", 30)]).result()
    car_park, town = exposure.steps(ladder).result()
    lift = exposure.steps(other).result()[0]
    exposure.log_trial(town.id, TrialRecord(T0 + timedelta(days=2), suds_peak=70)).result()
    timed = exposure.log_trial(car_park.id, TrialRecord(
        T0, "session", suds_before=40, suds_peak=55, suds_after=20,
        suds_readings=((0, 40), (5, 55), (10, 30), (15, 20))),
        reading_interval_min=5).result()
    exposure.log_trial(lift.id, TrialRecord(T0 + timedelta(days=1), suds_peak=30)).result()
    trials = exposure.ladder_trials(ladder).result()
    assert [(t.step_id, t.record.suds_peak) for t in trials] == [(car_park.id, 55),
                                                                 (town.id, 70)]
    assert trials[0].id == timed and trials[0].reading_interval_min == 5
    assert trials[0].record.suds_readings == ((0, 40), (5, 55), (10, 30), (15, 20))
    assert trials[1].reading_interval_min is None
    with pytest.raises(InvalidInput, match="every 1 to 120 minutes"):
        exposure.log_trial(car_park.id, TrialRecord(T0), reading_interval_min=0)

    exposure.archive_ladder(ladder).result()
    assert [(lad.id, lad.archived_at is not None) for lad in exposure.ladders(client).result()] \
        == [(other, False), (ladder, True)]
    exposure.restore_ladder(ladder).result()
    assert all(lad.archived_at is None for lad in exposure.ladders(client).result())
    with pytest.raises(InvalidInput, match="not archived"):
        exposure.restore_ladder(ladder).result()


def test_learning_offered_for_a_note_is_the_latest_before_the_sessions_day(store) -> None:
    exposure, client = store
    ladder = exposure.create_ladder(client, "Driving", steps=[StepDraft("Car park", 20)]).result()
    step = exposure.steps(ladder).result()[0]
    assert exposure.learning_for_note(client, T0).result() is None
    for day, learned in ((0, "It passed."), (3, ""), (7, "Easier than predicted.")):
        exposure.log_trial(step.id, TrialRecord(T0 + timedelta(days=day),
                                                learned=learned)).result()
    quote = exposure.learning_for_note(client, T0 + timedelta(days=5)).result()
    assert quote is not None and quote.text == "It passed." and quote.started_at == T0
    latest = exposure.learning_for_note(client, T0 + timedelta(days=30)).result()
    assert latest is not None and latest.text == "Easier than predicted."
    assert exposure.learning_for_note(client, T0).result() is None  # strictly before
