"""The exposure charts: a step's trials, the whole ladder over time, and a timed exposure live.

- `StepChart`: SUDS before/peak/after per trial, and expectancy before/after.
- `LadderChart`: every step's peak SUDS per trial against the date (the ladder over time).
- `ReadingsChart`: the SUDS readings of an exposure as it runs, against its minutes.

matplotlib is imported the first time a chart is drawn (it takes a moment to load), and only
its Figure and Qt canvas are used, never pyplot. Each series has its own marker and line style,
a legend and labels at the points, so nothing depends on telling colours apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from storage.exposure import Step, Trial
from ui.widgets.style import em

INK = "#1c2733"
BLUE = "#245b87"
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")
STYLES = ("-", "--", ":", "-.")


def _font_size(widget: QWidget, factor: float = 0.75) -> float:
    """Chart text `factor` times the application font, never tiny."""
    size = widget.font().pointSizeF()
    return max(7.0, size * factor) if size > 0 else 8.0


def short(text: str, chars: int = 34) -> str:
    """A situation cut to fit a legend."""
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"

SUDS_SERIES = (("suds_before", "SUDS before", "o", "-"),
               ("suds_peak", "Peak SUDS", "^", "--"),
               ("suds_after", "SUDS after", "s", ":"))
EXPECTANCY_SERIES = (("expectancy_before", "Expectancy before", "D", "-"),
                     ("expectancy_after", "Expectancy after", "v", "--"))


class _Chart(QWidget):
    """A matplotlib canvas made on first use, drawn when on screen, with a line for "empty"."""

    font_factor = 0.75
    """Chart text size against the application font (a chart read at a glance gets more)."""

    def __init__(self, name: str, canvas_name: str, empty_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self._canvas_name = canvas_name
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self._layout.addWidget(self.empty)
        self.figure: Any = None
        self.canvas: Any = None
        self._dirty = False
        self.setMinimumHeight(em(self, 14))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def _ensure_canvas(self) -> None:
        if self.canvas is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.figure = Figure(layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setAccessibleName(self._canvas_name)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout.addWidget(self.canvas, 1)

    def _changed(self) -> None:
        """New data: drawn now if on screen, else when shown."""
        self._dirty = True
        if self.isVisible():
            self._redraw()

    def showEvent(self, event: Any) -> None:  # Qt override
        super().showEvent(event)
        if self._dirty:
            self._redraw()

    def _redraw(self) -> None:
        self._dirty = False
        self._ensure_canvas()
        self.empty.hide()
        self.canvas.show()
        self.figure.clear()
        self._draw(_font_size(self, self.font_factor))
        self.canvas.draw_idle()

    def _draw(self, size: float) -> None:
        raise NotImplementedError

    @property
    def drawn_lines(self) -> int:
        """How many series are drawn (tests)."""
        if self.figure is None or self.canvas is None or self.canvas.isHidden():
            return 0
        return sum(len(a.lines) for a in self.figure.axes)

    def clear(self) -> None:
        """No chart (nothing to show, or locking)."""
        self._dirty = False
        if self.figure is not None:
            self.figure.clear()
            self.canvas.draw_idle()
            self.canvas.hide()
        self.setAccessibleDescription("")
        self.empty.show()


class StepChart(_Chart):
    """The chart of one step's trials (empty until `show_trials`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Step chart", "Chart of SUDS and expectancy per trial",
                         "Choose a step with trials to see its chart.", parent)
        self._trials: list[Trial] = []

    def show_trials(self, trials: list[Trial]) -> None:
        """Show these trials (oldest first): drawn now if on screen, else when shown."""
        if not trials:
            self.clear()
            return
        self._trials = list(trials)
        self._changed()

    def _draw(self, size: float) -> None:
        trials = self._trials
        xs = list(range(1, len(trials) + 1))
        suds_axes, exp_axes = self.figure.subplots(1, 2)
        for axes, series, title, label in (
                (suds_axes, SUDS_SERIES, "SUDS per trial", "SUDS"),
                (exp_axes, EXPECTANCY_SERIES, "Expectancy of the feared outcome",
                 "Expectancy %")):
            for attribute, name, marker, style in series:
                points = [(x, getattr(t.record, attribute)) for x, t in zip(xs, trials,
                                                                               strict=True)]
                points = [(x, y) for x, y in points if y is not None]
                if points:
                    axes.plot([p[0] for p in points], [p[1] for p in points], marker=marker,
                              linestyle=style, color=INK if "before" in name.lower() else BLUE,
                              label=name, markersize=6)
            axes.set_ylim(-3, 103)
            axes.set_xlim(0.5, len(trials) + 0.5)
            axes.set_xticks(xs)
            axes.set_label(title)
            axes.set_xlabel("Trial", fontsize=size)
            axes.set_ylabel(label, fontsize=size)
            axes.tick_params(labelsize=size * 0.9)
            axes.grid(True, linestyle=":", linewidth=0.5)
            if axes.lines:
                axes.legend(fontsize=size * 0.9, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                            frameon=False, handlelength=2.5)
        last = trials[-1].record
        self.setAccessibleDescription(
            f"{len(trials)} trial(s). Latest: SUDS {last.suds_before}/{last.suds_peak}/"
            f"{last.suds_after} (before/peak/after), expectancy {last.expectancy_before}% → "
            f"{last.expectancy_after}%.")

    def clear(self) -> None:  # noqa: D102 - see _Chart
        self._trials = []
        super().clear()


