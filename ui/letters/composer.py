"""Write a letter: choose template, recipient and period, add your own words, watch the real PDF.

The form on the left builds a `LetterRequest`; half a second after the last change the letter
is rendered in the background and the preview on the right shows the very pages that would be
sent. A de-identified letter is checked on every render: when an identifier of the client is
still in it (typically a name in the therapist's own paragraph), the banner names it and the
letter cannot be sent until it is gone.

Sending keeps the letter in the vault (PDF, SHA-256, recipient, date; audited) and, when a file
was chosen, writes it there — optionally protected with a password (AES-256). The file dialog is
Qt's own, not the platform's: the operating system's "recent files" lists would otherwise record
the letter's name, and that name can be the client's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import InvalidInput
from app.letters import (
    LetterRecord,
    LetterRequest,
    LetterTemplate,
    QuotableNote,
    Recipient,
    RecipientKind,
    check_password,
)
from ui.dialogs.save_pdf import choose_pdf_path
from ui.letters.preview import PdfPreview
from ui.session import describe
from ui.tasks import TaskRunner
from ui.widgets.common import MessageLabel, heading, muted
from ui.widgets.style import em

DEFAULT_TEMPLATE = "progress"
RENDER_DELAY_MS = 500
"""Typing pauses this long before the preview is redrawn (a render takes ~0.2–0.4 s)."""

if TYPE_CHECKING:  # importing the pipeline loads reportlab (~0.27 s): only when used
    from ui.letters.service import LetterService, Preview


class PasswordFields(QWidget):
    """"Protect the exported file with a password" and the password typed twice."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox("Protect the exported file with a &password (AES-256)")
        self.enabled.setAccessibleName("Protect the exported file with a password")
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setPlaceholderText("Password (at least 8 characters)")
        self.first.setAccessibleName("PDF password")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setPlaceholderText("The same password again")
        self.second.setAccessibleName("PDF password again")
        self.hint = muted("Tell the recipient the password by phone or in person, never in the "
                          "same e-mail as the file.")
        self.hint.setWordWrap(True)
        layout.addWidget(self.enabled)
        layout.addWidget(self.first)
        layout.addWidget(self.second)
        layout.addWidget(self.hint)
        self.enabled.toggled.connect(self._show_fields)
        self._show_fields(False)

    def _show_fields(self, on: bool) -> None:
        for widget in (self.first, self.second, self.hint):
            widget.setVisible(on)
        if on:
            self.first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def password(self) -> str | None:
        """The password to protect with, None when not wanted; InvalidInput when unusable."""
        if not self.enabled.isChecked():
            return None
        if self.first.text() != self.second.text():
            raise InvalidInput("The two passwords are not the same.")
        return check_password(self.first.text())

    def wipe(self) -> None:
        """Forget the typed password."""
        self.first.clear()
        self.second.clear()


