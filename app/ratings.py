"""A client's ratings over time: intake, latest, change category, alerts, for charts and letters.

Pure rules over plain values: storage hands in the administrations, this module decides what
they mean. Intake is the first outcome rating of the current episode of care; voided
administrations never count. Outcome and alliance series are separate (ORS/CORS vs SRS/CSRS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.measures import (
    Alert,
    ChangeResult,
    MeasureDefinition,
    MeasureKind,
    alliance_alerts,
    change_category,
    outcome_alerts,
)

DEFAULT_NO_IMPROVEMENT_BY = 4


@dataclass(frozen=True)
class Administration:
    """One completed (or voided) rating."""

    id: int
    client_id: int
    session_id: int | None
    session_number: int | None
    measure: str
    definition_hash: str
    administered_at: datetime
    completed_by: str
    mode: str  # screen | paper_items | paper_total
    items: tuple[int, ...]  # tenths; () for a paper total
    total: int  # tenths
    voided: bool = False
    void_reason: str = ""
    episode_start: date | None = None

    @property
    def source_label(self) -> str:
        """How it was collected, for tables and reports."""
        return {"screen": "Client on screen", "paper_items": "Entered from paper",
                "paper_total": "Entered from paper (total only)"}.get(self.mode, self.mode)


@dataclass(frozen=True)
class PointAlerts:
    """The alerts raised by one administration."""

    administration_id: int
    alerts: tuple[Alert, ...]


@dataclass(frozen=True)
class RatingsSummary:
    """What the Measures tab, the client list's flag column and letters show."""

    outcome: tuple[Administration, ...]
    alliance: tuple[Administration, ...]
    change: ChangeResult
    alerts: tuple[PointAlerts, ...] = field(default_factory=tuple)

    @property
    def latest_alerts(self) -> tuple[Alert, ...]:
        """Alerts of the most recent outcome and alliance ratings (the client-list flags)."""
        latest_ids = {a.id for a in (self.outcome[-1:] + self.alliance[-1:])}
        return tuple(alert for point in self.alerts if point.administration_id in latest_ids
                     for alert in point.alerts)


def summarise(administrations: list[Administration], definitions: dict[str, MeasureDefinition],
              age: int | None, no_improvement_by: int = DEFAULT_NO_IMPROVEMENT_BY,
              reliable_change_override: dict[str, int] | None = None) -> RatingsSummary:
    """The client's trajectories, change category and alerts for the current episode."""
    valid = sorted((a for a in administrations if not a.voided),
                   key=lambda a: (a.administered_at, a.id))
    current_episode = max((a.episode_start for a in valid if a.episode_start), default=None)
    if current_episode is not None:
        valid = [a for a in valid if a.episode_start is None or a.episode_start
                 >= current_episode]

    def kind(a: Administration) -> MeasureKind | None:
        definition = definitions.get(a.measure)
        return definition.kind if definition else None

    outcome = [a for a in valid if kind(a) is MeasureKind.OUTCOME]
    alliance = [a for a in valid if kind(a) is MeasureKind.ALLIANCE]
    outcome_definition = definitions.get(outcome[-1].measure) if outcome else None
    cutoff = outcome_definition.cutoff_for(age) if outcome_definition else None
    overrides = reliable_change_override or {}
    reliable = (overrides.get(outcome_definition.id, outcome_definition.reliable_change_tenths)
                if outcome_definition else None)
    totals = [a.total for a in outcome if outcome_definition and a.measure ==
              outcome_definition.id]
    change = change_category(totals, cutoff.cutoff_tenths if cutoff else None, reliable)

    points: list[PointAlerts] = []
    for index, administration in enumerate(outcome):
        series = [a.total for a in outcome[: index + 1] if a.measure == administration.measure]
        number = administration.session_number or index + 1
        found = outcome_alerts(series, reliable, number, no_improvement_by)
        if found:
            points.append(PointAlerts(administration.id, tuple(found)))
    previous: int | None = None
    for administration in alliance:
        definition = definitions.get(administration.measure)
        if definition is None or definition.alerts is None:
            continue
        if administration.items:
            found = alliance_alerts(list(administration.items), previous, definition.alerts,
                                    definition)
        else:  # a paper total: only the total and drop rules apply
            found = [a for a in alliance_alerts([administration.total], previous,
                                                definition.alerts, definition)
                     if a.kind.value != "srs_item_low"]
        if found:
            points.append(PointAlerts(administration.id, tuple(found)))
        previous = administration.total
    return RatingsSummary(tuple(outcome), tuple(alliance), change, tuple(points))