class LadderChart(_Chart):
    """The whole ladder over time: each step's peak SUDS per trial, against the date.

    One series per step (its number beside its last point, its own marker and line style);
    filled markers are trials in session, hollow ones homework.
    """

    font_factor = 0.8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Ladder over time", "Chart of every step's peak SUDS over time",
                         "No trials on this ladder yet: its chart starts with the first one.",
                         parent)
        self._steps: list[Step] = []
        self._trials: list[Trial] = []
        self.series: list[tuple[int, list[tuple[datetime, int]]]] = []
        """(step number, [(when, peak SUDS)]) as drawn (tests, and the description)."""

    def show_ladder(self, steps: list[Step], trials: list[Trial]) -> None:
        """Show these steps' trials (any order): drawn now if on screen, else when shown."""
        numbered = {s.id: n for n, s in enumerate(steps, start=1)}
        self._steps = list(steps)
        self._trials = sorted((t for t in trials if t.step_id in numbered
                               and t.record.suds_peak is not None),
                              key=lambda t: t.record.started_at)
        self.series = []
        for step in steps:
            points = [(t.record.started_at, t.record.suds_peak) for t in self._trials
                      if t.step_id == step.id and t.record.suds_peak is not None]
            if points:
                self.series.append((numbered[step.id], points))
        if not self.series:
            self.clear()
            return
        self._changed()

    def _draw(self, size: float) -> None:
        import matplotlib.dates as mdates
        from matplotlib.lines import Line2D

        axes = self.figure.subplots(1, 1)
        by_number = dict(enumerate(self._steps, start=1))
        handles = []
        for index, (number, points) in enumerate(self.series):
            step = by_number[number]
            marker = MARKERS[index % len(MARKERS)]
            style = STYLES[index % len(STYLES)]
            colour = INK if index % 2 == 0 else BLUE
            when = [p[0].astimezone() for p in points]
            peaks = [p[1] for p in points]
            status = f" ({step.status.label.lower()})" if step.status.value in (
                "mastered", "dropped") else ""
            axes.plot(when, peaks, linestyle=style, color=colour, linewidth=1.2)
            for trial in (t for t in self._trials if t.step_id == step.id):
                session = trial.record.setting == "session"
                axes.plot([trial.record.started_at.astimezone()], [trial.record.suds_peak],
                          marker=marker, linestyle="none", markersize=6.5, color=colour,
                          markerfacecolor=colour if session else "white",
                          markeredgewidth=1.3)
            axes.annotate(str(number), (when[-1], peaks[-1]), textcoords="offset points",
                          xytext=(5, 4), fontsize=size * 0.95, fontweight="bold", color=colour)
            handles.append(Line2D([], [], color=colour, linestyle=style, marker=marker,
                                  markersize=6, label=f"{number} · "
                                                      f"{short(step.situation, 28)}{status}"))
        # What the fill of a marker means, after the steps.
        handles += [Line2D([], [], color=INK, linestyle="none", marker="o",
                           markerfacecolor=INK, label="filled: in session"),
                    Line2D([], [], color=INK, linestyle="none", marker="o",
                           markerfacecolor="white", label="hollow: homework")]
        axes.legend(handles=handles, fontsize=size * 0.85, loc="upper left",
                    bbox_to_anchor=(1.0, 1.0), frameon=False, handlelength=2.5)
        axes.set_ylim(-3, 103)
        axes.set_ylabel("Peak SUDS", fontsize=size)
        axes.set_xlabel("Date of the trial", fontsize=size)
        axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        axes.margins(x=0.08)  # room for the step numbers beside the last points
        axes.tick_params(labelsize=size * 0.9)
        axes.grid(True, linestyle=":", linewidth=0.5)
        first = self._trials[0].record.started_at.astimezone()
        last = self._trials[-1].record.started_at.astimezone()
        parts = [f"step {n}: {len(points)} trial(s), peak {points[0][1]} → {points[-1][1]}"
                 for n, points in self.series]
        self.setAccessibleDescription(
            f"{len(self._trials)} trial(s) from {first:%d %b %Y} to {last:%d %b %Y}; "
            + "; ".join(parts) + ".")

    def clear(self) -> None:  # noqa: D102 - see _Chart
        self._steps = []
        self._trials = []
        self.series = []
        super().clear()


