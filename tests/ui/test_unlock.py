"""The unlock page: passphrase, recovery key (typos caught first), errors inline, the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from storage.vault import Secret, Vault
from tests.conftest import PASSPHRASE
from tests.ui.conftest import PRACTICE_NAME, UI, ClosedVault
from ui.demo import DEMO_PASSPHRASE
from ui.pages.create_vault import CreateVaultPage
from ui.pages.new_passphrase import NewPassphrasePage
from ui.pages.unlock import UnlockPage
from ui.pages.workspace import WorkspacePage


@pytest.fixture
def open_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records every Vault.open the window makes."""
    calls: list[Any] = []
    real_open = Vault.open

    def spy(folder: Path, secret: Any, **kwargs: Any) -> Vault:
        calls.append(secret)
        return real_open(folder, secret, **kwargs)

    monkeypatch.setattr(Vault, "open", staticmethod(spy))
    return calls


def test_wrong_passphrase_shows_inline_and_clears_the_field(ui: UI,
                                                            closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, "not the passphrase at all")
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: page.error.isVisible())
    assert "passphrase" in page.error.text().lower()
    assert page.secret_edit.text() == ""
    assert page.secret_edit.hasFocus()
    assert ui.session.vault is None
    assert ui.page is page
    assert page.unlock_button.isEnabled()


def test_right_passphrase_opens_the_workspace(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    workspace = ui.unlock_to_overview()
    assert workspace.title.text() == PRACTICE_NAME
    assert ui.session.vault is not None and not ui.session.vault.closed
    assert ui.window.name_label.text() == PRACTICE_NAME
    assert not ui.window.demo_badge.isVisible()


def test_unlock_button_runs_off_the_ui_thread_with_a_busy_row(ui: UI,
                                                              closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, PASSPHRASE)
    ui.qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert page.busy.isVisible()
    assert not page.secret_edit.isEnabled()
    ui.wait_for_page(WorkspacePage)


def test_recovery_key_typo_is_caught_before_unlocking(ui: UI, closed_vault: ClosedVault,
                                                      open_calls: list[Any]) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.mouseClick(page.mode_link, Qt.MouseButton.LeftButton)
    assert page.using_recovery_key
    assert page.field_label.text() == "&Recovery key"
    key = str(closed_vault.recovery_key)
    typo = key[:-1] + ("0" if key[-1] != "0" else "1")
    ui.qtbot.keyClicks(page.secret_edit, typo)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    assert page.error.isVisible()
    assert "mistyped" in page.error.text()
    assert open_calls == []
    assert ui.session.tasks.pending == 0
    assert page.secret_edit.text() == typo  # kept, so the typo can be found and fixed


def test_valid_recovery_key_unlocks(ui: UI, closed_vault: ClosedVault,
                                    open_calls: list[Any]) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.mouseClick(page.mode_link, Qt.MouseButton.LeftButton)
    ui.qtbot.keyClicks(page.secret_edit, str(closed_vault.recovery_key).lower())
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    offer = ui.wait_for_page(NewPassphrasePage)  # a new passphrase is offered first
    ui.prompts.queue_confirmation(True)
    ui.qtbot.mouseClick(offer.later_button, Qt.MouseButton.LeftButton)
    workspace = ui.open_overview(ui.wait_for_page(WorkspacePage))
    assert len(open_calls) == 1 and open_calls[0].how == "recovery_key"
    ui.qtbot.waitUntil(lambda: workspace.model.loaded)
    assert workspace.model.index(0, 2).data() == "with the recovery key"


def test_empty_passphrase_is_refused_without_trying(ui: UI, closed_vault: ClosedVault,
                                                    open_calls: list[Any]) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    assert page.error.isVisible()
    assert open_calls == []


def test_missing_vault_message_is_inline(ui: UI, tmp_path: Path) -> None:
    ui.session.show_vault(tmp_path / "Nowhere.tandem")
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, PASSPHRASE)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: page.error.isVisible())
    assert "no vault" in page.error.text().lower()


