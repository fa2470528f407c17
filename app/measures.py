"""Outcome and alliance measures (ORS, SRS, CORS, CSRS, a generic VAS): definitions as data, scores.

Definitions live in resources/measures/*.json (items, anchors, instructions, cutoffs by age band,
reliable change, alert thresholds, copyright line), so a licensed text pack or a translation
replaces them without code changes; every administration records the definition's id and hash.

Scores are kept in **tenths** (integers) internally: an item is 0–100 tenths (0.0–10.0 cm), a
total 0–400. Comparisons at the boundaries (24.9 against a cutoff of 25, a change of 4.9 against
a reliable change of 5) are then exact, with no floating-point surprises.

Conventions, stated wherever results are shown (sources differ on ≤ vs <):
- clinical range: total **below** the cutoff (a total exactly at the cutoff is not clinical);
- reliable improvement: latest − intake **≥** the reliable-change value (deterioration likewise);
- SRS: total **below** 36, any item **below** 9, a drop of **≥** 1 point since last session.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.errors import InvalidInput
from app.text import clean_text

FORMAT = "tandem-measure"
TENTHS = 10


class MeasureKind(StrEnum):
    """What a measure is for."""

    OUTCOME = "outcome"
    ALLIANCE = "alliance"
    GENERIC = "generic"


@dataclass(frozen=True)
class MeasureItem:
    """One line of the form."""

    id: str
    label: str
    description: str
    left_anchor: str
    right_anchor: str


@dataclass(frozen=True)
class Cutoff:
    """The clinical cutoff for an age band (max_age None: no upper limit)."""

    min_age: int
    max_age: int | None
    cutoff_tenths: int
    source: str

    def covers(self, age: int) -> bool:
        """True when `age` falls in this band."""
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)


@dataclass(frozen=True)
class AllianceAlerts:
    """SRS-style alert thresholds, in tenths."""

    total_below: int
    item_below: int
    drop_at_least: int
    source: str


@dataclass(frozen=True)
class MeasureDefinition:
    """A measure as loaded from its definition file."""

    id: str
    name: str
    short_name: str
    kind: MeasureKind
    timing: str
    definition_version: str
    instructions: str
    items: tuple[MeasureItem, ...]
    item_max_tenths: int
    min_age: int
    max_age: int | None
    cutoffs: tuple[Cutoff, ...]
    reliable_change_tenths: int | None
    reliable_change_source: str
    alerts: AllianceAlerts | None
    copyright: str
    hash: str
    source_json: str  # the canonical JSON the hash is of: stored with the first administration

    @property
    def max_total_tenths(self) -> int:
        """The highest possible total."""
        return self.item_max_tenths * len(self.items)

    def cutoff_for(self, age: int | None) -> Cutoff | None:
        """The cutoff for a client of `age` (the adult band when the age is unknown)."""
        if not self.cutoffs:
            return None
        if age is None:
            return min(self.cutoffs, key=lambda c: c.min_age if c.max_age is None else 999)
        return next((c for c in self.cutoffs if c.covers(age)), None)

    def suits_age(self, age: int | None) -> bool:
        """True when this form is meant for clients of `age` (unknown age: adult forms)."""
        if age is None:
            return self.max_age is None
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)


def _tenths(value: Any, what: str) -> int:
    """A number of points as tenths; InvalidInput for anything else (NaN, 1e308, 10**400…)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{what} must be a number.")
    try:
        scaled = float(value) * TENTHS
    except OverflowError:  # an integer beyond any float
        raise InvalidInput(f"{what} is far outside any sensible range.") from None
    if math.isnan(scaled):
        raise InvalidInput(f"{what} must be a number.")
    if not math.isfinite(scaled):
        raise InvalidInput(f"{what} is far outside any sensible range.")
    return round(scaled)


def _age(value: Any, what: str) -> int:
    """An age in whole years, 0–150 (a number, or digits in text as older files have them)."""
    if isinstance(value, bool):
        raise InvalidInput(f"{what} must be an age in years.")
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except (ValueError, OverflowError):
        number = math.nan
    if not (math.isfinite(number) and number == int(number) and 0 <= number <= 150):
        raise InvalidInput(f"{what} must be an age in whole years from 0 to 150.")
    return int(number)


