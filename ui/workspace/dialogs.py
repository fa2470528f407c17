"""The workspace's dialogs: client details, a session, closing, destroying, risk, amendments.

Each dialog only collects and checks what was typed and emits `submitted` with a value object;
the page runs the store call and closes the dialog when it succeeded, or shows the store's own
sentence in the dialog when it did not (nothing typed is lost). The window tracks every dialog
and closes it on lock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.clients import (
    AGE_BANDS,
    Client,
    ClientDetails,
    ContactDetails,
    Referral,
    RiskArea,
    RiskLevel,
    RiskRecord,
)
from app.errors import InvalidInput
from app.notes import AmendmentKind
from app.sessions import Attendance, Modality, SessionDetails
from app.workspace import SessionRow
from ui.widgets.common import MessageLabel, heading, muted
from ui.widgets.style import em
from ui.workspace.format import RISK_WORDS, today

END_REASONS = (
    "Goals met; planned ending",
    "Client chose to stop",
    "Referred on to another service",
    "Client stopped attending",
    "Client moved away",
)


def parse_day(text: str, what: str, *, required: bool = True) -> date | None:
    """A typed YYYY-MM-DD date, or InvalidInput saying how to write it."""
    text = text.strip()
    if not text:
        if required:
            raise InvalidInput(f"{what} is needed (for example {today().isoformat()}).")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} must look like {today().isoformat()} "
                           "(year-month-day).") from None


def _text_box(name: str, lines: int = 3, parent: QWidget | None = None) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 16)
    return box


def _line(name: str, placeholder: str = "", text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


class FormDialog(QDialog):
    """A titled form with an inline error line, Cancel and one main button."""

    submitted = Signal(object)
    """The form was filled in and checked: its value."""

    def __init__(self, title: str, intro: str, accept_text: str, parent: QWidget | None = None,
                 *, width_chars: int = 84, destructive: bool = False) -> None:
        super().__init__(parent)
        from ui.workspace.style import WORKSPACE_STYLE

        self.setStyleSheet(WORKSPACE_STYLE)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(em(self, min(width_chars, 70)))
        self.resize(em(self, width_chars), self.sizeHint().height())
        outer = QVBoxLayout(self)
        pad = em(self, 2.2)
        outer.setContentsMargins(pad, pad, pad, pad)
        outer.setSpacing(em(self, 1))
        outer.addWidget(heading(title, 1.3))
        if intro:
            outer.addWidget(muted(intro))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setObjectName("DialogScroll")
        body = QWidget()
        body.setObjectName("DialogBody")
        self.form = QFormLayout(body)
        self.form.setContentsMargins(0, 0, em(self, 1), 0)
        self.form.setHorizontalSpacing(em(self, 1.5))
        self.form.setVerticalSpacing(em(self, 0.7))
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        self.error = MessageLabel("Error")
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.accept_button = QPushButton(accept_text)
        self.accept_button.setObjectName("Danger" if destructive else "Primary")
        self.accept_button.setAccessibleName(accept_text.replace("&", "").rstrip("…"))
        self.accept_button.setDefault(not destructive)
        self.accept_button.setAutoDefault(True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.accept_button)
        outer.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.accept_button.clicked.connect(self._on_accept)

    def add_row(self, label: str, field: QWidget) -> None:
        """A labelled field; the label's mnemonic focuses the field and names it."""
        caption = QLabel(label)
        caption.setBuddy(field)
        if not field.accessibleName():
            field.setAccessibleName(label.replace("&", "").rstrip(":"))
        self.form.addRow(caption, field)

    def add_section(self, title: str) -> None:
        """A small heading between groups of fields."""
        label = QLabel(title)
        label.setObjectName("FormSection")
        self.form.addRow(label)

    def fit_to_contents(self) -> None:
        """Open as tall as the form needs, within the screen (it scrolls beyond that)."""
        body = self.scroll.widget()
        wanted = self.sizeHint().height() + body.sizeHint().height() - \
            self.scroll.sizeHint().height()
        screen = self.screen().availableGeometry().height() if self.screen() else 900
        self.resize(self.width(), min(max(wanted + em(self, 2), self.height()),
                                      round(screen * 0.85)))

    def value(self) -> Any:
        """The checked value (InvalidInput names the first problem)."""
        raise NotImplementedError

    def done(self, result: int) -> None:  # noqa: D102 - Qt override
        super().done(result)
        parent = self.parentWidget()
        if parent is not None:  # give the keyboard back to the window (some systems do not)
            QTimer.singleShot(0, parent.window(), parent.window().activateWindow)

    def _on_accept(self) -> None:
        try:
            value = self.value()
        except InvalidInput as exc:
            self.show_error(exc.message)
            return
        self.error.clear_message()
        self.submitted.emit(value)

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while the store works."""
        self.accept_button.setEnabled(not busy)

    def show_error(self, message: str) -> None:
        """Say what is wrong; everything typed stays."""
        self.set_busy(False)
        self.error.show_message(message)

    def wipe(self) -> None:
        """Forget what was typed (locking)."""
        for edit in self.findChildren(QLineEdit):
            edit.clear()
        for box in self.findChildren(QPlainTextEdit):
            box.clear()


class ClientDialog(FormDialog):
    """New client or Edit client: who they are, how to reach them, who referred them, goals."""

    def __init__(self, parent: QWidget | None = None, *, client: Client | None = None,
                 goals: list[str] | None = None) -> None:
        editing = client is not None
        super().__init__("Edit client" if editing else "New client",
                         "Only the name is needed now; everything else can be added later."
                         if not editing else "",
                         "Save changes" if editing else "Create client", parent)
        details = client.details if client else ClientDetails("")
        self.name_edit = _line("Name", "Full legal name", details.name)
        self.preferred_edit = _line("Preferred name", "What they like to be called",
                                    details.preferred_name)
        self.pseudonym_edit = _line("Pseudonym", "Made up for you when left empty",
                                    details.pseudonym)
        self.birth_edit = _line("Date of birth", "YYYY-MM-DD",
                                details.date_of_birth.isoformat()
                                if details.date_of_birth else "")
        self.age_band_combo = QComboBox()
        self.age_band_combo.setAccessibleName("Age band")
        for band in AGE_BANDS:
            self.age_band_combo.addItem(band or "—", band)
        self.age_band_combo.setCurrentIndex(max(0, AGE_BANDS.index(details.age_band)
                                                if details.age_band in AGE_BANDS else 0))
        self.phone_edit = _line("Phone", "", details.contact.phone)
        self.email_edit = _line("Email", "", details.contact.email)
        self.address_box = _text_box("Address", 2)
        self.address_box.setPlainText(details.contact.address)
        self.source_edit = _line("Referral source", "GP, self, school…", details.referral.source)
        self.referrer_edit = _line("Referrer's name", "", details.referral.referrer_name)
        self.role_edit = _line("Referrer's role", "", details.referral.referrer_role)
        self.referrer_address_box = _text_box("Referrer's address", 2)
        self.referrer_address_box.setPlainText(details.referral.referrer_address)
        self.goals_box = _text_box("Goals", 3)
        self.goals_box.setPlaceholderText("One goal per line")
        self.goals_box.setPlainText("\n".join(goals or []))

        self.add_row("&Name", self.name_edit)
        self.add_row("&Preferred name", self.preferred_edit)
        self.add_row("Pse&udonym", self.pseudonym_edit)
        self.add_row("&Date of birth", self.birth_edit)
        self.add_row("or age &band", self.age_band_combo)
        self.add_section("Contact")
        self.add_row("P&hone", self.phone_edit)
        self.add_row("&Email", self.email_edit)
        self.add_row("&Address", self.address_box)
        self.add_section("Referral")
        self.add_row("&Source", self.source_edit)
        self.add_row("&Referrer", self.referrer_edit)
        self.add_row("R&ole", self.role_edit)
        self.add_row("Referrer's addre&ss", self.referrer_address_box)
        self.add_section("Treatment goals" if editing else "First goals")
        self.add_row("&Goals", self.goals_box)
        self.fit_to_contents()

    def value(self) -> tuple[ClientDetails, list[str]]:
        """The details and goals as typed (the store checks the rest)."""
        if not self.name_edit.text().strip():
            self.name_edit.setFocus()
            raise InvalidInput("The client's name is needed.")
        birth = parse_day(self.birth_edit.text(), "The date of birth", required=False)
        band = str(self.age_band_combo.currentData() or "")
        if birth is not None:
            band = ""
        details = ClientDetails(
            self.name_edit.text(), self.preferred_edit.text(), self.pseudonym_edit.text(),
            birth, band,
            ContactDetails(self.phone_edit.text(), self.email_edit.text(),
                           self.address_box.toPlainText()),
            Referral(self.source_edit.text(), self.referrer_edit.text(), self.role_edit.text(),
                     self.referrer_address_box.toPlainText()))
        goals = [line.strip() for line in self.goals_box.toPlainText().splitlines()
                 if line.strip()]
        return details, goals


class SessionDialog(FormDialog):
    """New session (Ctrl+N) or Edit session: date, time, length, attendance, modality."""

    def __init__(self, parent: QWidget | None = None, *, session: SessionRow | None = None,
                 like: SessionRow | None = None) -> None:
        editing = session is not None
        super().__init__("Edit session" if editing else "New session", "",
                         "Save" if editing else "Create and write the note", parent,
                         width_chars=70)
        base = session or like
        self.date_edit = _line("Session date", "YYYY-MM-DD",
                               (session.date if session else today()).isoformat())
        self.time_edit = _line("Start time", "09:30", base.start_time if base else "")
        self.duration_spin = QSpinBox()
        self.duration_spin.setRange(0, 600)
        self.duration_spin.setSuffix(" min")
        self.duration_spin.setValue(base.duration_min if base else 50)
        self.duration_spin.setAccessibleName("Duration in minutes")
        self.attendance_combo = QComboBox()
        self.attendance_combo.setAccessibleName("Attendance")
        for attendance in Attendance:
            self.attendance_combo.addItem(attendance.label, attendance)
        if session is not None:
            self.attendance_combo.setCurrentIndex(list(Attendance).index(session.attendance))
        self.modality_combo = QComboBox()
        self.modality_combo.setAccessibleName("Modality")
        for modality in Modality:
            self.modality_combo.addItem(modality.label, modality)
        if base is not None:
            self.modality_combo.setCurrentIndex(list(Modality).index(base.modality))
        self.add_row("&Date", self.date_edit)
        self.add_row("Start &time", self.time_edit)
        self.add_row("D&uration", self.duration_spin)
        self.add_row("&Attendance", self.attendance_combo)
        self.add_row("&Modality", self.modality_combo)
        self.fit_to_contents()

    def value(self) -> SessionDetails:
        """The session as typed."""
        day = parse_day(self.date_edit.text(), "The session date")
        assert day is not None
        return SessionDetails(day, self.time_edit.text().strip(), self.duration_spin.value(),
                              Attendance(self.attendance_combo.currentData()),
                              Modality(self.modality_combo.currentData()))


class CloseClientDialog(FormDialog):
    """Close a client: the episode of care ends, with its reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Close client",
                         "The episode of care ends. The record stays searchable and can be "
                         "reopened with a new episode at any time.", "Close client", parent,
                         width_chars=76)
        self.reason_combo = QComboBox()
        self.reason_combo.setEditable(True)
        self.reason_combo.addItems(["", *END_REASONS])
        self.reason_combo.setAccessibleName("Reason for ending")
        line = self.reason_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("Why the episode ends")
            line.setAccessibleName("Reason for ending")
        self.ended_edit = _line("Ended on", "YYYY-MM-DD", today().isoformat())
        self.add_row("&Reason for ending", self.reason_combo)
        self.add_row("&Ended on", self.ended_edit)
        self.fit_to_contents()

    def value(self) -> tuple[str, date]:
        """(reason, ended on)."""
        reason = self.reason_combo.currentText().strip()
        if not reason:
            raise InvalidInput("Say why the episode ends (it goes into the record).")
        ended = parse_day(self.ended_edit.text(), "The end date")
        assert ended is not None
        return reason, ended


