"""Writing a letter in the window: live preview, the de-identification check, send, re-export."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt

from tests.ui.conftest import UI, client_id
from ui.letters.composer import LetterComposer
from ui.letters.tab import KeptLetterDialog

CLIENT = "Jonas Berg"


def open_letters(ui: UI, name: str = CLIENT) -> Any:
    page = ui.window.page
    page.open_client(client_id(ui, name))
    record = page.record
    ui.qtbot.waitUntil(lambda: not record.is_loading and record.client is not None)
    record.tabs.setCurrentWidget(record.letters_tab)
    ui.wait_idle()
    return record.letters_tab


def open_composer(ui: UI, tab: Any, tmp_path: Path) -> LetterComposer:
    tab._choose_path = lambda *_args: tmp_path / "letter.pdf"
    ui.qtbot.mouseClick(tab.write_button, Qt.MouseButton.LeftButton)
    # It opens once the letter pipeline is loaded (off the UI thread on first use).
    ui.qtbot.waitUntil(lambda: ui.window.findChild(LetterComposer) is not None, timeout=10_000)
    composer = ui.window.findChild(LetterComposer)
    assert composer is not None
    wait_ready(ui, composer)
    return composer


def wait_ready(ui: UI, composer: LetterComposer) -> None:
    """The letter is rendered, checked and its pages are on screen."""
    ui.qtbot.waitUntil(lambda: composer.is_ready and composer.preview.page_count > 0,
                       timeout=15_000)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_preview_follows_typing_and_the_letter_is_kept_and_exported(
        demo: UI, tmp_path: Path) -> None:
    ui = demo
    tab = open_letters(ui)
    assert tab.model.rowCount() == 0 and tab.empty.isVisible()
    composer = open_composer(ui, tab, tmp_path)
    assert composer.preview.page_count >= 1
    assert composer.template_box.count() >= 3

    plan = composer.paragraph_edit("plan")
    assert plan is not None
    ui.qtbot.keyClicks(plan, "We will meet fortnightly from January.")
    assert not composer.is_ready  # the preview is stale until redrawn
    wait_ready(ui, composer)
    assert composer._last is not None
    assert "fortnightly from January" in pdf_text(composer._last.pdf)

    ui.qtbot.mouseClick(composer.export_button, Qt.MouseButton.LeftButton)
    exported = tmp_path / "letter.pdf"
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=15_000)
    assert ui.window.findChild(LetterComposer) is None  # closed once sent
    assert exported.exists()
    text = pdf_text(exported.read_bytes())
    assert "Jonas" in text and "fortnightly from January" in text

    # Reopen and export again: the very same bytes.
    kept = tab.model.record(0)
    assert kept is not None and not kept.deidentified
    tab.table.selectRow(0)
    ui.qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(KeptLetterDialog) is not None)
    dialog = ui.window.findChild(KeptLetterDialog)
    again = tmp_path / "again.pdf"
    dialog._choose_path = lambda *_args: again
    ui.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=10_000)
    assert again.read_bytes() == exported.read_bytes()


def test_a_name_left_in_a_deidentified_letter_blocks_sending(
        demo: UI, tmp_path: Path, monkeypatch: Any) -> None:
    ui = demo
    tab = open_letters(ui)
    composer = open_composer(ui, tab, tmp_path)
    composer.choose_template("supervision")
    wait_ready(ui, composer)
    assert composer.deidentify.isChecked()  # the supervision summary's default
    assert "Berg" not in pdf_text(composer._last.pdf)
    assert not composer.findings.isVisible()

    # Were the rewriting step to miss the name (a bug), the final check on the PDF still
    # finds it: the letter cannot be sent, and the banner names what is left.
    monkeypatch.setattr("app.letters.deidentify", lambda text, _ids: text)
    edit = next(iter(composer._paragraphs.values()))
    ui.qtbot.keyClicks(edit, "Jonas Berg said it went well.")
    ui.qtbot.waitUntil(composer.findings.isVisible, timeout=15_000)
    assert "Berg" in composer.findings.text()
    assert not composer.is_ready
    ui.qtbot.mouseClick(composer.export_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 0 and not (tmp_path / "letter.pdf").exists()

    monkeypatch.undo()
    edit.clear()
    wait_ready(ui, composer)
    assert not composer.findings.isVisible()


def test_a_password_protects_the_exported_copy(demo: UI, tmp_path: Path) -> None:
    ui = demo
    tab = open_letters(ui)
    composer = open_composer(ui, tab, tmp_path)
    composer.password.enabled.setChecked(True)
    ui.qtbot.keyClicks(composer.password.first, "short")
    ui.qtbot.keyClicks(composer.password.second, "short")
    ui.qtbot.mouseClick(composer.export_button, Qt.MouseButton.LeftButton)
    assert "8" in composer.error.text()  # too short: said, nothing written
    assert not (tmp_path / "letter.pdf").exists()

    composer.password.first.clear()
    composer.password.second.clear()
    ui.qtbot.keyClicks(composer.password.first, "correct horse 42")
    ui.qtbot.keyClicks(composer.password.second, "correct horse 42")
    ui.qtbot.mouseClick(composer.export_button, Qt.MouseButton.LeftButton)
    ui.qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=15_000)
    reader = PdfReader(tmp_path / "letter.pdf")
    assert reader.is_encrypted
    assert reader.decrypt("correct horse 42")
    assert reader.trailer["/Encrypt"]["/V"] == 5  # AES-256
    assert "Jonas" in reader.pages[0].extract_text()


def test_client_menu_writes_a_letter_from_anywhere_in_the_record(demo: UI) -> None:
    ui = demo
    page = ui.window.page
    assert not ui.window.workspace_actions["write_letter"].isEnabled()  # no client open yet
    page.open_client(client_id(ui, CLIENT))
    record = page.record
    ui.qtbot.waitUntil(lambda: not record.is_loading and record.client is not None)
    ui.qtbot.waitUntil(ui.window.workspace_actions["write_letter"].isEnabled)
    ui.qtbot.keyClick(ui.window, Qt.Key.Key_L,
                      Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    ui.qtbot.waitUntil(lambda: ui.window.findChild(LetterComposer) is not None)
    assert record.tabs.currentWidget() is record.letters_tab
