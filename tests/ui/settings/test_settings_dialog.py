"""Settings: the practice profile, images, security, backups and licence, through the dialog."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog

from app.practice_profile import PracticeProfile
from storage import profile_repo, settings_repo
from tests.ui.conftest import UI, ClosedVault
from tests.ui.settings.conftest import open_settings
from tests.ui.test_accessibility import unnamed_controls
from ui.dialogs.settings import (
    TAB_BACKUPS,
    TAB_MEASURES,
    TAB_PROFILE,
    TAB_SECURITY,
    SettingsDialog,
    check_backup_folder,
)
from ui.pages.unlock import UnlockPage

PROFILE = {
    "practitioner_name": "Dr Wilhelmina Okafor",
    "credentials": "MSc, Registered Psychotherapist",
    "licence_number": "RP-20417",
    "practice_name": "Riverside Counselling",
    "address": "12 Mill Lane\nLittle Harbour\nHB1 2CD",
    "phone": "+44 1632 960123",
    "email": "wilhelmina@example.org",
}


def image_file(tmp_path: Path, name: str, fmt: str) -> Path:
    image = QImage(240, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#245b87"))
    path = tmp_path / name
    assert image.save(str(path), fmt)
    return path


def click(ui: UI, button) -> None:
    ui.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def settings_events(ui: UI) -> list[str]:
    return [e.detail.get("key", "") for e in ui.session.vault.audit_entries()
            if e.event == "settings.changed"]


def fill_profile(ui: UI, dialog: SettingsDialog, values: dict[str, str]) -> None:
    dialog.tabs.setCurrentIndex(TAB_PROFILE)
    for name, value in values.items():
        edit = dialog.profile_edits[name]
        edit.clear()
        if name == "address":
            for number, line in enumerate(value.split("\n")):
                if number:
                    ui.qtbot.keyClick(edit, Qt.Key.Key_Return)
                ui.qtbot.keyClicks(edit, line)
        else:
            ui.qtbot.keyClicks(edit, value)


def test_profile_round_trip(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui)
    assert dialog.tabs.count() == 4
    fill_profile(ui, dialog, PROFILE)
    with ui.qtbot.waitSignal(dialog.accepted):
        click(ui, dialog.save_button)
    assert profile_repo.load_profile(ui.session.vault).result() == PracticeProfile(**PROFILE)
    assert "practice.profile" in settings_events(ui)
    again = open_settings(ui)
    assert again is not dialog or not shiboken6.isValid(dialog)
    assert again.profile_edits["email"].text() == PROFILE["email"]
    assert again.profile_edits["address"].toPlainText() == PROFILE["address"]
    before = len(ui.session.vault.audit_entries())
    with ui.qtbot.waitSignal(again.accepted):
        click(ui, again.save_button)
    assert len(ui.session.vault.audit_entries()) == before  # nothing changed: nothing written


def test_bad_email_is_refused_inline_and_nothing_saved(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui)
    fill_profile(ui, dialog, {"practitioner_name": "Dr Okafor", "email": "okafor at example"})
    dialog.tabs.setCurrentIndex(TAB_SECURITY)
    dialog.minutes.setValue(9)
    click(ui, dialog.save_button)
    assert dialog.isVisible()
    assert dialog.tabs.currentIndex() == TAB_PROFILE
    error = dialog.profile_errors["email"]
    assert error.isVisible() and "email address" in error.text()
    assert dialog.profile_edits["email"].hasFocus()
    assert "Nothing was saved" in dialog.error.text()
    ui.wait_idle()
    assert profile_repo.load_profile(ui.session.vault).result() == PracticeProfile()
    assert settings_repo.get(ui.session.vault, "lock.after_minutes") == 5
    dialog.profile_edits["email"].clear()
    ui.qtbot.keyClicks(dialog.profile_edits["email"], "okafor@example.org")
    with ui.qtbot.waitSignal(dialog.accepted):
        click(ui, dialog.save_button)
    assert profile_repo.load_profile(ui.session.vault).result().email == "okafor@example.org"
    assert settings_repo.get(ui.session.vault, "lock.after_minutes") == 9
    assert ui.session.snapshot.lock_after_minutes == 9


def test_control_characters_are_refused_inline(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui)
    dialog.profile_edits["practice_name"].setText("Riverside\x07 Counselling")
    click(ui, dialog.apply_button)
    assert "control character" in dialog.profile_errors["practice_name"].text()
    assert dialog.isVisible()


def test_images_png_and_jpeg_accepted_gif_and_big_files_refused(unlocked: UI,
                                                                tmp_path: Path) -> None:
    ui = unlocked
    dialog = open_settings(ui)
    logo = dialog.image_fields["logo"]
    signature = dialog.image_fields["signature"]
    assert not logo.remove_button.isEnabled()

    gif = tmp_path / "logo.gif"
    gif.write_bytes(b"GIF89a" + b"\x00" * 200)
    ui.prompts.queue_file(gif)
    click(ui, logo.choose_button)
    ui.qtbot.waitUntil(logo.error.isVisible)
    assert "PNG or JPEG" in logo.error.text()
    assert not logo.has_image

    big = tmp_path / "huge.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024))
    ui.prompts.queue_file(big)
    click(ui, logo.choose_button)
    ui.qtbot.waitUntil(lambda: "2 MB" in logo.error.text())

    png = image_file(tmp_path, "logo.png", "PNG")
    ui.prompts.queue_file(png)
    click(ui, logo.choose_button)
    ui.qtbot.waitUntil(lambda: logo.has_image)
    assert not logo.error.isVisible()
    assert not logo.preview.pixmap().isNull()
    assert logo.remove_button.isEnabled()

    jpeg = image_file(tmp_path, "signature.jpg", "JPEG")
    ui.prompts.queue_file(jpeg)
    click(ui, signature.choose_button)
    ui.qtbot.waitUntil(lambda: signature.has_image)

    assert profile_repo.load_image(ui.session.vault, "logo").result() is None  # not yet
    with ui.qtbot.waitSignal(dialog.accepted):
        click(ui, dialog.save_button)
    vault = ui.session.vault
    assert profile_repo.load_image(vault, "logo").result() == ("png", png.read_bytes())
    assert profile_repo.load_image(vault, "signature").result() == ("jpeg", jpeg.read_bytes())
    assert {"practice.logo", "practice.signature"} <= set(settings_events(ui))

    dialog = open_settings(ui)
    assert dialog.image_fields["logo"].has_image
    click(ui, dialog.image_fields["logo"].remove_button)
    assert not dialog.image_fields["logo"].has_image
    with ui.qtbot.waitSignal(dialog.accepted):
        click(ui, dialog.save_button)
    assert profile_repo.load_image(ui.session.vault, "logo").result() is None
    assert profile_repo.load_image(ui.session.vault, "signature").result() is not None


def test_backup_and_licence_settings_are_saved(unlocked: UI, tmp_path: Path) -> None:
    ui = unlocked
    dialog = open_settings(ui, TAB_BACKUPS)
    assert dialog.on_close_box.isChecked() and dialog.daily_box.isChecked()
    assert dialog.keep_spin.value() == 10 and dialog.warn_spin.value() == 7
    folder = tmp_path / "external" / "Tandem backups"
    folder.mkdir(parents=True)
    ui.prompts.queue_folder(folder)
    click(ui, dialog.choose_folder_button)
    assert dialog.backup_folder.text() == str(folder)
    dialog.on_close_box.setChecked(False)
    dialog.keep_spin.setValue(3)
    dialog.warn_spin.setValue(14)
    dialog.tabs.setCurrentIndex(TAB_MEASURES)
    ui.qtbot.keyClicks(dialog.licence_edit, "PCOMS electronic licence no. 4711, 2026")
    click(ui, dialog.apply_button)  # Apply keeps the dialog open
    ui.qtbot.waitUntil(dialog.notice.isVisible)
    assert dialog.isVisible()
    vault = ui.session.vault
    assert settings_repo.get(vault, "backup.folder") == str(folder)
    assert settings_repo.get(vault, "backup.on_close") is False
    assert settings_repo.get(vault, "backup.keep") == 3
    assert settings_repo.get(vault, "backup.warn_after_days") == 14
    assert settings_repo.get(vault, "measures.licence") == \
        "PCOMS electronic licence no. 4711, 2026"
    assert {"backup.folder", "backup.on_close", "backup.keep", "backup.warn_after_days",
            "measures.licence"} <= set(settings_events(ui))
    assert "backup.daily" not in settings_events(ui)  # unchanged: not written
    ui.qtbot.waitUntil(lambda: ui.window.backup_scheduler.status is not None
                       and ui.window.backup_scheduler.status.policy.keep == 3)


def test_cancel_saves_nothing(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui)
    fill_profile(ui, dialog, {"practitioner_name": "Not saved"})
    dialog.keep_spin.setValue(2)
    click(ui, dialog.cancel_button)
    ui.wait_idle()
    assert profile_repo.load_profile(ui.session.vault).result().practitioner_name == ""
    assert settings_repo.get(ui.session.vault, "backup.keep") == 10


def test_backup_folder_inside_the_vault_is_refused(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui, TAB_BACKUPS)
    dialog.backup_folder.setText(str(ui.session.folder / "backups"))
    click(ui, dialog.save_button)
    assert dialog.isVisible() and dialog.folder_error.isVisible()
    assert "inside the vault folder" in dialog.folder_error.text()
    assert check_backup_folder("relative/path", ui.session.folder)
    assert check_backup_folder("", ui.session.folder) == ""


def test_every_tab_is_named_for_screen_readers(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui)
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        assert unnamed_controls(dialog) == [], dialog.tabs.tabText(tab)


def test_locking_closes_and_empties_the_dialog(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui)
    fill_profile(ui, dialog, {"practitioner_name": "Dr Wilhelmina Okafor"})
    ui.qtbot.keyClick(dialog.profile_edits["phone"], Qt.Key.Key_L,
                      Qt.KeyboardModifier.ControlModifier)
    ui.wait_for_page(UnlockPage)
    assert not ui.window.findChildren(QDialog)
    if shiboken6.isValid(dialog):
        assert dialog.profile_edits["practitioner_name"].text() == ""


def test_forget_on_this_computer_from_the_security_tab(ui: UI, closed_vault: ClosedVault) -> None:
    from tests.ui.settings.conftest import unlock

    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.remember_box.isEnabled())
    page.remember_box.setChecked(True)
    unlock(ui)
    ui.qtbot.waitUntil(lambda: ui.session.keychain_status is not None
                       and ui.session.keychain_status.has_key)
    dialog = open_settings(ui, TAB_SECURITY)
    assert dialog.forget_button.isVisible()
    assert "remembers" in dialog.keychain_note.text()
    click(ui, dialog.forget_button)
    ui.qtbot.waitUntil(lambda: not ui.session.keychain_status.has_key)
    ui.qtbot.waitUntil(lambda: not dialog.forget_button.isVisible())
    assert "does not remember" in dialog.keychain_note.text()


def test_the_therapist_pin_and_alert_rules_are_set_in_settings(unlocked: UI) -> None:
    from storage import pin_repo

    ui = unlocked
    vault = ui.session.vault
    dialog = open_settings(ui, TAB_MEASURES)
    ui.qtbot.waitUntil(lambda: "No PIN is set" in dialog.pin_status.text())
    ui.qtbot.keyClicks(dialog.pin_edit, "4827")
    ui.qtbot.keyClicks(dialog.pin_repeat, "4872")  # a slip
    click(ui, dialog.apply_button)
    ui.qtbot.waitUntil(dialog.pin_error.isVisible)
    assert "differ" in dialog.pin_error.text()
    assert pin_repo.pin_hash(vault).result() is None  # nothing saved
    dialog.pin_repeat.clear()
    ui.qtbot.keyClicks(dialog.pin_repeat, "4827")
    dialog.no_improvement_spin.setValue(6)
    dialog.cors_rc_spin.setValue(6.5)
    click(ui, dialog.apply_button)
    ui.qtbot.waitUntil(dialog.notice.isVisible)
    stored = pin_repo.pin_hash(vault).result()
    assert stored is not None and pin_repo.pin_matches(stored, "4827")
    assert dialog.pin_edit.text() == "" and dialog.pin_repeat.text() == ""
    ui.qtbot.waitUntil(lambda: "A PIN is set" in dialog.pin_status.text())
    assert settings_repo.get(vault, "measures.no_improvement_by") == 6
    assert settings_repo.get(vault, "measures.cors_reliable_change") == 65
    dialog.pin_remove.setChecked(True)
    click(ui, dialog.apply_button)
    ui.qtbot.waitUntil(lambda: "No PIN is set" in dialog.pin_status.text())
    assert pin_repo.pin_hash(vault).result() is None


def test_a_weak_pin_is_refused_inline(unlocked: UI) -> None:
    ui = unlocked
    dialog = open_settings(ui, TAB_MEASURES)
    ui.qtbot.keyClicks(dialog.pin_edit, "1234")
    ui.qtbot.keyClicks(dialog.pin_repeat, "1234")
    click(ui, dialog.apply_button)
    ui.qtbot.waitUntil(dialog.pin_error.isVisible)
    assert "first ones anyone would try" in dialog.pin_error.text()
