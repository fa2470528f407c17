"""Synthetic caseload facts for the caseload report's tests (no vault needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.caseload import ClientFacts, ExposureStatus
from app.clients import ClientStatus
from app.measures import load_definitions
from app.ratings import Administration, summarise
from app.resources import resource_dir

DEFS = load_definitions(resource_dir() / "measures")
EPISODE = date(2025, 3, 3)


def _series(client_id: int, measure: str, totals: list[int], first_id: int
            ) -> list[Administration]:
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    return [Administration(first_id + i, client_id, 1000 * client_id + i, i + 1, measure,
                           "hash", start + timedelta(weeks=i), "client", "screen",
                           (t // 4,) * 3 + (t - 3 * (t // 4),), t, episode_start=EPISODE)
            for i, t in enumerate(totals)]


def facts(client_id: int, outcome: list[int], *, alliance: list[int] | None = None,
          name: str | None = None, pseudonym: str | None = None, preferred: str = "",
          born: date | None = date(1985, 6, 15), band: str = "",
          status: ClientStatus = ClientStatus.ACTIVE, end_reason: str = "",
          sessions: int | None = None, measure: str = "ors", age: int | None = 40,
          exposure: ExposureStatus | None = None,
          cors_reliable_change: int | None = None) -> ClientFacts:
    """One client's facts, with ratings summarised by the real `summarise` (tenths)."""
    administrations = _series(client_id, measure, outcome, 1_000_000 * client_id)
    if alliance:
        alliance_measure = "csrs" if measure == "cors" else "srs"
        administrations += _series(client_id, alliance_measure, alliance,
                                   1_000_000 * client_id + 500_000)
    override = {"cors": cors_reliable_change} if cors_reliable_change else None
    summary = summarise(administrations, DEFS, age, reliable_change_override=override)
    return ClientFacts(
        client_id=client_id, name=name or f"Client Number{client_id}",
        pseudonym=pseudonym or f"Oak {client_id}", preferred_name=preferred,
        date_of_birth=born, stored_age_band=band, status=status, episode_started=EPISODE,
        end_reason=end_reason if status is ClientStatus.CLOSED else "",
        sessions_attended=len(outcome) if sessions is None else sessions, ratings=summary,
        exposure=exposure or ExposureStatus())
