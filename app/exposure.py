"""Graded exposure: fear ladders, exposure trials, and when a step is ready to move on.

Two named, configurable progression rules (measures.md §2). The tool only *suggests* that a step
is ready and says why; moving up is the clinician's decision.
- Habituation: within-trial SUDS drop of at least X % (peak → after) and a starting SUDS at or
  below Y, over N consecutive trials.
- Inhibitory learning (Craske et al. 2014): the feared outcome did not occur, expectancy fell by
  at least Z points (the violation), and no safety behaviour was used — over N consecutive trials.
Defaults are settings with their source, never silent constants.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.errors import InvalidInput
from app.text import clean_text

LONG = 5000


class StepStatus(StrEnum):
    """Where a step stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    MASTERED = "mastered"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        """How the status reads."""
        return {"planned": "Planned", "in_progress": "In progress", "mastered": "Mastered",
                "dropped": "Retired"}[self.value]


class RuleKind(StrEnum):
    """Which model of exposure the ladder follows."""

    HABITUATION = "habituation"
    INHIBITORY = "inhibitory_learning"


@dataclass(frozen=True)
class ProgressionRule:
    """A ladder's rule with its thresholds (defaults from measures.md §2)."""

    kind: RuleKind = RuleKind.HABITUATION
    drop_percent: int = 50  # habituation: peak → after
    start_suds_max: int | None = 40  # habituation: starting SUDS at or below (None: not used)
    expectancy_drop: int = 20  # inhibitory: expectancy before − after, in points
    require_no_safety: bool = True  # inhibitory: no safety behaviour used
    consecutive: int = 2

    @property
    def name(self) -> str:
        """The rule in words, as shown beside readiness and in letters."""
        if self.kind is RuleKind.HABITUATION:
            start = (f", starting SUDS ≤ {self.start_suds_max}"
                     if self.start_suds_max is not None else "")
            return (f"Habituation: SUDS drop ≥ {self.drop_percent}% peak→after{start}, "
                    f"over {self.consecutive} consecutive trial(s)")
        safety = ", no safety behaviours" if self.require_no_safety else ""
        return (f"Inhibitory learning: feared outcome did not occur, expectancy fell ≥ "
                f"{self.expectancy_drop} points{safety}, over {self.consecutive} consecutive "
                f"trial(s)")

    def to_json(self) -> dict[str, Any]:
        """As stored with the ladder."""
        return {"kind": self.kind.value, "drop_percent": self.drop_percent,
                "start_suds_max": self.start_suds_max, "expectancy_drop": self.expectancy_drop,
                "require_no_safety": self.require_no_safety, "consecutive": self.consecutive}

    @classmethod
    def from_json(cls, raw: Any) -> ProgressionRule:
        """A stored rule; anything missing or invalid falls back to the default."""
        if not isinstance(raw, dict):
            return cls()
        try:
            return validate_rule(cls(
                RuleKind(raw.get("kind", RuleKind.HABITUATION.value)),
                int(raw.get("drop_percent", 50)),
                None if raw.get("start_suds_max") is None else int(raw["start_suds_max"]),
                int(raw.get("expectancy_drop", 20)), bool(raw.get("require_no_safety", True)),
                int(raw.get("consecutive", 2))))
        except (ValueError, TypeError, InvalidInput):
            return cls()


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_rule(rule: ProgressionRule) -> ProgressionRule:
    """The rule if its thresholds make sense, else InvalidInput."""
    if not _whole(rule.drop_percent) or not 1 <= rule.drop_percent <= 100:
        raise InvalidInput("The SUDS drop must be a whole number between 1 and 100 %.")
    if rule.start_suds_max is not None and (not _whole(rule.start_suds_max)
                                            or not 0 <= rule.start_suds_max <= 100):
        raise InvalidInput("The starting SUDS threshold must be a whole number between 0 and "
                           "100.")
    if not _whole(rule.expectancy_drop) or not 1 <= rule.expectancy_drop <= 100:
        raise InvalidInput("The expectancy drop must be a whole number between 1 and 100 "
                           "points.")
    if not _whole(rule.consecutive) or not 1 <= rule.consecutive <= 10:
        raise InvalidInput("Consecutive trials must be a whole number between 1 and 10.")
    return rule


