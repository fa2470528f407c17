"""The ORS/SRS trajectory chart: one drawing for the window and for PDF letters.

Drawn on a plain matplotlib `Figure` (no pyplot, no global state), so the window wraps it in a
Qt canvas and a letter saves it as vector graphics. matplotlib is imported inside the function:
importing it costs ~0.3–0.5 s and most sessions never draw a chart.

What a clinician needs to read at a glance, and never by colour alone: outcome totals (solid line,
round markers) and session ratings (dashed line, square markers) by session; the clinical cutoff
for the client's age band (dotted line, labelled); the intake ± reliable-change band (shaded,
labelled); alerts (triangles). Every point carries the text shown on hover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.measures import fmt
from app.ratings import Administration, RatingsSummary

OUTCOME_COLOUR = "#1f5f8b"
ALLIANCE_COLOUR = "#7a4e9c"
CUTOFF_COLOUR = "#5c5c5c"
BAND_COLOUR = "#d8e6f0"
ALERT_COLOUR = "#b3261e"


@dataclass(frozen=True)
class ChartPoint:
    """A drawn point and what hovering over it says."""

    x: float
    y: float
    text: str


def _x(index: int, administration: Administration) -> float:
    return float(administration.session_number or index + 1)


def _label(name: str, a: Administration, dates: bool) -> str:
    session = f"session {a.session_number}" if a.session_number else "no session"
    when = f", {a.administered_at.astimezone().strftime('%d %b %Y')}" if dates else ""
    items = " · ".join(fmt(v) for v in a.items) if a.items else "total only"
    return f"{name} {fmt(a.total)} — {session}{when}\n{items} ({a.source_label.lower()})"


def draw_trajectory(figure: Any, summary: RatingsSummary, *, outcome_name: str = "ORS",
                    alliance_name: str = "SRS", cutoff_label: str = "",
                    dates: bool = True) -> list[ChartPoint]:
    """Draw the client's trajectories on `figure`; return the points for hover text.

    `dates=False` labels points by session number only (de-identified documents).
    """
    figure.clear()
    axes = figure.add_subplot(1, 1, 1)
    points: list[ChartPoint] = []
    outcome = list(summary.outcome)
    alliance = list(summary.alliance)
    change = summary.change

    if change.intake_tenths is not None and change.reliable_change_tenths is not None:
        low = (change.intake_tenths - change.reliable_change_tenths) / 10
        high = (change.intake_tenths + change.reliable_change_tenths) / 10
        axes.axhspan(max(low, 0), min(high, 40), color=BAND_COLOUR, alpha=0.6, lw=0,
                     label=f"Intake {fmt(change.intake_tenths)} ± "
                           f"{fmt(change.reliable_change_tenths)} (no reliable change)")
    if change.cutoff_tenths is not None:
        axes.axhline(change.cutoff_tenths / 10, color=CUTOFF_COLOUR, ls=":", lw=1.4,
                     label=cutoff_label or f"Clinical cutoff {fmt(change.cutoff_tenths)}")

    def series(administrations: Sequence[Administration], name: str, colour: str,
               style: str, marker: str) -> None:
        if not administrations:
            return
        xs = [_x(i, a) for i, a in enumerate(administrations)]
        ys = [a.total / 10 for a in administrations]
        axes.plot(xs, ys, color=colour, ls=style, lw=1.8, marker=marker, ms=5,
                  label=name, zorder=3)
        for x, y, a in zip(xs, ys, administrations, strict=True):
            points.append(ChartPoint(x, y, _label(name, a, dates)))

    series(outcome, outcome_name, OUTCOME_COLOUR, "-", "o")
    series(alliance, alliance_name, ALLIANCE_COLOUR, "--", "s")

    # Mark an alert where it starts or changes: "not improving by session 4" holds at every
    # later session too, and a triangle on each would hide the ones that matter.
    alerts_by_id = {point.administration_id: point for point in summary.alerts}
    alert_xs: list[float] = []
    alert_ys: list[float] = []

    def mark(index: int, administration: Administration) -> None:
        point = alerts_by_id[administration.id]
        alert_xs.append(_x(index, administration))
        alert_ys.append(administration.total / 10)
        points.append(ChartPoint(alert_xs[-1], alert_ys[-1],
                                 "Alert: " + " ".join(a.message for a in point.alerts)))

    previous: frozenset[str] = frozenset()
    for index, administration in enumerate(outcome):
        point = alerts_by_id.get(administration.id)
        kinds = frozenset(a.kind.value for a in point.alerts) if point else frozenset()
        if kinds and kinds != previous:
            mark(index, administration)
        previous = kinds
    for index, administration in enumerate(alliance):
        if administration.id in alerts_by_id:
            mark(index, administration)
    if alert_xs:
        axes.scatter(alert_xs, alert_ys, marker="v", s=70, color=ALERT_COLOUR, zorder=4,
                     label="Alert")

    axes.set_ylim(0, 40)
    axes.set_yticks(range(0, 41, 5))
    axes.set_ylabel("Total (0–40)")
    axes.set_xlabel("Session")
    last_x = max((p.x for p in points), default=1.0)
    axes.set_xlim(0.5, max(last_x + 0.5, 4.5))
    axes.grid(axis="y", color="#e6e6e6", lw=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    if points:
        # Below the plot, never over it: the newest points (right) are the ones that matter.
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize="small",
                    frameon=False)
    else:
        axes.text(0.5, 0.5, "No ratings yet", transform=axes.transAxes, ha="center",
                  va="center", color=CUTOFF_COLOUR)
    figure.tight_layout()
    return points


def render_svg(summary: RatingsSummary, width_in: float = 6.5, height_in: float = 3.0,
               **options: Any) -> bytes:
    """The chart as SVG (vector) bytes, for letters; no fonts or files touched on disk."""
    import io

    import matplotlib
    from matplotlib.figure import Figure

    # Text stays text (not outlines): smaller, and searchable/readable in the PDF.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure = Figure(figsize=(width_in, height_in), dpi=100)
        draw_trajectory(figure, summary, **options)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()
