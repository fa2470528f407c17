"""Lock after inactivity, and lock when the computer slept.

An application-wide event filter notes the time of every key, mouse, wheel and touch event. A
one-second timer compares that with the idle limit. Time comes from injectable clocks, so tests
move a fake clock forward instead of sleeping.

Sleep detection: the monotonic clock stops while the machine sleeps (Linux, macOS), the wall clock
does not. When, between two ticks, the wall clock moved more than `sleep_jump` seconds further than
the monotonic clock, the machine was asleep (KeePassXC once missed exactly this). A gap of more than
`sleep_jump` seconds between ticks on the monotonic clock alone (Windows counts sleep there, and
a tick that came that late means the event loop was not running) counts too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

ACTIVITY_EVENTS = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.KeyRelease,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
    QEvent.Type.InputMethod,
})

TICK_MS = 1000
SLEEP_JUMP_SECONDS = 30.0


class InactivityMonitor(QObject):
    """Says when the person has been away too long, or the computer slept."""

    timed_out = Signal()
    """No input for the configured number of seconds."""

    slept = Signal()
    """The computer was asleep (or the clock jumped) since the last tick."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time, *,
                 sleep_jump: float = SLEEP_JUMP_SECONDS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._monotonic = monotonic
        self._wall = wall
        self._sleep_jump = sleep_jump
        self._limit: float | None = None
        self._last_activity = monotonic()
        self._last_tick: tuple[float, float] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.check)
        self._filtering = False

    @property
    def running(self) -> bool:
        """True while watching (the vault is unlocked)."""
        return self._limit is not None

    @property
    def idle_lock_active(self) -> bool:
        """True while inactivity can lock (not in sleep-only watching, not stopped)."""
        return self._limit is not None and self._limit != float("inf")

    @property
    def idle_seconds(self) -> float:
        """Seconds since the last input."""
        return self._monotonic() - self._last_activity

    def start(self, minutes: int) -> None:
        """Watch for `minutes` of inactivity; the count starts now."""
        self._limit = minutes * 60.0
        self._last_activity = self._monotonic()
        self._last_tick = (self._monotonic(), self._wall())
        app = QCoreApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        self._timer.start()

    def watch_sleep_only(self) -> None:
        """Watch for sleep but never time out (client mode holds the screen meanwhile).

        A client may sit at the rating form longer than the idle limit, and locking into the
        form would be wrong; but a laptop that slept in client mode must not wake to a state
        where the therapist's short PIN is all that stands before the records.
        """
        self.start(1)
        self._limit = float("inf")

    def set_minutes(self, minutes: int) -> None:
        """Change the limit while running (the settings dialog)."""
        if self._limit is not None and self._limit != float("inf"):
            self._limit = minutes * 60.0

    def stop(self) -> None:
        """Stop watching (the vault was locked or closed)."""
        self._limit = None
        self._last_tick = None
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False

    def note_activity(self) -> None:
        """Count now as input."""
        self._last_activity = self._monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Reset the idle time on input; never consumes the event."""
        if event.type() in ACTIVITY_EVENTS:
            self._last_activity = self._monotonic()
        return False

    def check(self) -> None:
        """One tick: emit `slept` or `timed_out` when it is time to lock."""
        if self._limit is None:
            return
        mono, wall = self._monotonic(), self._wall()
        if self._last_tick is not None:
            last_mono, last_wall = self._last_tick
            mono_step, wall_step = mono - last_mono, wall - last_wall
            self._last_tick = (mono, wall)
            if wall_step - mono_step > self._sleep_jump or mono_step > self._sleep_jump:
                self.slept.emit()
                if self._limit is None:  # the listener locked
                    return
        else:
            self._last_tick = (mono, wall)
        if mono - self._last_activity >= self._limit:
            self.timed_out.emit()
