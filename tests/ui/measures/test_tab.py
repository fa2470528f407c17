"""The Measures tab: chart, change, table; paper entry, void, discussed; the list's flags."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from storage.practice import PracticeStore
from tests.ui.measures.conftest import click_row, client_id, dialog_of, open_measures
from ui.workspace.client_list import COL_FLAGS
from ui.workspace.measures.dialogs import DiscussedDialog, PaperEntryDialog, VoidDialog
from ui.workspace.measures.model import COL_ALERTS, COL_STATUS


def test_the_tab_shows_change_rule_cutoff_and_every_administration(demo) -> None:
    tab = open_measures(demo, "Aiko Tanaka")
    assert tab.change_label.text() == "Change since intake: Reliably deteriorated"
    assert tab.rule_label.text() == tab.summary.change.explanation
    assert tab.cutoff_label.text().startswith("Clinical range: below 25.0")
    model = tab.model
    assert model.rowCount() == len(tab.store.administrations(tab.client_id).result())
    assert any(model.text(r, COL_ALERTS) for r in range(model.rowCount()))
    assert tab.chart.points and tab.chart.canvas is not None


def test_hovering_a_point_shows_its_values(demo) -> None:
    tab = open_measures(demo, "Maya Okonkwo")
    chart = tab.chart
    point = next(p for p in chart.points if not p.text.startswith("Alert"))
    where = chart.point_position(point)
    move(chart.canvas, where)
    assert chart.hover_text in {p.text for p in chart.points
                                if chart.point_position(p) == where}
    assert point.text.split("\n")[0] in {t.split("\n")[0] for t in
                                          [chart.hover_text, point.text]}
    move(chart.canvas, QPoint(2, 2))
    assert chart.hover_text == ""


def move(widget, where: QPoint) -> None:
    """A real mouse-move event (offscreen Qt does not move the cursor for qtbot.mouseMove)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(where), QPointF(widget.mapToGlobal(where)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_paper_entry_is_validated_with_the_stores_words_and_stored(demo) -> None:
    ui = demo
    tab = open_measures(ui, "Jonas Berg")
    before = tab.model.rowCount()
    ui.qtbot.mouseClick(tab.paper_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(ui, PaperEntryDialog)
    assert dialog.definition.id == "ors"
    for edit, value in zip(dialog.item_edits, ("6.4", "10.5", "7", "8.1"), strict=True):
        ui.qtbot.keyClicks(edit, value)
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "between 0.0 and 10.0" in dialog.error.text()
    assert dialog.isVisible()
    dialog.item_edits[1].clear()
    ui.qtbot.keyClicks(dialog.item_edits[1], "5.55")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "more than one decimal" in dialog.error.text()
    dialog.item_edits[1].clear()
    ui.qtbot.keyClicks(dialog.item_edits[1], "5.5")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() == before + 1, timeout=10000)
    last = tab.model.administration(before)
    assert last.items == (64, 55, 70, 81) and last.total == 270 and last.mode == "paper_items"
    assert tab.model.text(before, 5) == "From paper"

    ui.qtbot.mouseClick(tab.paper_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(ui, PaperEntryDialog)
    dialog.total_only.setChecked(True)
    ui.qtbot.keyClicks(dialog.total_edit, "41")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "between 0.0 and 40.0" in dialog.error.text()
    dialog.total_edit.clear()
    ui.qtbot.keyClicks(dialog.total_edit, "31.2")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() == before + 2, timeout=10000)
    assert tab.model.administration(before + 1).total == 312
    assert tab.model.text(before + 1, 3) == "total only"


def test_void_needs_a_reason_and_marks_the_row_in_words_and_strike_through(demo) -> None:
    ui = demo
    tab = open_measures(ui, "Jonas Berg")
    row = tab.model.rowCount() - 1
    click_row(ui, tab, row)
    ui.qtbot.mouseClick(tab.void_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(ui, VoidDialog)
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "reason" in dialog.error.text()
    ui.qtbot.keyClicks(dialog.reason, "Wrong form handed over")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: tab.model.text(row, COL_STATUS) == "void", timeout=10000)
    font = tab.model.index(row, 4).data(Qt.ItemDataRole.FontRole)
    assert font is not None and font.strikeOut()
    assert "Wrong form handed over" in tab.model.index(row, COL_STATUS).data(
        Qt.ItemDataRole.ToolTipRole)
    assert not tab.void_button.isEnabled()


def test_discussed_writes_the_response_into_the_sessions_note(demo) -> None:
    ui = demo
    tab = open_measures(ui, "Aiko Tanaka")
    model = tab.model
    row = next(r for r in range(model.rowCount() - 1, -1, -1) if model.undiscussed(r))
    administration = model.administration(row)
    click_row(ui, tab, row)
    assert tab.discussed_button.isEnabled()
    ui.qtbot.mouseClick(tab.discussed_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(ui, DiscussedDialog)
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "response" in dialog.error.text()
    response = "Says the new shift pattern wrecks her sleep; we will track it."
    ui.qtbot.keyClicks(dialog.response, response)
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: "discussed" in model.text(model.row_of(administration.id),
                                                         COL_ALERTS), timeout=10000)
    store: PracticeStore = ui.window.page.store
    note = store.note(administration.session_id).result()
    written = " ".join(note.sections.values()) + " ".join(a.body for a in note.amendments)
    assert response in written


def test_flags_show_in_the_client_list_in_words(demo) -> None:
    ui = demo
    page = ui.window.page
    model = page.client_model
    aiko, priya = client_id(ui, "Aiko Tanaka"), client_id(ui, "Priya Raman")
    ui.qtbot.waitUntil(lambda: aiko in page.flags.known and priya in page.flags.known,
                       timeout=15000)
    assert not page.client_list.table.isColumnHidden(COL_FLAGS)
    aiko_words = model.index(model.row_of(aiko), COL_FLAGS).data()
    assert "Deteriorating" in aiko_words
    assert "Alliance dropped" in model.index(model.row_of(priya), COL_FLAGS).data()
    print("flags:", {model.client_at(r).name: model.client_at(r).flags
                     for r in range(model.rowCount())})


def test_chart_timings_on_the_biggest_client(demo) -> None:
    ui = demo
    first = open_measures(ui, "Maya Okonkwo")
    first_seconds = first.last_load_seconds
    first_chart = first.chart.last_draw_seconds
    started = time.perf_counter()
    tab = open_measures(ui, "Tomasz Wiśniewski")
    shown = time.perf_counter() - started
    rows = tab.model.rowCount()
    redraw_started = time.perf_counter()
    with ui.qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.reload()
    redraw = tab.chart.last_draw_seconds
    print(f"\nfirst Measures tab (chart incl. matplotlib import): load {first_seconds*1000:.0f} ms,"
          f" chart {first_chart*1000:.0f} ms")
    print(f"biggest client ({rows} ratings): tab load {tab.last_load_seconds*1000:.0f} ms "
          f"(open→painted {shown*1000:.0f} ms incl. record), chart draw "
          f"{tab.chart.last_draw_seconds*1000:.0f} ms; redraw {redraw*1000:.0f} ms "
          f"({(time.perf_counter() - redraw_started)*1000:.0f} ms wall)")
    assert tab.last_load_seconds < 0.5  # target 0.15 s; loose for slow CI machines


def test_the_form_follows_the_age() -> None:
    from ui.workspace.measures.forms import END, START, form_for

    assert form_for(START, None)[0].id == "ors" and form_for(END, 13)[0].id == "srs"
    assert form_for(START, 6)[0].id == "cors" and form_for(END, 12)[0].id == "csrs"
    definition, why = form_for(START, 5)
    assert definition is None and "under 6" in why
