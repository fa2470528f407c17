"""Logging trials from the keyboard, readiness under both rules, and the step's chart."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

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
    dialog.set_when(datetime.now().astimezone() + timedelta(days=1, minutes=minutes_ahead))
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


def test_a_homework_sheet_entered_by_typing_only(demo: UI) -> None:
    """Ctrl+T, then only typing, Tab, Space, Down and Enter: the whole sheet, in its order."""
    from datetime import date

    from storage.exposure import ExposureStore

    tab = open_exposure(demo, "Eleni Papadopoulou")
    row = next(i for i, s in enumerate(tab.model.steps) if s.safety_behaviours
               and s.status not in (StepStatus.MASTERED, StepStatus.DROPPED))
    select_row(demo, tab, row)
    step = tab.step
    if not demo.window.isActiveWindow():
        demo.window.activateWindow()
        demo.qtbot.waitUntil(demo.window.isActiveWindow)
    demo.qtbot.keyClick(tab.table, Qt.Key.Key_T, CTRL)
    dialog = tab.dialog
    assert isinstance(dialog, TrialDialog)

    def focus() -> object:
        return QApplication.focusWidget()

    demo.qtbot.waitUntil(lambda: focus() is dialog.day)
    # The defaults: homework, today, now.
    assert dialog.setting.currentData() == "homework"
    assert dialog.day.text() == date.today().isoformat()
    yesterday = date.today() - timedelta(days=1)
    entries = [
        (dialog.day, yesterday.isoformat()), (dialog.at, "18:30"), (dialog.setting, None),
        (dialog.place, "Supermarket"), (dialog.accompanied, None), (dialog.therapist, None),
        (dialog.planned, "30"), (dialog.actual, "25"), (dialog.before, "40"),
        (dialog.peak, "65"), (dialog.after, "20"), (dialog.feared, "I'll get seriously ill"),
        (dialog.exp_before, "80"), (dialog.exp_after, "30"), (dialog.occurred, Qt.Key.Key_Down),
        (dialog.planned_drop.list, Qt.Key.Key_Space), (dialog.planned_drop.other, None),
        (dialog.used.list, None), (dialog.used.other, None),
        (dialog.prevention, "Did not wash for an hour"),
        (dialog.learned, "Nothing bad happened."), (dialog.cancel_button, None),
        (dialog.accept_button, None)]
    for index, (widget, entry) in enumerate(entries):
        assert focus() is widget, (index, widget.accessibleName())
        if isinstance(entry, str):
            demo.qtbot.keyClicks(widget, entry)  # Tab selected the field: typing replaces it
        elif entry is not None:
            demo.qtbot.keyClick(widget, entry)
        if widget is not dialog.accept_button:
            demo.qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert "fell 69%" in dialog.drop_label.text()
    assert "Expectancy violation: 50" in dialog.violation.text()
    demo.qtbot.keyClick(focus(), Qt.Key.Key_Backtab)
    demo.qtbot.keyClick(focus(), Qt.Key.Key_Backtab)
    assert focus() is dialog.learned
    demo.qtbot.keyClick(dialog.learned, Qt.Key.Key_Return)  # Enter saves, from any field
    demo.qtbot.waitUntil(lambda: tab.dialog is None)
    wait_stored(demo, tab)

    stored = max(ExposureStore(demo.session.vault).trials(step.id).result(),
                 key=lambda t: t.id).record
    local = stored.started_at.astimezone()
    assert (local.date(), f"{local:%H:%M}") == (yesterday, "18:30")
    assert (stored.setting, stored.place, stored.accompanied, stored.therapist_present) == (
        "homework", "Supermarket", False, False)
    assert (stored.planned_minutes, stored.actual_minutes) == (30, 25)
    assert (stored.suds_before, stored.suds_peak, stored.suds_after) == (40, 65, 20)
    assert stored.feared_outcome == "I'll get seriously ill"
    assert (stored.expectancy_before, stored.expectancy_after) == (80, 30)
    assert stored.outcome_occurred is False
    assert stored.safety_planned_to_drop == (step.safety_behaviours[0],)
    assert stored.safety_used == ()
    assert stored.response_prevention == "Did not wash for an hour"
    assert stored.learned == "Nothing bad happened."


def test_a_mistyped_date_or_time_is_refused_inline(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    select_row(demo, tab, 0)
    dialog = open_trial_dialog(demo, tab, 1)
    dialog.day.selectAll()
    demo.qtbot.keyClicks(dialog.day, "12/03/2026")
    demo.qtbot.keyClick(dialog.day, Qt.Key.Key_Return)
    assert dialog.error.text().startswith("The date must look like ")
    dialog.day.setText(date_text := "2026-03-12")
    dialog.at.selectAll()
    demo.qtbot.keyClicks(dialog.at, "25:00")
    demo.qtbot.keyClick(dialog.at, Qt.Key.Key_Return)
    assert dialog.error.text() == ("The time must look like 18:30 (24-hour), or be empty for "
                                   "midday.")
    dialog.at.clear()
    assert f"{dialog.when().astimezone():%Y-%m-%d %H:%M}" == f"{date_text} 12:00"
    dialog.reject()
