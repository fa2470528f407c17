"""The audit trail model: Qt's model checks, lazy paging, human words for every event."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from app.audit import AuditEntry, AuditEvent
from tests.ui.conftest import UI, ClosedVault
from ui.pages.audit_trail import (
    COL_DETAILS,
    COL_EVENT,
    COL_WHEN,
    ENTRY_ROLE,
    EVENT_WORDS,
    PAGE_SIZE,
    AuditTrailModel,
    detail_words,
    event_words,
    local_time,
)


@pytest.fixture
def busy_vault(closed_vault: ClosedVault) -> ClosedVault:
    """The test vault with 450 more audit entries (three pages' worth with the built-in ones)."""
    from storage import audit_log
    from storage.vault import Secret, Vault
    from tests.conftest import PASSPHRASE

    vault = Vault.open(closed_vault.folder, Secret(passphrase=PASSPHRASE))

    def add(conn: Any) -> None:
        for i in range(450):
            audit_log.append(conn, AuditEvent.SETTINGS_CHANGED, {"key": "lock.after_minutes",
                                                                 "n": i}, vault.clock.now())
    vault.write(add).result()
    vault.close()
    return closed_vault


def test_model_passes_qt_checks_while_paging(ui: UI, busy_vault: ClosedVault, qtbot) -> None:
    ui.session.show_vault(busy_vault.folder)
    workspace = ui.unlock_to_overview()
    workspace.table.setModel(None)  # page by hand, not as the view scrolls
    model = AuditTrailModel(ui.session)
    tester = QAbstractItemModelTester(
        model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.load()
    qtbot.waitUntil(lambda: model.loaded)
    assert model.rowCount() % PAGE_SIZE == 0  # the tester itself may already fetch more
    total = ui.session.vault.call(lambda c: c.execute("SELECT count(*) FROM audit_log")
                                  .fetchone()[0])
    assert total > 2 * PAGE_SIZE
    pages = 0
    while model.rowCount() < total:
        qtbot.waitUntil(lambda: not model.loading)
        if model.rowCount() >= total:
            break
        assert model.canFetchMore()
        before = model.rowCount()
        model.fetchMore()
        assert not model.canFetchMore()  # one page at a time
        qtbot.waitUntil(lambda b=before: model.rowCount() > b)
        pages += 1
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == total
    assert not model.canFetchMore()
    seqs = [model.index(r, 0).data(ENTRY_ROLE).seq for r in range(model.rowCount())]
    assert seqs == list(range(total, 0, -1))  # newest first, no gaps, no repeats
    assert model.index(total - 1, COL_EVENT).data() == "Vault created"
    del tester


def test_refresh_puts_new_entries_on_top(ui: UI, closed_vault: ClosedVault, qtbot) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock_to_overview()
    model = workspace.model
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    rows = model.rowCount()
    ui.session.vault.audit(AuditEvent.VAULT_VERIFIED, {"ok": True})
    model.refresh()
    qtbot.waitUntil(lambda: model.rowCount() == rows + 1)
    assert model.index(0, COL_EVENT).data() == "Vault verified"
    assert model.index(0, COL_DETAILS).data() == "every check passed"


def test_the_view_pages_in_as_it_scrolls(ui: UI, busy_vault: ClosedVault, qtbot) -> None:
    ui.session.show_vault(busy_vault.folder)
    workspace = ui.unlock_to_overview()
    assert workspace.model.rowCount() == PAGE_SIZE
    workspace.table.scrollToBottom()
    qtbot.waitUntil(lambda: workspace.model.rowCount() > PAGE_SIZE)


def test_every_event_has_words() -> None:
    assert set(EVENT_WORDS) == set(AuditEvent)
    assert event_words("demo.populated") == "Demo populated"
    assert event_words("note.signed") == "Note signed"


def test_details_are_words() -> None:
    def entry(event: str, detail: dict[str, Any]) -> AuditEntry:
        return AuditEntry(1, "2024-05-01T10:00:00.000000Z", event, detail, "", "")

    assert detail_words(entry(AuditEvent.VAULT_OPENED, {"how": "passphrase"})) == \
        "with the passphrase"
    assert detail_words(entry(AuditEvent.BACKUP_MADE, {"file": "P-1.tandembackup",
                                                       "bytes": 2_500_000})) == \
        "P-1.tandembackup (2.4 MB)"
    assert detail_words(entry(AuditEvent.SETTINGS_CHANGED, {"key": "lock.after_minutes"})) == \
        "Lock after inactivity (minutes)"
    assert detail_words(entry(AuditEvent.VAULT_MIGRATED, {"from": 1, "to": 2})) == \
        "schema version 1 → 2"
    assert detail_words(entry("something.else", {"b": 2, "a": 1})) == "a: 1, b: 2"


def test_times_are_local() -> None:
    shown = local_time("2024-05-01T10:00:00.000000Z")
    assert len(shown) == len("2024-05-01 10:00:00")
    assert local_time("garbled") == "garbled"


def test_columns_and_headers(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    model = ui.unlock_to_overview().model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["When", "Event", "Details"]
    assert (COL_WHEN, COL_EVENT, COL_DETAILS) == (0, 1, 2)
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag(0)
