"""A step's chart: SUDS before/peak/after per trial, and expectancy before/after.

matplotlib is imported the first time a chart is drawn (it takes a moment to load), and only
its Figure and Qt canvas are used, never pyplot. Each series has its own marker and line style
and a legend, so nothing depends on telling colours apart.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from storage.exposure import Trial
from ui.widgets.style import em

SUDS_SERIES = (("suds_before", "SUDS before", "o", "-"),
               ("suds_peak", "Peak SUDS", "^", "--"),
               ("suds_after", "SUDS after", "s", ":"))
EXPECTANCY_SERIES = (("expectancy_before", "Expectancy before", "D", "-"),
                     ("expectancy_after", "Expectancy after", "v", "--"))


class StepChart(QWidget):
    """The chart of one step's trials (empty until `show_trials`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Step chart")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("Choose a step with trials to see its chart.")
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self._layout.addWidget(self.empty)
        self.figure: Any = None
        self.canvas: Any = None
        self._trials: list[Trial] = []
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
        self.canvas.setAccessibleName("Chart of SUDS and expectancy per trial")
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout.addWidget(self.canvas, 1)

    def show_trials(self, trials: list[Trial]) -> None:
        """Show these trials (oldest first): drawn now if on screen, else when shown."""
        if not trials:
            self.clear()
            return
        self._trials = list(trials)
        self._dirty = True
        if self.isVisible():
            self._draw()

    def showEvent(self, event: Any) -> None:  # noqa: D102 - Qt override
        super().showEvent(event)
        if self._dirty:
            self._draw()

    def _draw(self) -> None:
        trials = self._trials
        self._dirty = False
        self._ensure_canvas()
        self.empty.hide()
        self.canvas.show()
        figure = self.figure
        figure.clear()
        font = self.font()
        size = max(7.0, font.pointSizeF() * 0.75) if font.pointSizeF() > 0 else 8.0
        xs = list(range(1, len(trials) + 1))
        suds_axes, exp_axes = figure.subplots(1, 2)
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
                              linestyle=style, color="#1c2733" if "before" in name.lower()
                              else "#245b87", label=name, markersize=6)
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
        self.setAccessibleDescription(
            f"{len(trials)} trial(s). Latest: SUDS "
            f"{trials[-1].record.suds_before}/{trials[-1].record.suds_peak}/"
            f"{trials[-1].record.suds_after} (before/peak/after), expectancy "
            f"{trials[-1].record.expectancy_before}% → {trials[-1].record.expectancy_after}%.")
        self.canvas.draw_idle()

    @property
    def drawn_lines(self) -> int:
        """How many series are drawn (tests)."""
        if self.figure is None or self.canvas is None or self.canvas.isHidden():
            return 0
        return sum(len(a.lines) for a in self.figure.axes)

    def clear(self) -> None:
        """No chart (no step, no trials, or locking)."""
        self._trials = []
        self._dirty = False
        if self.figure is not None:
            self.figure.clear()
            self.canvas.draw_idle()
            self.canvas.hide()
        self.setAccessibleDescription("")
        self.empty.show()
