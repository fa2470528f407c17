"""Render the Measures tab, its dialogs and the neutral window in client mode (1280×800, 150 %)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import SHOTS, UI
from tests.ui.measures.conftest import click_row, dialog_of, open_measures, open_record
from ui.workspace.measures.dialogs import DiscussedDialog, PaperEntryDialog


def test_render_measures_views(big_font: None, demo: UI) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    demo.window.resize(1280, 800)
    tab = open_measures(demo, "Priya Raman")
    QApplication.processEvents()
    assert demo.window.grab().save(str(SHOTS / "measures-tab.png"))
    model = tab.model
    row = next(r for r in range(model.rowCount() - 1, -1, -1) if model.alerts(r))
    click_row(demo, tab, row)
    demo.qtbot.mouseClick(tab.discussed_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(demo, DiscussedDialog)
    QApplication.processEvents()
    assert dialog.grab().save(str(SHOTS / "measures-discussed-dialog.png"))
    dialog.reject()
    demo.qtbot.mouseClick(tab.paper_button, Qt.MouseButton.LeftButton)
    paper = dialog_of(demo, PaperEntryDialog)
    for edit, value in zip(paper.item_edits, ("6.4", "10.5", "7", "8.1"), strict=True):
        edit.setText(value)
    demo.qtbot.mouseClick(paper.accept_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert paper.grab().save(str(SHOTS / "measures-paper-dialog.png"))
    paper.reject()

    open_record(demo, "Priya Raman")
    demo.window.workspace_actions["start_ors"].trigger()
    runner = demo.window.client_mode
    demo.qtbot.waitUntil(lambda: runner.controller.active, timeout=10000)
    QApplication.processEvents()
    assert demo.window.grab().save(str(SHOTS / "measures-client-mode-main-window.png"))
    runner.controller.window.grab().save(str(SHOTS / "measures-client-mode-form.png"))
