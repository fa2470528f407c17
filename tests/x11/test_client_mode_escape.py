"""The client-mode escape matrix under a real X server with a window manager (issue 8).

One app process (tests/x11/driver.py) is unlocked on the demo vault and put in client mode the
way the therapist does it (Note ▸ ORS). Each test tries one way out from outside the app — keys
through the X server (xdotool, so the window manager sees them first), window-manager requests
(wmctrl, xdotool), other X clients, a monitor unplugged (RandR), idle time — and then asserts from
the screen, not from Qt:
- the window manager's stacking order and the X server's map state leave exactly one window
  visible on the screen: the client window (full screen, on top, on the current desktop);
- the root window's pixels (a grab from the X server) are the client window's own rendering
  across the whole screen;
- the app says the page is the rating form (or the lock screen), never the workspace;
- no title-like property of the client window names the client.
Each attempt's screenshot is saved (see conftest.py).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.x11.driver import CLIENT, PIN
from tests.x11.harness import SCREEN_SIZE, AppProcess, Screen, XServer
from ui.demo import DEMO_PASSPHRASE

pytestmark = pytest.mark.slow

FULL = (0, 0, *SCREEN_SIZE)
CLIENT_WORDS = ("Maya", "Okonkwo")
"""The client's names: they may be in her greeting, never in a title a switcher or bar shows."""


class Matrix:
    """One escape attempt after another, each checked from the screen."""

    def __init__(self, app: AppProcess, server: XServer, screen: Screen, shots: Path) -> None:
        self.app = app
        self.server = server
        self.screen = screen
        self.shots = shots

    def fresh(self) -> dict[str, Any]:
        """Client mode on the blank form, on desktop 1, the WM not in "show desktop"."""
        self.server.run("wmctrl", "-k", "off")
        self.server.run("wmctrl", "-s", "0")
        state = self.app.call("ensure")
        if not self.screen.window(state["main_win_id"]).viewable:
            # openbox leaves "show desktop" showing only the window that asked for the screen
            # back (the client's): bring the main window back as a task-bar click would.
            self.wm("-i", "-a", hex(state["main_win_id"]))
            state = self.app.call("wait_guarded")
        assert state["client_mode"] and state["page"] == "form"
        return state

    def xdo(self, *args: str) -> None:
        self.server.run("xdotool", *args, check=True)

    def wm(self, *args: str) -> None:
        self.server.run("wmctrl", *args, check=True)

    def shot(self, name: str) -> dict[str, Any]:
        return self.app.call("grab", path=str(self.shots / f"{name}.png"))

    def only_client_on_screen(self, name: str, *, pages: tuple[str, ...] = ("form",),
                              area: tuple[int, int, int, int] = FULL,
                              locked: bool = False) -> dict[str, Any]:
        """The checks after every attempt (see the module docstring)."""
        state = self.app.call("wait_guarded")
        grab = self.shot(name)
        assert state["client_mode"], f"{name}: client mode ended"
        assert state["page"] in pages, f"{name}: page {state['page']}"
        assert state["main_page"] != "workspace", f"{name}: the workspace is back"
        # No shortcut of the therapist's window fired through the client's screen (Ctrl+L).
        assert state["session_state"] == ("LOCKED" if locked else "UNLOCKED"), name
        client = self.screen.window(state["win_id"])
        assert client.viewable, f"{name}: the client window is not mapped"
        assert client.covers(*area), f"{name}: client window at {client} does not cover {area}"
        assert "_NET_WM_STATE_FULLSCREEN" in client.state, f"{name}: {client.state}"
        assert "_NET_WM_STATE_ABOVE" in client.state, f"{name}: {client.state}"
        assert client.desktop in (self.screen.current_desktop(), 0xFFFFFFFF), name
        visible = self.screen.visible_windows(area)
        assert [w.id for w in visible] == [state["win_id"]], (
            f"{name}: visible on screen: {[(w.name, hex(w.id)) for w in visible]}")
        screen_name = next(n for n, g in state["screens"].items() if tuple(g) == area)
        match = grab["screens"][screen_name]["client_match"]
        assert match >= 0.98, f"{name}: only {match:.1%} of the screen is the client window"
        assert state["guarded"], f"{name}: the client window does not hold the focus"
        self.no_client_data_in_titles(state["win_id"])
        return state

    def no_client_data_in_titles(self, win_id: int) -> None:
        props = self.screen.text_properties(win_id)
        assert '"Tandem"' in props
        for word in CLIENT_WORDS:
            assert word not in props, props


