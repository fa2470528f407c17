"""The client's steps: the form, Done once every line is marked, the review, the thank-you page."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QWidget

from tests.ui.client_mode.conftest import mark_all, point_at, settle
from tests.ui.conftest import widget_texts
from ui.client_mode import SimpleForm, SimpleItem, suds_form, suds_value
from ui.client_mode.exit_panel import ExitPanel
from ui.client_mode.rating_line import HINT

FIXED_TEXTS = {
    "Tandem", "Rating form", "Done", "Yes, I'm done", "Is this how you want to leave it?",
    "You can still move any mark.", "Please put a mark on every line first.",
    "Please put a mark on the line first.", "Thank you", "Please hand the screen back.",
    "•••", "Therapist", "For the therapist: end client mode.", "Back", "Back to the form",
    "End client mode", "Use the vault passphrase instead", "Therapist PIN", "Vault passphrase",
    "Enter the therapist PIN to end client mode.",
    "Enter the vault passphrase to end client mode.", "Error", "Notice",
}


def visible_label_texts(root: QWidget) -> list[str]:
    return [label.text() for label in root.findChildren(QLabel)
            if label.isVisibleTo(root) and label.text()]


def test_done_is_enabled_only_when_every_line_is_marked(open_window, definitions,
                                                       qtbot) -> None:
    window = open_window(definitions["ors"]).window
    assert window.page == "form"
    assert not window.done_button.isEnabled()
    assert all(line.tenths is None for line in window.lines)  # no default value
    for index, line in enumerate(window.lines):
        assert not window.done_button.isEnabled()
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.2 * index))
    assert window.done_button.isEnabled()
    assert not window.done_note.isVisibleTo(window)


def test_review_then_submit_hands_over_scores_and_capture(open_window, definitions,
                                                          qtbot) -> None:
    opened = open_window(definitions["ors"], dpi=96.0)
    window = opened.window
    mark_all(qtbot, window, [0.734, 0.0, 1.0, 0.5])
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert window.page == "review"
    assert window.review_heading.isVisibleTo(window)
    assert window.review_heading.text() == "Is this how you want to leave it?"
    assert opened.submitted == []  # nothing leaves before the client confirms
    # The lines are still adjustable in the review.
    qtbot.keyClick(window.lines[1], Qt.Key.Key_PageUp)
    assert window.lines[1].tenths == 10
    qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    assert window.page == "thanks"
    assert len(opened.submitted) == 1
    rating = opened.submitted[0]
    assert rating.measure_id == "ors"
    assert rating.definition_hash == definitions["ors"].hash
    assert rating.items_tenths == (73, 10, 100, 50)
    capture = rating.capture
    assert set(capture) == {"positions_px", "line_length_px", "length_basis", "logical_dpi",
                            "physical_dpi", "device_pixel_ratio", "screen_name", "screen_size"}
    assert capture["line_length_px"] == 378
    assert capture["length_basis"] == "10cm"
    assert capture["positions_px"] == [277.0, 37.8, 378.0, 189.0]
    assert capture["physical_dpi"] == 96.0 and capture["logical_dpi"] == 96.0
    assert capture["device_pixel_ratio"] == 1.0
    assert capture["screen_name"] == "Test screen"
    assert capture["screen_size"] == [1280, 800]
    assert window.isVisible() and not window.is_released  # still client mode


def test_the_thank_you_page_shows_no_numbers(open_window, definitions, qtbot) -> None:
    window = open_window(definitions["ors"]).window
    mark_all(qtbot, window, [0.734, 0.25, 0.9, 0.5])
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    texts = visible_label_texts(window)
    assert "Thank you" in texts and "Please hand the screen back." in texts
    assert not any(re.search(r"\d", text) for text in texts), texts


def test_the_form_shows_no_numbers(open_window, definitions, qtbot) -> None:
    window = open_window(definitions["srs"]).window
    mark_all(qtbot, window, [0.734, 0.25, 0.9, 0.5])
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    texts = visible_label_texts(window)
    assert not any(re.search(r"\d", text) for text in texts), texts


def test_the_window_holds_only_the_form_and_the_first_name(open_window, definitions,
                                                           qtbot, tmp_path) -> None:
    # A therapist's window with client data beside it: none of it may reach the client's.
    other = QWidget()
    qtbot.addWidget(other)
    QLabel("Sam Vandersloot, born 1987-03-02, suicidal ideation", other)
    other.setWindowTitle("Tandem — Sam Vandersloot")
    other.show()
    definition = definitions["ors"]
    window = open_window(definition, "Sam").window
    assert window.windowTitle() == "Tandem"
    assert window.parent() is None
    allowed = FIXED_TEXTS | {"Hello, Sam", definition.instructions, definition.copyright,
                             HINT}
    for item in definition.items:
        allowed |= {item.label, item.description, item.left_anchor, item.right_anchor}
    for page in ("form", "exit"):
        if page == "exit":
            window.open_exit_panel()
        texts = widget_texts(window)
        assert not [t for t in texts if "Vandersloot" in t or "1987" in t or "suicid" in t]
        labels = [label.text() for label in window.findChildren(QLabel) if label.text()]
        assert set(labels) <= allowed, set(labels) - allowed
    path = tmp_path / "client.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 1000


def test_no_first_name_means_no_greeting(open_window, definitions) -> None:
    window = open_window(definitions["ors"], "").window
    assert not window.greeting.isVisibleTo(window)
    assert not any(t.startswith("Hello") for t in visible_label_texts(window))


def test_data_is_never_read_as_markup(open_window, qtbot) -> None:
    form = SimpleForm("x", "<b>bold</b> <img src='file:///etc/passwd'>",
                      (SimpleItem("a", "<i>Item</i>", "", "<u>low</u>", "high"),))
    window = open_window(form, "<h1>Sam</h1>").window
    for label in window.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_cors_faces_and_four_items(open_window, definitions, qtbot) -> None:
    window = open_window(definitions["cors"], "Mia").window
    assert [line.item.label for line in window.lines] == ["Me", "Family", "School",
                                                         "Everything"]
    assert window.lines[0].left_anchor.text() == "☹"
    assert window.lines[0].right_anchor.text() == "☺"
    mark_all(qtbot, window, [0.5, 0.5, 0.5, 1.0])
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    assert window.page == "thanks"


@pytest.mark.parametrize("count", [1, 2, 6])
def test_any_number_of_lines(open_window, qtbot, count) -> None:
    form = SimpleForm("custom", "Rate each.", tuple(
        SimpleItem(f"i{n}", f"Item {chr(65 + n)}", "", "Low", "High") for n in range(count)))
    opened = open_window(form, review=False)
    window = opened.window
    assert len(window.lines) == count
    mark_all(qtbot, window, [0.5] * count)
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)  # no review step
    assert opened.submitted[0].items_tenths == (50,) * count


def test_suds_readings_repeat_without_leaving_client_mode(open_window, qtbot) -> None:
    opened = open_window(suds_form(), "", review=False)
    window = opened.window
    line = window.lines[0]
    assert (line.item.left_anchor, line.item.right_anchor) == ("No distress",
                                                                "Worst distress imaginable")
    for fraction, expected in ((0.734, 73), (0.4, 40)):
        assert window.page == "form"
        assert line.tenths is None  # every reading starts blank
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, fraction))
        qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
        assert window.page == "thanks"
        assert suds_value(opened.submitted[-1]) == expected
        window.next_reading()
        settle(qtbot, window)
    assert [r.measure_id for r in opened.submitted] == ["suds", "suds"]
    assert opened.submitted[0].definition_hash == suds_form().hash
    assert not window.is_released and window.isVisible()


def test_a_failing_submit_never_reaches_the_client(open_window, definitions, qtbot,
                                                   caplog) -> None:
    opened = open_window(definitions["ors"])
    window = opened.window

    def broken(_rating: object) -> None:
        raise OSError("disk full")

    window._submit = broken
    mark_all(qtbot, window, [0.5, 0.5, 0.5, 0.5])
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    assert window.page == "thanks"
    assert len(window.unsaved) == 1 and window.unsaved[0].items_tenths == (50,) * 4


@pytest.mark.parametrize(("size", "font_scale"), [((1280, 800), 1.0), ((1920, 1080), 1.0),
                                                  ((1280, 800), 1.5)])
def test_layout_fits_common_screens(open_window, definitions, qtbot, qapp, size,
                                    font_scale) -> None:
    font = qapp.font()
    if font_scale != 1.0:
        bigger = type(font)(font)
        bigger.setPointSizeF(font.pointSizeF() * font_scale)
        qapp.setFont(bigger)
    try:
        window = open_window(definitions["ors"], size=size).window
        for line in window.lines:
            assert line.length == 378
            assert line.x0 >= line.pad
            assert line.label.font().pointSizeF() >= qapp.font().pointSizeF()
        done = window.done_button
        assert done.height() >= 2 * QFontMetrics(qapp.font()).height()
        if font_scale == 1.0:  # the whole form and Done without scrolling
            assert window.form_scroll.verticalScrollBar().maximum() == 0
    finally:
        qapp.setFont(font)


def test_exit_panel_lives_inside_the_window(open_window, definitions) -> None:
    window = open_window(definitions["ors"]).window
    assert isinstance(window.exit_panel, ExitPanel)
    assert window.exit_panel.window() is window


def test_controls_are_named_and_reachable_by_keyboard(open_window, definitions, qtbot) -> None:
    from tests.ui.test_accessibility import focus_chain, unnamed_controls

    window = open_window(definitions["ors"]).window
    assert unnamed_controls(window) == []
    qtbot.waitUntil(window.hasFocus)  # no line is "current" (and ringed) before Tab or touch
    mark_all(qtbot, window, [0.5, 0.5, 0.5, 0.5])
    window.setFocus()
    chain = focus_chain(window, window, steps=400)
    order = [*window.lines, window.done_button, window.therapist_button]
    assert [w for w in chain if w in order] == order
    qtbot.keyClick(window, Qt.Key.Key_Tab)
    assert window.lines[0].hasFocus()
    qtbot.keyClick(window.lines[0], Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert not window.lines[0].hasFocus()
    window.open_exit_panel()
    assert unnamed_controls(window.exit_panel) == []