class LetterComposer(QDialog):
    """The letter editor with its live preview (non-modal; closed when the vault locks)."""

    sent = Signal(object)
    """A letter was kept in the vault (the LetterRecord)."""

    def __init__(self, service: LetterService, client_id: int, *,
                 choose_path: Callable[[QWidget, str, Path, str], Path | None] = choose_pdf_path,
                 export_folder: Callable[[], Path] = Path.home,
                 remember_folder: Callable[[Path], None] | None = None,
                 today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Write a letter")
        self.setAccessibleName("Write a letter")
        self._service = service
        self._client_id = client_id
        self._choose_path = choose_path
        self._export_folder = export_folder
        self._remember_folder = remember_folder
        self._today = today
        self._tasks = TaskRunner(name="tandem-letter", parent=self)
        self._templates: dict[str, LetterTemplate] = {}
        self._paragraphs: dict[str, QPlainTextEdit] = {}
        self._generation = 0
        self._last: Preview | None = None
        self._sending = False
        self._closing = False

        outer = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)

        # -- the form ---------------------------------------------------------------------
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setMinimumWidth(em(self, 24))
        # The form wraps to the column's width; only the preview scrolls sideways, if anything.
        form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_host = QWidget()
        form = QVBoxLayout(form_host)
        form.setSpacing(em(self, 0.5))
        form.addWidget(heading("Letter", 1.25))

        fields = QFormLayout()
        self.template_box = QComboBox()
        self.template_box.setAccessibleName("Letter template")
        fields.addRow("&Template:", self.template_box)
        self.description = muted("")
        self.description.setWordWrap(True)
        fields.addRow("", self.description)

        self.recipient_kind = QComboBox()
        self.recipient_kind.setAccessibleName("Recipient")
        for kind in RecipientKind:
            self.recipient_kind.addItem(kind.label, kind)
        fields.addRow("&Recipient:", self.recipient_kind)
        self.recipient_name = QLineEdit()
        self.recipient_name.setAccessibleName("Recipient's name")
        self.recipient_name.setPlaceholderText("From the client's referral when left empty")
        fields.addRow("&Name:", self.recipient_name)
        self.recipient_role = QLineEdit()
        self.recipient_role.setAccessibleName("Recipient's role")
        fields.addRow("R&ole:", self.recipient_role)
        self.recipient_address = QPlainTextEdit()
        self.recipient_address.setAccessibleName("Recipient's address")
        self.recipient_address.setTabChangesFocus(True)
        self.recipient_address.setFixedHeight(em(self, 4.2))
        fields.addRow("A&ddress:", self.recipient_address)

        self.whole_course = QCheckBox("The &whole course of therapy")
        self.whole_course.setAccessibleName("Cover the whole course of therapy")
        self.whole_course.setChecked(True)
        fields.addRow("Period:", self.whole_course)
        period = QHBoxLayout()
        self.period_start = QDateEdit()
        self.period_start.setAccessibleName("Period from")
        self.period_start.setCalendarPopup(True)
        self.period_start.setDisplayFormat("d MMM yyyy")
        self.period_end = QDateEdit()
        self.period_end.setAccessibleName("Period to")
        self.period_end.setCalendarPopup(True)
        self.period_end.setDisplayFormat("d MMM yyyy")
        now = self._today()
        self.period_end.setDate(QDate(now.year, now.month, now.day))
        start = now - timedelta(days=91)
        self.period_start.setDate(QDate(start.year, start.month, start.day))
        period.addWidget(self.period_start)
        period.addWidget(QLabel("to"))
        period.addWidget(self.period_end)
        fields.addRow("", period)

        self.deidentify = QCheckBox("&De-identify")
        self.deidentify.setAccessibleName("De-identify the letter")
        self.deidentify.setToolTip("Safe Harbor: the pseudonym instead of the name everywhere, "
                                   "month and year instead of dates, no contact details or "
                                   "ID numbers, no referrer")
        fields.addRow("Privacy:", self.deidentify)
        deidentify_note = muted("Pseudonym everywhere, month and year only, no contact "
                                "details or referrer; checked again in the finished PDF.")
        deidentify_note.setWordWrap(True)
        fields.addRow("", deidentify_note)
        form.addLayout(fields)

        self.findings = MessageLabel("Error")
        self.findings.setAccessibleName("Identifiers left in the letter")
        form.addWidget(self.findings)

        form.addWidget(heading("Your paragraphs", 1.1))
        self.paragraph_host = QWidget()
        self.paragraph_layout = QVBoxLayout(self.paragraph_host)
        self.paragraph_layout.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.paragraph_host)

        form.addWidget(heading("Quote signed progress notes", 1.1))
        form.addWidget(muted("Only signed progress notes can be quoted. Process notes never "
                             "appear in letters."))
        self.notes_list = QListWidget()
        self.notes_list.setAccessibleName("Progress notes to quote")
        self.notes_list.setMinimumHeight(em(self, 6))
        self.notes_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.notes_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form.addWidget(self.notes_list)

        self.password = PasswordFields()
        form.addWidget(self.password)
        form.addStretch(1)
        form_scroll.setWidget(form_host)
        splitter.addWidget(form_scroll)

        # -- the preview ------------------------------------------------------------------
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.preview_status = muted("Preparing the preview…")
        self.preview_status.setAccessibleName("Preview status")
        right_layout.addWidget(self.preview_status)
        self.preview = PdfPreview(parent=right)
        right_layout.addWidget(self.preview, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([em(self, 34), em(self, 38)])

        # -- buttons ----------------------------------------------------------------------
        self.error = MessageLabel("Error")
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the letter")
        self.keep_button = QPushButton("&Keep in the vault")
        self.keep_button.setAccessibleName("Keep the letter in the vault without exporting")
        self.keep_button.setToolTip("Keep the letter in the vault; export it later from the "
                                    "Letters tab")
        self.export_button = QPushButton("&Export PDF…")
        self.export_button.setObjectName("Primary")
        self.export_button.setAccessibleName("Keep the letter and export it as a PDF")
        self.export_button.setToolTip("Keep the letter in the vault and save it as a PDF "
                                      "(Ctrl+Enter)")
        self.export_button.setDefault(False)
        self.export_button.setAutoDefault(False)
        self.keep_button.setAutoDefault(False)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.export_button)
        outer.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.export)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_DELAY_MS)
        self._timer.timeout.connect(self._render)

        self.template_box.currentIndexChanged.connect(self._on_template)
        for signal in (self.recipient_kind.currentIndexChanged, self.recipient_name.textChanged,
                       self.recipient_role.textChanged, self.recipient_address.textChanged,
                       self.whole_course.toggled, self.period_start.dateChanged,
                       self.period_end.dateChanged, self.deidentify.toggled,
                       self.notes_list.itemChanged):
            signal.connect(self.schedule_render)
        self.whole_course.toggled.connect(self._show_period)
        self.cancel_button.clicked.connect(self.reject)
        self.keep_button.clicked.connect(self.keep)
        self.export_button.clicked.connect(self.export)
        self._show_period(True)
        self._set_ready(False)
        self.resize(em(self, 72), em(self, 46))

        self._tasks.run(lambda: (service.templates(), service.quotable_notes(client_id)),
                        self._on_loaded, self._on_failed, context=self)

    # -- loading ----------------------------------------------------------------------------

    def _on_loaded(self, loaded: tuple[dict[str, LetterTemplate], list[QuotableNote]]) -> None:
        templates, notes = loaded
        self._templates = templates
        self.template_box.blockSignals(True)
        for template in sorted(templates.values(), key=lambda t: (not t.builtin, t.name)):
            self.template_box.addItem(template.name + ("" if template.builtin else " (yours)"),
                                      template.id)
        # The letter written most often first: the progress letter to the referrer.
        self.template_box.setCurrentIndex(max(self.template_box.findData(DEFAULT_TEMPLATE), 0))
        self.template_box.blockSignals(False)
        self.notes_list.blockSignals(True)
        for note in notes:
            item = QListWidgetItem(f"Session {note.session_number}, "
                                   f"{note.day:%d %b %Y} — {note.preview}")
            item.setData(Qt.ItemDataRole.UserRole, note.note_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.notes_list.addItem(item)
        if not notes:
            self.notes_list.addItem(QListWidgetItem("No signed progress notes yet."))
            self.notes_list.setEnabled(False)
        self.notes_list.blockSignals(False)
        self._on_template()

    def choose_template(self, template_id: str) -> None:
        """Switch to a template by id (the Letters tab's menu, tests)."""
        index = self.template_box.findData(template_id)
        if index >= 0:
            self.template_box.setCurrentIndex(index)

    def _template(self) -> LetterTemplate | None:
        return self._templates.get(self.template_box.currentData())

    def _on_template(self) -> None:
        template = self._template()
        if template is None:
            return
        self.description.setText(template.description)
        for widget in (self.recipient_kind, self.deidentify):
            widget.blockSignals(True)
        self.recipient_kind.setCurrentIndex(
            max(self.recipient_kind.findData(template.default_recipient), 0))
        self.deidentify.setChecked(template.deidentified)
        for widget in (self.recipient_kind, self.deidentify):
            widget.blockSignals(False)
        kept = {key: edit.toPlainText() for key, edit in self._paragraphs.items()}
        while self.paragraph_layout.count():
            item = self.paragraph_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._paragraphs = {}
        for section in template.sections:
            if not section.prompt:
                continue
            title = section.title or section.key.replace("_", " ").capitalize()
            label = QLabel(f"<b>{_escape(title)}</b> — {_escape(section.prompt)}")
            label.setWordWrap(True)
            edit = QPlainTextEdit()
            edit.setAccessibleName(f"Your paragraph: {title}")
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(em(self, 5.5))
            edit.setPlainText(kept.get(section.key, ""))
            edit.textChanged.connect(self.schedule_render)
            label.setBuddy(edit)
            self.paragraph_layout.addWidget(label)
            self.paragraph_layout.addWidget(edit)
            self._paragraphs[section.key] = edit
        self.schedule_render()

    def _on_failed(self, error: BaseException) -> None:
        self.preview_status.setText("")
        self.error.show_message(describe(error))

    def _show_period(self, whole: bool) -> None:
        self.period_start.setEnabled(not whole)
        self.period_end.setEnabled(not whole)

    # -- the request and the preview ----------------------------------------------------------

    def paragraph_edit(self, key: str) -> QPlainTextEdit | None:
        """The editor of the section `key` (None when the template has no prompt there)."""
        return self._paragraphs.get(key)

    def request(self, *, with_password: bool = False) -> LetterRequest:
        """The letter as the form describes it now (InvalidInput when the form can't be used)."""
        template = self._template()
        if template is None:
            raise InvalidInput("Choose a template first.")
        recipient: Recipient | None = None
        kind = RecipientKind(self.recipient_kind.currentData())
        name = self.recipient_name.text().strip()
        role = self.recipient_role.text().strip()
        address = self.recipient_address.toPlainText().strip()
        if name or role or address or kind != template.default_recipient:
            recipient = Recipient(name=name, role=role, address=address, kind=kind)
        start = end = None
        if not self.whole_course.isChecked():
            start = self.period_start.date().toPython()
            end = self.period_end.date().toPython()
            if start > end:
                raise InvalidInput("The period starts after it ends.")
        quoted = tuple(
            int(self.notes_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.notes_list.count())
            if self.notes_list.item(row).checkState() == Qt.CheckState.Checked)
        return LetterRequest(
            client_id=self._client_id, template_id=template.id, recipient=recipient,
            period_start=start, period_end=end,
            paragraphs={key: edit.toPlainText() for key, edit in self._paragraphs.items()
                        if edit.toPlainText().strip()},
            quoted_note_ids=quoted, deidentified=self.deidentify.isChecked(),
            password=self.password.password() if with_password else None)

    def schedule_render(self, *_args: Any) -> None:
        """Redraw the preview once typing pauses."""
        self._set_ready(False)
        self._timer.start()

    def _render(self) -> None:
        try:
            request = self.request()
        except InvalidInput as exc:
            self.preview_status.setText(str(exc))
            return
        self._generation += 1
        generation = self._generation
        self.preview_status.setText("Updating the preview…")
        self._tasks.run(lambda: self._service.render(request),
                        lambda preview: self._on_rendered(generation, preview),
                        lambda error: self._on_render_failed(generation, error), context=self)

    def _on_rendered(self, generation: int, preview: Preview) -> None:
        if generation != self._generation:
            return
        self._last = preview
        self.error.clear_message()
        self.preview.show_pdf(preview.pdf)
        size_kb = len(preview.pdf) / 1024
        self.preview_status.setText(
            f"Preview of the letter as it will be sent — {size_kb:.0f} KB"
            + (", de-identified" if preview.content.deidentified else ""))
        if preview.findings:
            self.findings.show_message(
                "Not ready to send: the de-identified letter still contains "
                + "; ".join(preview.findings[:6]) + ". Remove it from your paragraphs or quoted "
                "notes, or turn de-identification off.")
        else:
            self.findings.clear_message()
        self._set_ready(not preview.findings)

    def _on_render_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._last = None
        self.preview_status.setText("No preview.")
        self.preview.show_message("The letter could not be prepared.")
        self.error.show_message(describe(error))

    def _set_ready(self, ready: bool) -> None:
        ready = ready and not self._sending
        self.export_button.setEnabled(ready)
        self.keep_button.setEnabled(ready)

    @property
    def is_ready(self) -> bool:
        """A clean, current preview is on screen: the letter can be sent."""
        return self.export_button.isEnabled()

    # -- sending ----------------------------------------------------------------------------

    def keep(self) -> None:
        """Keep the letter in the vault without writing a file."""
        self._send(None)

    def export(self) -> None:
        """Keep the letter and save it as a PDF where the person chooses."""
        if not self.is_ready or self._last is None:
            return
        try:
            self.request(with_password=True)
        except InvalidInput as exc:
            self.error.show_message(str(exc))
            return
        path = self._choose_path(self, "Export the letter", self._export_folder(),
                                 self._last.file_name)
        if path is None:
            return
        self._send(path)

    def _send(self, path: Path | None) -> None:
        if not self.is_ready:
            return
        try:
            request = self.request(with_password=path is not None)
        except InvalidInput as exc:
            self.error.show_message(str(exc))
            return
        self._sending = True
        self._set_ready(False)
        self.preview_status.setText("Keeping the letter in the vault…")
        self._tasks.run(lambda: self._service.send(request, to=path),
                        lambda record: self._on_sent(record, path), self._on_send_failed,
                        context=self)

    def _on_sent(self, record: LetterRecord, path: Path | None) -> None:
        self._sending = False
        self.password.wipe()
        if path is not None and self._remember_folder is not None:
            self._remember_folder(path.parent)
        self.sent.emit(record)
        self.accept()

    def _on_send_failed(self, error: BaseException) -> None:
        self._sending = False
        self.preview_status.setText("")
        self.error.show_message(describe(error))
        self._set_ready(self._last is not None and not self._last.findings)

    def done(self, result: int) -> None:  # noqa: D102 - Qt override
        self._timer.stop()
        self._generation += 1
        self.password.wipe()
        self.preview.clear()
        self._tasks.shutdown(wait=False)
        super().done(result)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