@pytest.fixture(scope="module")
def matrix(tandem: AppProcess, x_server: XServer, screen: Screen, shots: Path) -> Matrix:
    return Matrix(tandem, x_server, screen, shots)


def test_client_mode_starts_alone_on_screen_with_a_neutral_title(matrix: Matrix) -> None:
    state = matrix.fresh()
    assert state["title"] == "Tandem" and state["native_title"] == "Tandem"
    assert CLIENT.split()[0] not in state["main_title"]
    state = matrix.only_client_on_screen("00-start")
    # Every mapped Tandem window other than the client's shows the neutral page only.
    assert state["main_page"] == "ClientModePage"
    for window in matrix.screen.stacking():
        for word in CLIENT_WORDS:
            assert word not in window.name


KEYS = [
    "Escape", "alt+F4", "ctrl+F4", "alt+Tab", "alt+shift+Tab", "ctrl+alt+Tab", "super",
    "super+d", "ctrl+w", "ctrl+q", "ctrl+l", "ctrl+alt+Right", "ctrl+alt+Down", "super+F2",
    "shift+alt+Right", "alt+Escape", "alt+space", "F11", "ctrl+alt+BackSpace",
]
"""Escape keys, and every default openbox binding that closes, lowers, hides or moves a window
(Alt+F4, Alt+Escape, Alt+Space menu, Super+D show desktop, Ctrl+Alt+arrows / Super+F2 desktop
switch, Shift+Alt+arrows send to desktop, Alt+Tab)."""


@pytest.mark.parametrize("keys", KEYS)
def test_keys_through_the_window_manager(matrix: Matrix, keys: str) -> None:
    matrix.fresh()
    matrix.xdo("key", "--clearmodifiers", keys)
    matrix.only_client_on_screen("key-" + keys.replace("+", "-"))


def test_the_client_can_still_rate_with_the_pointer(matrix: Matrix) -> None:
    """The keyboard and pointer grabs must not stop the client from marking the lines."""
    matrix.fresh()
    point = matrix.app.call("line_point", index=0, fraction=0.3)
    matrix.xdo("mousemove", str(point["x"]), str(point["y"]), "click", "1")
    state = matrix.only_client_on_screen("pointer-mark")
    marked = state["marks"][0]
    assert marked is not None and abs(marked - 30) <= 1, state["marks"]
    matrix.xdo("key", "Right")  # the keyboard reaches the line too
    state = matrix.app.call("wait_guarded")
    assert state["marks"][0] > marked, state["marks"]


WINDOW_REQUESTS: dict[str, list[list[str]]] = {
    "minimize": [["xdotool", "windowminimize", "{win}"]],
    "close-request": [["wmctrl", "-i", "-c", "{win}"]],  # _NET_CLOSE_WINDOW → WM_DELETE_WINDOW
    "leave-full-screen": [["wmctrl", "-i", "-r", "{win}", "-b", "remove,fullscreen"]],
    "shade": [["wmctrl", "-i", "-r", "{win}", "-b", "add,shaded"]],
    "move-to-desktop-3": [["wmctrl", "-i", "-r", "{win}", "-t", "2"]],
    "switch-desktop": [["wmctrl", "-s", "2"]],
    "show-desktop": [["wmctrl", "-k", "on"]],
    "activate-main-window": [["xdotool", "windowactivate", "{main}"]],
    "raise-main-window": [["xdotool", "windowraise", "{main}"]],
    "unmap-by-another-client": [["xdotool", "windowunmap", "{win}"]],
    "alt-wheel": [["xdotool", "mousemove", "640", "400", "keydown", "alt", "click", "5",
                   "click", "5", "keyup", "alt"]],
    "alt-drag": [["xdotool", "mousemove", "640", "400", "keydown", "alt", "mousedown", "1",
                  "mousemove", "900", "600", "mouseup", "1", "keyup", "alt"]],
    "alt-right-drag": [["xdotool", "mousemove", "640", "400", "keydown", "alt", "mousedown",
                        "3", "mousemove", "300", "300", "mouseup", "3", "keyup", "alt"]],
}
"""What a pager, a task bar, a "show desktop" button or the WM's mouse bindings can do to the
window; "unmap-by-another-client" needs no window manager at all (any X client may do it)."""


