"""The trajectory chart in the Measures tab: matplotlib is imported the first time it draws.

The drawing itself is `reports.trajectory.draw_trajectory` (the same one letters use); this
widget wraps it in a Qt canvas and shows a point's values in a tooltip on hover.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from app.ratings import RatingsSummary
from ui.widgets.style import em

HOVER_PX = 12
"""How close (in pixels) the pointer must be to a point for its tooltip."""


class TrajectoryChart(QWidget):
    """The outcome and alliance totals by session; hover a point for its values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Trajectory chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(em(self, 16))
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel("Loading the chart…")
        self.placeholder.setObjectName("Muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.placeholder)
        self.figure: Any = None
        self.canvas: Any = None
        self.points: list[Any] = []
        self.last_draw_seconds = 0.0
        self.hover_text = ""

    def show_summary(self, summary: RatingsSummary, *, outcome_name: str, alliance_name: str,
                     cutoff_label: str) -> float:
        """Draw `summary` now; returns the seconds it took (import included, the first time)."""
        started = time.perf_counter()
        if self.canvas is None:
            self._build_canvas()
        from reports.trajectory import draw_trajectory

        self.points = draw_trajectory(self.figure, summary, outcome_name=outcome_name,
                                      alliance_name=alliance_name, cutoff_label=cutoff_label)
        self.canvas.draw()
        self.last_draw_seconds = time.perf_counter() - started
        described = ", ".join(p.text.split("\n")[0] for p in self.points[:40]
                              if not p.text.startswith("Alert"))
        self.setAccessibleDescription(described or "No ratings yet")
        return self.last_draw_seconds

    def _build_canvas(self) -> None:
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(6, 3), dpi=self.logicalDpiX() or 96,
                             layout=None)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setParent(self)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(em(self, 14))
        self.canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.canvas.setAccessibleName("Trajectory chart")
        self.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.canvas.mpl_connect("resize_event", lambda _e: self._tight())
        self._layout.removeWidget(self.placeholder)
        self.placeholder.hide()
        self._layout.addWidget(self.canvas)

    def _tight(self) -> None:
        if self.figure is not None and self.figure.axes:
            with contextlib.suppress(ValueError):  # too small to lay out: keep the last one
                self.figure.tight_layout()

    def nearest(self, x_px: float, y_px: float) -> Any:
        """The chart point within HOVER_PX of (x_px, y_px) in matplotlib display pixels."""
        if self.figure is None or not self.figure.axes or not self.points:
            return None
        axes = self.figure.axes[0]
        best, best_distance = None, float(HOVER_PX)
        for point in self.points:
            px, py = axes.transData.transform((point.x, point.y))
            distance = math.hypot(px - x_px, py - y_px)
            if distance <= best_distance:
                best, best_distance = point, distance
        return best

    def point_position(self, point: Any) -> QPoint:
        """Where `point` is drawn, in the canvas's widget coordinates."""
        axes = self.figure.axes[0]
        px, py = axes.transData.transform((point.x, point.y))
        ratio = self.canvas.device_pixel_ratio or 1.0
        height = self.figure.bbox.height
        return QPoint(round(px / ratio), round((height - py) / ratio))

    def _on_motion(self, event: Any) -> None:
        point = self.nearest(event.x, event.y) if event.x is not None else None
        text = point.text if point is not None else ""
        if text == self.hover_text:
            return
        self.hover_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.canvas)
        else:
            QToolTip.hideText()

    def clear(self) -> None:
        """Forget the drawing (another client, or locking)."""
        self.points = []
        self.hover_text = ""
        self.setAccessibleDescription("")
        if self.figure is not None:
            self.figure.clear()
            self.canvas.draw_idle()
