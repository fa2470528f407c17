"""The caseload outcomes report for supervision: PDF or CSV, de-identified unless asked otherwise.

Reading every client takes a second or two on a ten-year vault, so it runs in the background
with a progress bar fed from the vault's worker through a queued signal. The finished file is
checked for every client's names and dates of birth before it is written (when de-identified),
written atomically and readable by its owner only, and the export is audited (whether
identified, the format and the count — never a name).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLayout,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from storage.vault import Vault
from ui.session import describe
from ui.tasks import TaskRunner
from ui.widgets.common import MessageLabel, heading, muted
from ui.widgets.style import em


class _Progress(QObject):
    """Carries (done, total) from the vault's worker thread to the UI thread."""

    advanced = Signal(int, int)


def choose_report_path(parent: QWidget, suffix: str, name: str) -> Path | None:
    """Ask where to save the report (Qt's own dialog: no OS recent-files entry)."""
    label = "PDF documents (*.pdf)" if suffix == ".pdf" else "CSV files (*.csv)"
    dialog = QFileDialog(parent, "Save the caseload report", str(Path.home() / name), label)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(suffix[1:])
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    chosen = Path(dialog.selectedFiles()[0])
    return chosen if chosen.suffix.lower() == suffix else chosen.with_suffix(suffix)


class CaseloadReportDialog(QDialog):
    """Choose de-identified or identified, PDF or CSV; watch it being made; find the file."""

    written = Signal(object)
    """The report was written (its Path)."""

    def __init__(self, vault: Vault, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Caseload report")
        self.setAccessibleName("Caseload report")
        self._vault = vault
        self._tasks = tasks
        self.choose_path = choose_report_path
        """Asks where to save (tests replace it)."""
        self._busy = False
        self._progress = _Progress(self)
        self._progress.advanced.connect(self._on_progress)

        layout = QVBoxLayout(self)
        # Grow with the messages (wrapped text) instead of squeezing them.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(heading("Caseload outcomes", 1.3))
        intro = muted("Every client's sessions, intake and latest outcome rating, change "
                      "category, session-rating mean and alerts, and exposure work, with the "
                      "totals and a chart — for supervision or your own review.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.identified = QCheckBox("Show clients' &names (identified)")
        self.identified.setAccessibleName("Show clients' names")
        layout.addWidget(self.identified)
        self.identified_note = muted("De-identified by default: pseudonyms and age bands, no "
                                     "dates of birth, checked in the finished file.")
        self.identified_note.setWordWrap(True)
        layout.addWidget(self.identified_note)

        formats = QHBoxLayout()
        self.pdf_choice = QRadioButton("&PDF (to read or print)")
        self.pdf_choice.setAccessibleName("PDF")
        self.csv_choice = QRadioButton("&CSV (for a spreadsheet)")
        self.csv_choice.setAccessibleName("CSV")
        self.pdf_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.pdf_choice)
        group.addButton(self.csv_choice)
        formats.addWidget(self.pdf_choice)
        formats.addWidget(self.csv_choice)
        formats.addStretch(1)
        layout.addLayout(formats)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        self.progress.setTextVisible(True)
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress.setMinimumHeight(self.fontMetrics().height() + 10)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.notice = MessageLabel("Notice")
        layout.addWidget(self.notice)
        self.error = MessageLabel("Error")
        layout.addWidget(self.error)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close")
        self.create_button = QPushButton("C&reate report…")
        self.create_button.setObjectName("Primary")
        self.create_button.setAccessibleName("Create the caseload report")
        self.create_button.setDefault(True)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        self.close_button.clicked.connect(self.reject)
        self.create_button.clicked.connect(self.create)
        self.identified.toggled.connect(
            lambda on: self.identified_note.setText(
                "Identified: clients' names appear in the file. Keep it as safe as the records "
                "themselves." if on else
                "De-identified by default: pseudonyms and age bands, no dates of birth, "
                "checked in the finished file."))
        self.setMinimumWidth(em(self, 72))

    def create(self) -> None:
        """Ask where, then gather, build, check and write the report in the background."""
        if self._busy:
            return
        suffix = ".pdf" if self.pdf_choice.isChecked() else ".csv"
        identified = self.identified.isChecked()
        today = datetime.now().astimezone()
        name = (f"Caseload outcomes {today:%Y-%m}{' (identified)' if identified else ''}"
                f"{suffix}")
        path = self.choose_path(self, suffix, name)
        if path is None:
            return
        self._busy = True
        self.create_button.setEnabled(False)
        self.error.clear_message()
        self.notice.show_message("Reading the clients…")
        self.progress.setRange(0, 0)
        self.progress.show()
        vault, progress = self._vault, self._progress

        def run() -> tuple[Path, int]:
            from app.measures import load_definitions
            from app.resources import resource_dir
            from reports.caseload import caseload_csv, render_caseload_pdf
            from reports.emergency_kit import write_private_file
            from storage.caseload import CaseloadStore

            definitions = load_definitions(resource_dir() / "measures")
            store = CaseloadStore(vault, definitions)
            caseload = store.gather(progress.advanced.emit).result()
            now = vault.clock.now().astimezone()
            report = caseload.report(definitions, prepared_on=now.date(), identified=identified)
            data = (render_caseload_pdf(report, created=now) if suffix == ".pdf"
                    else caseload_csv(report).encode("utf-8"))
            write_private_file(path, data)
            store.record_export(identified=identified, file_format=suffix[1:],
                                clients=len(report.rows)).result()
            return path, len(report.rows)

        self._tasks.run(run, self._done, self._failed, context=self)

    def _on_progress(self, done: int, total: int) -> None:
        if not self._busy:
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"Reading clients: {done} of {total}")
        if done >= total:
            self.notice.show_message("Writing the report…")

    def _done(self, result: tuple[Path, int]) -> None:
        path, count = result
        self._busy = False
        self.create_button.setEnabled(True)
        self.progress.hide()  # the sentence below says it is done, and where
        self.notice.show_message(f"Saved the report on {count} clients to {path}.")
        self.adjustSize()
        self.written.emit(path)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.create_button.setEnabled(True)
        self.progress.hide()
        self.notice.clear_message()
        self.error.show_message(describe(error))
        self.adjustSize()
        self.create_button.setFocus(Qt.FocusReason.OtherFocusReason)
