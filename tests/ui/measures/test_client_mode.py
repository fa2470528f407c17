"""ORS from a session: the workspace goes, the client rates, the workspace comes back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from storage.pin_repo import set_pin
from tests.ui.client_mode.conftest import mark_all, settle
from tests.ui.conftest import widget_texts
from tests.ui.measures.conftest import open_record
from ui.pages.workspace import WorkspacePage
from ui.workspace.measures.client_mode import ClientModePage

PIN = "4827"
FRACTIONS = [0.25, 0.5, 0.75, 0.6]


def start_ors(ui, name: str):
    record = open_record(ui, name)
    session_id = record.sessions_tab.editor.session.id
    note_text = record.sessions_tab.editor.sections()
    runner = ui.window.client_mode
    action = ui.window.workspace_actions["start_ors"]
    ui.qtbot.waitUntil(action.isEnabled)
    action.trigger()
    ui.qtbot.waitUntil(lambda: runner.controller.active, timeout=10000)
    window = runner.controller.window
    ui.qtbot.waitExposed(window)
    settle(ui.qtbot, window)
    return window, session_id, note_text


def release(ui, window, secret: str) -> None:
    ui.qtbot.mouseClick(window.therapist_button, Qt.MouseButton.LeftButton)
    panel = window.exit_panel
    ui.qtbot.keyClicks(panel.secret_edit, secret)
    ui.qtbot.keyClick(panel.secret_edit, Qt.Key.Key_Return)


def test_ors_from_a_session_hides_the_workspace_and_stores_the_exact_scores(demo) -> None:
    ui = demo
    set_pin(ui.session.vault, PIN).result()
    window, session_id, note = start_ors(ui, "Maya Okonkwo")

    # The main window shows a neutral page only: no client name, note text or scores.
    assert isinstance(ui.window.page, ClientModePage)
    QApplication.processEvents()
    texts = "\n".join(widget_texts(ui.window))
    for secret in ("Maya", "Okonkwo", "Tomasz", *[v[:30] for v in note.values() if v]):
        assert secret not in texts
    assert not ui.window.findChildren(WorkspacePage)
    assert "Client mode in progress" in texts
    assert not ui.session.monitor.idle_lock_active  # no idle lock into client data
    assert ui.session.monitor.running  # but sleep is still watched
    assert window.windowTitle() and "Maya" not in window.windowTitle()

    mark_all(ui.qtbot, window, FRACTIONS)
    tenths = tuple(line.tenths for line in window.lines)
    for value, fraction in zip(tenths, FRACTIONS, strict=True):
        assert abs(value - round(fraction * 100)) <= 1

    # Esc and closing the window leave client mode up.
    ui.qtbot.keyClick(window, Qt.Key.Key_Escape)
    window.close()
    QApplication.processEvents()
    assert ui.window.client_mode.controller.active and window.isVisible()

    ui.qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert window.in_review
    ui.qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    assert window.page == "thanks"
    release(ui, window, PIN)
    page = ui.wait_for_page(WorkspacePage, timeout=15000)
    assert ui.session.monitor.running
    record = page.record
    tab = record.measures_tab
    ui.qtbot.waitUntil(lambda: record.tabs.currentWidget() is tab and tab.is_loaded
                       and tab.model.rowCount() > 0
                       and tab.model.administration(tab.model.rowCount() - 1).items == tenths,
                       timeout=15000)
    last = tab.model.administration(tab.model.rowCount() - 1)
    assert last.measure == "ors" and last.mode == "screen" and last.session_id == session_id
    assert last.total == sum(tenths)
    row = tab.model.rowCount() - 1
    assert tab.model.text(row, 5) == "Client on screen"
    assert record.client_id == page.store.list_clients(text="Maya").result()[0].id
    ui.qtbot.waitUntil(lambda: record.sessions_tab.editor is not None
                       and record.sessions_tab.editor.session.id == session_id)


def test_release_with_the_passphrase_and_srs_for_a_child_is_csrs(demo) -> None:
    from ui.demo import DEMO_PASSPHRASE

    ui = demo
    record = open_record(ui, "Ruby Mitchell")  # 9: the child's forms
    ui.window.workspace_actions["start_srs"].trigger()
    runner = ui.window.client_mode
    ui.qtbot.waitUntil(lambda: runner.controller.active, timeout=10000)
    window = runner.controller.window
    assert window.form.id == "csrs"
    settle(ui.qtbot, window)
    assert record is not None
    release(ui, window, "wrong passphrase")
    ui.qtbot.waitUntil(lambda: not window.exit_panel.busy, timeout=10000)
    assert runner.controller.active
    window.exit_panel.secret_edit.clear()
    ui.qtbot.keyClicks(window.exit_panel.secret_edit, DEMO_PASSPHRASE)
    ui.qtbot.keyClick(window.exit_panel.secret_edit, Qt.Key.Key_Return)
    page = ui.wait_for_page(WorkspacePage, timeout=15000)
    ui.qtbot.waitUntil(lambda: page.record.is_open and page.record.measures_tab.is_loaded,
                       timeout=15000)
    assert ui.session.prompts.shown == []  # nothing to tell: no rating was made


def test_a_laptop_that_slept_in_client_mode_wakes_to_the_lock_screen(demo) -> None:
    """The PIN ends client mode, but after a sleep it leads to the passphrase, not the records."""
    from ui.pages.unlock import UnlockPage

    ui = demo
    set_pin(ui.session.vault, PIN).result()
    window, _session_id, _note = start_ors(ui, "Maya Okonkwo")
    ui.clock.advance(3 * 3600, slept=True)
    ui.session.monitor.check()
    ui.qtbot.waitUntil(lambda: ui.session.vault is None)  # locked underneath the form
    assert window.isVisible() and ui.window.client_mode.controller.active
    release(ui, window, PIN)
    page = ui.wait_for_page(UnlockPage, timeout=15000)
    assert "sleep" in page.reason.text()
    assert not ui.window.findChildren(WorkspacePage)