def _in_range(tenths: int, what: str, high: int) -> int:
    if not 0 <= tenths <= high:
        raise InvalidInput(f"{what} must be between 0 and {high / TENTHS:g}.")
    return tenths


def parse_definition(raw: Any) -> MeasureDefinition:
    """A definition from its JSON form; InvalidInput names what is wrong."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InvalidInput("Not a Tandem measure definition.")
    if raw.get("version") != 1:
        raise InvalidInput(f"Measure definition format {str(raw.get('version'))[:20]!r} is not "
                           "supported.")
    try:
        items_raw = raw["items"]
        if not isinstance(items_raw, list) or not 1 <= len(items_raw) <= 20:
            raise InvalidInput("A measure needs between 1 and 20 items.")
        items = tuple(MeasureItem(
            clean_text(str(i["id"]), "An item id", required=True),
            clean_text(str(i["label"]), "An item label", required=True),
            clean_text(str(i.get("description", "")), "An item description", max_chars=300),
            clean_text(str(i.get("left_anchor", "")), "A left anchor", max_chars=300),
            clean_text(str(i.get("right_anchor", "")), "A right anchor", max_chars=300),
        ) for i in items_raw)
        if len({i.id for i in items}) != len(items):
            raise InvalidInput("Two items of the measure share an id.")
        item_max = _tenths(raw.get("item_max", 10.0), "item_max")
        if not 10 <= item_max <= 1000:
            raise InvalidInput("item_max must be between 1 and 100.")
        max_total = item_max * len(items)
        ages = raw.get("ages") or {}
        if not isinstance(ages, dict):
            raise InvalidInput('The age range ("ages") must be like {"min": 13, "max": null}.')
        cutoffs_raw = raw.get("cutoffs") or []
        if not isinstance(cutoffs_raw, list) or not all(isinstance(c, dict)
                                                         for c in cutoffs_raw):
            raise InvalidInput("The cutoffs must be a list of age bands.")
        cutoffs = tuple(Cutoff(_age(c["min_age"], "A cutoff's min_age"),
                               None if c.get("max_age") is None
                               else _age(c["max_age"], "A cutoff's max_age"),
                               _in_range(_tenths(c["cutoff"], "A cutoff"), "A cutoff", max_total),
                               str(c.get("source", "")))
                        for c in cutoffs_raw)
        rc = raw.get("reliable_change")
        alerts_raw = raw.get("alerts")
        if alerts_raw is not None and not isinstance(alerts_raw, dict):
            raise InvalidInput("The alert thresholds must be an object.")
        alerts = None if alerts_raw is None else AllianceAlerts(
            _in_range(_tenths(alerts_raw["total_below"], "total_below"), "total_below",
                      max_total),
            _in_range(_tenths(alerts_raw["item_below"], "item_below"), "item_below", item_max),
            _in_range(_tenths(alerts_raw["drop_at_least"], "drop_at_least"), "drop_at_least",
                      max_total),
            str(alerts_raw.get("source", "")))
        canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return MeasureDefinition(
            id=clean_text(str(raw["id"]), "The measure id", required=True),
            name=clean_text(str(raw["name"]), "The measure name", required=True),
            short_name=clean_text(str(raw.get("short_name", raw["id"])), "The short name"),
            kind=MeasureKind(raw.get("kind", "generic")),
            timing=str(raw.get("timing", "any")),
            definition_version=str(raw.get("definition_version", "1")),
            instructions=clean_text(str(raw.get("instructions", "")), "The instructions",
                                    max_chars=2000, multiline=True),
            items=items, item_max_tenths=item_max,
            min_age=_age(ages.get("min", 0), "The minimum age"),
            max_age=None if ages.get("max") is None else _age(ages["max"], "The maximum age"),
            cutoffs=cutoffs,
            reliable_change_tenths=None if rc is None else _in_range(
                _tenths(rc, "reliable_change"), "reliable_change", max_total),
            reliable_change_source=str(raw.get("reliable_change_source", "")),
            alerts=alerts,
            copyright=clean_text(str(raw.get("copyright", "")), "The copyright line",
                                 max_chars=1000),
            hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            source_json=canonical,
        )
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise InvalidInput("The measure definition is incomplete or malformed "
                           f"({str(exc)[:120]}).") from None


def load_definitions(folder: Path) -> dict[str, MeasureDefinition]:
    """Every valid definition in `folder`, by id (a broken file is skipped, never fatal)."""
    found: dict[str, MeasureDefinition] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            definition = parse_definition(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, RecursionError, InvalidInput):
            continue
        found[definition.id] = definition
    return found


# -- scoring ---------------------------------------------------------------------------------


def mark_to_tenths(position: float, length: float, item_max_tenths: int = 100) -> int:
    """A mark at `position` along a line of `length` (any unit) as tenths: the fraction × max.

    The rendered length does not matter (10 cm on screen or 600 px): only the fraction does.
    Marks outside the line are clamped to its ends (a finger slightly past the end).
    """
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (position, length)):
        raise InvalidInput("The mark's position could not be read.")
    try:
        position, length = float(position), float(length)
    except OverflowError:  # an integer beyond any float
        raise InvalidInput("The mark's position could not be read.") from None
    if not (math.isfinite(position) and math.isfinite(length)) or length <= 0:
        raise InvalidInput("The mark's position could not be read.")
    fraction = min(max(position / length, 0.0), 1.0)
    return round(fraction * item_max_tenths)


def item_tenths(value: Any, definition: MeasureDefinition, label: str = "A score") -> int:
    """An item score typed or imported (0.0–10.0, one decimal) as tenths, or InvalidInput."""
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise InvalidInput(f"{label} must be a number like 7.3.") from None
    tenths = _tenths(value, label)
    if abs(float(value) * TENTHS - tenths) > 1e-6:
        raise InvalidInput(f"{label} has more than one decimal.")
    if not 0 <= tenths <= definition.item_max_tenths:
        raise InvalidInput(f"{label} must be between 0.0 and "
                           f"{definition.item_max_tenths / TENTHS:.1f}.")
    return tenths


def total_tenths(items: list[int], definition: MeasureDefinition) -> int:
    """The total of a complete set of item scores."""
    if len(items) != len(definition.items):
        raise InvalidInput(f"{definition.short_name} needs all {len(definition.items)} items.")
    return sum(items)


def paper_total_tenths(value: Any, definition: MeasureDefinition) -> int:
    """A total entered from paper (no items), checked against the measure's range."""
    whole_form = replace(definition, item_max_tenths=definition.max_total_tenths)
    return item_tenths(value, whole_form, "The total")


