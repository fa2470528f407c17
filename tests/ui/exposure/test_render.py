"""Render the Exposure tab, the trial dialog and the step chart at 1280×800 and 150 % text."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from tests.ui.conftest import SHOTS, UI
from tests.ui.exposure.conftest import open_exposure, pass_time
from ui.workspace.exposure.dialogs import TrialDialog


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


def test_render_the_timed_exposure_the_ladder_over_time_and_the_learning_offer(
        big_font: None, demo: UI) -> None:
    """Every new exposure view at 1280×800 and 150 % text, to look at."""
    from PySide6.QtCore import Qt

    from tests.ui.client_mode.conftest import settle
    from tests.ui.exposure.conftest import PIN, rate, release, start_run
    from tests.ui.exposure.test_learning_offer import open_note
    from ui.pages.workspace import WorkspacePage
    from ui.workspace.exposure.dialogs import EditLadderDialog
    from ui.workspace.exposure.run_views import RunSetupDialog
    from ui.workspace.exposure.runner import ExposureRunner

    SHOTS.mkdir(parents=True, exist_ok=True)
    ui = demo
    ui.window.resize(1280, 800)
    tab = open_exposure(ui, "Jonas Berg")
    tab.detail_tabs.setCurrentWidget(tab.ladder_chart)
    ui.qtbot.waitUntil(lambda: tab.ladder_chart.drawn_lines > 0)
    QApplication.processEvents()
    assert ui.window.grab().save(str(SHOTS / "exposure-tab-ladder-over-time.png"))
    assert tab.ladder_chart.grab().save(str(SHOTS / "exposure-ladder-over-time.png"))
    tab.edit_ladder()
    assert isinstance(tab.dialog, EditLadderDialog)
    QApplication.processEvents()
    assert tab.dialog.grab().save(str(SHOTS / "exposure-edit-ladder.png"))
    tab.dialog.reject()
    tab.detail_tabs.setCurrentWidget(tab.chart)

    # The setup dialog, then the run itself.
    tab.table.setCurrentIndex(tab.model.index(2, 1))
    ui.wait_idle()
    tab.run_exposure()
    runner = ExposureRunner.of(ui.window)
    assert isinstance(runner.setup_dialog, RunSetupDialog)
    QApplication.processEvents()
    assert runner.setup_dialog.grab().save(str(SHOTS / "exposure-run-setup.png"))
    runner.setup_dialog.reject()
    ui.qtbot.waitUntil(lambda: not runner.active)

    _tab, _step, runner, window = start_run(ui, "Jonas Berg", planned="20", interval="5")
    assert window.grab().save(str(SHOTS / "exposure-client-suds.png"))
    for minute, fraction in ((0, 0.45), (5, 0.78), (10, 0.62)):
        if minute:
            pass_time(ui, 300)
            ui.qtbot.waitUntil(lambda: window.page == "form", timeout=3000)
        rate(ui, window, fraction)
    settle(ui.qtbot, window)
    assert window.grab().save(str(SHOTS / "exposure-client-waiting.png"))
    pass_time(ui, 130)
    ui.qtbot.waitUntil(lambda: ui.window.page.summary.clock.text() == "12:10")
    QApplication.processEvents()
    assert ui.window.grab().save(str(SHOTS / "exposure-run-page.png"))
    release(ui, window, PIN)
    ui.wait_for_page(WorkspacePage, timeout=15000)
    ui.qtbot.waitUntil(lambda: runner.paused_dialog is not None
                       and runner.paused_dialog.isVisible(), timeout=10000)
    ui.qtbot.waitUntil(lambda: runner.paused_dialog.summary.chart.drawn_lines > 0)
    QApplication.processEvents()
    assert runner.paused_dialog.grab().save(str(SHOTS / "exposure-run-paused.png"))
    ui.qtbot.mouseClick(runner.paused_dialog.stop_button, Qt.MouseButton.LeftButton)
    new_tab = ui.window.page.record.exposure_tab
    ui.qtbot.waitUntil(lambda: isinstance(new_tab.dialog, TrialDialog))
    QApplication.processEvents()
    assert new_tab.dialog.grab().save(str(SHOTS / "exposure-trial-from-run.png"))
    assert new_tab.dialog.scroll.widget().grab().save(
        str(SHOTS / "exposure-trial-from-run-form.png"))
    new_tab.dialog.reject()  # back to the paused exposure; discard it
    ui.qtbot.waitUntil(lambda: runner.paused_dialog is not None)
    ui.prompts.queue_confirmation(True)
    runner.paused_dialog.reject()
    ui.qtbot.waitUntil(lambda: not runner.active)

    # The learning offered in the next session's note.
    editor, _session = open_note(ui, "Jonas Berg", lambda sessions: max(
        (s for s in sessions if s.note_status is None), key=lambda s: s.date))
    ui.qtbot.waitUntil(lambda: editor.learning_offered)
    QApplication.processEvents()
    assert ui.window.grab().save(str(SHOTS / "exposure-learning-offer.png"))

    # An archived ladder, shown with "Show archived ladders": read-only, says how to restore.
    tab = open_exposure(ui, "Maya Okonkwo")
    ui.prompts.queue_confirmation(True)
    tab.archive_ladder()
    ui.qtbot.waitUntil(lambda: tab.ladder is None)
    tab.show_archived_ladders()
    ui.qtbot.waitUntil(lambda: tab.ladder is not None and tab.model.rowCount() > 0)
    ui.wait_idle()
    QApplication.processEvents()
    assert ui.window.grab().save(str(SHOTS / "exposure-archived-ladder.png"))
