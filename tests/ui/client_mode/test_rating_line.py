"""The line: exact scores from clicks, drags, touch, pen and keys at several sizes and DPIs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.measures import mark_to_tenths
from tests.ui.client_mode.conftest import point_at, settle
from ui.client_mode import ScreenMetrics, suds_form
from ui.client_mode.form import line_length

FRACTIONS = [(0.0, 0), (1.0, 100), (0.5, 50), (0.734, 73)]


@pytest.mark.parametrize(("dpi", "size", "expected_length"), [
    (96.0, (1280, 800), 378),  # 10 cm at 96 DPI
    (144.0, (1920, 1080), 567),  # 10 cm at 144 DPI
    (96.0, (1920, 1080), 378),
    (1.0, (1280, 800), None),  # a screen that does not know its size: a fraction of the window
])
def test_clicks_give_exact_scores(open_window, definitions, qtbot, dpi, size,
                                  expected_length) -> None:
    opened = open_window(definitions["ors"], dpi=dpi, size=size)
    line = opened.window.lines[0]
    if expected_length is None:
        assert (line.length, line.length_basis) == (round(size[0] * 0.45), "window_fraction")
    else:
        assert (line.length, line.length_basis) == (expected_length, "10cm")
    seen: list[int] = []
    line.marked.connect(seen.append)
    for fraction, tenths in FRACTIONS:
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, fraction))
        assert line.tenths == tenths, (fraction, line.length)
        assert line.position == pytest.approx(round(fraction * line.length))
    assert seen == [t for _f, t in FRACTIONS]


def test_a_narrow_window_gets_a_shorter_line_and_the_same_scores(open_window, definitions,
                                                                  qtbot) -> None:
    opened = open_window(definitions["ors"], dpi=144.0, size=(460, 900))
    line = opened.window.lines[0]
    assert line.length_basis == "available_width"
    assert line.length < 567
    assert line.x0 >= 0 and line.x0 + line.length <= line.width()
    for fraction, tenths in FRACTIONS:
        pixel = round(fraction * line.length)
        assert 0.725 <= pixel / line.length < 0.735 or fraction != 0.734  # the test's premise
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, fraction))
        assert line.tenths == tenths


def test_line_length_rules() -> None:
    assert line_length(ScreenMetrics(96.0), 2000, 2000) == (378, "10cm")
    assert line_length(ScreenMetrics(144.0), 2000, 2000) == (567, "10cm")
    assert line_length(ScreenMetrics(144.0), 300, 400) == (300, "available_width")
    assert line_length(ScreenMetrics(20.0), 2000, 1000) == (450, "window_fraction")
    assert line_length(ScreenMetrics(float("nan")), 2000, 1000)[1] == "window_fraction"
    assert line_length(ScreenMetrics(5000.0), 2000, 1000)[1] == "window_fraction"


def test_a_drag_follows_the_pointer_and_clamps_at_the_ends(open_window, definitions,
                                                            qtbot) -> None:
    opened = open_window(definitions["ors"], dpi=144.0, size=(1920, 1080))
    line = opened.window.lines[1]
    seen: list[int] = []
    line.marked.connect(seen.append)
    qtbot.mousePress(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.1))
    for fraction in (0.3, 0.6, 0.9):
        qtbot.mouseMove(line, point_at(line, fraction))
    qtbot.mouseMove(line, QPoint(line.x0 + line.length + 15, line.line_y()))  # past the end
    assert line.tenths == 100
    qtbot.mouseMove(line, QPoint(line.x0 - 15, line.line_y()))  # past the start
    assert line.tenths == 0
    qtbot.mouseMove(line, point_at(line, 0.734))
    qtbot.mouseRelease(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.734))
    assert line.tenths == 73
    assert seen[:4] == [10, 30, 60, 90] and seen[-1] == 73


def test_a_press_off_the_line_does_not_mark_it(open_window, definitions, qtbot) -> None:
    opened = open_window(definitions["ors"])
    line = opened.window.lines[0]
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton,
                     pos=line.label.geometry().center())  # on the item's label
    assert line.tenths is None
    far = QPoint(max(line.x0 - line.pad - 30, 0), line.line_y())
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=far)
    assert line.tenths is None


def test_the_hit_area_is_tall(open_window, definitions, qtbot) -> None:
    opened = open_window(definitions["ors"])
    line = opened.window.lines[0]
    assert line.track_rect().height() >= 56
    top = QPoint(line.x0 + line.length // 2, line.track_rect().top() + 2)
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=top)
    assert line.tenths == 50


def test_keyboard(open_window, definitions, qtbot) -> None:
    opened = open_window(definitions["ors"])
    line = opened.window.lines[0]
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_Right)  # the first key marks the middle
    assert line.tenths == 50
    qtbot.keyClick(line, Qt.Key.Key_Right)
    assert line.tenths == 51
    qtbot.keyClick(line, Qt.Key.Key_Left)
    qtbot.keyClick(line, Qt.Key.Key_Left)
    assert line.tenths == 49
    qtbot.keyClick(line, Qt.Key.Key_PageUp)
    assert line.tenths == 59
    qtbot.keyClick(line, Qt.Key.Key_PageDown)
    qtbot.keyClick(line, Qt.Key.Key_PageDown)
    assert line.tenths == 39
    for _ in range(6):
        qtbot.keyClick(line, Qt.Key.Key_PageDown)
    assert line.tenths == 0  # clamped
    qtbot.keyClick(line, Qt.Key.Key_Left)
    assert line.tenths == 0
    qtbot.keyClick(line, Qt.Key.Key_End)
    assert line.tenths == 100
    qtbot.keyClick(line, Qt.Key.Key_PageUp)
    qtbot.keyClick(line, Qt.Key.Key_Right)
    assert line.tenths == 100  # clamped
    qtbot.keyClick(line, Qt.Key.Key_Home)
    assert line.tenths == 0
    assert line.position == 0.0
    # Each keyboard score is also what the mark's position scores.
    for _ in range(7):
        qtbot.keyClick(line, Qt.Key.Key_PageUp)
    qtbot.keyClick(line, Qt.Key.Key_Right)
    qtbot.keyClick(line, Qt.Key.Key_Right)
    qtbot.keyClick(line, Qt.Key.Key_Right)
    assert line.tenths == 73
    assert mark_to_tenths(line.position, line.length) == 73


@pytest.mark.parametrize("key", [Qt.Key.Key_Left, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp])
def test_any_first_key_places_the_mark_in_the_middle(open_window, definitions, qtbot,
                                                     key) -> None:
    line = open_window(definitions["ors"]).window.lines[2]
    line.setFocus()
    qtbot.keyClick(line, key)
    assert line.tenths == 50


def test_touch_marks_the_line(open_window, definitions, qtbot) -> None:
    window = open_window(definitions["ors"]).window
    line = window.lines[0]
    device = QTest.createTouchDevice()

    def at(fraction: float) -> QPoint:  # PySide's sequence takes top-level coordinates
        return line.mapTo(window, point_at(line, fraction))

    QTest.touchEvent(window, device).press(0, at(0.2)).commit()
    QApplication.processEvents()
    assert line.tenths == 20
    QTest.touchEvent(window, device).move(0, at(0.734)).commit()
    QTest.touchEvent(window, device).release(0, at(0.734)).commit()
    QApplication.processEvents()
    assert line.tenths == 73
    assert line.last_input == "touch"


def test_a_pen_marks_the_line(open_window, definitions, qtbot) -> None:
    line = open_window(definitions["ors"]).window.lines[3]
    pen = QPointingDevice("test pen", 42, QPointingDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QPointingDevice.Capability.Position
                          | QPointingDevice.Capability.Pressure, 1, 3)

    def tablet(kind: QEvent.Type, fraction: float, buttons: Qt.MouseButton) -> None:
        where = QPointF(point_at(line, fraction))
        event = QTabletEvent(kind, pen, where, QPointF(line.mapToGlobal(where)), 0.5, 0, 0,
                             0, 0, 0, Qt.KeyboardModifier.NoModifier,
                             Qt.MouseButton.LeftButton, buttons)
        QApplication.sendEvent(line, event)

    tablet(QEvent.Type.TabletPress, 0.5, Qt.MouseButton.LeftButton)
    tablet(QEvent.Type.TabletMove, 0.9, Qt.MouseButton.LeftButton)
    tablet(QEvent.Type.TabletRelease, 0.9, Qt.MouseButton.NoButton)
    assert line.tenths == 90
    assert line.last_input == "pen"


def test_suds_line_runs_to_100_with_keyboard_steps_of_one(open_window, qtbot) -> None:
    opened = open_window(suds_form(), review=False)
    line = opened.window.lines[0]
    assert line.item_max_tenths == 1000
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.734))
    assert line.tenths == round(round(0.734 * line.length) / line.length * 1000)
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_Home)
    qtbot.keyClick(line, Qt.Key.Key_Right)
    assert line.tenths == 10  # one SUDS point
    qtbot.keyClick(line, Qt.Key.Key_PageUp)
    assert line.tenths == 110  # ten SUDS points


def test_names_for_screen_readers(open_window, definitions) -> None:
    opened = open_window(definitions["srs"])
    line = opened.window.lines[0]
    item = definitions["srs"].items[0]
    assert line.accessibleName() == item.label
    assert item.left_anchor in line.accessibleDescription()
    assert item.right_anchor in line.accessibleDescription()
    assert "Not marked yet" in line.accessibleDescription()
    line.set_tenths(73)
    assert "about 7 of 10" in line.accessibleDescription()
    assert line.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_the_mark_keeps_its_score_when_the_screen_changes(open_window, definitions,
                                                          qtbot) -> None:
    opened = open_window(definitions["ors"], dpi=96.0, size=(1920, 1080))
    window = opened.window
    line = window.lines[0]
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.734))
    window.set_metrics(ScreenMetrics(144.0, 96.0, 1.0, "Second", (1920, 1080)))
    settle(qtbot, window)
    assert line.length == 567
    assert line.tenths == 73
    assert mark_to_tenths(line.position, line.length) == 73