def fmt(tenths: int | None) -> str:
    """Tenths as the one-decimal text shown everywhere ("24.9")."""
    return "—" if tenths is None else f"{tenths / TENTHS:.1f}"


# -- change and alerts -----------------------------------------------------------------------


class ChangeCategory(StrEnum):
    """Jacobson & Truax (1991) categories against intake."""

    RECOVERED = "recovered"
    RELIABLY_IMPROVED = "reliably_improved"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    RELIABLY_DETERIORATED = "reliably_deteriorated"
    NOT_ENOUGH_DATA = "not_enough_data"

    @property
    def label(self) -> str:
        """How the category reads in the app and in letters."""
        return {
            "recovered": "Recovered (clinically significant change)",
            "reliably_improved": "Reliably improved",
            "no_reliable_change": "No reliable change",
            "reliably_deteriorated": "Reliably deteriorated",
            "not_enough_data": "Not enough data",
        }[self.value]


@dataclass(frozen=True)
class ChangeResult:
    """A change category with the rule and values that produced it, for display and letters."""

    category: ChangeCategory
    intake_tenths: int | None
    latest_tenths: int | None
    cutoff_tenths: int | None
    reliable_change_tenths: int | None
    explanation: str


def change_category(totals: list[int], cutoff: int | None,
                    reliable_change: int | None) -> ChangeResult:
    """The category for a series of outcome totals (intake first), with the rule stated."""
    if len(totals) < 2 or reliable_change is None:
        why = ("Fewer than two ratings in this episode." if len(totals) < 2 else
               "No reliable-change value is set for this measure.")
        return ChangeResult(ChangeCategory.NOT_ENOUGH_DATA,
                            totals[0] if totals else None, totals[-1] if totals else None,
                            cutoff, reliable_change, why)
    intake, latest = totals[0], totals[-1]
    change = latest - intake
    if change >= reliable_change:
        recovered = cutoff is not None and intake < cutoff <= latest
        category = (ChangeCategory.RECOVERED if recovered
                    else ChangeCategory.RELIABLY_IMPROVED)
    elif -change >= reliable_change:
        category = ChangeCategory.RELIABLY_DETERIORATED
    else:
        category = ChangeCategory.NO_RELIABLE_CHANGE
    rule = (f"Intake {fmt(intake)}, latest {fmt(latest)}, change {change / TENTHS:+.1f}; "
            f"reliable change ≥ {fmt(reliable_change)}")
    if cutoff is not None:
        rule += f"; clinical cutoff {fmt(cutoff)} (clinical range: below {fmt(cutoff)})"
    return ChangeResult(category, intake, latest, cutoff, reliable_change, rule + ".")


