"""The client record's Letters tab: every letter sent, reopened and exported again exactly.

A kept letter is the PDF as it was sent (its SHA-256 is checked on every read), so "Export
again" writes the same bytes — or, with a password, the same document AES-256 protected. Writing
a new letter opens the composer; its answer (a LetterRecord) puts the new letter at the top.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import InvalidInput
from app.letters import LetterRecord
from ui.dialogs.save_pdf import choose_pdf_path
from ui.letters.composer import LetterComposer, PasswordFields
from ui.letters.preview import PdfPreview
from ui.session import describe
from ui.tasks import TaskRunner
from ui.widgets.common import MessageLabel, heading, muted
from ui.widgets.style import em
from ui.widgets.table_model import RowsTableModel, row_table
from ui.workspace.format import local_moment

COLUMNS = ("Sent", "Letter", "Recipient", "De-identified", "Size")
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1

_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex

if TYPE_CHECKING:  # importing the pipeline loads reportlab (~0.27 s): only when used
    from ui.letters.service import LetterService


class LettersModel(RowsTableModel[LetterRecord]):
    """A client's kept letters, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)

    def set_rows(self, rows: list[LetterRecord]) -> None:
        """Replace the letters shown."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        if role == RECORD_ROLE:
            return record
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):  # the whole text where a cell is elided
            return (local_moment(record.created_at),
                    record.template_name or record.template,
                    record.recipient or "—",
                    "Yes" if record.deidentified else "No",
                    f"{max(record.size, 1) / 1024:.0f} KB")[index.column()]
        return None

    def record(self, row: int) -> LetterRecord | None:
        """The letter in `row`."""
        return self.row_at(row)


class KeptLetterDialog(QDialog):
    """A kept letter on screen, exactly as sent, with "Export again…"."""

    def __init__(self, service: LetterService, record: LetterRecord, pdf: bytes, *,
                 choose_path: Callable[[QWidget, str, Path, str], Path | None] = choose_pdf_path,
                 export_folder: Callable[[], Path] = Path.home,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Letter kept in the vault")
        self.setAccessibleName("Letter kept in the vault")
        self._service = service
        self._record = record
        self._choose_path = choose_path
        self._export_folder = export_folder
        self._tasks = TaskRunner(name="tandem-letter-export", parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(record.template_name or record.template, 1.2))
        facts = muted(f"Sent {local_moment(record.created_at)} to {record.recipient or '—'}"
                      + (" · de-identified" if record.deidentified else "")
                      + f" · SHA-256 {record.sha256[:16]}…")
        facts.setAccessibleName("About this letter")
        facts.setWordWrap(True)
        layout.addWidget(facts)
        self.preview = PdfPreview(parent=self)
        layout.addWidget(self.preview, 1)
        self.password = PasswordFields()
        layout.addWidget(self.password)
        self.notice = MessageLabel("Notice")
        layout.addWidget(self.notice)
        self.message = MessageLabel("Error")
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        close = QPushButton("Close")
        close.setAccessibleName("Close the letter")
        self.export_button = QPushButton("&Export again…")
        self.export_button.setObjectName("Primary")
        self.export_button.setAccessibleName("Export the letter again")
        row.addWidget(close)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        close.clicked.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        self.preview.show_pdf(pdf)
        self.resize(em(self, 48), em(self, 52))

    def export(self) -> None:
        """Write the kept letter to a file the person chooses."""
        try:
            password = self.password.password()
        except InvalidInput as exc:
            self.message.show_message(str(exc))
            return
        path = self._choose_path(self, "Export the letter again", self._export_folder(),
                                 self._record.file_name or "letter.pdf")
        if path is None:
            return
        self.export_button.setEnabled(False)
        letter_id = self._record.id
        self._tasks.run(lambda: self._service.export(letter_id, path, password),
                        self._exported, self._failed, context=self)

    def _exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.password.wipe()
        self.message.clear_message()
        self.notice.show_message(f"Saved to {path}.")

    def _failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.notice.clear_message()
        self.message.show_message(describe(error))

    def done(self, result: int) -> None:  # noqa: D102 - Qt override
        self.password.wipe()
        self.preview.clear()
        self._tasks.shutdown(wait=False)
        super().done(result)


class LettersTab(QWidget):
    """Letters sent for the open client; write a new one, reopen or export one again."""

    letter_sent = Signal(object)
    """A new letter was kept (LetterRecord)."""

    def __init__(self, service_factory: Callable[[], LetterService],
                 show_dialog: Callable[[QDialog], None], *,
                 export_folder: Callable[[], Path] = Path.home,
                 remember_folder: Callable[[Path], None] | None = None,
                 choose_path: Callable[[QWidget, str, Path, str], Path | None] = choose_pdf_path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Letters")
        self._service_factory = service_factory
        self._service: LetterService | None = None
        self._service_lock = threading.Lock()
        self._show_dialog = show_dialog
        self._export_folder = export_folder
        self._remember_folder = remember_folder
        self._choose_path = choose_path
        self._tasks = TaskRunner(name="tandem-letters", parent=self)
        self.client_id: int | None = None
        self._loaded_for: int | None = None
        self._generation = 0

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Letters", 1.2))
        top.addStretch(1)
        self.open_button = QPushButton("&Open")
        self.open_button.setAccessibleName("Open the selected letter")
        self.write_button = QPushButton("&Write letter…")
        self.write_button.setObjectName("Primary")
        self.write_button.setAccessibleName("Write a letter")
        self.write_button.setToolTip("Progress letter, end-of-treatment summary or supervision "
                                     "summary, with a live preview (Ctrl+Shift+L)")
        top.addWidget(self.open_button)
        top.addWidget(self.write_button)
        layout.addLayout(top)
        self.intro = muted("Each letter is kept in the vault exactly as it was sent, and can be "
                           "exported again at any time.")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.model = LettersModel(self)
        self.table = row_table(self.model, "Letters sent", "Letter columns", row_height=1.9)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):  # dates and sizes whole; the names take the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in (1, 2)
                                        else QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.empty = muted("No letters yet. “Write letter…” starts one.")
        layout.addWidget(self.empty)
        self.message = MessageLabel("Error")
        layout.addWidget(self.message)

        self.write_button.clicked.connect(self.write_letter)
        self.open_button.clicked.connect(self.open_selected)
        self.table.activated.connect(lambda _index: self.open_selected())
        self._update_buttons()

    @property
    def service(self) -> LetterService:
        """The letter pipeline for this vault, made on first use on a background thread.

        Making it imports reportlab (~0.27 s): the first read of the list does it off the UI
        thread, and `write_letter` waits for it there rather than freezing the window.
        """
        with self._service_lock:
            if self._service is None:
                self._service = self._service_factory()
            return self._service

    def set_client(self, client_id: int | None) -> None:
        """Show `client_id`'s letters (read when the tab is first shown)."""
        self.client_id = client_id
        self._loaded_for = None
        self._generation += 1
        self.model.set_rows([])
        self.message.clear_message()
        self._update_buttons()
        if client_id is not None and self.isVisible():
            self.reload()

    def showEvent(self, event: Any) -> None:  # noqa: D102 - Qt override
        super().showEvent(event)
        if self.client_id is not None and self._loaded_for != self.client_id:
            self.reload()

    def reload(self) -> None:
        """Read the client's letters again."""
        if self.client_id is None:
            return
        client_id = self.client_id
        self._loaded_for = client_id
        self._generation += 1
        generation = self._generation
        self._tasks.run(lambda: self.service.letters(client_id),
                        lambda rows: self._on_letters(generation, rows),
                        lambda error: self.message.show_message(describe(error)), context=self)

    def _on_letters(self, generation: int, rows: list[LetterRecord]) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_client = self.client_id is not None
        self.write_button.setEnabled(has_client)
        self.open_button.setEnabled(has_client and self.model.rowCount() > 0)
        self.empty.setVisible(has_client and self.model.rowCount() == 0)

    def write_letter(self, template_id: str | None = None) -> LetterComposer | None:
        """Open the composer for the client (optionally on a given template).

        Returns the composer, or None when it opens a moment later (the pipeline is still being
        made in the background) or there is no client.
        """
        if self.client_id is None:
            return None
        if self._service is None:
            self._tasks.run(lambda: self.service, lambda _s: self.write_letter(template_id),
                            lambda error: self.message.show_message(describe(error)),
                            context=self)
            return None
        composer = LetterComposer(self.service, self.client_id, choose_path=self._choose_path,
                                  export_folder=self._export_folder,
                                  remember_folder=self._remember_folder, parent=self.window())
        if template_id:
            composer.template_box.model().rowsInserted.connect(
                lambda *_a: composer.choose_template(template_id))
        composer.sent.connect(self._on_sent)
        self._show_dialog(composer)
        return composer

    def _on_sent(self, record: LetterRecord) -> None:
        self.letter_sent.emit(record)
        self.reload()

    def open_selected(self) -> None:
        """Show the selected letter as kept."""
        indexes = self.table.selectionModel().selectedRows()
        record = self.model.record(indexes[0].row()) if indexes else None
        if record is None:
            return
        self._tasks.run(lambda: self.service.pdf(record.id),
                        lambda pdf: self._show_kept(record, pdf),
                        lambda error: self.message.show_message(describe(error)), context=self)

    def _show_kept(self, record: LetterRecord, pdf: bytes) -> None:
        dialog = KeptLetterDialog(self.service, record, pdf, choose_path=self._choose_path,
                                  export_folder=self._export_folder, parent=self.window())
        self._show_dialog(dialog)

    def wipe(self) -> None:
        """Forget the client's letters (locking)."""
        self.set_client(None)
        self._service = None
