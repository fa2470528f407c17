"""A therapist's working day in the real window, step by step, with distinctive identifying text.

Everything happens in the test's own folders: the vault in the default place (HOME/Documents),
every deliberate export in one folder (`Day.exports`), the chosen backup folder under HOME. Each
step announces itself (`on_step`) so the killed-day test can SIGKILL the process at a chosen
moment of a chosen step.

The identifying strings (`NEEDLES`) are what the leak scan looks for afterwards: the client's
name parts with accents, the preferred name, contact details, the referrer, and phrases typed
into the note, the addendum, the ladder, the trial and the letter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.conftest import PASSPHRASE
from tests.ui.client_mode.conftest import mark_all, settle
from tests.ui.conftest import PRACTICE_NAME, UI
from tests.ui.measures.conftest import dialog_of
from tests.ui.measures.test_client_mode import release
from tests.ui.search.conftest import open_palette
from tests.ui.settings.conftest import open_settings, unlock

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton

# -- what the therapist types ------------------------------------------------------------------

NAME = "Héloïse Vantablack-Quimby"
PREFERRED = "Lulabelle"
BIRTH = "1987-06-23"
PHONE = "+44 7911 482093"
EMAIL = "heloise.quimby@example.net"
ADDRESS = "17 Marrowbone Crescent\nPlumstead Vale PV9 4QX"
REFERRER = "Dr Tobiah Wrenfield-Ashcombe"
REFERRER_ADDRESS = "Gullivant Row Surgery\n4 Gullivant Row"
NOTE_SUBJECTIVE = "Lulabelle described the phosphorescent jellyfish dream again."
NOTE_PLAN = "Practise the grandmother's harpsichord breathing before Thursday."
ADDENDUM = "Héloïse phoned about the Quillon rehearsal afterwards."
FEAR = "Riding the Brackenbury funicular"
STEP = "Stand beside the Brackenbury funicular station"
LEARNED = "The funicular felt ordinary by the tenth minute."
LETTER_PLAN = "Sessions continue alongside the marzipan lanterns project."
DEID_PARAGRAPH = "Lulabelle Vantablack-Quimby enjoyed the regatta."
SEARCH = "jellyfish"

IDENTIFIERS: list[str] = [
    NAME, "Héloïse", "Vantablack", "Quimby", PREFERRED, BIRTH,
    PHONE, "7911 482093", "7911482093", "447911482093", EMAIL, "heloise.quimby",
    "Marrowbone Crescent", "Plumstead Vale", "PV9 4QX",
    REFERRER, "Wrenfield", "Ashcombe", "Gullivant",
]
"""Who the client is (Safe Harbor identifiers), whole and in distinctive parts: in no file
but the identified letter, and in neither de-identified export."""

PHRASES: list[str] = [
    "phosphorescent jellyfish", "phosphorescent", "harpsichord", "Quillon rehearsal",
    "Brackenbury", "funicular", "felt ordinary", "marzipan lanterns",
]
"""What the client said and does (note, addendum, ladder, trial, letter): in no file but the
exports. A de-identified letter may carry the clinical content the therapist put in it (the
progress letter summarises the ladder), never who it is about."""

NEEDLES = IDENTIFIERS + PHRASES

STEPS = ("start", "create vault", "emergency kit", "recovery key checked", "client",
         "session note", "sign", "addendum", "ors", "srs", "ladder", "trial", "search",
         "identified letter", "deidentified letter", "caseload report", "backup", "setting",
         "lock", "unlock", "quit", "done")
"""The steps in order, as announced to `on_step`."""


@dataclass
class Day:
    """Where the day writes, and what it wrote on purpose."""

    root: Path
    """The test's folder: HOME and TMPDIR and everything else are inside it."""
    on_step: Callable[[str], None] = lambda _step: None
    identified: list[Path] = field(default_factory=list)
    """Deliberate exports that name the client (may contain every needle)."""
    deidentified: list[Path] = field(default_factory=list)
    """Deliberate exports that must contain no identifier."""
    other_exports: list[Path] = field(default_factory=list)
    """Deliberate exports with no client in them at all (the Emergency Kit)."""
    backups: list[Path] = field(default_factory=list)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def exports(self) -> Path:
        return self.home / "Exports"

    @property
    def backup_folder(self) -> Path:
        return self.home / "Backups"

    @property
    def vault(self) -> Path:
        return self.home / "Documents" / "Practice.tandem"


