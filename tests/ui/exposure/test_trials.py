"""Logging trials from the keyboard, readiness under both rules, and the step's chart."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt

from app.exposure import StepStatus
from tests.ui.conftest import UI
from tests.ui.exposure.conftest import CTRL, open_exposure, wait_stored
from ui.workspace.exposure.dialogs import TrialDialog
from ui.workspace.exposure.model import NOT_YET, READY


def select_row(ui: UI, tab, row: int) -> None:
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(row, 1))
    ui.wait_idle()


def open_trial_dialog(ui: UI, tab, minutes_ahead: int) -> TrialDialog:
    """Ctrl+T in the ladder; the trial is dated after every demo trial."""
    if not ui.window.isActiveWindow():
        # Offscreen Qt does not give the window its activation back when a dialog closes.
        ui.window.activateWindow()
        ui.qtbot.waitUntil(ui.window.isActiveWindow)
    tab.table.setFocus()
    ui.qtbot.keyClick(tab.table, Qt.Key.Key_T, CTRL)
    dialog = tab.dialog
    assert isinstance(dialog, TrialDialog) and dialog.isVisible()
    dialog.when.setDateTime(QDateTime.currentDateTime().addDays(1).addSecs(60 * minutes_ahead))
    return dialog


def type_in(ui: UI, dialog: TrialDialog, fields: list[tuple[str, str]]) -> None:
    for name, text in fields:
        edit = getattr(dialog, name)
        edit.setFocus()
        ui.qtbot.keyClicks(edit, text)


def test_log_trials_from_the_keyboard_until_ready_under_habituation(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    row = next(i for i, s in enumerate(tab.model.steps)
               if s.status is not StepStatus.MASTERED and not s.readiness.ready)
    select_row(demo, tab, row)
    step = tab.step
    assert tab.model.index(row, 6).data() == NOT_YET
    trials_before = step.trials

    # A trial that does not qualify (started at 55): the reason says so.
    dialog = open_trial_dialog(demo, tab, 1)
    type_in(demo, dialog, [("before", "55"), ("peak", "70"), ("after", "20")])
    assert "fell 71%" in dialog.drop_label.text()
    type_in(demo, dialog, [("learned", "It came down by itself.")])
    demo.qtbot.keyClick(dialog.learned, Qt.Key.Key_Return)  # Enter saves
    demo.qtbot.waitUntil(lambda: tab.step is not None and tab.step.trials == trials_before + 1)
    assert "started at 55 (needs ≤ 40)" in tab.readiness_line.text()

    # A peak below "before" is refused inline, nothing saved.
    dialog = open_trial_dialog(demo, tab, 2)
    type_in(demo, dialog, [("before", "50"), ("peak", "40")])
    demo.qtbot.keyClick(dialog.peak, Qt.Key.Key_Return)
    assert dialog.error.text() == "Peak SUDS cannot be lower than the SUDS before or after."
    dialog.reject()

    for n in (3, 4):
        dialog = open_trial_dialog(demo, tab, n)
        type_in(demo, dialog, [("before", "35"), ("peak", "60"), ("after", "25"),
                               ("actual", "25"), ("learned", f"Trial {n}: easier.")])
        demo.qtbot.keyClick(dialog.learned, Qt.Key.Key_Return)
        demo.qtbot.waitUntil(lambda: tab.dialog is None)
        wait_stored(demo, tab)
    demo.qtbot.waitUntil(lambda: tab.step.trials == trials_before + 3)
    assert tab.model.index(row, 6).data() == READY
    assert tab.readiness_line.text().startswith("Ready to move on: the last 2 trial(s)")
    assert tab.model.index(row, 6).data(Qt.ItemDataRole.ToolTipRole).endswith("Your decision.")
    assert tab.model.index(row, 5).data() == "60"  # latest peak
    assert tab.step.status is StepStatus.IN_PROGRESS
    demo.qtbot.waitUntil(lambda: tab.trials_model.rowCount() == trials_before + 3)
    last = tab.trials_model.trials[-1].record
    assert last.setting == "homework" and last.actual_minutes == 25
    assert last.learned == "Trial 4: easier."


def test_safety_behaviour_used_keeps_a_step_not_ready_under_inhibitory_learning(
        demo: UI) -> None:
    tab = open_exposure(demo, "Maya Okonkwo")
    assert "Inhibitory learning" in tab.rule_label.text()
    row = next(i for i, s in enumerate(tab.model.steps)
               if s.status is not StepStatus.MASTERED and not s.readiness.ready)
    select_row(demo, tab, row)
    dialog = open_trial_dialog(demo, tab, 1)
    type_in(demo, dialog, [("exp_before", "80"), ("exp_after", "20")])
    assert "Expectancy violation: 60" in dialog.violation.text()
    assert "fell 60 points" in dialog.violation.text()
    dialog.occurred.setFocus()
    demo.qtbot.keyClick(dialog.occurred, Qt.Key.Key_Down)  # "No — it did not happen"
    assert dialog.occurred.currentData() is False
    type_in(demo, dialog, [("feared", "I'll faint")])
    dialog.used.other.setFocus()
    demo.qtbot.keyClicks(dialog.used.other, "Checking the pulse")
    demo.qtbot.keyClick(dialog.used.other, Qt.Key.Key_Return)
    demo.qtbot.waitUntil(lambda: tab.dialog is None)
    wait_stored(demo, tab)
    demo.qtbot.waitUntil(
        lambda: "safety behaviours still used: Checking the pulse" in tab.readiness_line.text())
    assert tab.model.index(row, 6).data() == NOT_YET
    assert "Checking the pulse" in tab.model.index(row, 6).data(Qt.ItemDataRole.ToolTipRole)


def test_step_chart_renders_suds_and_expectancy(demo: UI) -> None:
    tab = open_exposure(demo, "Eleni Papadopoulou")
    row = max(range(tab.model.rowCount()), key=lambda r: tab.model.steps[r].trials)
    select_row(demo, tab, row)
    trials = tab.model.steps[row].trials
    demo.qtbot.waitUntil(lambda: tab.trials_model.rowCount() == trials)
    demo.qtbot.waitUntil(lambda: tab.chart.drawn_lines == 5)
    markers = {line.get_marker() for axes in tab.chart.figure.axes for line in axes.lines}
    styles = {line.get_linestyle() for axes in tab.chart.figure.axes for line in axes.lines}
    assert len(markers) == 5 and len(styles) >= 3  # told apart without colour
    image = tab.chart.canvas.grab().toImage()
    assert not image.isNull() and image.width() > 100
    assert "trial(s)" in tab.chart.accessibleDescription()
