"""Render the Exposure tab, the trial dialog and the step chart at 1280×800 and 150 % text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import UI
from tests.ui.exposure.conftest import open_exposure
from ui.workspace.exposure.dialogs import TrialDialog

SHOTS = Path("/tmp/tandem-shots")


@pytest.fixture
def big_font(qapp: QApplication) -> Iterator[None]:
    original = qapp.font()
    font = qapp.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    qapp.setFont(font)
    yield
    qapp.setFont(original)


def test_render_exposure_views(big_font: None, demo: UI) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    demo.window.resize(1280, 800)
    tab = open_exposure(demo, "Maya Okonkwo")
    row = max(range(tab.model.rowCount()), key=lambda r: tab.model.steps[r].trials)
    tab.table.setCurrentIndex(tab.model.index(row, 1))
    demo.qtbot.waitUntil(lambda: tab.chart.drawn_lines > 0)
    QApplication.processEvents()
    assert demo.window.grab().save(str(SHOTS / "exposure-tab.png"))
    assert tab.chart.grab().save(str(SHOTS / "exposure-chart.png"))
    tab.log_trial()
    dialog = tab.dialog
    assert isinstance(dialog, TrialDialog)
    dialog.exp_before.setText("80")
    dialog.exp_after.setText("30")
    QApplication.processEvents()
    assert dialog.grab().save(str(SHOTS / "exposure-trial-dialog.png"))
    # The whole form, unscrolled, to check every row.
    body = dialog.scroll.widget()
    assert body.grab().save(str(SHOTS / "exposure-trial-form.png"))
    dialog.reject()
    tab.new_ladder()
    QApplication.processEvents()
    assert tab.dialog.grab().save(str(SHOTS / "exposure-new-ladder.png"))