class ReadingsChart(_Chart):
    """A timed exposure's SUDS readings against its minutes, redrawn as each one arrives."""

    font_factor = 0.95  # read across the room, during the exposure

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("SUDS readings", "Chart of the SUDS readings of this exposure",
                         "The client's readings appear here as they come in.", parent)
        self.readings: list[tuple[int, int]] = []
        self.planned = 0
        self.interval = 5

    def show_readings(self, readings: list[tuple[int, int]], planned: int,
                      interval: int) -> None:
        """Show these (minute, SUDS) readings with the planned end marked."""
        self.readings = list(readings)
        self.planned = planned
        self.interval = interval
        if not self.readings:
            self.clear()
            return
        self._changed()

    def _draw(self, size: float) -> None:
        axes = self.figure.subplots(1, 1)
        minutes = [m for m, _s in self.readings]
        values = [s for _m, s in self.readings]
        axes.plot(minutes, values, marker="o", linestyle="-", color=BLUE, markersize=7,
                  linewidth=1.6, label="SUDS")
        for minute, value in self.readings:
            axes.annotate(str(value), (minute, value), textcoords="offset points",
                          xytext=(0, 7), ha="center", fontsize=size * 0.95, color=INK)
        right = max(self.planned, minutes[-1]) + max(1, self.interval // 2)
        axes.axvline(self.planned, color=INK, linestyle="--", linewidth=1)
        axes.annotate("planned end", (self.planned, 100), textcoords="offset points",
                      xytext=(-4, -2), ha="right", va="top", fontsize=size * 0.85, color=INK)
        axes.set_xlim(-0.5, right)
        axes.set_ylim(-3, 108)
        ticks = list(range(0, right + 1, self.interval))
        axes.set_xticks(ticks)
        axes.set_xlabel("Minutes", fontsize=size)
        axes.set_ylabel("SUDS", fontsize=size)
        axes.tick_params(labelsize=size * 0.9)
        axes.grid(True, linestyle=":", linewidth=0.5)
        self.setAccessibleDescription(
            "SUDS readings: " + ", ".join(f"minute {m}: {s}" for m, s in self.readings) + ".")

    def clear(self) -> None:  # noqa: D102 - see _Chart
        self.readings = []
        super().clear()
