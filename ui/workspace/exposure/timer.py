"""The clock of one in-session exposure: elapsed time, when a SUDS reading is due, the readings.

No widgets and no client mode here (the runner wires those in): only time and numbers, so the
schedule is easy to reason about and to test. Time comes from an injected monotonic clock (the
session's, which tests replace with a fake one) and a QTimer that ticks a few times a second;
nothing sleeps and nothing depends on how late a tick fires, because every tick reads the clock.

The schedule: a reading at minute 0, then every `interval` minutes, and one at the planned end
when that is not on the grid. Readings go on after the planned end until the therapist stops
(an exposure often runs on until the distress comes down). A pause freezes the elapsed time; on
resume the client rates again at once, at the minute the exposure stands at.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from enum import Enum

from PySide6.QtCore import QObject, QTimer, Signal

TICK_MS = 250
"""How often the elapsed time is read (a quarter second: the display never lags visibly)."""
DEFAULT_INTERVAL = 5
DEFAULT_PLANNED = 20


class RunState(Enum):
    """Where the exposure stands."""

    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"


def clock_text(seconds: float) -> str:
    """Elapsed time as "mm:ss" (or "h:mm:ss" past an hour)."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ExposureRun(QObject):
    """One timed exposure: start, pause, resume; readings at the minutes they were asked for."""

    ticked = Signal()
    """The elapsed time was read again (while running)."""

    reading_due = Signal(int)
    """A reading is due now, for this minute: ask the client."""

    changed = Signal()
    """A reading arrived, or the exposure started, paused or resumed."""

    def __init__(self, planned_minutes: int, interval_minutes: int,
                 monotonic: Callable[[], float], started_at: Callable[[], datetime],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if planned_minutes < 1 or interval_minutes < 1:
            raise ValueError("The planned time and the interval are whole minutes, at least 1.")
        self.planned_minutes = planned_minutes
        self.interval_minutes = interval_minutes
        self._monotonic = monotonic
        self._now = started_at
        self.state = RunState.READY
        self.started_at: datetime | None = None
        self.readings: list[tuple[int, int]] = []
        self.pending_minute: int | None = None
        """The minute the client is being asked about (None: nothing asked right now)."""
        self._banked = 0.0  # seconds run before the current stretch
        self._since: float | None = None  # monotonic start of the current stretch
        self._next_due = 0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    # -- time -------------------------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        """Seconds of exposure so far (pauses not counted)."""
        if self._since is None:
            return self._banked
        return self._banked + max(0.0, self._monotonic() - self._since)

    @property
    def elapsed_minutes(self) -> int:
        """Whole minutes of exposure so far (what "actual duration" records)."""
        return round(self.elapsed / 60)

    @property
    def over_planned(self) -> bool:
        """True once the planned time has passed."""
        return self.elapsed >= self.planned_minutes * 60

    @property
    def next_due(self) -> int | None:
        """The minute of the next reading (None before the start)."""
        return None if self.state is RunState.READY else self._next_due

    def _after(self, minute: int) -> int:
        """The first scheduled minute after `minute`."""
        grid = (minute // self.interval_minutes + 1) * self.interval_minutes
        if minute < self.planned_minutes < grid:
            return self.planned_minutes
        return grid

    # -- the therapist's controls -----------------------------------------------------------

    def start(self) -> None:
        """Start the clock; the first reading (minute 0) is due at once."""
        if self.state is not RunState.READY:
            return
        self.started_at = self._now()
        self.state = RunState.RUNNING
        self._since = self._monotonic()
        self.pending_minute = 0
        self._next_due = self._after(0)
        self._timer.start()
        self.changed.emit()

    def pause(self) -> None:
        """Freeze the clock; a reading asked for and not given is dropped."""
        if self.state is not RunState.RUNNING:
            return
        self._banked = self.elapsed
        self._since = None
        self.state = RunState.PAUSED
        self.pending_minute = None
        self._timer.stop()
        self.changed.emit()

    def resume(self) -> None:
        """Run on from where it stopped; the client rates again now, at this minute."""
        if self.state is not RunState.PAUSED:
            return
        self.state = RunState.RUNNING
        self._since = self._monotonic()
        minute = int(self._banked // 60)
        self.pending_minute = minute
        self._next_due = self._after(minute)
        self._timer.start()
        self.changed.emit()

    def stop(self) -> None:
        """The end: the clock stops for good (the readings stay)."""
        if self.state is RunState.RUNNING:
            self.pause()
        self._timer.stop()

    # -- readings ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Read the clock; when a reading has come due, say so (once, for the latest minute)."""
        if self.state is not RunState.RUNNING:
            return
        elapsed = self.elapsed
        due: int | None = None
        while self._next_due * 60 <= elapsed + 1e-6:
            due = self._next_due  # a missed reading (the machine was busy) is skipped
            self._next_due = self._after(due)
        if due is not None:
            self.pending_minute = due
            self.reading_due.emit(due)
        self.ticked.emit()

    def add_reading(self, suds: int) -> int:
        """The client's rating for the minute asked about; returns that minute.

        A second rating for the same minute (after a resume) replaces the first.
        """
        if not 0 <= suds <= 100:
            raise ValueError("SUDS runs from 0 to 100.")
        minute = self.pending_minute
        if minute is None:
            minute = math.floor(self.elapsed / 60)
        self.readings = sorted([r for r in self.readings if r[0] != minute] + [(minute, suds)])
        self.pending_minute = None
        self.changed.emit()
        return minute

    @property
    def summary(self) -> tuple[int | None, int | None, int | None]:
        """SUDS before (the first reading), peak (the highest) and after (the last)."""
        if not self.readings:
            return None, None, None
        values = [s for _m, s in self.readings]
        return values[0], max(values), values[-1]