def step(day: Day, name: str) -> None:
    assert name in STEPS, name
    day.on_step(name)


def activate(ui: UI) -> None:
    """Offscreen Qt does not always give activation back to the window after a dialog."""
    if not ui.window.isActiveWindow():
        ui.window.activateWindow()
        ui.qtbot.waitUntil(ui.window.isActiveWindow)


# -- the day -----------------------------------------------------------------------------------

def run_day(ui: UI, day: Day) -> None:
    """The whole day, from the first-run page to closing the window."""
    day.exports.mkdir(parents=True)
    step(day, "start")
    first_run(ui, day)
    workspace = ui.window.page
    add_client(ui, day, workspace)
    write_note(ui, day, workspace)
    client_mode(ui, day)
    exposure(ui, day)
    search(ui, day)
    letters(ui, day)
    caseload_report(ui, day)
    backup(ui, day)
    change_setting(ui, day)
    step(day, "lock")
    activate(ui)
    ui.qtbot.keyClick(ui.window.focusWidget() or ui.window, Qt.Key.Key_L, CTRL)
    from ui.pages.unlock import UnlockPage

    ui.wait_for_page(UnlockPage)
    step(day, "unlock")
    unlock(ui)
    step(day, "quit")
    ui.window.close()
    ui.session.shutdown()
    scheduler = ui.window.backup_scheduler
    if scheduler.last_close_backup is not None:
        day.backups.append(scheduler.last_close_backup)
    step(day, "done")


def first_run(ui: UI, day: Day) -> None:
    from ui.pages.create_vault import CreateVaultPage
    from ui.pages.recovery_key import RecoveryKeyPage
    from ui.pages.workspace import WorkspacePage

    step(day, "create vault")
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    assert page.location_edit.text() == str(day.vault)  # the suggested place, kept
    ui.qtbot.keyClicks(page.name_edit, PRACTICE_NAME)
    ui.qtbot.keyClicks(page.passphrase_edit, PASSPHRASE)
    ui.qtbot.keyClicks(page.repeat_edit, PASSPHRASE)
    ui.qtbot.mouseClick(page.create_button, LEFT)
    key_page = ui.wait_for_page(RecoveryKeyPage)

    step(day, "emergency kit")
    kit = day.exports / "Tandem Emergency Kit.pdf"
    key_page.choose_path = lambda *_args: kit
    ui.qtbot.mouseClick(key_page.print_button, LEFT)
    ui.qtbot.waitUntil(lambda: "Saved to" in key_page.kit_status.text(), timeout=15_000)
    day.other_exports.append(kit)
    step(day, "recovery key checked")
    groups = ui.session.recovery_key_groups
    for edit, group in zip(key_page.check_edits, groups[-2:], strict=True):
        ui.qtbot.keyClicks(edit, group)
    ui.qtbot.mouseClick(key_page.continue_button, LEFT)
    workspace = ui.wait_for_page(WorkspacePage)
    ui.qtbot.waitUntil(lambda: workspace.client_model.loaded)
    ui.wait_idle()


