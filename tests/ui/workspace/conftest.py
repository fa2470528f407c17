"""Fixtures for the workspace tests: a small practice in a real vault, unlocked in the window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.clients import ClientDetails, RiskArea, RiskLevel, RiskRecord
from app.notes import load_templates
from app.resources import resource_dir
from app.sessions import Attendance, SessionDetails
from storage.practice import PracticeStore
from storage.vault import Secret, Vault
from tests.conftest import PASSPHRASE
from tests.ui.conftest import UI, ClosedVault
from ui.workspace import autosave


@dataclass
class Practice:
    folder: Path
    ids: dict[str, int]
    pseudonyms: dict[str, str]
    sessions: dict[str, list[int]]


def store_for(vault: Vault) -> PracticeStore:
    return PracticeStore(vault, load_templates(resource_dir() / "templates"))


def read_vault(folder: Path, fn: Any) -> Any:
    """Open the vault afresh (after the window closed it) and read something from it."""
    vault = Vault.open(folder, Secret(passphrase=PASSPHRASE))
    try:
        return fn(store_for(vault))
    finally:
        vault.close()


CLIENTS = (
    ("Maya Okonkwo", "Maya", RiskLevel.NONE),
    ("Tomasz Wiśniewski", "Tomek", RiskLevel.MODERATE),
    ("Eleni Papadopoulou", "Eleni", RiskLevel.LOW),
    ("Samir Haddad", "Samir", RiskLevel.LOW),  # closed below
)


@pytest.fixture
def practice(closed_vault: ClosedVault) -> Practice:
    """Four clients (one closed), a few weeks of sessions each, some notes signed."""
    vault = Vault.open(closed_vault.folder, Secret(passphrase=PASSPHRASE))
    store = store_for(vault)
    ids: dict[str, int] = {}
    pseudonyms: dict[str, str] = {}
    sessions: dict[str, list[int]] = {}
    today = date.today()
    try:
        for index, (name, preferred, risk) in enumerate(CLIENTS):
            client = store.create_client(ClientDetails(name, preferred),
                                         today - timedelta(weeks=10)).result()
            ids[name] = client.id
            pseudonyms[name] = client.details.pseudonym
            store.set_goals(client.id, [f"Goal one of {preferred}", "Sleep better"]).result()
            if risk is not RiskLevel.NONE:
                store.record_risk(client.id, RiskRecord(
                    risk, (RiskArea("Self-harm", risk),), "Safety plan agreed.",
                    today - timedelta(days=3))).result()
            made = []
            for weeks in (4, 3, 2, 1):
                row = store.create_session(client.id, SessionDetails(
                    today - timedelta(weeks=weeks, days=index), "10:00", 50,
                    Attendance.ATTENDED)).result()
                made.append(row.id)
                saved = store.save_draft(row.id, "soap", {
                    "subjective": f"{preferred} said week {weeks} was steady.",
                    "plan": f"Plan for {preferred} after week {weeks}."}).result()
                if weeks > 1:
                    store.sign_note(saved.note_id).result()
            sessions[name] = made
        store.close_client(ids["Samir Haddad"], "Goals met; planned ending").result()
    finally:
        vault.close()
    return Practice(closed_vault.folder, ids, pseudonyms, sessions)


@pytest.fixture
def fast_autosave(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autosave after 120 ms instead of 1.5 s (tests that are not about the timing)."""
    monkeypatch.setattr(autosave, "IDLE_MS", 120)
    monkeypatch.setattr(autosave, "CEILING_MS", 120)


def unlock_practice(ui: UI, practice: Practice) -> Any:
    ui.session.show_vault(practice.folder)
    page = ui.unlock()
    ui.qtbot.waitUntil(lambda: page.client_model.rowCount() == 3)  # the active ones
    return page


def open_client(ui: UI, page: Any, name: str) -> Any:
    """Click the client's row and wait until the whole record is in."""
    model = page.client_model
    ui.qtbot.waitUntil(lambda: model.row_of(_id(page, name)) >= 0)
    row = model.row_of(_id(page, name))
    table = page.client_list.table
    rect = table.visualRect(model.index(row, 0))
    ui.qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    record = page.record
    ui.qtbot.waitUntil(lambda: record.client_id == _id(page, name) and not record.is_loading
                       and record.client is not None)
    return record


def _id(page: Any, name: str) -> int:
    model = page.client_model
    for row in range(model.rowCount()):
        client = model.client_at(row)
        if client.name == name:
            return client.id
    return -1


def wait_editor(ui: UI, page: Any) -> Any:
    tab = page.record.sessions_tab
    ui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.mode.value != "loading")
    return tab.editor


def wait_saved(ui: UI, editor: Any, timeout: int = 8000) -> None:
    ui.qtbot.waitUntil(lambda: editor.status.text().startswith("Saved")
                       and not editor.autosaver.busy, timeout=timeout)