class DestroyClientDialog(FormDialog):
    """The second confirmation: type the client's name to destroy their record."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__("Destroy record",
                         "Everything about this client is erased for good: details, sessions, "
                         "notes, process notes, measures, letters. Only a stub remains (the "
                         "pseudonym and when), and the destruction is written to the audit "
                         "trail. Records are usually kept for 7 years or more after the last "
                         "contact. This cannot be undone.",
                         "Destroy record", parent, width_chars=80, destructive=True)
        self._name = name
        self.name_edit = _line("Type the client's full name to confirm",
                               "The client's full name")
        self.add_row("&Type the name", self.name_edit)
        self.accept_button.setEnabled(False)
        self.name_edit.textChanged.connect(
            lambda text: self.accept_button.setEnabled(text.strip() == self._name.strip()))
        self.fit_to_contents()

    def value(self) -> bool:
        """True when the name matches."""
        if self.name_edit.text().strip() != self._name.strip():
            raise InvalidInput("The name typed does not match the record.")
        return True

    def set_busy(self, busy: bool) -> None:
        """Disable the button while the store works."""
        self.accept_button.setEnabled(not busy and
                                      self.name_edit.text().strip() == self._name.strip())


class AmendmentDialog(FormDialog):
    """An addendum (new information) or a correction to a signed note; signed when added."""

    def __init__(self, kind: AmendmentKind, parent: QWidget | None = None) -> None:
        super().__init__("Add to a signed note",
                         "An addendum adds new information; a correction fixes something in "
                         "the note. Either is dated and signed when you add it, and the "
                         "original note stays visible above it.", "Sign and add", parent)
        self.kinds = QButtonGroup(self)
        row = QHBoxLayout()
        self.addendum_radio = QRadioButton("&Addendum")
        self.correction_radio = QRadioButton("&Correction")
        for radio in (self.addendum_radio, self.correction_radio):
            self.kinds.addButton(radio)
            row.addWidget(radio)
        row.addStretch(1)
        (self.correction_radio if kind is AmendmentKind.CORRECTION
         else self.addendum_radio).setChecked(True)
        kind_label = QLabel("Kind")
        self.form.addRow(kind_label, row)
        self.body_box = _text_box("Text of the addendum or correction", 8)
        self.add_row("&Text", self.body_box)
        self.fit_to_contents()

    @property
    def kind(self) -> AmendmentKind:
        """Addendum or correction, as chosen."""
        return AmendmentKind.CORRECTION if self.correction_radio.isChecked() \
            else AmendmentKind.ADDENDUM

    def value(self) -> str:
        """The text."""
        text = self.body_box.toPlainText()
        if not text.strip():
            raise InvalidInput(f"Write the {self.kind.value} first.")
        return text


class DeleteNoteDialog(FormDialog):
    """Deleting a signed note: a reason is required and a stub stays visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Delete a signed note",
                         "The note's text is erased. A stub stays in its place with when it "
                         "was deleted and why, and the deletion is in the audit trail.",
                         "Delete and leave a stub", parent, width_chars=76, destructive=True)
        self.reason_edit = _line("Reason for deleting", "For example: written in the wrong "
                                                        "client's record")
        self.add_row("&Reason", self.reason_edit)
        self.fit_to_contents()

    def value(self) -> str:
        """The reason."""
        reason = self.reason_edit.text().strip()
        if not reason:
            raise InvalidInput("A reason is required to delete a signed note.")
        return reason