def add_client(ui: UI, day: Day, workspace: Any) -> None:
    from ui.workspace.dialogs import ClientDialog

    step(day, "client")
    activate(ui)
    ui.qtbot.keyClick(workspace.client_list.filter_edit, Qt.Key.Key_N, CTRL | SHIFT)
    dialog = dialog_of(ui, ClientDialog)
    for edit, text in ((dialog.name_edit, NAME), (dialog.preferred_edit, PREFERRED),
                       (dialog.birth_edit, BIRTH), (dialog.phone_edit, PHONE),
                       (dialog.email_edit, EMAIL), (dialog.source_edit, "GP"),
                       (dialog.referrer_edit, REFERRER),
                       (dialog.role_edit, "General practitioner")):
        type_text(ui, edit, text)
    type_lines(ui, dialog.address_box, ADDRESS)
    type_lines(ui, dialog.referrer_address_box, REFERRER_ADDRESS)
    ui.qtbot.keyClicks(dialog.goals_box, "Travel by funicular without dread")
    ui.qtbot.mouseClick(dialog.accept_button, LEFT)
    record = workspace.record
    ui.qtbot.waitUntil(lambda: record.client is not None and not record.is_loading
                       and record.client.details.name == NAME)
    ui.qtbot.waitUntil(lambda: workspace.client_model.row_of(record.client_id) >= 0)


def type_text(ui: UI, widget: Any, text: str) -> None:
    """Type like a keyboard: QTest.keyClicks handles ASCII only, so "é" is its own key event."""
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]", text):
        if run.isascii():
            ui.qtbot.keyClicks(widget, run)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, run,
                               Qt.KeyboardModifier.NoModifier)


def type_lines(ui: UI, edit: Any, text: str) -> None:
    for number, line in enumerate(text.split("\n")):
        if number:
            ui.qtbot.keyClick(edit, Qt.Key.Key_Return)
        type_text(ui, edit, line)


def write_note(ui: UI, day: Day, workspace: Any) -> None:
    from ui.workspace.dialogs import AmendmentDialog, SessionDialog
    from ui.workspace.note_editor import Mode

    step(day, "session note")
    record = workspace.record
    activate(ui)
    ui.qtbot.keyClick(workspace.client_list.table, Qt.Key.Key_N, CTRL)
    dialog = dialog_of(ui, SessionDialog)
    if not dialog.time_edit.text():
        ui.qtbot.keyClicks(dialog.time_edit, "10:00")
    ui.qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: len(record.sessions) == 1)
    tab = record.sessions_tab
    ui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.mode is Mode.NEW)
    editor = tab.editor
    sections = list(editor.edits.values())
    ui.qtbot.keyClicks(sections[0], NOTE_SUBJECTIVE)
    ui.qtbot.keyClicks(sections[-1], NOTE_PLAN)
    ui.qtbot.waitUntil(lambda: editor.status.text().startswith("Saved")
                       and not editor.autosaver.busy and not editor.autosaver.dirty,
                       timeout=10_000)

    step(day, "sign")
    ui.qtbot.waitUntil(lambda: ui.window.workspace_actions["sign_note"].isEnabled())
    ui.qtbot.keyClick(sections[0], Qt.Key.Key_S, CTRL | SHIFT)
    ui.qtbot.waitUntil(lambda: bool(ui.prompts.open_boxes))
    box = ui.prompts.open_boxes[-1]
    ui.qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Sign and lock"), LEFT)
    ui.qtbot.waitUntil(lambda: editor.mode is Mode.SIGNED, timeout=10_000)

    step(day, "addendum")
    ui.qtbot.mouseClick(editor.addendum_button, LEFT)
    amendment = dialog_of(ui, AmendmentDialog)
    type_text(ui, amendment.body_box, ADDENDUM)
    ui.qtbot.mouseClick(amendment.accept_button, LEFT)
    ui.qtbot.waitUntil(lambda: any(v.toPlainText() == ADDENDUM for v in editor.amendment_views),
                       timeout=10_000)
    ui.wait_idle()


