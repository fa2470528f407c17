"""The Exposure tab: ladders, steps (add, edit with SUDS checks, reorder, split, retire)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QLineEdit

from app.exposure import StepStatus
from tests.ui.conftest import UI, widget_texts
from tests.ui.exposure.conftest import CTRL, open_exposure, stored_steps, wait_stored
from ui.workspace.exposure.dialogs import NewLadderDialog, SplitStepDialog, StepDialog
from ui.workspace.exposure.model import COL_READY, COL_SUDS, NOT_YET, READY


def test_ladder_shows_steps_status_and_readiness_in_words(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    QAbstractItemModelTester(tab.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert tab.rule_label.text().startswith("Rule — Habituation: SUDS drop ≥ 50%")
    words = {tab.model.index(r, COL_READY).data() for r in range(tab.model.rowCount())}
    assert words <= {READY, NOT_YET, "Mastered", "Retired"} and "Mastered" in words
    tip = tab.model.index(0, COL_READY).data(Qt.ItemDataRole.ToolTipRole)
    assert tip and ("trial" in tip.lower())
    assert tab.readiness_line.text()  # the details line of the selected step


def test_new_ladder_from_a_starter_with_the_inhibitory_rule(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    before = tab.selector.count()
    tab.new_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, NewLadderDialog)
    assert "not clinical advice" in dialog.note.text()
    assert dialog.rule.drop.text() == "50" and dialog.rule.consecutive.text() == "2"
    dialog.start_from.setCurrentIndex(dialog.start_from.findData("social-anxiety"))
    starter = dialog.starters["social-anxiety"]
    assert dialog.fear.text() == starter.target_fear
    dialog.rule.inhibitory.setChecked(True)
    dialog.rule.expectancy.setText("25")
    assert "expectancy fell ≥ 25 points" in dialog.rule.summary.text()
    dialog.accept_button.click()
    demo.qtbot.waitUntil(lambda: tab.selector.count() == before + 1)
    demo.qtbot.waitUntil(lambda: tab.model.rowCount() == len(starter.steps))
    assert tab.ladder.target_fear == starter.target_fear
    assert "Inhibitory learning" in tab.rule_label.text()
    suds = [s.suds for s in tab.model.steps]
    assert suds == sorted(suds)


def test_add_step_lands_at_its_suds_place_and_140_is_refused(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    ladder_id = tab.ladder.id
    count = len(stored_steps(demo, ladder_id))
    tab.buttons["add"].click()
    dialog = tab.dialog
    assert isinstance(dialog, StepDialog)
    demo.qtbot.keyClicks(dialog.situation, "Drive past the school at pick-up time")
    demo.qtbot.keyClicks(dialog.suds, "140")
    demo.qtbot.keyClick(dialog.suds, Qt.Key.Key_Return)
    assert dialog.error.text() == "Anticipated SUDS must be between 0 and 100 (it was 140)."
    assert dialog.error.isVisible()
    demo.wait_idle()
    assert len(stored_steps(demo, ladder_id)) == count  # nothing saved
    dialog.suds.clear()
    demo.qtbot.keyClicks(dialog.suds, "47")
    demo.qtbot.keyClick(dialog.suds, Qt.Key.Key_Return)
    demo.qtbot.waitUntil(lambda: tab.model.rowCount() == count + 1)
    wait_stored(demo, tab)
    row = next(i for i, s in enumerate(tab.model.steps) if s.suds == 47
               and s.situation.startswith("Drive past the school"))
    assert tab.table.currentIndex().row() == row  # the new step is selected
    above = [s.suds for s in tab.model.steps[:row]]
    assert all(s <= 47 for s in above[-1:])


def test_suds_edited_in_place_is_checked_and_not_saved(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    ladder_id = tab.ladder.id
    original = stored_steps(demo, ladder_id)[1]
    index = tab.model.index(1, COL_SUDS)
    tab.table.setFocus()
    tab.table.setCurrentIndex(index)
    demo.qtbot.keyClick(tab.table, Qt.Key.Key_F2)
    demo.qtbot.waitUntil(lambda: (e := tab.table.findChild(QLineEdit)) is not None
                         and e.isVisible())
    editor = next(e for e in tab.table.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    demo.qtbot.keyClicks(editor, "140")
    demo.qtbot.keyClick(editor, Qt.Key.Key_Return)
    demo.qtbot.waitUntil(lambda: tab.error.isVisible())
    assert tab.error.text() == "Anticipated SUDS must be between 0 and 100 (it was 140)."
    demo.wait_idle()
    assert stored_steps(demo, ladder_id)[1].suds == original.suds
    assert tab.model.index(1, COL_SUDS).data() == str(original.suds)
    # A good value is stored.
    assert tab.model.setData(index, "33") is False  # shown once the store answers
    demo.qtbot.waitUntil(lambda: tab.model.index(1, COL_SUDS).data() == "33")
    assert stored_steps(demo, ladder_id)[1].suds == 33
    assert not tab.error.isVisible()


def test_reorder_by_drag_and_by_keyboard_is_stored(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    ladder_id = tab.ladder.id
    QAbstractItemModelTester(tab.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    ids = [s.id for s in stored_steps(demo, ladder_id)]
    # Drag the first step and drop it between the third and the fourth.
    data = tab.model.mimeData([tab.model.index(0, 1)])
    tab.model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    expected = [ids[1], ids[2], ids[0], *ids[3:]]
    assert [s.id for s in tab.model.steps] == expected
    wait_stored(demo, tab)
    assert [s.id for s in stored_steps(demo, ladder_id)] == expected
    assert [s.position for s in stored_steps(demo, ladder_id)] == list(range(len(ids)))
    # Drop onto a row: the step takes that row's place.
    data = tab.model.mimeData([tab.model.index(4, 1)])
    tab.model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, tab.model.index(1, 0))
    expected = [expected[0], expected[4], expected[1], expected[2], expected[3], *expected[5:]]
    wait_stored(demo, tab)
    assert [s.id for s in stored_steps(demo, ladder_id)] == expected
    # Keyboard: Ctrl+Down twice, Ctrl+Up once on the selected step (the client stays open).
    client = tab.client_id
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(0, 1))
    moving = expected[0]
    demo.qtbot.keyClick(tab.table, Qt.Key.Key_Down, CTRL)
    demo.qtbot.keyClick(tab.table, Qt.Key.Key_Down, CTRL)
    demo.qtbot.keyClick(tab.table, Qt.Key.Key_Up, CTRL)
    wait_stored(demo, tab)
    stored = [s.id for s in stored_steps(demo, ladder_id)]
    assert stored.index(moving) == 1
    assert tab.step.id == moving and tab.client_id == client
    assert demo.window.page.record.client_id == client


def test_sort_split_retire_and_mark(demo: UI) -> None:
    tab = open_exposure(demo, "Jonas Berg")
    ladder_id = tab.ladder.id
    data = tab.model.mimeData([tab.model.index(0, 1)])
    tab.model.dropMimeData(data, Qt.DropAction.MoveAction, 4, 0, QModelIndex())
    wait_stored(demo, tab)
    tab.ladder_actions["sort"].trigger()
    demo.qtbot.waitUntil(lambda: [s.suds for s in tab.model.steps]
                         == sorted(s.suds for s in tab.model.steps))
    wait_stored(demo, tab)
    count = tab.model.rowCount()
    tab.table.setCurrentIndex(tab.model.index(count - 1, 1))
    big = tab.step
    tab.buttons["split"].click()
    dialog = tab.dialog
    assert isinstance(dialog, SplitStepDialog)
    dialog.first.setText("Motorway: one junction, quiet time")
    dialog.first_suds.setText("85")
    dialog.second.setText("Motorway: three junctions, busy")
    dialog.second_suds.setText("101")
    dialog.accept_button.click()
    assert "between 0 and 100 (it was 101)" in dialog.error.text()
    dialog.second_suds.setText("95")
    demo.qtbot.keyClick(dialog.second_suds, Qt.Key.Key_Return)
    demo.qtbot.waitUntil(lambda: tab.model.rowCount() == count + 1)
    wait_stored(demo, tab)
    steps = stored_steps(demo, ladder_id)
    assert steps[-2].id == big.id and steps[-2].situation.startswith("Motorway: one")
    assert steps[-1].situation == "Motorway: three junctions, busy"
    # Retire the new one: kept, shown as Retired.
    tab.table.setCurrentIndex(tab.model.index(count, 1))
    tab.step_actions["retire"].trigger()
    demo.qtbot.waitUntil(lambda: tab.model.steps[-1].status is StepStatus.DROPPED)
    assert tab.model.index(count, 3).data() == "Retired"
    assert tab.model.index(count, COL_READY).data() == "Retired"
    tab.step_actions["mastered"].trigger()
    demo.qtbot.waitUntil(lambda: tab.model.steps[-1].status is StepStatus.MASTERED)
    tab.step_actions["progress"].trigger()
    demo.qtbot.waitUntil(lambda: tab.model.steps[-1].status is StepStatus.IN_PROGRESS)
    assert stored_steps(demo, ladder_id)[-1].status is StepStatus.IN_PROGRESS


def test_lock_hides_all_exposure_data(demo: UI) -> None:
    tab = open_exposure(demo, "Maya Okonkwo")
    situations = [s.situation for s in tab.model.steps]
    fear = tab.ladder.target_fear
    assert situations[0] in widget_texts(demo.window)
    demo.session.lock()
    demo.qtbot.waitUntil(lambda: demo.window.page is not None
                         and type(demo.window.page).__name__ == "UnlockPage")
    texts = "\n".join(demo.visible_texts())
    for text in [*situations, fear]:
        assert text not in texts


def test_edit_the_ladder_then_archive_show_archived_and_restore(demo: UI) -> None:
    from app.exposure import RuleKind
    from storage.exposure import ExposureStore
    from ui.workspace.exposure.dialogs import EditLadderDialog

    tab = open_exposure(demo, "Jonas Berg")
    actions = demo.window.workspace_actions
    ladder = tab.ladder
    demo.qtbot.waitUntil(actions["edit_ladder"].isEnabled)
    actions["edit_ladder"].trigger()
    dialog = tab.dialog
    assert isinstance(dialog, EditLadderDialog)
    assert dialog.fear.text() == ladder.target_fear and dialog.rule.habituation.isChecked()
    dialog.goal.selectAll()
    demo.qtbot.keyClicks(dialog.goal, "Drive to my sister's on the motorway")
    dialog.rule.inhibitory.setChecked(True)
    dialog.rule.expectancy.selectAll()
    demo.qtbot.keyClicks(dialog.rule.expectancy, "0")
    demo.qtbot.keyClick(dialog.rule.expectancy, Qt.Key.Key_Return)
    assert dialog.error.text() == "The expectancy drop must be between 1 and 100 (it was 0)."
    dialog.rule.expectancy.setText("25")
    demo.qtbot.keyClick(dialog.rule.expectancy, Qt.Key.Key_Return)
    demo.qtbot.waitUntil(lambda: "Inhibitory learning" in tab.rule_label.text())
    assert "expectancy fell ≥ 25 points" in tab.rule_label.text()
    assert "Drive to my sister's on the motorway" in tab.goal_label.text()
    stored = ExposureStore(demo.session.vault).ladders(tab.client_id).result()
    changed = next(lad for lad in stored if lad.id == ladder.id)
    assert changed.rule.kind is RuleKind.INHIBITORY and changed.rule.expectancy_drop == 25
    wait_stored(demo, tab)
    assert all(not s.readiness.ready or "expectancy" in s.readiness.reason
               for s in tab.model.steps)  # readiness now follows the new rule

    # Archive: asked first; Cancel changes nothing.
    demo.prompts.queue_confirmation(False)
    actions["archive_ladder"].trigger()
    demo.wait_idle()
    assert tab.ladder.id == ladder.id and tab.ladder.archived_at is None
    demo.prompts.queue_confirmation(True)
    actions["archive_ladder"].trigger()
    demo.qtbot.waitUntil(lambda: all(lad.id != ladder.id for lad in tab.ladders))
    assert tab.ladder is None and tab.empty.isVisible()
    assert "1 archived" in tab.empty.text()
    assert not actions["log_trial"].isEnabled() and not actions["edit_ladder"].isEnabled()
    assert ExposureStore(demo.session.vault).ladders(tab.client_id).result()[0].archived_at

    # Show archived ladders: it is back in the list, read-only, and can be restored.
    assert not actions["show_archived_ladders"].isChecked()
    actions["show_archived_ladders"].trigger()
    demo.qtbot.waitUntil(lambda: tab.ladder is not None and tab.model.rowCount() > 0)
    assert actions["show_archived_ladders"].isChecked() and tab.show_archived
    assert tab.selector.currentText().endswith("(archived)")
    assert tab.archived_note.isVisible() and "restore it" in tab.archived_note.text()
    assert not tab.buttons["log"].isEnabled() and not tab.buttons["run"].isEnabled()
    assert not tab.buttons["add"].isEnabled() and not actions["log_trial"].isEnabled()
    assert actions["restore_ladder"].isEnabled() and not actions["archive_ladder"].isEnabled()
    from tests.ui.test_accessibility import unnamed_controls

    assert unnamed_controls(tab) == []
    actions["restore_ladder"].trigger()
    demo.qtbot.waitUntil(lambda: tab.ladder is not None and tab.ladder.archived_at is None)
    wait_stored(demo, tab)
    demo.qtbot.waitUntil(tab.buttons["log"].isEnabled)
    assert not tab.archived_note.isVisible()
    assert not tab.selector.currentText().endswith("(archived)")
    actions["show_archived_ladders"].trigger()
    assert not tab.show_archived and not actions["show_archived_ladders"].isChecked()
    assert tab.ladder.id == ladder.id  # restored: listed as usual


def test_the_exposure_menu_applies_only_on_the_exposure_tab(demo: UI) -> None:
    from tests.ui.conftest import client_id

    window = demo.window
    actions = window.workspace_actions
    menu = actions.exposure_menu
    assert menu is not None and menu.title() == "&Exposure"
    assert menu.menuAction() in window.menuBar().actions()
    entries = {a.text(): a.shortcut().toString() for a in menu.actions() if a.text()}
    assert entries["&Run exposure in session…"] == "Ctrl+Shift+E"
    assert entries["&Log trial…"] == "Ctrl+T"
    assert set(entries) >= {"&Add step…", "&New ladder…", "&Edit ladder…",
                            "Ar&chive ladder…", "Re&store ladder", "Sho&w archived ladders"}
    assert all(a.toolTip() and a.statusTip() for a in menu.actions() if a.text())
    assert actions["show_exposure"].shortcut().toString() == "Ctrl+4"
    assert not any(actions[k].isEnabled() for k in ("show_exposure", "log_trial",
                                                    "run_exposure", "new_ladder"))
    page = window.page
    page.open_client(client_id(demo, "Maya Okonkwo"))
    record = page.record
    demo.qtbot.waitUntil(lambda: not record.is_loading and record.client is not None)
    demo.qtbot.waitUntil(actions["show_exposure"].isEnabled)
    assert not actions["log_trial"].isEnabled()  # the Exposure tab is not shown
    demo.qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_4, CTRL)
    tab = record.exposure_tab
    assert record.tabs.currentWidget() is tab
    demo.qtbot.waitUntil(lambda: tab.model.rowCount() > 0 and actions["log_trial"].isEnabled())
    assert actions["run_exposure"].isEnabled() and actions["new_ladder"].isEnabled()
    demo.qtbot.waitUntil(lambda: tab.table.hasFocus())
    demo.open_overview(page)  # the vault overview: nothing about a ladder applies
    assert not actions["log_trial"].isEnabled() and not actions["run_exposure"].isEnabled()
    actions["show_exposure"].trigger()
    assert not page.showing_overview and record.tabs.currentWidget() is tab
    demo.qtbot.waitUntil(actions["log_trial"].isEnabled)
    record.tabs.setCurrentWidget(record.sessions_tab)
    demo.qtbot.waitUntil(lambda: not actions["log_trial"].isEnabled())


def test_the_whole_ladder_over_time_shows_every_trial(demo: UI) -> None:
    from storage.exposure import ExposureStore

    tab = open_exposure(demo, "Maya Okonkwo")
    trials = ExposureStore(demo.session.vault).ladder_trials(tab.ladder.id).result()
    assert trials
    chart = tab.ladder_chart
    assert chart.drawn_lines == 0  # read and drawn only when its tab is chosen
    tab.detail_tabs.setCurrentWidget(chart)
    demo.qtbot.waitUntil(lambda: chart.drawn_lines > 0)
    numbers = {s.id: n for n, s in enumerate(tab.model.steps, start=1)}
    expected: dict[int, list[int]] = {}
    for trial in trials:
        expected.setdefault(numbers[trial.step_id], []).append(trial.record.suds_peak)
    assert {n: [p for _when, p in points] for n, points in chart.series} == expected
    assert len(expected) >= 2
    axes = chart.figure.axes[0]
    point_markers = [line.get_marker() for line in axes.lines if line.get_linestyle() == "None"]
    assert len(point_markers) == len(trials)  # one marker per trial
    assert len(set(point_markers)) == len(expected)  # a shape per step: no colour needed
    labels = [text.get_text() for text in axes.texts]
    assert sorted(labels) == sorted(str(n) for n in expected)  # each series named at its end
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "filled: in session" in legend and "hollow: homework" in legend
    assert any(t.startswith("1 · ") for t in legend)
    fills = {line.get_markerfacecolor() for line in axes.lines
             if line.get_linestyle() == "None"}
    assert "white" in fills and len(fills) >= 2  # homework hollow, in session filled
    assert f"{len(trials)} trial(s) from" in chart.accessibleDescription()
