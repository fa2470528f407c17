"""What the therapist sees of an in-session timed exposure (the client sees only client mode).

- `RunSetupDialog`: planned duration, "SUDS every N minutes", the client's screen; Start.
- `RunPage`: the main window's page while client mode holds the client's screen: elapsed time,
  when the next reading is due and the SUDS curve as it grows. Nothing can be clicked on it —
  client mode blocks every other window — so it says how to pause or stop: end client mode on
  the client's screen with the PIN or passphrase.
- `PausedRunDialog`: after client mode ended: resume readings, stop and log the trial, or
  discard (asked first).

They show one step's situation and this exposure's readings, never the client's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import InvalidInput
from storage.exposure import Step
from ui.client_mode import ScreenChoice
from ui.widgets.common import heading
from ui.widgets.style import em, scaled_font
from ui.workspace.dialogs import FormDialog
from ui.workspace.exposure.chart import ReadingsChart
from ui.workspace.exposure.dialogs import _line, _whole, readings_text
from ui.workspace.exposure.timer import ExposureRun, RunState, clock_text

HOW_TO_STOP = ("To pause or stop, end client mode on the client's screen with your PIN or "
               "passphrase: the ••• control in its corner, or Ctrl+Alt+Shift+T.")


@dataclass(frozen=True)
class RunSettings:
    """What the setup dialog gives back."""

    planned_minutes: int
    interval_minutes: int
    screen: str | None


def step_line(step: Step) -> str:
    """"Step 3: Run on the spot for 1 minute"."""
    return f"Step {step.position + 1}: {step.situation}"


class RunSetupDialog(FormDialog):
    """Set up a timed exposure for one step; Start opens the client's SUDS screen."""

    def __init__(self, step: Step, planned: int, interval: int, screens: list[ScreenChoice],
                 saved_screen: str | None, session_words: str,
                 parent: QWidget | None = None) -> None:
        super().__init__("Run exposure in session",
                         f"{step_line(step)}. The client rates their distress (SUDS 0–100) on "
                         "one big scale on their screen at the start and every few minutes; "
                         "you see the curve here.", "&Start", parent, width_chars=70)
        self.step = step
        self.planned = _line("Planned duration, minutes", str(planned), chars=6)
        self.add_row("Planned &duration (minutes):", self.planned)
        self.interval = _line("SUDS reading every, minutes", str(interval), chars=6)
        self.add_row("SUDS &every (minutes):", self.interval)
        self.screen_combo = QComboBox()
        for screen in screens:
            self.screen_combo.addItem(screen.label, screen.name)
        found = self.screen_combo.findData(saved_screen) if saved_screen else -1
        self.screen_combo.setCurrentIndex(max(found, 0))
        if len(screens) > 1:
            self.add_row("Client's &screen:", self.screen_combo)
        else:
            self.screen_combo.hide()
        self.session_note = QLabel(session_words)
        self.session_note.setObjectName("Muted")
        self.session_note.setWordWrap(True)
        self.session_note.setAccessibleName("Session")
        self.form.addRow(self.session_note)
        self.how = QLabel(HOW_TO_STOP)
        self.how.setObjectName("Notice")
        self.how.setWordWrap(True)
        self.how.setAccessibleName("How to pause or stop")
        self.form.addRow(self.how)
        self.fit_to_contents()
        self.planned.setFocus()
        self.planned.selectAll()

    def value(self) -> RunSettings:  # noqa: D102
        planned = _whole(self.planned.text(), "The planned duration", 1, 240, optional=False)
        interval = _whole(self.interval.text(), "The time between readings", 1, 60,
                          optional=False)
        assert planned is not None and interval is not None
        if interval > planned:
            raise InvalidInput("Readings must come at least once within the planned time: make "
                               "the interval no longer than the planned duration.")
        screen = self.screen_combo.currentData() if self.screen_combo.count() else None
        return RunSettings(planned, interval, str(screen) if screen else None)

    def set_busy(self, busy: bool) -> None:  # noqa: D102
        super().set_busy(busy)
        self.accept_button.setText("Starting…" if busy else "&Start")


def _status(run: ExposureRun) -> str:
    if run.state is RunState.READY:
        return "Starting…"
    if run.pending_minute is not None and run.state is RunState.RUNNING:
        return f"The client is rating their distress for minute {run.pending_minute}."
    if run.state is RunState.PAUSED:
        return "Paused."
    due = run.next_due
    next_words = f"Next reading at {clock_text(due * 60)}." if due is not None else ""
    if run.over_planned:
        return (f"The planned {run.planned_minutes} minutes are over; readings go on every "
                f"{run.interval_minutes} minutes until you stop. {next_words}")
    return next_words


