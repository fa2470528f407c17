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
    tab.buttons["sort"].click()
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
