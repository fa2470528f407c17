"""Only the therapist ends client mode: the PIN (three tries), then the vault passphrase only."""

from __future__ import annotations

import functools
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from storage.pin_repo import _HASHER, pin_matches
from tests.ui.client_mode.conftest import PASSPHRASE, fake_check_passphrase, mark_all, settle
from ui.client_mode import (
    ClientModeController,
    ClientRatingWindow,
    ScreenMetrics,
    available_screens,
    screen_by_name,
)

PIN = "4827"


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return _HASHER.hash(PIN)


def enter(qtbot, window: ClientRatingWindow, secret: str) -> None:
    panel = window.exit_panel
    qtbot.keyClicks(panel.secret_edit, secret)
    qtbot.keyClick(panel.secret_edit, Qt.Key.Key_Return)
    assert panel.secret_edit.text() == ""  # emptied as soon as it is read
    qtbot.waitUntil(lambda: not panel.busy, timeout=10000)


def test_the_corner_control_opens_the_panel_and_back_returns(open_window, definitions,
                                                             qtbot, pin_hash) -> None:
    opened = open_window(definitions["ors"], check_pin=functools.partial(pin_matches, pin_hash))
    window = opened.window
    assert window.therapist_button.accessibleName() == "Therapist"
    qtbot.mouseClick(window.therapist_button, Qt.MouseButton.LeftButton)
    assert window.page == "exit"
    assert window.exit_panel.mode == "pin"
    qtbot.waitUntil(window.exit_panel.secret_edit.hasFocus)
    qtbot.keyClick(window.exit_panel.secret_edit, Qt.Key.Key_Escape)  # Esc: back to the form
    assert window.page == "form"
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.page == "exit"
    qtbot.mouseClick(window.exit_panel.back_button, Qt.MouseButton.LeftButton)
    assert window.page == "form"
    assert opened.released == []


def test_the_right_pin_releases(open_window, definitions, qtbot, pin_hash) -> None:
    threads: list[str] = []

    def check_pin(pin: str) -> bool:
        threads.append(threading.current_thread().name)
        return pin_matches(pin_hash, pin)

    opened = open_window(definitions["ors"], full_screen=True, size=None, check_pin=check_pin)
    window = opened.window
    window.open_exit_panel()
    enter(qtbot, window, PIN)
    qtbot.waitUntil(lambda: opened.released == [True])
    assert window.is_released and not window.isVisible()
    assert threads and threads[0] != threading.main_thread().name  # off the UI thread


def test_three_wrong_pins_then_passphrase_only(open_window, definitions, qtbot,
                                               pin_hash) -> None:
    opened = open_window(definitions["ors"], full_screen=True, size=None,
                         check_pin=functools.partial(pin_matches, pin_hash))
    window = opened.window
    panel = window.exit_panel
    window.open_exit_panel()
    enter(qtbot, window, "1111")
    assert panel.message.isVisibleTo(window)
    assert panel.message.text() == "That PIN is not right. Two tries left."
    window.escape_pressed()  # leaving and coming back does not reset the count
    window.open_exit_panel()
    enter(qtbot, window, "0000")
    assert "One try left" in panel.message.text()
    enter(qtbot, window, "4828")
    assert panel.mode == "passphrase"
    assert "only the vault passphrase" in panel.message.text()
    assert not panel.mode_link.isVisibleTo(window)
    # The right PIN no longer works: it is now checked as a passphrase, and refused.
    enter(qtbot, window, PIN)
    assert panel.message.text() == "That passphrase is not right."
    assert opened.released == [] and window.isVisible()
    # Reopening the panel still asks for the passphrase.
    window.escape_pressed()
    window.open_exit_panel()
    assert panel.mode == "passphrase"
    enter(qtbot, window, "wrong passphrase")
    assert panel.message.text() == "That passphrase is not right."
    assert opened.released == []
    enter(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: opened.released == [True])
    assert not window.isVisible()


def test_without_a_pin_only_the_passphrase(open_window, definitions, qtbot) -> None:
    opened = open_window(definitions["srs"], check_pin=None)
    window = opened.window
    window.open_exit_panel()
    assert window.exit_panel.mode == "passphrase"
    assert not window.exit_panel.mode_link.isVisibleTo(window)
    enter(qtbot, window, "")  # nothing typed: nothing checked
    assert window.exit_panel.message.text() == "Enter the passphrase first."
    enter(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: opened.released == [True])


