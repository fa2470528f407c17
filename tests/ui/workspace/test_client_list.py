"""The client list: a lazy model checked by Qt's tester, instant filtering, status, keyboard."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from app.clients import ClientStatus, RiskLevel
from app.workspace import ClientOrder, ClientRow, StatusFilter
from tests.ui.conftest import UI
from tests.ui.workspace.conftest import Practice, open_client, read_vault, unlock_practice
from ui.workspace.calls import Calls
from ui.workspace.client_list import (
    CLIENT_ROLE,
    COL_FLAGS,
    COL_NAME,
    COL_RISK,
    PAGE_SIZE,
    ClientListModel,
    ClientQuery,
)
from ui.workspace.dialogs import ClientDialog

CTRL = Qt.KeyboardModifier.ControlModifier


class FakeStore:
    """list_clients over 450 rows in memory, answering from the vault-like worker (a future)."""

    def __init__(self, count: int = 450) -> None:
        self.rows = [ClientRow(i, f"Client {i:03d}", "", f"Oak {i}", ClientStatus.ACTIVE,
                               date(2025, 1, 1), 3, RiskLevel.HIGH if i % 7 == 0 else
                               RiskLevel.NONE) for i in range(1, count + 1)]
        self.asked: list[tuple[ClientQuery, int, int]] = []

    def fetch(self, query: ClientQuery, offset: int, limit: int) -> Future[list[ClientRow]]:
        self.asked.append((query, offset, limit))
        future: Future[list[ClientRow]] = Future()
        matching = [r for r in self.rows if query.text.lower() in r.name.lower()]
        future.set_result(matching[offset:offset + limit])
        return future


def test_model_passes_qt_checks_while_paging(ui: UI, qtbot: Any) -> None:
    store = FakeStore()
    model = ClientListModel(store.fetch, Calls(ui.session.tasks))
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.reload()
    qtbot.waitUntil(lambda: model.loaded)
    assert model.rowCount() in (PAGE_SIZE, 2 * PAGE_SIZE)  # the tester may fetch more itself
    while model.rowCount() < 450:
        qtbot.waitUntil(lambda: not model.loading)
        if model.rowCount() >= 450:
            break
        assert model.canFetchMore()
        before = model.rowCount()
        model.fetchMore()
        assert not model.canFetchMore()  # one page at a time
        qtbot.waitUntil(lambda b=before: model.rowCount() > b)
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 450
    assert not model.canFetchMore()
    assert [model.index(r, 0).data(CLIENT_ROLE).id for r in range(450)] == list(range(1, 451))
    assert model.index(6, COL_RISK).data() == "High"
    assert model.index(6, COL_RISK).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(0, COL_RISK).data() == ""  # none reported: no word, no shape
    assert model.index(6, COL_RISK).data(Qt.ItemDataRole.AccessibleTextRole) == "Risk: High"
    assert model.index(0, COL_FLAGS).data() == ""  # later issues fill the flags
    del tester


def test_a_newer_query_wins_over_a_slower_older_answer(ui: UI, qtbot: Any) -> None:
    store = FakeStore(30)
    pending: list[tuple[Future[list[ClientRow]], list[ClientRow]]] = []

    def slow(query: ClientQuery, offset: int, limit: int) -> Future[list[ClientRow]]:
        answer = store.fetch(query, offset, limit).result()
        future: Future[list[ClientRow]] = Future()
        pending.append((future, answer))
        return future

    model = ClientListModel(slow, Calls(ui.session.tasks))
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_query(ClientQuery("01"))  # "Client 001", "010"…"019"
    model.set_query(ClientQuery("020"))
    newer, newer_rows = pending[1]
    newer.set_result(newer_rows)
    qtbot.waitUntil(lambda: model.loaded)
    older, older_rows = pending[0]
    older.set_result(older_rows)  # arrives last: dropped
    qtbot.wait(50)
    assert [model.client_at(r).name for r in range(model.rowCount())] == ["Client 020"]


def test_filter_as_you_type_by_name_preferred_name_and_pseudonym(
        ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    panel = page.client_list
    model = page.client_model

    def names() -> list[str]:
        return [model.client_at(r).name for r in range(model.rowCount())]

    assert names() == ["Eleni Papadopoulou", "Maya Okonkwo", "Tomasz Wiśniewski"]
    ui.qtbot.keyClick(panel.table, Qt.Key.Key_F, CTRL)  # Ctrl+F: into the filter
    assert panel.filter_edit.hasFocus()
    ui.qtbot.keyClicks(panel.filter_edit, "okon")
    ui.qtbot.waitUntil(lambda: names() == ["Maya Okonkwo"])
    panel.filter_edit.clear()
    ui.qtbot.keyClicks(panel.filter_edit, "tomek")  # the preferred name
    ui.qtbot.waitUntil(lambda: names() == ["Tomasz Wiśniewski"])
    panel.filter_edit.clear()
    pseudonym = practice.pseudonyms["Eleni Papadopoulou"]
    ui.qtbot.keyClicks(panel.filter_edit, pseudonym.lower())
    ui.qtbot.waitUntil(lambda: names() == ["Eleni Papadopoulou"])
    panel.filter_edit.clear()
    ui.qtbot.keyClicks(panel.filter_edit, "samir")  # closed: not among the active
    ui.qtbot.waitUntil(lambda: model.loaded and names() == [])
    assert "No active client matches" in panel.count_label.text()
    ui.qtbot.mouseClick(panel.status_buttons[StatusFilter.CLOSED], Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: names() == ["Samir Haddad"])
    panel.filter_edit.clear()
    ui.qtbot.mouseClick(panel.status_buttons[StatusFilter.ALL], Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: len(names()) == 4)
    closed_row = model.row_of(practice.ids["Samir Haddad"])
    assert model.index(closed_row, COL_FLAGS).data() == "Closed"
    assert not panel.table.isColumnHidden(COL_FLAGS)  # shown once a row has a flag


def test_sort_by_last_session(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    panel = page.client_list
    panel.order_combo.setCurrentIndex(panel.order_combo.findData(ClientOrder.LAST_SESSION))
    model = page.client_model
    # Maya's sessions are the most recent (index 0 in the fixture: no day offset).
    ui.qtbot.waitUntil(lambda: model.query.order is ClientOrder.LAST_SESSION and model.loaded)
    assert model.client_at(0).name == "Maya Okonkwo"
    assert model.client_at(2).name == "Eleni Papadopoulou"


def test_keyboard_alone_finds_and_opens_a_client(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    panel = page.client_list
    ui.qtbot.waitUntil(panel.filter_edit.hasFocus)  # the cursor starts in the filter
    ui.qtbot.keyClicks(panel.filter_edit, "niewski")
    ui.qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)  # before the debounce: still fine
    ui.qtbot.waitUntil(lambda: page.record.client_id == practice.ids["Tomasz Wiśniewski"])
    panel.filter_edit.clear()
    ui.qtbot.waitUntil(lambda: page.client_model.rowCount() == 3)
    ui.qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Down)  # into the list
    assert panel.table.hasFocus()
    panel.table.setCurrentIndex(page.client_model.index(0, COL_NAME))
    ui.qtbot.keyClick(panel.table, Qt.Key.Key_Down)  # moves without opening
    assert page.record.client_id == practice.ids["Tomasz Wiśniewski"]
    assert panel.current_row() == 1
    ui.qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # opens
    ui.qtbot.waitUntil(lambda: page.record.client_id == practice.ids["Maya Okonkwo"])


def test_next_and_previous_client_from_anywhere(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    open_client(ui, page, "Eleni Papadopoulou")
    page.record.tabs.setCurrentIndex(1)
    editor_host = page.record.sessions_tab
    ui.qtbot.waitUntil(lambda: editor_host.editor is not None and bool(editor_host.editor.edits))
    field = next(iter(editor_host.editor.edits.values()))
    ui.qtbot.keyClick(field, Qt.Key.Key_Down, CTRL)  # from inside a note
    ui.qtbot.waitUntil(lambda: page.record.client_id == practice.ids["Maya Okonkwo"])
    ui.qtbot.keyClick(page.client_list.filter_edit, Qt.Key.Key_Down, CTRL)
    ui.qtbot.waitUntil(lambda: page.record.client_id == practice.ids["Tomasz Wiśniewski"])
    ui.qtbot.keyClick(page.client_list.table, Qt.Key.Key_Up, CTRL)
    ui.qtbot.waitUntil(lambda: page.record.client_id == practice.ids["Maya Okonkwo"])
    assert page.client_list.current_row() == 1
    assert ui.window.workspace_actions["next_client"].shortcut().toString() == "Ctrl+Down"


def test_create_a_client_through_the_dialog(ui: UI, practice: Practice) -> None:
    page = unlock_practice(ui, practice)
    ui.qtbot.keyClick(page.client_list.filter_edit, Qt.Key.Key_N,
                      CTRL | Qt.KeyboardModifier.ShiftModifier)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(ClientDialog) is not None)
    dialog = ui.window.findChild(ClientDialog)
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "name is needed" in dialog.error.text()
    ui.qtbot.keyClicks(dialog.name_edit, "Ruby Mitchell")
    ui.qtbot.keyClicks(dialog.preferred_edit, "Rubes")
    ui.qtbot.keyClicks(dialog.birth_edit, "2016-13-01")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "date of birth must look like" in dialog.error.text()
    dialog.birth_edit.clear()
    ui.qtbot.keyClicks(dialog.birth_edit, "2016-04-09")
    ui.qtbot.keyClicks(dialog.email_edit, "ruby.parent@example.org")
    ui.qtbot.keyClicks(dialog.source_edit, "School")
    ui.qtbot.keyClicks(dialog.referrer_edit, "Grace Adeyemi")
    ui.qtbot.keyClicks(dialog.goals_box, "Stay at school all day")
    ui.qtbot.keyClick(dialog.goals_box, Qt.Key.Key_Return)
    ui.qtbot.keyClicks(dialog.goals_box, "Sleep in her own bed")
    ui.qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    record = page.record
    ui.qtbot.waitUntil(lambda: record.client is not None
                       and record.client.details.name == "Ruby Mitchell"
                       and not record.is_loading)
    assert record.name_label.text() == "Ruby Mitchell"
    assert record.preferred_label.text() == "“Rubes”"
    assert record.age_label.text().endswith("years")
    assert record.status_label.text() == "Active"
    goals = "\n".join(label.text() for label in record.overview.goals_card.findChildren(
        type(record.name_label)))
    assert "Stay at school all day" in goals and "Sleep in her own bed" in goals
    ui.qtbot.waitUntil(lambda: page.client_model.row_of(record.client_id) >= 0)
    assert page.client_list.current_row() == page.client_model.row_of(record.client_id)
    assert not ui.window.findChildren(ClientDialog) or not dialog.isVisible()
    ui.window.close()
    stored = read_vault(practice.folder, lambda store: (
        store.client(record.client_id, audit_view=False).result(),
        [g.text for g in store.goals(record.client_id).result()]))
    assert stored[0].details.preferred_name == "Rubes"
    assert stored[0].details.date_of_birth == date(2016, 4, 9)
    assert stored[0].details.referral.referrer_name == "Grace Adeyemi"
    assert stored[1] == ["Stay at school all day", "Sleep in her own bed"]
