"""The exposure tests run on a copy of the demo vault (made once per run)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from storage.exposure import ExposureStore, Step
from tests.ui.conftest import UI, client_id

CTRL = Qt.KeyboardModifier.ControlModifier


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
