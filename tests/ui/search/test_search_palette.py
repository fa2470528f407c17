"""Search everything (Ctrl+K): results as you type, highlighted, hostile text, Enter, Esc, lock."""

from __future__ import annotations

import itertools
import statistics
import time
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics

from app.workspace import HIGHLIGHT_END, HIGHLIGHT_START, ClientOrder, StatusFilter
from tests.ui.conftest import UI, widget_texts
from tests.ui.search.conftest import open_palette
from ui.pages.unlock import UnlockPage
from ui.search.delegate import HIGHLIGHT_BG, layout_runs
from ui.search.model import snippet_runs
from ui.search.palette import HELP_TEXT, SearchPalette, as_you_type, highlight_word

HOSTILE = ['"', "*", "NEAR(", "-", "AND", "OR NOT", '"unbalanced quote', 'a"b"c"', "-panic",
           "panic AND", "NEAR(panic work, 3)", "^*:(", "'", "\\", "%_%", "🙂🙃 panic 🙂",
           "x" * 500, "panic " * 100, "\u202e\u0301", "DROP TABLE notes;--"]


def type_text(ui: UI, widget: Any, text: str) -> None:
    """Type `text` key by key; characters QTest cannot name arrive as key events with text."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        if ch.isascii() and ch.isprintable():
            ui.qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                         Qt.KeyboardModifier.NoModifier, ch))


def type_query(ui: UI, palette: SearchPalette, text: str) -> None:
    """Replace the query by typing `text` key by key and wait for its results."""
    palette.query.clear()
    with ui.qtbot.waitSignal(palette.results_shown, timeout=5000):
        ui.qtbot.keyClicks(palette.query, text)
    ui.qtbot.waitUntil(lambda: not palette._timer.isActive() and not palette._in_flight)


def test_query_helpers() -> None:
    assert as_you_type("pan") == "pan*"
    assert as_you_type("pa") == "pa"
    assert as_you_type("panic ") == "panic "
    assert as_you_type('"panic att') == '"panic att'
    assert as_you_type("anx*") == "anx*"
    assert highlight_word('  "Panic attacks" work') == "Panic"
    assert highlight_word("*** --") == ""
    runs = snippet_runs(f"…the {HIGHLIGHT_START}panic{HIGHLIGHT_END} attacks.\n\nObjective\n")
    assert runs == [("…the ", False), ("panic", True), (" attacks. · Objective", False)]


def test_snippet_layout_wraps_and_cuts_with_an_ellipsis(qapp: Any) -> None:
    metrics = QFontMetrics(qapp.font())
    runs = [("word " * 60, False), ("panic", True), (" end", False)]
    lines = layout_runs(runs, metrics.averageCharWidth() * 30, metrics, metrics)
    assert len(lines) == 2
    assert lines[-1][-1].text == "…"
    for line in lines:
        assert all(p.x + p.width <= metrics.averageCharWidth() * 30 for p in line)
    short = layout_runs([("the ", False), ("panic", True)], 10_000, metrics, metrics)
    assert [(p.text, p.highlighted) for p in short[0]] == [("the", False), ("panic", True)]


def test_results_appear_as_you_type_with_highlighted_terms(demo_ui: UI) -> None:
    ui = demo_ui
    palette = open_palette(ui)
    assert palette.status.text() == HELP_TEXT
    assert not palette.view.isVisible()
    # Results already while the word is being typed ("pan" searches pan*).
    with ui.qtbot.waitSignal(palette.results_shown, timeout=5000):
        ui.qtbot.keyClicks(palette.query, "pan")
    ui.qtbot.waitUntil(lambda: palette.model.rowCount() > 0)
    ui.qtbot.keyClicks(palette.query, "ic")
    ui.qtbot.waitUntil(lambda: palette.model.rowCount() > 0 and not palette._in_flight
                       and not palette._timer.isActive())
    hits = palette.model.hits
    assert hits and palette.view.isVisible()
    for hit in hits:
        marked = hit.snippet.lower()
        assert f"{HIGHLIGHT_START}panic" in marked and HIGHLIGHT_END in marked
    dates = [h.session_date for h in hits]
    assert dates == sorted(dates, reverse=True)
    first = palette.model.index(0, 0).data()
    assert hits[0].client_name in first and "panic" in first.lower()
    assert palette.view.currentIndex().row() == 0
    # The highlight is drawn (amber behind bold text), not only stored.
    palette.view.viewport().update()
    image = palette.view.viewport().grab().toImage()
    amber = QColor(HIGHLIGHT_BG).rgb()
    assert any(image.pixel(x, y) == amber for x in range(0, image.width(), 2)
               for y in range(0, min(image.height(), 200), 2))


def test_debounce_sends_few_queries(demo_ui: UI) -> None:
    ui = demo_ui
    palette = open_palette(ui)
    type_query(ui, palette, "relationship")
    assert palette.searches <= 3


def test_empty_query_shows_help_again(demo_ui: UI) -> None:
    ui = demo_ui
    palette = open_palette(ui)
    type_query(ui, palette, "panic")
    assert palette.model.rowCount() > 0
    with ui.qtbot.waitSignal(palette.results_shown):
        palette.query.clear()
    assert palette.model.rowCount() == 0
    assert palette.status.text() == HELP_TEXT


def test_hostile_queries_never_raise(demo_ui: UI) -> None:
    ui = demo_ui
    palette = open_palette(ui)
    for text in HOSTILE:
        palette.query.clear()
        with ui.qtbot.waitSignal(palette.results_shown, timeout=5000):
            if len(text) > 40:
                palette.query.setText(text)  # a paste
            else:
                type_text(ui, palette.query, text)
        ui.qtbot.waitUntil(lambda: not palette._in_flight and not palette._timer.isActive())
        assert palette.query.text() == text[:500]
        status = palette.status.text().lower()
        assert "error" not in status and "not available" not in status, (text, status)
    assert not ui.prompts.shown


def test_enter_opens_the_chosen_note(demo_ui: UI, monkeypatch: pytest.MonkeyPatch) -> None:
    ui = demo_ui
    page = ui.window.page
    opened: list[tuple[int, int, str]] = []

    def spy(client_id: int, session_id: int, highlight: str = "") -> None:
        opened.append((client_id, session_id, highlight))

    monkeypatch.setattr(page, "open_note", spy, raising=False)
    palette = open_palette(ui)
    type_query(ui, palette, "panic attacks")
    assert palette.model.rowCount() >= 2
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Down)
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Down)
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Up)
    chosen = palette.model.hit(1)
    assert palette.current_hit() == chosen
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    assert opened == [(chosen.client_id, chosen.session_id, "panic")]
    ui.qtbot.waitUntil(lambda: not shiboken6.isValid(palette) or not palette.isVisible())


def test_enter_right_after_typing_opens_the_first_hit(demo_ui: UI,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ui = demo_ui
    opened: list[tuple[int, int, str]] = []
    monkeypatch.setattr(ui.window.page, "open_note",
                        lambda c, s, highlight="": opened.append((c, s, highlight)),
                        raising=False)
    palette = open_palette(ui)
    ui.qtbot.keyClicks(palette.query, "panic")
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Return)  # before the debounce fired
    ui.qtbot.waitUntil(lambda: bool(opened))
    assert opened[0][2] == "panic"


def test_real_workspace_open_note_if_present(demo_ui: UI) -> None:
    ui = demo_ui
    if not hasattr(ui.window.page, "open_note"):
        pytest.skip("the workspace page has no open_note slot yet")
    palette = open_palette(ui)
    type_query(ui, palette, "panic")
    hit = palette.current_hit()
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: not shiboken6.isValid(palette) or not palette.isVisible())
    record = getattr(ui.window.page, "record", None)
    if record is not None and hasattr(record, "client_id"):
        ui.qtbot.waitUntil(lambda: record.client_id == hit.client_id)
    ui.wait_idle()


def test_escape_closes_the_palette(demo_ui: UI) -> None:
    ui = demo_ui
    palette = open_palette(ui)
    type_query(ui, palette, "panic")
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Escape)
    ui.qtbot.waitUntil(lambda: not shiboken6.isValid(palette) or not palette.isVisible())
    ui.qtbot.waitUntil(lambda: not any(p.isVisible()
                                       for p in ui.window.findChildren(SearchPalette)))


def test_ctrl_k_again_reuses_the_open_palette(demo_ui: UI) -> None:
    ui = demo_ui
    palette = open_palette(ui)
    ui.window.search_action.trigger()
    assert [p for p in ui.window.findChildren(SearchPalette) if p.isVisible()] == [palette]


def test_lock_closes_the_palette_and_leaves_no_client_text(demo_ui: UI) -> None:
    ui = demo_ui
    palette = open_palette(ui)
    type_query(ui, palette, "panic")
    hits = palette.model.hits
    assert hits
    model = palette.model
    destroyed: list[bool] = []
    model.destroyed.connect(lambda: destroyed.append(True))
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: bool(destroyed))
    assert not ui.window.findChildren(SearchPalette)
    texts = "\n".join(widget_texts(ui.window))
    for hit in hits:
        assert hit.client_name not in texts
        for word in ("panic", hit.snippet[5:25]):
            assert word not in texts
    assert not ui.window.search_action.isEnabled()


def test_closed_clients_stay_searchable(demo_ui: UI) -> None:
    from storage.practice import PracticeStore

    ui = demo_ui
    store = PracticeStore(ui.session.vault, {})
    closed = store.list_clients(status=StatusFilter.CLOSED, order=ClientOrder.NAME).result()
    assert closed
    called = closed[0].preferred_name or closed[0].name.split()[0]  # as the notes call them
    palette = open_palette(ui)
    type_query(ui, palette, called + " ")
    assert closed[0].id in {h.client_id for h in palette.model.hits}


def test_search_latency_through_the_widget(demo_ui: UI) -> None:
    """Keystroke → results shown, on the demo vault; printed, not asserted (performance.md)."""
    ui = demo_ui
    palette = open_palette(ui)
    ticks: list[float] = []
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    keystroke_ms: list[float] = []
    query_ms: list[float] = []
    for word in ("panic", "sleep", "mother", "avoidance", "work", "exposure", "grief",
                 "homework", "breathing", "school") * 2:
        palette.query.clear()
        ui.qtbot.waitUntil(lambda: not palette._in_flight and not palette._timer.isActive())
        with ui.qtbot.waitSignal(palette.results_shown, timeout=5000):
            ui.qtbot.keyClicks(palette.query, word)
        keystroke_ms.append(palette.last_keystroke_ms)
        query_ms.append(palette.last_query_ms)
    probe.stop()
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]

    def p95(values: list[float]) -> float:
        return sorted(values)[max(0, round(0.95 * len(values)) - 1)]

    print(f"\nsearch through the widget (demo vault, {len(query_ms)} queries): "
          f"query sent → shown p50 {statistics.median(query_ms):.1f} ms, "
          f"p95 {p95(query_ms):.1f} ms; last keystroke → shown (incl. "
          f"{palette._timer.interval()} ms debounce) p50 {statistics.median(keystroke_ms):.1f} "
          f"ms, p95 {p95(keystroke_ms):.1f} ms; longest UI-thread gap "
          f"{max(gaps) if gaps else 0:.1f} ms")


def test_ctrl_k_works_from_inside_a_text_field(demo_ui: UI) -> None:
    from PySide6.QtWidgets import QLineEdit

    ui = demo_ui
    edit = QLineEdit(ui.window.statusBar())
    edit.setAccessibleName("probe")
    edit.setText("keep me")
    edit.show()
    edit.setFocus()
    edit.setCursorPosition(0)
    ui.qtbot.waitUntil(edit.hasFocus)
    ui.qtbot.keyClick(edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    ui.qtbot.waitUntil(lambda: any(p.isVisible() for p in ui.window.findChildren(SearchPalette)))
    assert edit.text() == "keep me"  # not "delete to the end of the line"
