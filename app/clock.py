"""Time as a port, so tests can run a fake clock (timers, late entries, audit times)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Something that says what time it is, timezone-aware, in UTC."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current moment in UTC, to the microsecond."""
        return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The one timestamp format Tandem stores: ISO 8601 UTC with microseconds and a 'Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SettableClock:
    """A clock that says what it is told: tests, and the demo generator writing past notes."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        """The time last set."""
        return self.moment

    def set(self, moment: datetime) -> None:
        """Move the clock (forwards or backwards)."""
        self.moment = moment