def test_the_passphrase_link_and_a_failing_check(open_window, definitions, qtbot,
                                                 pin_hash) -> None:
    def broken(_passphrase: str) -> None:
        raise OSError("key file unreadable")

    opened = open_window(definitions["ors"], check_pin=functools.partial(pin_matches, pin_hash),
                         check_passphrase=broken)
    window = opened.window
    window.open_exit_panel()
    qtbot.mouseClick(window.exit_panel.mode_link, Qt.MouseButton.LeftButton)
    assert window.exit_panel.mode == "passphrase"
    enter(qtbot, window, PASSPHRASE)
    assert "could not be checked" in window.exit_panel.message.text()
    assert opened.released == []


def test_editing_keys_work_in_the_secret_field_only(open_window, definitions, qtbot) -> None:
    opened = open_window(definitions["ors"])
    window = opened.window
    window.open_exit_panel()
    edit = window.exit_panel.secret_edit
    QGuiApplication.clipboard().setText(PASSPHRASE)
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == PASSPHRASE
    qtbot.keyClick(edit, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # still blocked
    assert window.isVisible() and window.page == "exit"
    # AltGr characters (Windows reports AltGr as Ctrl+Alt) can be typed in a passphrase.
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(edit, Qt.Key.Key_At, ctrl_alt)
    assert edit.text() == PASSPHRASE + "@"
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: opened.released == [True])
    QGuiApplication.clipboard().clear()


def test_controller_start_and_finish(definitions, qtbot, pin_hash) -> None:
    controller = ClientModeController(metrics=ScreenMetrics(96.0))
    events: list[str] = []
    finished: list[bool] = []
    controller.finished.connect(finished.append)
    submitted = []

    def before_show() -> None:
        assert controller.window is None
        assert not [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, ClientRatingWindow) and w.isVisible()]
        events.append("before_show")

    window = controller.start(definitions["ors"], "Sam", screen_by_name("no such screen"),
                              submitted.append, fake_check_passphrase, pin_hash, before_show)
    events.append("started")
    assert events == ["before_show", "started"]
    assert controller.active and controller.window is window
    qtbot.waitUntil(window.isActiveWindow)
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert window.screen() is QGuiApplication.primaryScreen()
    with pytest.raises(RuntimeError):
        controller.start(definitions["srs"], "", None, submitted.append,
                         fake_check_passphrase, None, before_show)
    mark_all(qtbot, window, [0.5, 0.6, 0.7, 0.8])
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    assert submitted[0].items_tenths == (50, 60, 70, 80)
    window.open_exit_panel()
    with qtbot.waitSignal(controller.finished, timeout=10000):
        enter(qtbot, window, PIN)
    assert finished == [True]
    assert not controller.active and controller.window is None


def test_controller_before_show_failing_opens_nothing(definitions) -> None:
    controller = ClientModeController(metrics=ScreenMetrics(96.0))

    def before_show() -> None:
        raise RuntimeError("could not lock the other windows")

    with pytest.raises(RuntimeError):
        controller.start(definitions["ors"], "", None, lambda _r: None, fake_check_passphrase,
                         None, before_show)
    assert not controller.active


def test_controller_released_without_a_rating_and_next_reading(definitions, qtbot) -> None:
    from ui.client_mode import suds_form

    controller = ClientModeController(metrics=ScreenMetrics(96.0), full_screen=False)
    finished: list[bool] = []
    controller.finished.connect(finished.append)
    window = controller.start(suds_form(), "", None, lambda _r: None, fake_check_passphrase,
                              None, lambda: None, review=False)
    settle(qtbot, window)
    controller.next_reading()
    assert window.page == "form"
    controller.abort()  # the app quitting
    assert finished == [False]


def test_screens_are_listed_and_picked_by_name() -> None:
    screens = available_screens()
    assert screens and screens[0].primary
    assert "×" in screens[0].label
    primary = QGuiApplication.primaryScreen()
    assert screen_by_name(primary.name()) is primary
    assert screen_by_name(None) is primary
    assert screen_by_name("HDMI-9 that was unplugged") is primary