def check_suds(value: Any, label: str = "SUDS", *, optional: bool = True) -> int | None:
    """A SUDS or expectancy rating 0–100, whole numbers; InvalidInput with a clear message."""
    if value is None or value == "":
        if optional:
            return None
        raise InvalidInput(f"{label} is required (0–100).")
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
        if not re.fullmatch(r"-?[0-9]{1,6}", text):
            raise InvalidInput(f"{label} must be a whole number from 0 to 100.")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{label} must be a whole number from 0 to 100.")
    if not 0 <= value <= 100:
        shown = f" (it was {value})" if abs(value) < 10**6 else ""
        raise InvalidInput(f"{label} must be between 0 and 100{shown}.")
    return value


@dataclass(frozen=True)
class StepDraft:
    """What the therapist types for a step."""

    situation: str
    suds: int
    notes: str = ""
    safety_behaviours: tuple[str, ...] = ()


def validate_step(step: StepDraft) -> StepDraft:
    """The step cleaned, or InvalidInput."""
    suds = check_suds(step.suds, "Anticipated SUDS", optional=False)
    assert suds is not None
    return StepDraft(
        clean_text(step.situation, "The situation", max_chars=500, multiline=True,
                   required=True).strip(),
        suds,
        clean_text(step.notes, "The notes", max_chars=LONG, multiline=True),
        tuple(clean_text(b, "A safety behaviour", max_chars=200, required=True)
              for b in step.safety_behaviours if b.strip()))


@dataclass(frozen=True)
class TrialRecord:
    """One exposure trial, as entered in session or from a homework sheet."""

    started_at: datetime
    setting: str = "session"  # session | homework
    place: str = ""
    accompanied: bool = False
    therapist_present: bool = False
    planned_minutes: int | None = None
    actual_minutes: int | None = None
    suds_before: int | None = None
    suds_peak: int | None = None
    suds_after: int | None = None
    suds_readings: tuple[tuple[int, int], ...] = ()  # (minute, SUDS)
    feared_outcome: str = ""
    expectancy_before: int | None = None
    expectancy_after: int | None = None
    outcome_occurred: bool | None = None
    safety_planned_to_drop: tuple[str, ...] = ()
    safety_used: tuple[str, ...] = ()
    response_prevention: str = ""
    learned: str = ""

    @property
    def expectancy_violation(self) -> int | None:
        """Expectancy before − after (positive: the feared outcome seemed less likely after)."""
        if self.expectancy_before is None or self.expectancy_after is None:
            return None
        return self.expectancy_before - self.expectancy_after

    @property
    def suds_drop_percent(self) -> int | None:
        """Within-trial drop from peak to after, in % of the peak."""
        if self.suds_peak is None or self.suds_after is None or self.suds_peak == 0:
            return None
        return round(100 * (self.suds_peak - self.suds_after) / self.suds_peak)