class AlertKind(StrEnum):
    """What a flag is about."""

    ORS_DETERIORATED = "ors_deteriorated"
    NO_IMPROVEMENT_BY_SESSION = "no_improvement"
    SRS_TOTAL_LOW = "srs_total_low"
    SRS_ITEM_LOW = "srs_item_low"
    SRS_DROPPED = "srs_dropped"


@dataclass(frozen=True)
class Alert:
    """One flag, with a sentence that says why."""

    kind: AlertKind
    message: str


def outcome_alerts(totals: list[int], reliable_change: int | None, session_number: int,
                   no_improvement_by: int) -> list[Alert]:
    """Alerts on the outcome series at the session with `session_number` (1-based)."""
    alerts: list[Alert] = []
    if len(totals) < 2 or reliable_change is None:
        return alerts
    change = totals[-1] - totals[0]
    if -change >= reliable_change:
        alerts.append(Alert(AlertKind.ORS_DETERIORATED,
                            f"Outcome has reliably deteriorated since intake ({change / 10:+.1f}; "
                            f"reliable change ≥ {fmt(reliable_change)})."))
    elif session_number >= no_improvement_by and change < reliable_change:
        alerts.append(Alert(AlertKind.NO_IMPROVEMENT_BY_SESSION,
                            f"No reliable improvement by session {session_number} "
                            f"(change {change / 10:+.1f}; reliable change ≥ "
                            f"{fmt(reliable_change)}). Discuss the fit of the work."))
    return alerts


def alliance_alerts(items: list[int], previous_total: int | None,
                    thresholds: AllianceAlerts, definition: MeasureDefinition) -> list[Alert]:
    """Alerts on one SRS administration (items in tenths) and the previous total."""
    alerts: list[Alert] = []
    total = sum(items)
    if total < thresholds.total_below:
        alerts.append(Alert(AlertKind.SRS_TOTAL_LOW,
                            f"Session rating {fmt(total)} is below {fmt(thresholds.total_below)}."))
    low = [definition.items[i].label for i, v in enumerate(items) if v < thresholds.item_below]
    if low:
        alerts.append(Alert(AlertKind.SRS_ITEM_LOW,
                            f"{', '.join(low)} rated below {fmt(thresholds.item_below)}."))
    if previous_total is not None and previous_total - total >= thresholds.drop_at_least:
        alerts.append(Alert(AlertKind.SRS_DROPPED,
                            f"Session rating dropped {fmt(previous_total - total)} points since "
                            f"last session ({fmt(previous_total)} → {fmt(total)})."))
    return alerts