def client_mode(ui: UI, day: Day) -> None:
    """ORS at the start and SRS at the end of the session, each on the client's own screen."""
    from ui.pages.workspace import WorkspacePage

    runner = ui.window.client_mode
    for name, action, fractions in (("ors", "start_ors", [0.3, 0.45, 0.6, 0.5]),
                                    ("srs", "start_srs", [0.8, 0.9, 0.85, 0.95])):
        step(day, name)
        activate(ui)
        trigger = ui.window.workspace_actions[action]
        ui.qtbot.waitUntil(trigger.isEnabled)
        trigger.trigger()
        ui.qtbot.waitUntil(lambda: runner.controller.active, timeout=10_000)
        window = runner.controller.window
        ui.qtbot.waitExposed(window)
        settle(ui.qtbot, window)
        mark_all(ui.qtbot, window, fractions)
        ui.qtbot.mouseClick(window.done_button, LEFT)
        ui.qtbot.mouseClick(window.confirm_button, LEFT)
        assert window.page == "thanks"
        release(ui, window, PASSPHRASE)  # no PIN set: the passphrase ends client mode
        page = ui.wait_for_page(WorkspacePage, timeout=15_000)
        tab = page.record.measures_tab
        ui.qtbot.waitUntil(lambda t=tab, n=name: t.is_loaded and any(
            t.model.administration(r).measure == n for r in range(t.model.rowCount())),
            timeout=15_000)
        ui.wait_idle()


def exposure(ui: UI, day: Day) -> None:
    from ui.workspace.exposure.dialogs import NewLadderDialog, StepDialog, TrialDialog

    step(day, "ladder")
    record = ui.window.page.record
    record.tabs.setCurrentWidget(record.exposure_tab)
    tab = record.exposure_tab
    ui.wait_idle()
    ui.qtbot.mouseClick(tab.new_button, LEFT)
    dialog = tab.dialog
    assert isinstance(dialog, NewLadderDialog)
    ui.qtbot.keyClicks(dialog.fear, FEAR)
    ui.qtbot.keyClicks(dialog.goal, "Ride the funicular to the top alone")
    ui.qtbot.mouseClick(dialog.accept_button, LEFT)
    ui.qtbot.waitUntil(lambda: tab.ladder is not None and tab.ladder.target_fear == FEAR)
    ui.wait_idle()
    tab.buttons["add"].click()
    step_dialog = tab.dialog
    assert isinstance(step_dialog, StepDialog)
    ui.qtbot.keyClicks(step_dialog.situation, STEP)
    ui.qtbot.keyClicks(step_dialog.suds, "40")
    ui.qtbot.keyClick(step_dialog.suds, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    ui.wait_idle()

    step(day, "trial")
    activate(ui)
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(0, 1))
    ui.wait_idle()
    ui.qtbot.keyClick(tab.table, Qt.Key.Key_T, CTRL)
    trial = tab.dialog
    assert isinstance(trial, TrialDialog)
    trial.set_when(datetime.now().astimezone() - timedelta(minutes=5))
    for edit, text in ((trial.before, "40"), (trial.peak, "65"), (trial.after, "20"),
                       (trial.actual, "20"), (trial.learned, LEARNED)):
        edit.setFocus()
        ui.qtbot.keyClicks(edit, text)
    ui.qtbot.keyClick(trial.learned, Qt.Key.Key_Return)
    ui.qtbot.waitUntil(lambda: tab.step is not None and tab.step.trials == 1, timeout=10_000)
    ui.wait_idle()


def search(ui: UI, day: Day) -> None:
    step(day, "search")
    palette = open_palette(ui)
    with ui.qtbot.waitSignal(palette.results_shown, timeout=10_000):
        ui.qtbot.keyClicks(palette.query, SEARCH)
    ui.qtbot.waitUntil(lambda: palette.model.rowCount() > 0 and not palette._in_flight)
    ui.qtbot.keyClick(palette.query, Qt.Key.Key_Return)  # opens the note
    record = ui.window.page.record
    ui.qtbot.waitUntil(lambda: not record.is_loading and record.sessions_tab.editor is not None)
    ui.wait_idle()


