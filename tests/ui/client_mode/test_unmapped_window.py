"""A client window unmapped behind Qt's back comes back (found under Xvfb + openbox, tests/x11).

On X11 a pager moving the window to another desktop, "show desktop", or any other client
unmapping it leaves Qt believing the window is visible: only the native window's exposure
changes. Offscreen Qt cannot unmap a native window, so these tests make the native window
report "not exposed" and send the Expose event X11 would cause; tests/x11 proves the same
against a real window manager.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QExposeEvent, QRegion
from PySide6.QtWidgets import QApplication

from tests.ui.client_mode.conftest import settle


def unmap_natively(window: Any) -> Any:
    """What an unmap by someone else looks like to Qt: the native window is no longer exposed."""
    handle = window.windowHandle()
    handle.isExposed = lambda: False  # the X server says so; Qt's widget still thinks visible
    QApplication.sendEvent(handle, QExposeEvent(QRegion()))
    return handle


def back_on_screen(window: Any, old_handle: Any) -> bool:
    handle = window.windowHandle()
    return (handle is not None and handle is not old_handle and handle.isExposed()
            and window.isVisible() and window.isActiveWindow()
            and bool(window.windowState() & Qt.WindowState.WindowFullScreen))


def test_an_unmapped_window_is_mapped_again_and_still_guards(open_window, definitions,
                                                              qtbot) -> None:
    opened = open_window(definitions["ors"], "Sam", full_screen=True, size=None)
    window = opened.window
    qtbot.waitUntil(window.isActiveWindow)
    for _attempt in range(2):  # the new native window is watched too
        old = unmap_natively(window)
        qtbot.waitUntil(lambda old=old: back_on_screen(window, old))
        settle(qtbot, window)
        assert window.page == "form" and opened.released == []
    # The guard knows the new native window: escape keys do nothing, the chord still works.
    for key, modifier in ((Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)):
        qtbot.keyClick(window, key, modifier)
    assert window.isVisible() and window.page == "form"
    assert window.owns(window.windowHandle())
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.page == "exit"


def test_a_released_window_is_not_brought_back(open_window, definitions, qtbot) -> None:
    opened = open_window(definitions["ors"], "Sam", full_screen=True, size=None)
    window = opened.window
    handle = window.windowHandle()
    window.force_release()
    qtbot.waitUntil(lambda: not window.isVisible())
    if window.windowHandle() is not None:
        unmap_natively(window)
    qtbot.wait(150)  # longer than the recovery's delay
    assert not window.isVisible() and window.windowHandle() in (handle, None)
    assert window.is_released
