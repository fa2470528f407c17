"""Vault ▸ Caseload report: de-identified by default, a progress bar, the file where chosen."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import UI
from tests.ui.test_accessibility import unnamed_controls
from ui.dialogs.caseload_report import CaseloadReportDialog


def open_dialog(ui: UI) -> CaseloadReportDialog:
    assert ui.window.caseload_action.isEnabled()
    ui.window.caseload_action.trigger()
    dialog = ui.window.findChild(CaseloadReportDialog)
    assert dialog is not None
    return dialog


def test_deidentified_pdf_with_progress(demo: UI, tmp_path: Path) -> None:
    ui = demo
    dialog = open_dialog(ui)
    assert not dialog.identified.isChecked() and dialog.pdf_choice.isChecked()
    assert unnamed_controls(dialog) == []
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    target = tmp_path / "report.pdf"
    dialog.choose_path = lambda *_args: target
    ui.qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    with ui.qtbot.waitSignal(dialog.written, timeout=30_000):
        pass
    assert max(seen) >= 10  # the bar moved through the clients (12 in the demo practice)
    assert "Saved the report on" in dialog.notice.text()
    ui.qtbot.wait(50)
    QApplication.processEvents()
    assert dialog.notice.height() >= dialog.notice.heightForWidth(dialog.notice.width())
    dialog.grab().save("/tmp/tandem-shots/caseload-dialog.png")
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Jonas Berg" not in text and "Berg" not in text
    assert "Caseload" in text


def test_identified_csv_names_clients(demo: UI, tmp_path: Path) -> None:
    ui = demo
    dialog = open_dialog(ui)
    ui.qtbot.mouseClick(dialog.identified, Qt.MouseButton.LeftButton)
    dialog.csv_choice.setChecked(True)
    assert "names appear" in dialog.identified_note.text()
    target = tmp_path / "report.csv"
    dialog.choose_path = lambda *_args: target
    with ui.qtbot.waitSignal(dialog.written, timeout=30_000):
        ui.qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert any("Jonas Berg" in cell for row in rows for cell in row)