class RiskDialog(FormDialog):
    """A risk review: overall level, areas with their levels, plan, date reviewed."""

    MAX_AREAS = 6

    def __init__(self, parent: QWidget | None = None, *,
                 current: RiskRecord | None = None) -> None:
        super().__init__("Review risk", "Each review is kept; the overview shows the latest.",
                         "Save review", parent)
        self.level_combo = QComboBox()
        self.level_combo.setAccessibleName("Overall risk level")
        for level in RiskLevel:
            self.level_combo.addItem(RISK_WORDS[level], level)
        if current is not None:
            self.level_combo.setCurrentIndex(list(RiskLevel).index(current.level))
        self.add_row("Overall &level", self.level_combo)
        self.area_rows: list[tuple[QLineEdit, QComboBox]] = []
        areas = list(current.areas) if current else []
        for i in range(self.MAX_AREAS):
            area = areas[i] if i < len(areas) else None
            edit = _line(f"Area {i + 1}", "Self-harm, harm to others, neglect…",
                         area.area if area else "")
            combo = QComboBox()
            combo.setAccessibleName(f"Level of area {i + 1}")
            for level in (RiskLevel.LOW, RiskLevel.MODERATE, RiskLevel.HIGH):
                combo.addItem(RISK_WORDS[level], level)
            if area is not None and area.level is not RiskLevel.NONE:
                combo.setCurrentIndex(combo.findData(area.level))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(combo)
            label = QLabel(f"Area &{i + 1}" if i < 9 else f"Area {i + 1}")
            label.setBuddy(edit)
            self.form.addRow(label, row)
            self.area_rows.append((edit, combo))
        self.plan_box = _text_box("Plan", 4)
        self.plan_box.setPlainText(current.plan if current else "")
        self.add_row("&Plan", self.plan_box)
        self.reviewed_edit = _line("Reviewed on", "YYYY-MM-DD", today().isoformat())
        self.add_row("&Reviewed on", self.reviewed_edit)
        self.fit_to_contents()

    def value(self) -> RiskRecord:
        """The review as typed."""
        areas = tuple(RiskArea(edit.text().strip(), RiskLevel(combo.currentData()))
                      for edit, combo in self.area_rows if edit.text().strip())
        reviewed = parse_day(self.reviewed_edit.text(), "The review date")
        return RiskRecord(RiskLevel(self.level_combo.currentData()), areas,
                          self.plan_box.toPlainText(), reviewed)
