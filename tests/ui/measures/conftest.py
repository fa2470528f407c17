"""The Measures tests run on a copy of the demo vault (made once per run)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from tests.ui.conftest import UI
from tests.ui.settings.conftest import unlock


@pytest.fixture(scope="session")
def measures_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ui.demo import ensure_demo_vault

    folder = tmp_path_factory.mktemp("measures-demo") / "Demo.tandem"
    ensure_demo_vault(folder)
    return folder


@pytest.fixture
def demo(ui: UI, measures_demo_template: Path) -> UI:
    """The window unlocked on a fresh copy of the demo vault."""
    from ui.demo import DEMO_PASSPHRASE

    shutil.copytree(measures_demo_template, ui.session.paths.demo_vault)
    ui.session.open_demo()
    unlock(ui, DEMO_PASSPHRASE)
    ui.window.activateWindow()
    ui.qtbot.waitUntil(ui.window.isActiveWindow)
    return ui


def client_id(ui: UI, name: str) -> int:
    page = ui.window.page
    for client in page.store.list_clients(text=name.split()[0]).result():
        if getattr(client, "name", "") == name:
            return int(client.id)
    raise AssertionError(f"no client {name}")


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
