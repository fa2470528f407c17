"""The exposure tests run on a copy of the demo vault (made once per run)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.exposure import StepStatus
from storage.exposure import ExposureStore, Step
from storage.pin_repo import set_pin
from tests.ui.client_mode.conftest import point_at, settle
from tests.ui.conftest import UI, client_id
from ui.workspace.exposure.run_views import RunSetupDialog
from ui.workspace.exposure.runner import ExposureRunner

CTRL = Qt.KeyboardModifier.ControlModifier
PIN = "4827"


def open_exposure(ui: UI, name: str) -> Any:
    """Open the client's record on its Exposure tab, with the ladder's steps in."""
    page = ui.window.page
    page.open_client(client_id(ui, name))
    record = page.record
    ui.qtbot.waitUntil(lambda: not record.is_loading and record.client is not None)
    record.tabs.setCurrentWidget(record.exposure_tab)
    tab = record.exposure_tab
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    ui.wait_idle()
    return tab


def stored_steps(ui: UI, ladder_id: int) -> list[Step]:
    """The steps as a fresh store reads them from the vault."""
    return ExposureStore(ui.session.vault).steps(ladder_id).result()


def wait_stored(ui: UI, tab: Any) -> None:
    """Every call the tab started is answered and the ladder shown is the stored one."""
    ui.wait_idle()
    ui.qtbot.waitUntil(lambda: [s.id for s in tab.model.steps]
                       == [s.id for s in stored_steps(ui, tab.ladder.id)])


def start_run(ui: UI, name: str, planned: str = "15", interval: str = "5") -> tuple[Any, ...]:
    """Open the client's ladder, pick a step being worked on, Exposure ▸ Run…, type, Enter."""
    set_pin(ui.session.vault, PIN).result()
    tab = open_exposure(ui, name)
    row = next(i for i, s in enumerate(tab.model.steps)
               if s.status not in (StepStatus.MASTERED, StepStatus.DROPPED))
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(row, 1))
    ui.wait_idle()
    step = tab.step
    tab.ladder_id = tab.ladder.id  # the tab is torn down with the workspace: keep what we need
    tab.situations = [s.situation for s in tab.model.steps]
    action = ui.window.workspace_actions["run_exposure"]
    ui.qtbot.waitUntil(action.isEnabled)
    assert action.shortcut().toString() == "Ctrl+Shift+E"
    action.trigger()
    runner = ExposureRunner.of(ui.window)
    dialog = runner.setup_dialog
    assert isinstance(dialog, RunSetupDialog) and dialog.isVisible()
    assert ui.qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.planned) is None
    ui.qtbot.keyClicks(dialog.planned, planned)  # the default is selected: typing replaces it
    ui.qtbot.keyClick(dialog.planned, Qt.Key.Key_Tab)
    dialog.interval.selectAll()
    ui.qtbot.keyClicks(dialog.interval, interval)
    ui.qtbot.keyClick(dialog.interval, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: runner.controller.active, timeout=10000)
    window = runner.controller.window
    ui.qtbot.waitExposed(window)
    settle(ui.qtbot, window)
    return tab, step, runner, window


def rate(ui: UI, window: Any, fraction: float) -> int:
    """The client marks the one SUDS line and presses Done; the SUDS it stands for."""
    assert window.page == "form" and len(window.lines) == 1
    line = window.lines[0]
    assert not line.is_marked
    ui.qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, fraction))
    value = round(line.tenths / 10)
    assert abs(value - round(fraction * 100)) <= 1
    ui.qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert window.page == "thanks"  # no review step: straight to the calm waiting page
    return value


def release(ui: UI, window: Any, secret: str) -> None:
    ui.qtbot.mouseClick(window.therapist_button, Qt.MouseButton.LeftButton)
    ui.qtbot.keyClicks(window.exit_panel.secret_edit, secret)
    ui.qtbot.keyClick(window.exit_panel.secret_edit, Qt.Key.Key_Return)


def pass_time(ui: UI, seconds: float, step: float = 20.0) -> None:
    """Let `seconds` of awake time pass: the fake clocks move as the 1-second ticks would.

    One jump of minutes between two ticks looks like a sleeping laptop to the inactivity
    monitor (which still watches for sleep in client mode) and would lock the vault.
    """
    left = seconds
    while left > 0:
        moved = min(step, left)
        ui.clock.advance(moved)
        ui.session.monitor.check()
        left -= moved
