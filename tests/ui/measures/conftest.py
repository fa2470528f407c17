"""The Measures tests run on a copy of the demo vault (made once per run)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from tests.ui.conftest import UI, client_id


def open_record(ui: UI, name: str) -> Any:
    """Open the client's record with everything in, and its latest session's note."""
    page = ui.window.page
    page.open_client(client_id(ui, name))
    record = page.record
    ui.qtbot.waitUntil(lambda: not record.is_loading and record.client is not None
                       and record.sessions_tab.editor is not None)
    return record


def open_measures(ui: UI, name: str) -> Any:
    """Open the client's Measures tab, painted (its model checked by Qt's model tester)."""
    record = open_record(ui, name)
    tab = record.measures_tab
    record.tabs.setCurrentWidget(tab)
    ui.qtbot.waitUntil(lambda: tab.is_loaded, timeout=15000)
    tab._tester = QAbstractItemModelTester(  # kept alive with the tab
        tab.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    return tab


def click_row(ui: UI, tab: Any, row: int) -> None:
    table = tab.table
    table.scrollTo(tab.model.index(row, 0))
    rect = table.visualRect(tab.model.index(row, 1))
    ui.qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.table.selectionModel().selectedRows()[0].row() == row


def dialog_of(ui: UI, kind: type) -> Any:
    ui.qtbot.waitUntil(lambda: any(d.isVisible() for d in ui.window.findChildren(kind)))
    return next(d for d in ui.window.findChildren(kind) if d.isVisible())