def validate_trial(trial: TrialRecord) -> TrialRecord:
    """The trial checked: ratings 0–100, peak not below before/after, durations sane."""
    values = {name: check_suds(getattr(trial, name), label) for name, label in (
        ("suds_before", "SUDS before"), ("suds_peak", "Peak SUDS"), ("suds_after", "SUDS after"),
        ("expectancy_before", "Expectancy before"), ("expectancy_after", "Expectancy after"))}
    peak = values["suds_peak"]
    for name in ("suds_before", "suds_after"):
        value = values[name]
        if peak is not None and value is not None and value > peak:
            raise InvalidInput("Peak SUDS cannot be lower than the SUDS before or after.")
    if trial.setting not in ("session", "homework"):
        raise InvalidInput("A trial is done in session or as homework.")
    for name in ("planned_minutes", "actual_minutes"):
        minutes = getattr(trial, name)
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                    or not 0 <= minutes <= 1440):
            raise InvalidInput("Durations are whole minutes from 0 to 1440.")
    readings = []
    for reading in trial.suds_readings:
        if not isinstance(reading, tuple | list) or len(reading) != 2:
            raise InvalidInput("A SUDS reading needs its minute (0–1440) and a rating.")
        minute, suds = reading
        if not _whole(minute) or not 0 <= minute <= 1440:
            raise InvalidInput("A SUDS reading needs its minute (0–1440) and a rating.")
        checked = check_suds(suds, f"SUDS at minute {minute}", optional=False)
        assert checked is not None
        readings.append((minute, checked))

    def texts(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(clean_text(t, "A safety behaviour", max_chars=200) for t in items
                     if t.strip())

    return TrialRecord(
        trial.started_at, trial.setting,
        clean_text(trial.place, "The place", max_chars=500),
        trial.accompanied, trial.therapist_present, trial.planned_minutes, trial.actual_minutes,
        values["suds_before"], values["suds_peak"], values["suds_after"], tuple(readings),
        clean_text(trial.feared_outcome, "The feared outcome", max_chars=LONG, multiline=True),
        values["expectancy_before"], values["expectancy_after"], trial.outcome_occurred,
        texts(trial.safety_planned_to_drop), texts(trial.safety_used),
        clean_text(trial.response_prevention, "Response prevention", max_chars=LONG,
                   multiline=True),
        clean_text(trial.learned, "What I learned", max_chars=LONG, multiline=True))


@dataclass(frozen=True)
class Readiness:
    """Whether a step looks ready to move on under the ladder's rule, and why (or why not)."""

    ready: bool
    reason: str
    qualifying: int = 0  # consecutive qualifying trials at the end


def _habituation_ok(trial: TrialRecord, rule: ProgressionRule) -> tuple[bool, str]:
    drop = trial.suds_drop_percent
    if drop is None:
        return False, "peak or after SUDS not recorded"
    if drop < rule.drop_percent:
        return False, f"SUDS fell {drop}% (needs ≥ {rule.drop_percent}%)"
    if rule.start_suds_max is not None:
        if trial.suds_before is None:
            return False, "starting SUDS not recorded"
        if trial.suds_before > rule.start_suds_max:
            return False, f"started at {trial.suds_before} (needs ≤ {rule.start_suds_max})"
    return True, f"SUDS fell {drop}%"


def _inhibitory_ok(trial: TrialRecord, rule: ProgressionRule) -> tuple[bool, str]:
    if trial.outcome_occurred is None:
        return False, "whether the feared outcome happened is not recorded"
    if trial.outcome_occurred:
        return False, "the feared outcome happened"
    violation = trial.expectancy_violation
    if violation is None:
        return False, "expectancy before/after not recorded"
    if violation < rule.expectancy_drop:
        return False, f"expectancy fell {violation} points (needs ≥ {rule.expectancy_drop})"
    if rule.require_no_safety and trial.safety_used:
        return False, "safety behaviours still used: " + ", ".join(trial.safety_used)
    return True, f"expectancy fell {violation} points and the feared outcome did not happen"


def readiness(trials: list[TrialRecord], rule: ProgressionRule) -> Readiness:
    """Ready when the last `rule.consecutive` trials (by time) all meet the rule."""
    if not trials:
        return Readiness(False, "No trials yet.")
    check = _habituation_ok if rule.kind is RuleKind.HABITUATION else _inhibitory_ok
    ordered = sorted(trials, key=lambda t: t.started_at)
    streak = 0
    last_reason = ""
    for trial in reversed(ordered):
        ok, why = check(trial, rule)
        if not ok:
            last_reason = why
            break
        streak += 1
        last_reason = last_reason or why
    if streak >= rule.consecutive:
        return Readiness(True, f"Ready to move on: the last {streak} trial(s) met the rule "
                               f"({last_reason}). Your decision.", streak)
    needed = rule.consecutive - streak
    latest_ok, latest_why = check(ordered[-1], rule)
    detail = latest_why if not latest_ok else f"{needed} more qualifying trial(s) needed"
    return Readiness(False, f"Not yet: {detail}.", streak)


@dataclass(frozen=True)
class StarterLadder:
    """An example ladder from resources/ladders: copied and edited, never clinical advice."""

    id: str
    target_fear: str
    goal: str
    steps: tuple[StepDraft, ...]
    note: str = field(default="An example to adapt with your client — not clinical advice.")


def load_starter_ladders(folder: Path) -> dict[str, StarterLadder]:
    """The example ladders shipped in resources/ladders (broken files are skipped)."""
    found: dict[str, StarterLadder] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_text("utf-8"))
            if raw.get("format") != "tandem-starter-ladder":
                continue
            steps = tuple(validate_step(StepDraft(s["situation"], int(s["suds"]),
                                                  s.get("notes", ""),
                                                  tuple(s.get("safety_behaviours", []))))
                          for s in raw["steps"])
            found[raw["id"]] = StarterLadder(raw["id"], raw["target_fear"], raw.get("goal", ""),
                                             steps, raw.get("note", StarterLadder.note))
        except (OSError, ValueError, KeyError, TypeError, InvalidInput):
            continue
    return found
