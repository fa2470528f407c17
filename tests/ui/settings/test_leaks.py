"""Nothing leaks: after searching, changing settings and backing up, no client text is on disk.

Every byte the test wrote lives under its own tmp_path (HOME, XDG folders, TMPDIR, Tandem's data
and config folders, the vault, the backup folders). Client names, note words and the profile
must appear in none of those files, in any encoding tests/support/leak_scan.py knows: not in the
settings INI, not in caches, not in temporary files, and not in the vault or the backups either
(they are encrypted). tests/leaks/ does the same for a whole working day.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from app.clients import ClientDetails
from app.notes import AmendmentKind, load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from storage.backup import EXTENSION
from storage.practice import PracticeStore
from storage.vault import Secret, Vault
from tests.conftest import PASSPHRASE
from tests.support.leak_scan import scan
from tests.ui.conftest import UI, ClosedVault
from tests.ui.search.conftest import open_palette
from tests.ui.settings.conftest import open_settings, unlock
from tests.ui.settings.test_settings_dialog import fill_profile, image_file
from ui.backup_scheduler import default_backup_folder
from ui.dialogs.settings import TAB_BACKUPS
from ui.pages.unlock import UnlockPage

SECRETS = ["Zebedee", "Marchbanks", "Quillwort", "marzipanophobia", "Okafor-Lindqvist",
           "Thistlewood"]


def populate(folder: Path) -> None:
    vault = Vault.open(folder, Secret(passphrase=PASSPHRASE))
    try:
        store = PracticeStore(vault, load_templates(resource_dir() / "templates"))
        client = store.create_client(ClientDetails("Zebedee Marchbanks", "Zeb")).result()
        other = store.create_client(ClientDetails("Ada Thistlewood")).result()
        today = date.today()
        for number, who in enumerate((client.id, other.id, client.id)):
            session = store.create_session(
                who, SessionDetails(today - timedelta(days=7 * (number + 1)))).result()
            saved = store.save_draft(session.id, "free", {
                "note": "Zeb described the quillwort garden and his marzipanophobia; we "
                        "planned graded exposure at the bakery."}).result()
            store.sign_note(saved.note_id).result()
            store.add_amendment(saved.note_id, AmendmentKind.ADDENDUM,
                                "Quillwort again mentioned by phone.").result()
        store.close_client(other.id, "Goals met").result()
    finally:
        vault.close()


def test_no_client_text_on_disk_outside_the_encrypted_files(
        ui: UI, closed_vault: ClosedVault, tmp_path: Path) -> None:
    populate(closed_vault.folder)
    ui.session.show_vault(closed_vault.folder)
    unlock(ui)
    ui.wait_idle()

    # Searches, including what a person types about a client.
    opened: list[tuple[int, int, str]] = []
    ui.window.page.open_note = lambda c, s, highlight="": opened.append((c, s, highlight))
    palette = open_palette(ui)
    for text in ("quillwort", "Zebedee Marchbanks", '"graded exposure', "marzipano", "-AND*"):
        palette.query.clear()
        with ui.qtbot.waitSignal(palette.results_shown, timeout=5000):
            ui.qtbot.keyClicks(palette.query, text)
    palette.query.clear()
    with ui.qtbot.waitSignal(palette.results_shown, timeout=5000):
        ui.qtbot.keyClicks(palette.query, "quillwort")
    ui.qtbot.waitUntil(lambda: palette.model.rowCount() > 0 and not palette._in_flight)
    assert palette.model.rowCount() >= 3  # notes and addenda, the closed client's too
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    assert opened

    # Settings: the profile (with a logo), a backup now from the Backups tab.
    dialog = open_settings(ui)
    fill_profile(ui, dialog, {"practitioner_name": "Dr Okafor-Lindqvist",
                              "email": "okafor-lindqvist@example.org"})
    ui.prompts.queue_file(image_file(tmp_path, "logo.png", "PNG"))
    ui.qtbot.mouseClick(dialog.image_fields["logo"].choose_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: dialog.image_fields["logo"].has_image)
    dialog.tabs.setCurrentIndex(TAB_BACKUPS)
    ui.qtbot.mouseClick(dialog.backup_now_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(dialog.backup_result.isVisible, timeout=10000)
    with ui.qtbot.waitSignal(dialog.accepted):
        ui.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    # Lock, unlock, search again, then quit (which backs up once more).
    ui.window.lock_action.trigger()
    ui.wait_for_page(UnlockPage)
    unlock(ui)
    palette = open_palette(ui)
    with ui.qtbot.waitSignal(palette.results_shown, timeout=5000):
        ui.qtbot.keyClicks(palette.query, "Thistlewood")
    ui.window.close()
    ui.session.shutdown()

    backups = list(default_backup_folder(ui.session.paths).glob(f"*{EXTENSION}"))
    assert len(backups) == 2  # Back up now, and on close
    assert (ui.session.paths.settings_file).exists()
    report = scan([tmp_path], SECRETS)
    assert report.scanned >= 6  # the vault's files, two backups, the settings file
    assert report.hits == [], "\n".join(map(str, report.hits))
