"""The ORS/SRS trajectory as vector graphics for PDFs (reportlab.graphics, no matplotlib).

Why a second drawing of the chart the window shows (reports/trajectory.py, matplotlib): a PDF
needs it as vectors, with the document's own embedded font. matplotlib's PDF output cannot be
placed inside a reportlab page without a PDF-merging step and brings its own fonts; its SVG
would need svglib, which Tandem does not ship. Drawing with reportlab.graphics keeps the chart
sharp at any zoom or print size, small (a few KB), text searchable, and avoids importing
matplotlib (~0.4 s) for a letter. The reading is the same as on screen — same colours, line
styles and markers, never colour alone: outcome solid with circles, session rating dashed with
squares, cutoff dotted and labelled, intake ± reliable change shaded, alerts as triangles — and
the chart data itself comes from app.letters.chart_data, which mirrors draw_trajectory's rules.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from app.letters import ChartData
from reports.document import FONT, register_fonts
from reports.trajectory import (
    ALERT_COLOUR,
    ALLIANCE_COLOUR,
    BAND_COLOUR,
    CUTOFF_COLOUR,
    OUTCOME_COLOUR,
)

_GRID = colors.HexColor("#e3e3e3")
_AXIS = colors.HexColor("#8a8a8a")
_TEXT = colors.HexColor("#333333")
_SIZE = 7.5
_DASH = [4, 2.5]
_DOTS = [1.2, 2.2]


def _text_width(text: str, size: float = _SIZE) -> float:
    return float(pdfmetrics.stringWidth(text, FONT, size))


def _ticks(low: float, high: float) -> list[int]:
    """Whole session numbers on the x axis, thinned so labels never collide."""
    span = high - low
    step = 1 if span <= 16 else 2 if span <= 32 else 5 if span <= 80 else 10
    first = int(low) + 1
    return [x for x in range(first, int(high) + 1) if x % step == 0 or step == 1]


def trajectory_drawing(chart: ChartData, width: float, height: float = 190.0) -> Drawing:
    """The chart in a `width` × `height` point drawing (a platypus Flowable)."""
    register_fonts()
    # The initial font is the document's own: renderPDF would otherwise select Helvetica
    # (a standard font, not embedded) before the first label, and leave it in the PDF.
    drawing = Drawing(width, height, initialFontName=FONT, initialFontSize=_SIZE)
    legend_items = _legend_items(chart)
    legend, legend_height = _legend(legend_items, width - 40)
    left, right = 38.0, 10.0
    bottom = 26.0 + legend_height
    top = 8.0
    plot_w = width - left - right
    plot_h = height - bottom - top
    xs = [p[0] for series in (chart.outcome, chart.alliance) if series for p in series.points]
    x_low = 0.5
    x_high = max(max(xs, default=1.0) + 0.5, 4.5)

    def px(x: float) -> float:
        return left + (x - x_low) / (x_high - x_low) * plot_w

    def py(y: float) -> float:
        return bottom + max(0.0, min(y, chart.y_max)) / chart.y_max * plot_h

    if chart.band is not None:
        low, high = chart.band
        drawing.add(Rect(left, py(low), plot_w, py(high) - py(low), fillColor=BAND_COLOUR,
                         strokeColor=None))
    for value in range(0, int(chart.y_max) + 1, 5):
        y = py(value)
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=_GRID, strokeWidth=0.5))
        drawing.add(String(left - 4, y - 2.5, f"{value}", fontName=FONT, fontSize=_SIZE,
                           fillColor=_TEXT, textAnchor="end"))
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=_AXIS, strokeWidth=0.7))
    drawing.add(Line(left, bottom, left, bottom + plot_h, strokeColor=_AXIS, strokeWidth=0.7))
    for tick in _ticks(x_low, x_high):
        x = px(tick)
        drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=_AXIS, strokeWidth=0.7))
        drawing.add(String(x, bottom - 11, str(tick), fontName=FONT, fontSize=_SIZE,
                           fillColor=_TEXT, textAnchor="middle"))
    drawing.add(String(left + plot_w / 2, bottom - 21, chart.x_label, fontName=FONT,
                       fontSize=_SIZE, fillColor=_TEXT, textAnchor="middle"))
    y_title = Group(String(0, 0, chart.y_label, fontName=FONT, fontSize=_SIZE,
                           fillColor=_TEXT, textAnchor="middle"))
    y_title.transform = (0, 1, -1, 0, 9, bottom + plot_h / 2)
    drawing.add(y_title)

    if chart.cutoff is not None:
        y = py(chart.cutoff)
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=CUTOFF_COLOUR,
                         strokeWidth=1.1, strokeDashArray=_DOTS))
        drawing.add(String(left + plot_w - 2, y + 3, chart.cutoff_label, fontName=FONT,
                           fontSize=_SIZE - 0.5, fillColor=CUTOFF_COLOUR, textAnchor="end"))

    for series, colour, dash, marker in ((chart.alliance, ALLIANCE_COLOUR, _DASH, "square"),
                                         (chart.outcome, OUTCOME_COLOUR, None, "circle")):
        if series is None:
            continue
        points = [(px(x), py(y)) for x, y in series.points]
        if len(points) > 1:
            drawing.add(PolyLine([c for p in points for c in p], strokeColor=colour,
                                 strokeWidth=1.5, strokeDashArray=dash))
        for x, y in points:
            drawing.add(_marker(marker, x, y, colour))
    for x, y in chart.alerts:
        drawing.add(_marker("triangle", px(x), py(y) + 7, ALERT_COLOUR))

    if legend_items:
        legend.translate(left, 2)
        drawing.add(legend)
    return drawing


def _marker(kind: str, x: float, y: float, colour: colors.Color, size: float = 2.6) -> Group:
    group = Group()
    if kind == "circle":
        group.add(Circle(x, y, size, fillColor=colour, strokeColor=colors.white,
                         strokeWidth=0.5))
    elif kind == "square":
        group.add(Rect(x - size, y - size, 2 * size, 2 * size, fillColor=colour,
                       strokeColor=colors.white, strokeWidth=0.5))
    else:  # a triangle pointing down, like matplotlib's "v"
        s = size * 1.4
        group.add(Polygon([x - s, y + s * 0.6, x + s, y + s * 0.6, x, y - s],
                          fillColor=colour, strokeColor=colors.white, strokeWidth=0.4))
    return group


def _legend_items(chart: ChartData) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if chart.outcome is not None:
        items.append(("outcome", chart.outcome.name))
    if chart.alliance is not None:
        items.append(("alliance", chart.alliance.name))
    if chart.cutoff is not None:
        items.append(("cutoff", chart.cutoff_label))
    if chart.band is not None:
        items.append(("band", chart.band_label))
    if chart.alerts:
        items.append(("alert", "Alert"))
    return items


def _legend(items: list[tuple[str, str]], width: float) -> tuple[Group, float]:
    """Legend entries flowed left to right in as many rows as they need (below the plot)."""
    group = Group()
    row_height = 11.0
    rows: list[list[tuple[str, str, float]]] = [[]]
    used = 0.0
    for kind, label in items:
        item_w = 22 + _text_width(label) + 12
        if rows[-1] and used + item_w > width:
            rows.append([])
            used = 0.0
        rows[-1].append((kind, label, used))
        used += item_w
    for index, row in enumerate(rows):
        y = (len(rows) - 1 - index) * row_height + 3
        for kind, label, x in row:
            sample = Group()
            if kind in ("outcome", "alliance"):
                colour = OUTCOME_COLOUR if kind == "outcome" else ALLIANCE_COLOUR
                sample.add(Line(x, y + 2.5, x + 18, y + 2.5, strokeColor=colour, strokeWidth=1.5,
                                strokeDashArray=_DASH if kind == "alliance" else None))
                sample.add(_marker("circle" if kind == "outcome" else "square", x + 9, y + 2.5,
                                   colour, 2.3))
            elif kind == "cutoff":
                sample.add(Line(x, y + 2.5, x + 18, y + 2.5, strokeColor=CUTOFF_COLOUR,
                                strokeWidth=1.1, strokeDashArray=_DOTS))
            elif kind == "band":
                sample.add(Rect(x, y - 1, 18, 7, fillColor=BAND_COLOUR, strokeColor=None))
            else:
                sample.add(_marker("triangle", x + 9, y + 3.5, ALERT_COLOUR))
            group.add(sample)
            group.add(String(x + 22, y, label, fontName=FONT, fontSize=_SIZE, fillColor=_TEXT))
    return group, (len(rows) * row_height + 4 if items else 0.0)
