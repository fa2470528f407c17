"""First run: create a vault, see the recovery key once, retype part of it, reach the workspace."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.conftest import PASSPHRASE
from tests.ui.conftest import PRACTICE_NAME, UI
from ui.pages.create_vault import CreateVaultPage
from ui.pages.recovery_key import RecoveryKeyPage
from ui.pages.unlock import UnlockPage
from ui.pages.workspace import WorkspacePage


def fill_create_form(ui: UI, page: CreateVaultPage, folder: Path, passphrase: str,
                     repeat: str | None = None) -> None:
    page.location_edit.clear()
    ui.qtbot.keyClicks(page.location_edit, str(folder))
    ui.qtbot.keyClicks(page.name_edit, PRACTICE_NAME)
    ui.qtbot.keyClicks(page.passphrase_edit, passphrase)
    ui.qtbot.keyClicks(page.repeat_edit, passphrase if repeat is None else repeat)


def test_without_a_last_vault_the_first_run_page_opens(ui: UI) -> None:
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    assert page.location_edit.text() == str(ui.session.paths.default_vault)
    assert ui.window.windowTitle() == "Tandem"


def test_weak_passphrase_keeps_create_disabled_with_advice(ui: UI, tmp_path: Path) -> None:
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    fill_create_form(ui, page, tmp_path / "New", "password1")
    assert not page.create_button.isEnabled()
    assert page.meter.advice.isVisible()
    assert "common words" in page.meter.advice.text()
    assert "not strong enough" in page.meter.verdict.text()
    ui.qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert isinstance(ui.page, CreateVaultPage)


def test_mismatch_is_said_in_words(ui: UI, tmp_path: Path) -> None:
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    fill_create_form(ui, page, tmp_path / "New", PASSPHRASE, repeat=PASSPHRASE + "x")
    assert page.mismatch.isVisible()
    assert "do not match" in page.mismatch.text()
    assert not page.create_button.isEnabled()


def test_create_recovery_key_and_workspace(ui: UI, tmp_path: Path) -> None:
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    fill_create_form(ui, page, tmp_path / "New", PASSPHRASE)
    assert "strong enough" in page.meter.verdict.text()
    assert page.create_button.isEnabled()
    ui.qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert page.busy.isVisible()  # the KDF runs in the background, with a busy row

    key_page = ui.wait_for_page(RecoveryKeyPage)
    groups = ui.session.recovery_key_groups
    assert len(groups) == 8
    assert [label.text() for label in key_page.group_labels] == groups
    # The Emergency Kit: a one-page PDF with this very key, written where the person chose.
    kit = tmp_path / "kit.pdf"
    key_page.choose_path = lambda *_args: kit
    ui.qtbot.mouseClick(key_page.print_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: "Saved to" in key_page.kit_status.text(), timeout=10_000)
    from pypdf import PdfReader

    reader = PdfReader(kit)
    assert len(reader.pages) == 1
    printed = "".join(reader.pages[0].extract_text().split())
    assert all(group in printed for group in groups)
    assert "".join(PRACTICE_NAME.split()) in printed  # the vault's name
    assert not any(group in str(reader.metadata) for group in groups)
    assert not key_page.continue_button.isEnabled()

    first, second = key_page.check_edits
    wrong = "0000" if groups[6] != "0000" else "1111"
    ui.qtbot.keyClicks(first, wrong)
    ui.qtbot.keyClicks(second, groups[7])
    assert not key_page.continue_button.isEnabled()
    assert "does not match group 7" in key_page.status.text()

    first.clear()
    ui.qtbot.keyClicks(first, groups[6].lower())
    assert key_page.continue_button.isEnabled()
    assert not key_page.status.isVisible()
    ui.qtbot.mouseClick(key_page.continue_button, Qt.MouseButton.LeftButton)

    workspace = ui.open_overview(ui.wait_for_page(WorkspacePage))
    assert workspace.title.text() == PRACTICE_NAME
    events = [workspace.model.index(r, 1).data() for r in range(workspace.model.rowCount())]
    assert "Vault created" in events
    assert ui.window.windowTitle() == f"Tandem — {PRACTICE_NAME}"
    assert ui.session.recovery_key_groups == []  # shown once, then forgotten
    assert ui.session.local_settings.last_vault() == tmp_path / "New.tandem"
    assert (tmp_path / "New.tandem" / "vault.db").exists()


def test_create_failure_is_shown_inline(ui: UI, tmp_path: Path) -> None:
    occupied = tmp_path / "Busy.tandem"
    occupied.mkdir()
    (occupied / "something.txt").write_text("not empty")
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    fill_create_form(ui, page, occupied, PASSPHRASE)
    ui.qtbot.keyClick(page.repeat_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: page.error.isVisible())
    assert "not empty" in page.error.text()
    assert isinstance(ui.page, CreateVaultPage)
    assert page.create_button.isEnabled()


def test_browse_fills_the_location_from_the_folder_picker(ui: UI, tmp_path: Path) -> None:
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    ui.prompts.queue_folder(tmp_path / "Chosen")
    ui.qtbot.mouseClick(page.browse_button, Qt.MouseButton.LeftButton)
    assert page.location_edit.text() == str(tmp_path / "Chosen" / "Practice.tandem")
    ui.prompts.queue_folder(None)  # cancelled: nothing changes
    ui.qtbot.mouseClick(page.browse_button, Qt.MouseButton.LeftButton)
    assert page.location_edit.text() == str(tmp_path / "Chosen" / "Practice.tandem")


def test_the_last_vault_is_offered_at_start(ui: UI, closed_vault) -> None:
    ui.session.local_settings.set_last_vault(closed_vault.folder)
    ui.session.start()
    page = ui.wait_for_page(UnlockPage)
    assert page.path_label.text() == str(closed_vault.folder)


def test_a_vanished_last_vault_falls_back_to_first_run(ui: UI, tmp_path: Path) -> None:
    ui.session.local_settings.set_last_vault(tmp_path / "Gone.tandem")
    ui.session.start()
    ui.wait_for_page(CreateVaultPage)


def test_demo_link_opens_the_demo_unlock_page(ui: UI) -> None:
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    ui.qtbot.mouseClick(page.demo_link, Qt.MouseButton.LeftButton)
    unlock = ui.wait_for_page(UnlockPage)
    assert unlock.demo_badge.isVisible()
    ui.wait_idle(timeout=60000)