@pytest.mark.parametrize("request_name", list(WINDOW_REQUESTS))
def test_window_manager_requests(matrix: Matrix, request_name: str) -> None:
    state = matrix.fresh()
    for command in WINDOW_REQUESTS[request_name]:
        args = [a.format(win=hex(state["win_id"]), main=hex(state["main_win_id"]))
                for a in command]
        matrix.server.run(*args)
    matrix.only_client_on_screen("wm-" + request_name)


@contextlib.contextmanager
def other_application(matrix: Matrix) -> Iterator[list[str]]:
    """Another program's window (xmessage) mapped on the display; yields its window ids."""
    other = matrix.server.spawn("xmessage", "-geometry", "600x300+50+50", "-name", "Other",
                                "Another application's window")
    try:
        deadline = time.monotonic() + 5
        ids: list[str] = []
        while not ids and time.monotonic() < deadline:
            ids = matrix.server.run("xdotool", "search", "--onlyvisible", "--name",
                                    "Other").split()
            time.sleep(0.05)
        assert ids, "xmessage did not map"
        yield ids
    finally:
        other.terminate()
        other.wait(5)


def test_another_application_takes_the_focus_and_goes_full_screen(matrix: Matrix) -> None:
    matrix.fresh()
    with other_application(matrix) as ids:
        matrix.only_client_on_screen("focus-other-app-mapped")
        for win in ids:
            matrix.server.run("xdotool", "windowactivate", win)
        matrix.only_client_on_screen("focus-other-app-activated")
        for win in ids:
            matrix.server.run("wmctrl", "-i", "-r", hex(int(win)), "-b", "add,fullscreen")
            matrix.server.run("wmctrl", "-i", "-r", hex(int(win)), "-b", "add,above")
            matrix.server.run("xdotool", "windowactivate", win)
        matrix.only_client_on_screen("focus-other-app-full-screen")


def test_keep_below_then_another_window_takes_the_focus(matrix: Matrix) -> None:
    """A pager's "always below" on the client window, then another program's window: the
    client window asks to be on top again when it loses the focus."""
    state = matrix.fresh()
    matrix.wm("-i", "-r", hex(state["win_id"]), "-b", "add,below")
    with other_application(matrix) as ids:
        for win in ids:
            matrix.server.run("xdotool", "windowactivate", win)
        matrix.only_client_on_screen("wm-keep-below-then-other-app")


def test_another_tandem_window_raised_and_a_message_box(matrix: Matrix) -> None:
    matrix.fresh()
    matrix.app.call("intruder")
    matrix.only_client_on_screen("focus-second-qt-window")
    matrix.fresh()
    matrix.app.call("message")
    matrix.only_client_on_screen("focus-message-box")


def test_the_clients_monitor_unplugged(matrix: Matrix) -> None:
    """Two monitors (RandR 1.5 monitors on Xvfb), the client's is unplugged, then the layout
    goes back to one screen: the form follows, always covering the screen it is on."""
    matrix.fresh()
    run = matrix.server.run
    half = SCREEN_SIZE[0] // 2
    run("xrandr", "--setmonitor", "Laptop", f"{half}/170x{SCREEN_SIZE[1]}/212+0+0", "screen",
        check=True)
    run("xrandr", "--setmonitor", "Client", f"{half}/170x{SCREEN_SIZE[1]}/212+{half}+0", "none",
        check=True)
    try:
        state = matrix.app.call("wait_for", key="screens", value={
            "Laptop": [0, 0, half, SCREEN_SIZE[1]], "Client": [half, 0, half, SCREEN_SIZE[1]]})
        assert set(state["screens"]) == {"Laptop", "Client"}, state["screens"]
        matrix.app.call("present_on", name="Client")
        state = matrix.only_client_on_screen("monitor-1-two-screens",
                                             area=(half, 0, half, SCREEN_SIZE[1]))
        assert state["screen"] == "Client"
        matrix.wm("-k", "on")  # "show desktop" there: back on the client's monitor
        state = matrix.only_client_on_screen("monitor-1b-show-desktop",
                                             area=(half, 0, half, SCREEN_SIZE[1]))
        assert state["screen"] == "Client"
        run("xrandr", "--delmonitor", "Client", check=True)
        state = matrix.app.call("wait_for", key="screen", value="Laptop")
        state = matrix.only_client_on_screen("monitor-2-client-unplugged",
                                             area=(0, 0, half, SCREEN_SIZE[1]))
        assert state["screen"] == "Laptop" and state["geometry"] == [0, 0, half, SCREEN_SIZE[1]]
    finally:
        run("xrandr", "--delmonitor", "Client")
        run("xrandr", "--delmonitor", "Laptop")
    state = matrix.app.call("wait_for", key="geometry", value=list(FULL))
    matrix.only_client_on_screen("monitor-3-back-to-one")


