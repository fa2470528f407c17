"""The in-session exposure timer: SUDS on the client's locked screen, read by a fake clock.

Nothing here waits for real minutes: the session's monotonic clock is the fixture's fake clock,
and the run's QTimer reads it a few times a second.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from storage.exposure import ExposureStore
from tests.ui.client_mode.conftest import settle
from tests.ui.conftest import UI, widget_texts
from tests.ui.exposure.conftest import PIN, pass_time, rate, release, start_run
from tests.ui.test_accessibility import unnamed_controls
from ui.pages.workspace import WorkspacePage
from ui.workspace.exposure.dialogs import TrialDialog
from ui.workspace.exposure.run_views import PausedRunDialog, RunPage

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def test_the_schedule_pauses_and_readings_of_a_run(qtbot: Any) -> None:
    from datetime import UTC, datetime

    from ui.workspace.exposure.timer import ExposureRun, RunState, clock_text

    now = [0.0]
    run = ExposureRun(12, 5, lambda: now[0], lambda: datetime(2026, 3, 2, 10, tzinfo=UTC))
    due: list[int] = []
    run.reading_due.connect(due.append)
    run.start()
    assert run.pending_minute == 0 and run.next_due == 5
    assert run.add_reading(40) == 0
    for seconds in (299, 300, 600, 720, 900):
        now[0] = seconds
        run.tick()
    assert due == [5, 10, 12, 15]  # the planned end (12) is a reading too; then on the grid
    run.add_reading(60)
    assert run.readings == [(0, 40), (15, 60)]
    now[0] = 960
    run.pause()
    assert run.state is RunState.PAUSED and clock_text(run.elapsed) == "16:00"
    now[0] = 5000  # paused time does not count
    run.tick()
    assert run.elapsed == 960 and due[-1] == 15
    run.resume()
    assert run.pending_minute == 16 and run.next_due == 20
    run.add_reading(35)
    now[0] = 5000 + 4 * 60
    run.tick()
    assert due[-1] == 20 and run.elapsed_minutes == 20
    now[0] = 5000 + 30 * 60  # a long stall: only the latest missed reading is asked for
    run.tick()
    assert due[-2:] == [20, 45] and run.pending_minute == 45
    assert run.summary == (40, 60, 35)
    assert clock_text(3725) == "1:02:05"


def test_a_15_minute_exposure_with_5_minute_readings_on_a_fake_clock(demo: UI) -> None:
    ui = demo
    _tab, step, runner, window = start_run(ui, "Jonas Berg")
    run = runner.run
    assert run.planned_minutes == 15 and run.interval_minutes == 5
    page = ui.window.page
    assert isinstance(page, RunPage)  # the workspace is gone while the client rates
    assert not ui.session.monitor.idle_lock_active

    readings = [(0, rate(ui, window, 0.55))]
    for minute, fraction in ((5, 0.8), (10, 0.5), (15, 0.3)):
        pass_time(ui, 299)
        QApplication.processEvents()
        assert window.page == "thanks"  # not due yet: the client still sees the calm page
        pass_time(ui, 1)
        ui.qtbot.waitUntil(lambda: window.page == "form", timeout=3000)
        assert run.pending_minute == minute
        readings.append((minute, rate(ui, window, fraction)))
        # The therapist's page shows the curve as it grows, and the time.
        ui.qtbot.waitUntil(lambda: page.summary.chart.readings == readings)
        assert page.summary.clock.text() == f"{minute:02d}:00"
    assert run.readings == readings
    values = [v for _m, v in readings]
    assert page.summary.readings_label.text().endswith(
        f"before {values[0]}, peak {max(values)}, latest {values[-1]}")
    assert "planned 15 minutes are over" in page.summary.status.text()

    release(ui, window, PIN)
    workspace = ui.wait_for_page(WorkspacePage, timeout=15000)
    ui.qtbot.waitUntil(lambda: isinstance(runner.paused_dialog, PausedRunDialog)
                       and runner.paused_dialog.isVisible(), timeout=10000)
    assert ui.session.monitor.running
    paused = runner.paused_dialog
    assert paused.summary.clock.text() == "15:00"
    assert paused.stop_button.isDefault()  # the planned time is over: Enter stops
    new_tab = workspace.record.exposure_tab
    ui.qtbot.waitUntil(lambda: new_tab.step is not None and new_tab.step.id == step.id)
    assert workspace.record.tabs.currentWidget() is new_tab

    ui.qtbot.keyClick(paused.stop_button, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: isinstance(new_tab.dialog, TrialDialog))
    dialog = new_tab.dialog
    assert dialog.setting.currentData() == "session" and dialog.therapist.isChecked()
    assert (dialog.planned.text(), dialog.actual.text()) == ("15", "15")
    assert (dialog.before.text(), dialog.peak.text(), dialog.after.text()) == (
        str(values[0]), str(max(values)), str(values[-1]))
    assert dialog.readings_label.text() == " · ".join(
        f"{m}′ {v}" for m, v in readings) + " (every 5 minutes)"
    assert QApplication.focusWidget() is dialog.feared  # the rest is the therapist's to add
    dialog.feared.selectAll()
    ui.qtbot.keyClicks(dialog.feared, "I'll panic and crash")
    for _ in range(2):
        ui.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.exp_after
    ui.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    ui.qtbot.keyClicks(dialog.exp_before, "70")
    ui.qtbot.keyClick(dialog.exp_before, Qt.Key.Key_Tab)
    ui.qtbot.keyClicks(dialog.exp_after, "20")
    dialog.learned.setFocus()
    ui.qtbot.keyClicks(dialog.learned, "The fear came and went.")
    ui.qtbot.keyClick(dialog.learned, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: not runner.active, timeout=10000)

    stored = ExposureStore(ui.session.vault).trials(step.id).result()[-1]
    record = stored.record
    assert record.suds_readings == tuple(readings)
    assert stored.reading_interval_min == 5
    assert (record.suds_before, record.suds_peak, record.suds_after) == (
        values[0], max(values), values[-1])
    assert record.setting == "session" and record.therapist_present
    assert (record.planned_minutes, record.actual_minutes) == (15, 15)
    assert (record.expectancy_before, record.expectancy_after) == (70, 20)
    assert record.learned == "The fear came and went."
    ui.qtbot.waitUntil(lambda: new_tab.trials_model.rowCount() == step.trials + 1)


def test_the_client_screen_stays_locked_during_the_exposure(demo: UI) -> None:
    ui = demo
    tab, step, runner, window = start_run(ui, "Maya Okonkwo", planned="20", interval="5")
    others = [s for s in tab.situations if s != step.situation]
    ladder_id = tab.ladder_id
    page = ui.window.page
    assert isinstance(page, RunPage)
    texts = "\n".join(widget_texts(ui.window))
    assert "Exposure in progress" in texts
    assert step.situation in texts
    for secret in ("Maya", "Okonkwo", "Jonas", *others):
        assert secret not in texts  # this step only, and no one's name
    assert "Maya" not in window.windowTitle()

    # Esc, closing, Alt+F4 and Ctrl+W leave the client screen up and the workspace hidden.
    ui.qtbot.keyClick(window, Qt.Key.Key_Escape)
    window.close()
    ui.qtbot.keyClick(window, Qt.Key.Key_F4, ALT)
    ui.qtbot.keyClick(window, Qt.Key.Key_W, CTRL)
    QApplication.processEvents()
    settle(ui.qtbot, window)
    assert runner.controller.active and window.isVisible() and not window.is_released
    assert ui.window.page is page and not ui.window.findChildren(WorkspacePage)
    # The main window's keys do nothing either: no lock, no menu action, no search.
    ui.qtbot.keyClick(ui.window, Qt.Key.Key_L, CTRL)
    ui.qtbot.keyClick(ui.window, Qt.Key.Key_K, CTRL)
    QApplication.processEvents()
    assert ui.session.vault is not None and ui.window.page is page

    # Readings go on between the attempts.
    first = rate(ui, window, 0.4)
    pass_time(ui, 300)
    ui.qtbot.waitUntil(lambda: window.page == "form", timeout=3000)
    # A wrong PIN keeps client mode; Esc on the exit panel goes back to the client's form.
    release(ui, window, "0000")
    ui.qtbot.waitUntil(lambda: not window.exit_panel.busy, timeout=10000)
    assert runner.controller.active and window.page == "exit"
    assert "not right" in window.exit_panel.message.text()
    ui.qtbot.keyClick(window.exit_panel.secret_edit, Qt.Key.Key_Escape)
    assert window.page == "form" and runner.controller.active
    second = rate(ui, window, 0.7)
    assert runner.run.readings == [(0, first), (5, second)]

    # Only the PIN ends it: the exposure pauses and the therapist gets the workspace back.
    release(ui, window, PIN)
    ui.wait_for_page(WorkspacePage, timeout=15000)
    ui.qtbot.waitUntil(lambda: runner.paused_dialog is not None
                       and runner.paused_dialog.isVisible(), timeout=10000)
    paused = runner.paused_dialog
    assert paused.accept_button.isDefault()  # before the planned end: Resume is the default
    assert unnamed_controls(paused) == []

    # Esc does not throw the readings away: it asks, and Cancel keeps everything.
    ui.qtbot.keyClick(paused, Qt.Key.Key_Escape)
    ui.qtbot.waitUntil(lambda: bool(ui.prompts.open_boxes))
    box = ui.prompts.open_boxes[-1]
    assert box.windowTitle() == "Discard this exposure?"
    box.reject()
    ui.qtbot.waitUntil(lambda: not ui.prompts.open_boxes)
    assert runner.active and paused.isVisible() and runner.run.readings[-1] == (5, second)

    # Resume: client mode again, a reading at once at the minute the exposure stands at.
    ui.qtbot.mouseClick(paused.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: runner.controller.active, timeout=10000)
    window = runner.controller.window
    settle(ui.qtbot, window)
    assert isinstance(ui.window.page, RunPage) and window.page == "form"
    third = rate(ui, window, 0.2)
    assert runner.run.readings == [(0, first), (5, third)]  # minute 5 again: replaced
    release(ui, window, PIN)
    ui.wait_for_page(WorkspacePage, timeout=15000)
    ui.qtbot.waitUntil(lambda: runner.paused_dialog is not None
                       and runner.paused_dialog.isVisible(), timeout=10000)

    # Discard, confirmed: nothing is stored.
    trials_before = len(ExposureStore(ui.session.vault).ladder_trials(ladder_id).result())
    ui.prompts.queue_confirmation(True)
    ui.qtbot.mouseClick(runner.paused_dialog.cancel_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: not runner.active)
    ui.wait_idle()
    assert len(ExposureStore(ui.session.vault).ladder_trials(ladder_id).result()) == \
        trials_before


def test_a_lock_while_paused_keeps_the_clients_readings(demo: UI) -> None:
    ui = demo
    _tab, step, runner, window = start_run(ui, "Eleni Papadopoulou", planned="10",
                                           interval="5")
    first = rate(ui, window, 0.6)
    pass_time(ui, 300)
    ui.qtbot.waitUntil(lambda: window.page == "form", timeout=3000)
    second = rate(ui, window, 0.3)
    release(ui, window, PIN)
    ui.wait_for_page(WorkspacePage, timeout=15000)
    ui.qtbot.waitUntil(lambda: runner.paused_dialog is not None
                       and runner.paused_dialog.isVisible(), timeout=10000)
    ui.window.lock_action.trigger()
    ui.qtbot.waitUntil(lambda: type(ui.window.page).__name__ == "UnlockPage")
    assert not runner.active and not ui.prompts.open_boxes
    from tests.ui.settings.conftest import unlock
    from ui.demo import DEMO_PASSPHRASE

    unlock(ui, DEMO_PASSPHRASE)
    stored = ExposureStore(ui.session.vault).trials(step.id).result()[-1]
    assert stored.record.suds_readings == ((0, first), (5, second))
    assert stored.record.setting == "session" and stored.reading_interval_min == 5
