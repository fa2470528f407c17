"""The exposure tests run on a copy of the demo vault (made once per run)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from storage.exposure import ExposureStore, Step
from tests.ui.conftest import UI
from tests.ui.settings.conftest import unlock

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="session")
def exposure_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ui.demo import ensure_demo_vault

    folder = tmp_path_factory.mktemp("exposure-demo") / "Demo.tandem"
    ensure_demo_vault(folder)
    return folder


@pytest.fixture
def demo(ui: UI, exposure_demo_template: Path) -> UI:
    """The window unlocked on a fresh copy of the demo vault."""
    from ui.demo import DEMO_PASSPHRASE

    shutil.copytree(exposure_demo_template, ui.session.paths.demo_vault)
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


def open_exposure(ui: UI, name: str) -> Any:
    """Open the client's record on its Exposure tab, with the ladder's steps in."""
    page = ui.window.page
    page.open_client(client_id(ui, name))
    record = page.record
    ui.qtbot.waitUntil(lambda: not record.is_loading and record.client is not None)
    record.tabs.setCurrentWidget(record.exposure_tab)
    tab = record.exposure_tab
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    ui.wait_idle()
    return tab


def stored_steps(ui: UI, ladder_id: int) -> list[Step]:
    """The steps as a fresh store reads them from the vault."""
    return ExposureStore(ui.session.vault).steps(ladder_id).result()


def wait_stored(ui: UI, tab: Any) -> None:
    """Every call the tab started is answered and the ladder shown is the stored one."""
    ui.wait_idle()
    ui.qtbot.waitUntil(lambda: [s.id for s in tab.model.steps]
                       == [s.id for s in stored_steps(ui, tab.ladder.id)])
