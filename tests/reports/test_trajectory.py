"""The trajectory chart: vector for letters, hover texts, de-identified labels, lazy import."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from app.measures import load_definitions
from app.ratings import Administration, summarise
from app.resources import resource_dir
from reports.trajectory import draw_trajectory, render_svg
from tests.conftest import ROOT

DEFS = load_definitions(resource_dir() / "measures")


def series(measure: str, totals: list[int], start_id: int = 1) -> list[Administration]:
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    return [Administration(start_id + i, 1, 100 + i, i + 1, measure, "h",
                           start + timedelta(weeks=i), "client", "screen",
                           (t // 4,) * 3 + (t - 3 * (t // 4),), t, episode_start=date(2026, 3, 1))
            for i, t in enumerate(totals)]


def summary():
    administrations = series("ors", [180, 190, 205, 240, 262]) + \
        series("srs", [390, 380, 330, 395, 398], start_id=50)
    return summarise(administrations, DEFS, age=40)


def test_hover_texts_carry_score_session_date_and_items() -> None:
    from matplotlib.figure import Figure

    points = draw_trajectory(Figure(), summary())
    texts = [p.text for p in points]
    assert any(t.startswith("ORS 26.2 — session 5, 30 Mar 2026") for t in texts)
    assert any(t.startswith("SRS 33.0 — session 3") for t in texts)
    assert any(t.startswith("Alert: Session rating 33.0 is below 36.0") for t in texts)


def test_de_identified_charts_carry_no_dates() -> None:
    from matplotlib.figure import Figure

    texts = [p.text for p in draw_trajectory(Figure(), summary(), dates=False)]
    assert texts and not any("2026" in t or "Mar" in t for t in texts)


def test_svg_is_vector_and_labels_the_rules() -> None:
    svg = render_svg(summary()).decode()
    assert svg.startswith("<?xml") and "<path" in svg
    assert "Clinical cutoff 25.0" in svg
    assert "Intake 18.0 ± 5.0 (no reliable change)" in svg
    assert "<image" not in svg  # no embedded raster


def test_an_empty_chart_says_so() -> None:
    svg = render_svg(summarise([], DEFS, age=None)).decode()
    assert "No ratings yet" in svg


def test_importing_reports_does_not_import_matplotlib() -> None:
    code = ("import sys, reports.trajectory; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"
