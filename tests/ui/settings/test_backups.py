"""Automatic backups: on close before the vault closes, daily, pruning, and the warning banner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from app.clock import SettableClock
from storage import settings_repo
from storage.backup import EXTENSION, make_backup
from storage.backup_rotation import backups_of
from storage.vault import Secret, Vault
from tests.conftest import PASSPHRASE
from tests.ui.conftest import UI, ClosedVault
from tests.ui.settings.conftest import open_settings, unlock
from ui.backup_scheduler import BACKUP_FAILED, default_backup_folder
from ui.dialogs.settings import TAB_BACKUPS


def use_clock(ui: UI, moment: datetime) -> SettableClock:
    clock = SettableClock(moment)
    ui.session.vault.clock = clock
    return clock


def refreshed(ui: UI) -> None:
    scheduler = ui.window.backup_scheduler
    scheduler.status = None
    scheduler.refresh()
    ui.qtbot.waitUntil(lambda: scheduler.status is not None)


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{EXTENSION}"))


def test_a_new_vault_shows_the_no_backup_banner(unlocked: UI) -> None:
    ui = unlocked
    banner = ui.window.backup_scheduler.banner
    ui.qtbot.waitUntil(banner.isVisible)
    assert banner.title.text() == "No backup yet."
    dialog = open_settings(ui, TAB_BACKUPS)
    assert dialog.last_backup.text() == "Last backup: never"
    assert dialog.backup_warning.isVisible()
    assert "no backup" in dialog.backup_warning.text().lower()


def test_warning_when_the_last_backup_is_8_days_old_not_1(unlocked: UI, tmp_path: Path) -> None:
    ui = unlocked
    vault = ui.session.vault
    settings_repo.put(vault, "backup.folder", str(tmp_path / "backups"))
    made = datetime.now(UTC)
    clock = use_clock(ui, made)
    make_backup(vault, tmp_path / "backups")
    scheduler = ui.window.backup_scheduler
    banner = scheduler.banner

    clock.set(made + timedelta(days=1))
    refreshed(ui)
    assert not banner.isVisible()
    dialog = open_settings(ui, TAB_BACKUPS)
    assert "1 day ago" in dialog.last_backup.text()
    assert not dialog.backup_warning.isVisible()
    assert dialog.backup_table.rowCount() == 1
    dialog.reject()

    clock.set(made + timedelta(days=8))
    refreshed(ui)
    assert banner.isVisible()
    assert banner.title.text() == "The last backup was 8 days ago."
    assert "more than 7 days" in banner.text.text()
    dialog = open_settings(ui, TAB_BACKUPS)
    assert "8 days ago" in dialog.last_backup.text()
    assert dialog.backup_warning.isVisible()
    assert "older than 7 days" in dialog.backup_warning.text()
    dialog.warn_spin.setValue(10)  # the warning follows the threshold being edited
    assert not dialog.backup_warning.isVisible()
    dialog.reject()

    # The banner's button backs up into the configured folder; the warning goes away.
    ui.qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: len(files(tmp_path / "backups")) == 2)
    ui.qtbot.waitUntil(lambda: not banner.isVisible())


def test_backup_on_close_happens_before_the_vault_closes(ui: UI, closed_vault: ClosedVault,
                                                         tmp_path: Path) -> None:
    ui.session.show_vault(closed_vault.folder)
    unlock(ui)
    ui.wait_idle()
    vault = ui.session.vault
    folder = tmp_path / "on-close"
    settings_repo.put(vault, "backup.folder", str(folder))
    ui.window.close()
    assert vault.closed
    assert not ui.window.isVisible()
    made = files(folder)
    assert len(made) == 1
    assert ui.window.backup_scheduler.last_close_backup == made[0]
    reopened = Vault.open(closed_vault.folder, Secret(passphrase=PASSPHRASE))
    try:
        events = [e.event for e in reopened.audit_entries(newest_first=False)]
    finally:
        reopened.close(None)
    # The backup was made while the vault was open, then it closed (then we opened it here).
    assert events[-3:] == ["backup.made", "vault.closed", "vault.opened"]
    assert backups_of(folder, closed_vault.vault_id)[0].path == made[0]


def test_no_backup_on_close_when_switched_off(ui: UI, closed_vault: ClosedVault,
                                              tmp_path: Path) -> None:
    ui.session.show_vault(closed_vault.folder)
    unlock(ui)
    vault = ui.session.vault
    settings_repo.put(vault, "backup.folder", str(tmp_path / "on-close"))
    settings_repo.put(vault, "backup.on_close", False)
    ui.window.close()
    assert vault.closed
    assert files(tmp_path / "on-close") == []


def test_a_failed_backup_on_close_still_closes_and_is_reported_next_time(
        ui: UI, closed_vault: ClosedVault, tmp_path: Path) -> None:
    ui.session.show_vault(closed_vault.folder)
    unlock(ui)
    vault = ui.session.vault
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    settings_repo.put(vault, "backup.folder", str(blocker))
    ui.window.close()
    assert vault.closed
    assert ui.prompts.shown and ui.prompts.shown[-1][0] == "Backup failed"
    assert "closed safely" in ui.prompts.shown[-1][1]
    ui.prompts.close_all()

    from ui.app import build

    session, window = build(prompts=ui.prompts, monotonic=ui.clock.monotonic,
                            wall=ui.clock.wall)
    ui.qtbot.addWidget(window)
    window.show()
    try:
        session.show_vault(closed_vault.folder)
        again = UI.__new__(UI)
        again.qtbot, again.clock, again.prompts = ui.qtbot, ui.clock, ui.prompts
        again.session, again.window = session, window
        unlock(again)
        banner = window.backup_scheduler.banner
        ui.qtbot.waitUntil(banner.isVisible)
        assert banner.title.text().startswith("The last automatic backup failed")
        assert "backup folder" in banner.text.text().lower() or "not-a-folder" in \
            banner.text.text()
        events = [e.event for e in session.vault.audit_entries()]
        assert BACKUP_FAILED in events
        settings_repo.put(session.vault, "backup.on_close", False)
    finally:
        window.close()
        session.shutdown()


def test_daily_backup_when_the_last_is_older_than_24_hours(unlocked: UI, tmp_path: Path) -> None:
    ui = unlocked
    vault = ui.session.vault
    folder = tmp_path / "daily"
    settings_repo.put(vault, "backup.folder", str(folder))
    start = datetime.now(UTC)
    clock = use_clock(ui, start)
    make_backup(vault, folder)
    scheduler = ui.window.backup_scheduler

    clock.set(start + timedelta(hours=23))
    scheduler.check_daily()
    ui.wait_idle()
    assert len(files(folder)) == 1 and not scheduler.running

    clock.set(start + timedelta(hours=25))
    scheduler.check_daily()
    ui.qtbot.waitUntil(lambda: len(files(folder)) == 2)
    ui.qtbot.waitUntil(lambda: not scheduler.running)
    scheduler.check_daily()  # just made: nothing more
    ui.wait_idle()
    assert len(files(folder)) == 2

    settings_repo.put(vault, "backup.daily", False)
    clock.set(start + timedelta(days=5))
    scheduler.check_daily()
    ui.wait_idle()
    assert len(files(folder)) == 2


def test_daily_check_runs_at_unlock(ui: UI, closed_vault: ClosedVault) -> None:
    ui.window.backup_scheduler.grace_ms = 0
    ui.session.show_vault(closed_vault.folder)
    unlock(ui)
    folder = default_backup_folder(ui.session.paths)
    ui.qtbot.waitUntil(lambda: len(files(folder)) == 1, timeout=10000)
    ui.qtbot.waitUntil(lambda: not ui.window.backup_scheduler.banner.isVisible())


def test_only_one_backup_at_a_time(unlocked: UI, tmp_path: Path) -> None:
    ui = unlocked
    scheduler = ui.window.backup_scheduler
    settings_repo.put(ui.session.vault, "backup.folder", str(tmp_path / "one"))
    refreshed(ui)
    assert scheduler.back_up_now()
    assert scheduler.running
    assert not scheduler.back_up_now()
    scheduler.check_daily()
    ui.qtbot.waitUntil(lambda: not scheduler.running)
    ui.wait_idle()
    assert len(files(tmp_path / "one")) == 1


def test_automatic_backups_keep_the_newest_n(unlocked: UI, tmp_path: Path) -> None:
    ui = unlocked
    vault = ui.session.vault
    folder = tmp_path / "rotation"
    settings_repo.put(vault, "backup.folder", str(folder))
    settings_repo.put(vault, "backup.keep", 2)
    stray = folder / "notes.txt"
    folder.mkdir()
    stray.write_text("not a backup")
    scheduler = ui.window.backup_scheduler
    start = datetime.now(UTC)
    clock = use_clock(ui, start)
    for day in range(4):
        clock.set(start + timedelta(days=day))
        refreshed(ui)
        scheduler.check_daily()
        ui.qtbot.waitUntil(lambda: not scheduler.running and scheduler.status is not None)
        ui.wait_idle()
    kept = backups_of(folder, vault.vault_id)
    assert len(kept) == 2
    assert [b.created_at.date() for b in kept] == [(start + timedelta(days=d)).date()
                                                   for d in (3, 2)]
    assert stray.exists()


def test_back_up_now_in_settings_lists_the_new_file(unlocked: UI, tmp_path: Path) -> None:
    ui = unlocked
    dialog = open_settings(ui, TAB_BACKUPS)
    folder = tmp_path / "chosen"
    folder.mkdir()
    ui.prompts.queue_folder(folder)
    ui.qtbot.mouseClick(dialog.choose_folder_button, Qt.MouseButton.LeftButton)
    ui.qtbot.mouseClick(dialog.backup_now_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(dialog.backup_result.isVisible)
    ui.qtbot.waitUntil(lambda: dialog.backup_table.rowCount() == 1)
    assert dialog.backup_table.item(0, 2).text() == files(folder)[0].name
    assert dialog.backup_table.item(0, 1).text().endswith("KB")
    assert "just now" in dialog.last_backup.text()
    assert not dialog.backup_warning.isVisible()


def test_the_banner_never_shows_over_client_mode(unlocked: UI) -> None:
    import pytest
    from PySide6.QtWidgets import QLabel

    ui = unlocked
    if not hasattr(ui.window, "enter_client_mode"):
        pytest.skip("the window has no client mode yet")
    banner = ui.window.backup_scheduler.banner
    ui.qtbot.waitUntil(banner.isVisible)
    ui.window.enter_client_mode(QLabel("rating screen"))
    assert not banner.isVisible()
    ui.window.backup_scheduler.refresh()
    ui.wait_idle()
    assert not banner.isVisible()
    ui.window.leave_client_mode()
    ui.qtbot.waitUntil(banner.isVisible)