def letters(ui: UI, day: Day) -> None:
    """An identified progress letter through Qt's real save dialog, then a de-identified one."""
    from ui.letters.composer import LetterComposer

    record = ui.window.page.record
    record.tabs.setCurrentWidget(record.letters_tab)
    tab = record.letters_tab
    ui.wait_idle()

    step(day, "identified letter")
    ui.qtbot.mouseClick(tab.write_button, LEFT)
    composer = dialog_of(ui, LetterComposer)
    wait_ready(ui, composer)
    ui.qtbot.keyClicks(composer.paragraph_edit("plan"), LETTER_PLAN)
    if composer.notes_list.count():  # quote the signed note: it goes to the referrer
        composer.notes_list.item(0).setCheckState(Qt.CheckState.Checked)
    wait_ready(ui, composer)
    chosen: list[Path] = []
    answer_save_dialog(ui, day.exports, chosen)
    ui.qtbot.mouseClick(composer.export_button, LEFT)
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=20_000)
    assert chosen and chosen[0].exists(), chosen
    day.identified.append(chosen[0])

    step(day, "deidentified letter")
    tab._choose_path = lambda _parent, _title, _folder, name: day.exports / name
    ui.qtbot.mouseClick(tab.write_button, LEFT)
    composer = dialog_of(ui, LetterComposer)
    wait_ready(ui, composer)
    composer.deidentify.setFocus()
    ui.qtbot.keyClick(composer.deidentify, Qt.Key.Key_Space)
    assert composer.deidentify.isChecked(), (composer.deidentify.isVisible(),
                                             composer.deidentify.isEnabled())
    ui.qtbot.keyClicks(composer.paragraph_edit("plan"), DEID_PARAGRAPH)
    wait_ready(ui, composer)
    name = composer._last.file_name
    ui.qtbot.mouseClick(composer.export_button, LEFT)
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=20_000)
    assert (day.exports / name).exists()
    day.deidentified.append(day.exports / name)
    ui.wait_idle()


def wait_ready(ui: UI, composer: Any) -> None:
    assert composer is not None
    ui.qtbot.waitUntil(lambda: composer.is_ready and composer.preview.page_count > 0,
                       timeout=20_000)


def answer_save_dialog(ui: UI, folder: Path, chosen: list[Path]) -> None:
    """Answer the next Qt save dialog: keep the suggested file name, put it in `folder`.

    Qt's own dialog (not the desktop's) runs its own event loop, so the answer comes from a
    timer; it records its folder history in QtProject.conf, which the scan reads.
    """
    def answer() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QFileDialog) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(20, answer)
            return
        dialog = dialogs[0]
        suggested = Path(dialog.selectedFiles()[0]).name
        target = folder / suggested
        dialog.setDirectory(str(folder))
        dialog.selectFile(str(target))
        chosen.append(target)
        dialog.accept()

    QTimer.singleShot(20, answer)


def caseload_report(ui: UI, day: Day) -> None:
    from ui.dialogs.caseload_report import CaseloadReportDialog

    step(day, "caseload report")
    ui.window.caseload_action.trigger()
    dialog = ui.window.findChild(CaseloadReportDialog)
    assert not dialog.identified.isChecked() and dialog.pdf_choice.isChecked()
    target = day.exports / "Caseload outcomes.pdf"
    dialog.choose_path = lambda *_args: target
    with ui.qtbot.waitSignal(dialog.written, timeout=30_000):
        ui.qtbot.mouseClick(dialog.create_button, LEFT)
    day.deidentified.append(target)
    dialog.reject()
    ui.wait_idle()


def backup(ui: UI, day: Day) -> None:
    step(day, "backup")
    activate(ui)
    ui.prompts.queue_folder(day.backup_folder)
    ui.qtbot.keyClick(ui.window.focusWidget() or ui.window, Qt.Key.Key_B, CTRL)
    ui.qtbot.waitUntil(lambda: any(t == "Backup made" for t, _ in ui.prompts.shown),
                       timeout=20_000)
    day.backups += sorted(day.backup_folder.glob("*.tandembackup"))
    assert day.backups


def change_setting(ui: UI, day: Day) -> None:
    from ui.dialogs.settings import TAB_SECURITY

    step(day, "setting")
    dialog = open_settings(ui, TAB_SECURITY)
    dialog.minutes.setFocus()
    dialog.minutes.selectAll()
    ui.qtbot.keyClicks(dialog.minutes, "7")
    assert dialog.minutes.value() == 7
    with ui.qtbot.waitSignal(dialog.accepted, timeout=10_000):
        ui.qtbot.mouseClick(dialog.save_button, LEFT)
    ui.wait_idle()