def test_demo_unlock_page_shows_badge_and_passphrase(ui: UI) -> None:
    ui.session.start(demo=True)
    page = ui.wait_for_page(UnlockPage)
    assert page.demo_badge.isVisible()
    assert DEMO_PASSPHRASE in page.demo_note.text()
    assert ui.window.demo_badge.isVisible()
    # Typing at once is fine: the unlock waits for the demo vault to be ready.
    workspace = ui.unlock(DEMO_PASSPHRASE)
    assert not workspace.record.demo_badge.isHidden()
    assert ui.open_overview(workspace).demo_badge.isVisible()
    assert ui.window.windowTitle() == "Tandem — Demo practice"
    assert ui.session.local_settings.last_vault() is None  # the demo is not "your" vault


def test_open_another_vault_link(ui: UI, closed_vault: ClosedVault, tmp_path: Path) -> None:
    ui.session.start(demo=True)
    page = ui.wait_for_page(UnlockPage)
    ui.wait_idle(timeout=60000)
    not_a_vault = tmp_path / "plain"
    not_a_vault.mkdir()
    ui.prompts.queue_folder(not_a_vault)
    ui.qtbot.mouseClick(page.open_link, Qt.MouseButton.LeftButton)
    assert ui.prompts.shown[-1][0] == "Not a vault"
    assert ui.page is page
    ui.prompts.queue_folder(closed_vault.folder.parent)  # the folder holding one vault
    ui.qtbot.mouseClick(page.open_link, Qt.MouseButton.LeftButton)
    other = ui.wait_for_page(UnlockPage)
    assert other is not page
    assert other.path_label.text() == str(closed_vault.folder)
    assert not other.demo_badge.isVisible()
    ui.qtbot.mouseClick(other.create_link, Qt.MouseButton.LeftButton)
    create = ui.wait_for_page(CreateVaultPage)
    assert create.cancel_button is not None
    ui.qtbot.mouseClick(create.cancel_button, Qt.MouseButton.LeftButton)
    back = ui.wait_for_page(UnlockPage)
    assert back.path_label.text() == str(closed_vault.folder)


def test_choosing_another_vault_mid_unlock_discards_the_late_result(
        ui: UI, closed_vault: ClosedVault, tmp_path: Path) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, PASSPHRASE)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    ui.session.show_vault(tmp_path / "Elsewhere.tandem")  # before the KDF has finished
    ui.wait_idle()
    assert ui.session.vault is None
    assert isinstance(ui.page, UnlockPage)
    # The vault that did open in the background was closed again: its lock is free.
    Vault.open(closed_vault.folder, Secret(passphrase=PASSPHRASE)).close()


def test_damage_found_after_a_fast_unlock_locks_the_vault(ui: UI,
                                                         closed_vault: ClosedVault) -> None:
    """The full-page check runs right after the first paint; damage locks with a message."""
    from tests.support.vaults import PAGE_SIZE, flip_byte

    pages = (closed_vault.folder / "vault.db").stat().st_size // PAGE_SIZE
    flip_byte(closed_vault.folder / "vault.db", (pages // 2) * PAGE_SIZE + 100)
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.keyClicks(page.secret_edit, PASSPHRASE)
    ui.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(
        lambda: isinstance(ui.page, UnlockPage) and ui.page.error.isVisible()
        and "integrity" in ui.page.error.text(), timeout=10000)
    assert ui.session.vault is None
    assert "integrity check" in ui.session.lock_reason


def test_the_demo_unlock_page_opens_no_stray_windows(ui: UI) -> None:
    """Showing a widget before it has a parent flashes it as a window of its own (and steals
    the main window's activation, so shortcuts stop working)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    shown: list[str] = []

    class WindowShows(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (event.type() == QEvent.Type.Show and isinstance(obj, QWidget)
                    and obj.isWindow() and obj is not ui.window):
                shown.append(f"{type(obj).__name__} {obj.objectName()!r}")
            return False

    watcher = WindowShows()
    QApplication.instance().installEventFilter(watcher)
    try:
        ui.session.open_demo()
        page = ui.wait_for_page(UnlockPage)
        ui.qtbot.waitUntil(lambda: page.demo_badge.isVisible())
    finally:
        QApplication.instance().removeEventFilter(watcher)
    assert shown == []