class _RunSummary(QWidget):
    """Elapsed time, what is happening, the curve and the readings: one exposure at a glance."""

    def __init__(self, run: ExposureRun, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = run
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em(self, 0.5))
        self.step_label = QLabel(step_line(step))
        self.step_label.setWordWrap(True)
        self.step_label.setFont(scaled_font(1.1, bold=True))
        self.step_label.setAccessibleName("Step")
        layout.addWidget(self.step_label)
        row = QHBoxLayout()
        row.setSpacing(em(self, 1.2))
        self.clock = QLabel()
        self.clock.setObjectName("RunClock")
        self.clock.setFont(scaled_font(2.6, bold=True))
        self.clock.setAccessibleName("Elapsed time")
        self.clock.setTextFormat(Qt.TextFormat.PlainText)
        self.plan_label = QLabel()
        self.plan_label.setObjectName("Muted")
        self.plan_label.setAccessibleName("Plan")
        self.plan_label.setWordWrap(True)
        row.addWidget(self.clock, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.plan_label, 1, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        layout.addWidget(self.status)
        self.chart = ReadingsChart()
        layout.addWidget(self.chart, 1)
        self.readings_label = QLabel()
        self.readings_label.setWordWrap(True)
        self.readings_label.setAccessibleName("SUDS readings")
        self.readings_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.readings_label)
        run.ticked.connect(self._show_time)
        run.changed.connect(self.refresh)
        self.refresh()

    def _show_time(self) -> None:
        run = self.run
        self.clock.setText(clock_text(run.elapsed))
        self.clock.setAccessibleDescription(f"{int(run.elapsed // 60)} minutes "
                                            f"{int(run.elapsed % 60)} seconds")
        self.plan_label.setText(f"of {run.planned_minutes} minutes planned\nSUDS every "
                                f"{run.interval_minutes} minutes")
        self.status.setText(_status(run))

    def refresh(self) -> None:
        """Everything again (a reading came in, or the exposure started, paused, resumed)."""
        run = self.run
        self._show_time()
        self.chart.show_readings(run.readings, run.planned_minutes, run.interval_minutes)
        before, peak, after = run.summary
        text = readings_text(run.readings)
        if run.readings:
            text = f"Readings: {text}   ·   before {before}, peak {peak}, latest {after}"
        self.readings_label.setText(text)
        self.readings_label.setAccessibleDescription(text)

    def wipe(self) -> None:
        """Forget what is shown."""
        try:
            self.run.ticked.disconnect(self._show_time)
            self.run.changed.disconnect(self.refresh)
        except (RuntimeError, TypeError):
            pass
        self.chart.clear()
        for label in self.findChildren(QLabel):
            label.clear()
            label.setAccessibleDescription("")


class RunPage(QWidget):
    """The main window while the client rates: this exposure only, nothing to click."""

    def __init__(self, run: ExposureRun, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setAccessibleName("Exposure in progress")
        layout = QVBoxLayout(self)
        margin = em(self, 2.5)
        layout.setContentsMargins(margin, em(self, 1.6), margin, em(self, 1.2))
        layout.setSpacing(em(self, 0.6))
        layout.addWidget(heading("Exposure in progress", 1.5))
        self.summary = _RunSummary(run, step)
        layout.addWidget(self.summary, 1)
        self.how = QLabel("The client's screen shows the SUDS scale when a reading is due and a "
                          "calm “Thank you” page in between; Tandem's records stay hidden. "
                          + HOW_TO_STOP)
        self.how.setObjectName("Notice")
        self.how.setWordWrap(True)
        self.how.setAccessibleName("How to pause or stop")
        layout.addWidget(self.how)

    def wipe(self) -> None:
        """Forget what is shown (client mode ended, or the app is closing)."""
        self.summary.wipe()
        self.how.clear()


class PausedRunDialog(FormDialog):
    """Client mode ended: resume the readings, stop and log the trial, or discard."""

    stop_requested = Signal()
    """Stop and log trial…"""

    discard_requested = Signal()
    """Discard…, Esc or the close button: the runner asks before anything is thrown away."""

    def __init__(self, run: ExposureRun, step: Step, parent: QWidget | None = None) -> None:
        super().__init__("Exposure paused", "Client mode has ended and the clock is stopped. "
                         "Resume to go on with the readings (the client rates again at once), "
                         "or stop and log the trial.", "&Resume readings", parent,
                         width_chars=76)
        self.allow_close = False
        """Set when the window must close it (a lock): no question asked then."""
        self.summary = _RunSummary(run, step)
        self.summary.chart.setMinimumHeight(em(self, 26))
        outer = self.layout()
        outer.insertWidget(outer.indexOf(self.scroll), self.summary, 1)
        self.scroll.hide()  # no fields: the summary takes the room, never a scroll bar
        self.cancel_button.setText("&Discard…")
        self.cancel_button.setAccessibleName("Discard the exposure")
        self.cancel_button.setToolTip("Throw away this exposure's readings (you are asked first)")
        self.stop_button = QPushButton("Stop and &log trial…")
        self.stop_button.setAccessibleName("Stop and log the trial")
        self.stop_button.setToolTip("End the exposure and complete its trial record")
        self.stop_button.setAutoDefault(True)
        self.stop_button.clicked.connect(self.stop_requested)
        buttons = self.layout().itemAt(self.layout().count() - 1).layout()
        buttons.insertWidget(buttons.indexOf(self.accept_button), self.stop_button)
        self.accept_button.setToolTip("The client's screen opens again with the SUDS scale")
        if run.over_planned:  # the planned time is over: stopping is the likely next step
            self.accept_button.setDefault(False)
            self.accept_button.setObjectName("")
            self.stop_button.setObjectName("Primary")
            self.stop_button.setDefault(True)
            self.stop_button.setFocus()
        else:
            self.accept_button.setFocus()
        screen = self.screen().availableGeometry().height() if self.screen() else 900
        self.resize(self.width(), min(self.sizeHint().height() + em(self, 6),
                                      round(screen * 0.85)))

    def value(self) -> str:  # noqa: D102
        return "resume"

    def set_busy(self, busy: bool) -> None:  # noqa: D102
        super().set_busy(busy)
        self.stop_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.accept_button.setText("Starting…" if busy else "&Resume readings")

    def reject(self) -> None:  # noqa: D102 - Qt override: readings are never lost to an Esc
        if self.allow_close:
            super().reject()
            return
        self.discard_requested.emit()

    def wipe(self) -> None:  # noqa: D102
        super().wipe()
        self.summary.wipe()


def session_words(start_time: str | None) -> str:
    """Which session the trial will be linked to, in words."""
    if start_time is None:
        return ("No session for this client today: the trial is logged without one (add the "
                "session first to link them).")
    at = f" at {start_time}" if start_time else ""
    return f"The trial will be linked to today's session{at}."
