"""Every way out a client might try leaves the rating form up, full screen and in front."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from tests.ui.client_mode.conftest import point_at, settle
from tests.ui.conftest import widget_texts

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
META = Qt.KeyboardModifier.MetaModifier
NONE = Qt.KeyboardModifier.NoModifier

ESCAPE_KEYS = [
    (Qt.Key.Key_Escape, NONE, "Esc"),
    (Qt.Key.Key_F4, ALT, "Alt+F4"),
    (Qt.Key.Key_W, CTRL, "Ctrl+W"),
    (Qt.Key.Key_Q, CTRL, "Ctrl+Q (Cmd+Q on a Mac)"),
    (Qt.Key.Key_Q, META, "Meta+Q"),
    (Qt.Key.Key_L, CTRL, "Ctrl+L"),
    (Qt.Key.Key_F4, CTRL, "Ctrl+F4"),
    (Qt.Key.Key_H, CTRL, "Cmd+H"),
    (Qt.Key.Key_M, CTRL, "Cmd+M"),
    (Qt.Key.Key_F11, NONE, "F11"),
    (Qt.Key.Key_Tab, CTRL, "Ctrl+Tab"),
    (Qt.Key.Key_Backtab, CTRL | SHIFT, "Ctrl+Shift+Tab"),
    (Qt.Key.Key_Space, ALT, "Alt+Space"),
]


class TherapistWindow(QWidget):
    """Stands in for the main window: client data, and shortcuts that work from anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Tandem — Sam Vandersloot")
        QLabel("Sam Vandersloot · DOB 1987-03-02 · risk: moderate", self)
        self.fired: list[str] = []
        for keys in ("Ctrl+L", "Ctrl+Q", "Ctrl+W", "F1", "Ctrl+K", "Alt+F4", "Esc"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(lambda k=keys: self.fired.append(k))


@pytest.fixture
def client_mode(open_window, definitions, qtbot):
    therapist = TherapistWindow()
    qtbot.addWidget(therapist)
    therapist.show()
    opened = open_window(definitions["ors"], "Sam", full_screen=True, size=None)
    window = opened.window
    qtbot.waitUntil(window.isActiveWindow)
    return therapist, opened


def still_up(window) -> bool:
    return (window.isVisible() and not window.is_released
            and bool(window.windowState() & Qt.WindowState.WindowFullScreen)
            and not window.windowState() & Qt.WindowState.WindowMinimized)


@pytest.mark.parametrize(("key", "modifier", "name"), ESCAPE_KEYS,
                         ids=[k[2] for k in ESCAPE_KEYS])
def test_escape_keys_do_nothing(client_mode, qtbot, key, modifier, name) -> None:
    therapist, opened = client_mode
    window = opened.window
    line = window.lines[0]
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.3))
    for target in (window, line, window.done_button):
        qtbot.keyClick(target, key, modifier)
        settle(qtbot, window)
        assert still_up(window), name
        assert window.page == "form"
        assert line.tenths == 30
    assert therapist.fired == []  # no shortcut of another window fired
    assert opened.released == []


def test_without_modality_the_key_guard_still_blocks_every_shortcut(definitions, qtbot) -> None:
    """A platform that ignores application modality: the guard alone must hold."""
    from ui.client_mode import ClientRatingWindow, ScreenMetrics

    therapist = TherapistWindow()
    qtbot.addWidget(therapist)
    edit = QLineEdit(therapist)
    therapist.show()
    window = ClientRatingWindow(definitions["ors"], "Sam", lambda _r: None,
                                check_passphrase=lambda _p: None, metrics=ScreenMetrics(96.0))
    window.setWindowModality(Qt.WindowModality.NonModal)
    qtbot.addWidget(window)
    try:
        window.present(None)
        qtbot.waitUntil(window.isActiveWindow)
        for key, modifier, _name in ESCAPE_KEYS:
            qtbot.keyClick(window.lines[0], key, modifier)
        for keys in ((Qt.Key.Key_F1, NONE), (Qt.Key.Key_K, CTRL)):
            qtbot.keyClick(window, *keys)
        assert therapist.fired == []
        assert still_up(window)
        # Keys sent straight at a widget of another window do not arrive either.
        qtbot.keyClicks(edit, "abc")
        qtbot.keyClick(edit, Qt.Key.Key_L, CTRL)
        assert edit.text() == "" and therapist.fired == []
    finally:
        window.force_release()
    therapist.activateWindow()
    qtbot.waitUntil(therapist.isActiveWindow)
    qtbot.keyClick(therapist, Qt.Key.Key_L, CTRL)  # after release, shortcuts work again
    assert therapist.fired == ["Ctrl+L"]