def test_idle_and_sleep_never_reveal_the_workspace(matrix: Matrix) -> None:
    matrix.fresh()
    minutes = matrix.app.call("lock_minutes")["minutes"]
    assert minutes and minutes > 0
    state = matrix.app.call("advance", seconds=minutes * 60 + 30)
    assert not state["monitor_running"]  # nothing times out while the client rates
    matrix.only_client_on_screen("idle-past-the-lock-time")
    # A sleep locks the vault underneath the form: the client still sees only the form, and
    # the therapist's PIN then leads to the lock screen, not to the records.
    state = matrix.app.call("advance", seconds=3 * 3600, slept=True)
    assert state["session_state"] == "LOCKED"
    matrix.only_client_on_screen("idle-after-sleep", locked=True)


def test_a_lock_during_client_mode_ends_on_the_lock_screen(matrix: Matrix) -> None:
    """The session locks underneath (the OS screen lock or suspend signal): the client still
    sees only the form, and after the therapist's PIN the screen is the lock screen."""
    matrix.fresh()
    state = matrix.app.call("lock", reason="suspend")
    assert state["session_state"] == "LOCKED" and state["main_page"] == "lock"
    matrix.only_client_on_screen("lock-underneath", locked=True)
    leave_with_pin(matrix, locked=True)
    state = matrix.app.call("wait_main", page="lock")
    assert state["main_page"] == "lock" and not state["client_mode"]
    grab = matrix.shot("lock-after-pin")
    visible = matrix.screen.visible_windows(FULL)
    assert [w.id for w in visible] == [state["main_win_id"]]
    assert grab["screens"]["screen"]["main_own_match"] >= 0.98


def leave_with_pin(matrix: Matrix, wrong: str = "0000", *, locked: bool = False) -> None:
    """The therapist's way out, typed through the X server: the chord, a wrong PIN, the PIN."""
    matrix.xdo("key", "--clearmodifiers", "ctrl+alt+shift+t")
    state = matrix.app.call("wait_guarded")
    assert state["page"] == "exit"
    matrix.only_client_on_screen("exit-panel", pages=("exit",), locked=locked)
    matrix.xdo("type", "--delay", "20", wrong)
    matrix.xdo("key", "Return")
    panel = matrix.app.call("exit_panel")
    assert panel["message"], "a wrong PIN says so"
    matrix.only_client_on_screen("exit-wrong-pin", pages=("exit",), locked=locked)
    matrix.xdo("type", "--delay", "20", PIN)
    matrix.xdo("key", "Return")


def test_the_therapist_still_leaves_with_the_pin(matrix: Matrix) -> None:
    matrix.fresh()
    matrix.xdo("key", "--clearmodifiers", "ctrl+alt+shift+t")
    matrix.only_client_on_screen("exit-then-escape-1", pages=("exit",))
    matrix.xdo("key", "Escape")  # Esc leaves the panel, back to the form
    matrix.only_client_on_screen("exit-then-escape-2")
    leave_with_pin(matrix)
    state = matrix.app.call("wait_main", page="workspace")
    assert state["main_page"] == "workspace" and not state["client_mode"]
    assert state["monitor_running"]  # the idle lock is back on
    grab = matrix.shot("exit-workspace")
    assert grab["screens"]["screen"]["main_own_match"] >= 0.9
    # The idle lock ends on the lock screen, never leaving the workspace up.
    minutes = matrix.app.call("lock_minutes")["minutes"]
    matrix.app.call("advance", seconds=minutes * 60 + 5)
    state = matrix.app.call("wait_main", page="lock")
    assert state["main_page"] == "lock"
    grab = matrix.shot("exit-then-idle-lock")
    assert grab["screens"]["screen"]["main_own_match"] >= 0.98
    # The keyboard is the therapist's again (client mode's grab is gone): type to unlock.
    matrix.xdo("type", "--delay", "10", DEMO_PASSPHRASE)
    matrix.xdo("key", "Return")
    state = matrix.app.call("wait_main", page="workspace")
    assert state["main_page"] == "workspace"