def test_plain_keys_still_work_and_reach_no_other_window(client_mode, qtbot) -> None:
    therapist, opened = client_mode
    line = opened.window.lines[1]
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_F1)
    qtbot.keyClick(line, Qt.Key.Key_K, CTRL)
    qtbot.keyClick(line, Qt.Key.Key_Right)
    assert line.tenths == 50
    assert therapist.fired == []


def test_close_requests_are_ignored(client_mode, qtbot) -> None:
    _therapist, opened = client_mode
    window = opened.window
    assert window.close() is False
    event = QCloseEvent()
    QApplication.sendEvent(window, event)
    assert not event.isAccepted()
    QApplication.closeAllWindows()
    settle(qtbot, window)
    assert still_up(window)
    assert opened.released == []


def test_minimise_restore_and_hide_are_undone(client_mode, qtbot) -> None:
    _therapist, opened = client_mode
    window = opened.window
    for attempt in (window.showMinimized, window.showNormal, window.showMaximized,
                    window.hide):
        attempt()
        qtbot.waitUntil(lambda: still_up(window))
        settle(qtbot, window)
        assert window.page == "form"


def test_focus_going_to_another_window_comes_back(client_mode, qtbot) -> None:
    therapist, opened = client_mode
    window = opened.window
    other = QWidget()
    qtbot.addWidget(other)
    edit = QLineEdit(other)
    other.show()
    other.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(window.isActiveWindow)
    therapist.activateWindow()
    therapist.raise_()
    qtbot.waitUntil(window.isActiveWindow)
    assert still_up(window)
    assert window.page == "form"


def test_on_top_frameless_full_screen_modal(client_mode) -> None:
    _therapist, opened = client_mode
    window = opened.window
    flags = window.windowFlags()
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert flags & Qt.WindowType.FramelessWindowHint
    assert window.windowModality() == Qt.WindowModality.ApplicationModal
    assert window.windowTitle() == "Tandem"
    assert window.windowHandle().title() == "Tandem"


def test_after_every_attempt_the_tree_holds_no_client_data(client_mode, qtbot,
                                                           tmp_path) -> None:
    _therapist, opened = client_mode
    window = opened.window
    for key, modifier, _name in ESCAPE_KEYS:
        qtbot.keyClick(window, key, modifier)
    window.close()
    QApplication.closeAllWindows()
    window.showMinimized()
    qtbot.waitUntil(lambda: still_up(window))
    texts = widget_texts(window)
    assert texts and not [t for t in texts if "Vandersloot" in t or "1987" in t]
    image = window.grab().toImage()
    image.save(str(tmp_path / "after-escape-attempts.png"))
    assert not image.isNull() and image.width() == window.width()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 29)
               for y in range(0, image.height(), 17)}
    assert len(colours) > 3  # the form is painted, not a blank or black window
    assert QImage(str(tmp_path / "after-escape-attempts.png")).size() == image.size()


def test_idle_never_leaves_the_form(client_mode, qtbot) -> None:
    _therapist, opened = client_mode
    window = opened.window
    settle(qtbot, window)
    # Nothing is timed: no timer runs that could move an idle window anywhere.
    timers = window.findChildren(type(window._fit_timer))
    assert timers and not any(t.isActive() for t in timers)
    assert window.page == "form" and still_up(window)
