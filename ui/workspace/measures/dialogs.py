"""The Measures tab's dialogs: Enter from paper, Void, Discussed with client, the client screen."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.errors import InvalidInput
from app.measures import Alert, MeasureDefinition, fmt, item_tenths, paper_total_tenths
from app.ratings import Administration
from app.workspace import SessionRow
from ui.client_mode import ScreenChoice
from ui.widgets.common import muted
from ui.widgets.style import em
from ui.workspace.dialogs import FormDialog
from ui.workspace.measures.model import ALERT_WORDS


@dataclass(frozen=True)
class PaperScores:
    """What the paper-entry dialog hands over (tenths)."""

    measure: str
    session_id: int | None
    mode: str  # paper_items | paper_total
    items: tuple[int, ...]
    total: int | None


class PaperEntryDialog(FormDialog):
    """A rating the client filled in on paper: four item scores, or the total alone."""

    def __init__(self, forms: list[MeasureDefinition], sessions: list[SessionRow],
                 session_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__("Enter ratings from paper",
                         "Scores to one decimal (0.0–10.0 per line: the distance from the left "
                         "end in cm). Recorded as entered by you from paper.",
                         "&Record", parent, width_chars=70)
        self.forms = forms
        self.measure_combo = QComboBox()
        for definition in forms:
            self.measure_combo.addItem(f"{definition.short_name} — {definition.name}",
                                       definition.id)
        self.add_row("&Measure:", self.measure_combo)
        self.session_combo = QComboBox()
        for row in sessions:
            self.session_combo.addItem(f"Session {row.number} — {row.date.isoformat()}", row.id)
        self.session_combo.addItem("No session", None)
        if session_id is not None:
            found = self.session_combo.findData(session_id)
            self.session_combo.setCurrentIndex(max(found, 0))
        self.add_row("&Session:", self.session_combo)
        self.total_only = QCheckBox("&Total only")
        self.total_only.setToolTip("The paper form has the total but not the four items")
        self.add_row("", self.total_only)
        self.item_edits: list[QLineEdit] = []
        self.item_labels: list[QLabel] = []
        for index in range(4):
            edit = QLineEdit()
            edit.setPlaceholderText("e.g. 6.4")
            edit.setMaximumWidth(em(self, 12))
            caption = QLabel(f"Item {index + 1}:")
            caption.setBuddy(edit)
            self.form.addRow(caption, edit)
            self.item_edits.append(edit)
            self.item_labels.append(caption)
        self.total_edit = QLineEdit()
        self.total_edit.setPlaceholderText("e.g. 24.6")
        self.total_edit.setMaximumWidth(em(self, 12))
        self.total_edit.setAccessibleName("Total")
        self.total_label = QLabel("T&otal:")
        self.total_label.setBuddy(self.total_edit)
        self.form.addRow(self.total_label, self.total_edit)
        self.measure_combo.currentIndexChanged.connect(self._update)
        self.total_only.toggled.connect(self._update)
        self._update()
        body = self.scroll.widget()
        body.adjustSize()
        self.scroll.setMinimumHeight(min(body.sizeHint().height() + em(self, 1), em(self, 36)))
        self.fit_to_contents()
        self.resize(self.width(), self.height() + em(self, 4))  # room for the error line

    @property
    def definition(self) -> MeasureDefinition:
        """The chosen measure."""
        return self.forms[max(self.measure_combo.currentIndex(), 0)]

    def _update(self) -> None:
        definition = self.definition
        total_only = self.total_only.isChecked()
        for index, (edit, caption) in enumerate(zip(self.item_edits, self.item_labels,
                                                    strict=True)):
            item = definition.items[index] if index < len(definition.items) else None
            shown = item is not None and not total_only
            edit.setVisible(shown)
            caption.setVisible(shown)
            if item is not None:
                caption.setText(f"&{index + 1} {item.label}:")
                edit.setAccessibleName(item.label)
        self.total_edit.setVisible(total_only)
        self.total_label.setVisible(total_only)
        self.total_edit.setPlaceholderText(f"0.0–{fmt(definition.max_total_tenths)}")

    def value(self) -> PaperScores:
        """The checked scores (InvalidInput with the store's own wording otherwise)."""
        definition = self.definition
        session_id = self.session_combo.currentData()
        if self.total_only.isChecked():
            text = self.total_edit.text().strip()
            if not text:
                raise InvalidInput("Enter the total from the paper form.")
            total = paper_total_tenths(text, definition)
            return PaperScores(definition.id, session_id, "paper_total", (), total)
        items = []
        for item, edit in zip(definition.items, self.item_edits, strict=False):
            text = edit.text().strip()
            if not text:
                raise InvalidInput(f"{item.label}: enter the score from the paper form "
                                   "(or tick Total only).")
            items.append(item_tenths(text, definition, item.label))
        return PaperScores(definition.id, session_id, "paper_items", tuple(items), None)


class VoidDialog(FormDialog):
    """Void a rating: it stays in the record, marked void, and never counts again."""

    def __init__(self, administration: Administration, name: str,
                 parent: QWidget | None = None) -> None:
        when = administration.administered_at.astimezone().strftime("%Y-%m-%d")
        super().__init__("Void this rating?",
                         f"{name} {fmt(administration.total)} of {when}. It stays in the record, "
                         "marked void, and no longer counts in the chart, change or alerts. "
                         "The reason is kept and audited.", "&Void", parent,
                         width_chars=64, destructive=True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. the client marked the wrong form")
        self.add_row("&Reason:", self.reason)
        self.fit_to_contents()

    def value(self) -> str:
        """The reason (required)."""
        reason = self.reason.text().strip()
        if not reason:
            raise InvalidInput("Give a reason for voiding the rating.")
        return reason


class DiscussedDialog(FormDialog):
    """Mark an alert as discussed with the client; the response goes into the session's note."""

    def __init__(self, alerts: tuple[Alert, ...], parent: QWidget | None = None) -> None:
        super().__init__("Discussed with client",
                         "What the client said when you talked about this feedback. It is "
                         "written into the session's note (an addendum if the note is signed).",
                         "&Save", parent, width_chars=70)
        self.alerts = alerts
        self.alert_combo = QComboBox()
        for alert in alerts:
            self.alert_combo.addItem(ALERT_WORDS.get(alert.kind, alert.kind.value),
                                     alert.kind.value)
        self.add_row("&Alert:", self.alert_combo)
        self.message = muted("")
        self.message.setWordWrap(True)
        self.add_row("", self.message)
        self.response = QPlainTextEdit()
        self.response.setTabChangesFocus(True)
        self.response.setMinimumHeight(em(self, 7))
        self.add_row("&Response:", self.response)
        self.alert_combo.currentIndexChanged.connect(self._show_message)
        self._show_message()
        self.fit_to_contents()

    def _show_message(self) -> None:
        alert = self.alert
        self.message.setText(alert.message if alert else "")

    @property
    def alert(self) -> Alert | None:
        """The alert chosen."""
        index = self.alert_combo.currentIndex()
        return self.alerts[index] if 0 <= index < len(self.alerts) else None

    def value(self) -> tuple[Alert, str]:
        """The alert and the response (required)."""
        text = self.response.toPlainText().strip()
        alert = self.alert
        if alert is None:
            raise InvalidInput("There is no alert to mark as discussed.")
        if not text:
            raise InvalidInput("Write a short response: what the client said.")
        return alert, text


class ScreenDialog(FormDialog):
    """Which screen the client's rating form opens on (remembered on this computer)."""

    def __init__(self, title: str, screens: list[ScreenChoice], chosen: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, "The form opens full screen there. Hand the screen to the "
                         "client; only your PIN or passphrase ends client mode.",
                         "&Start", parent, width_chars=60)
        self.combo = QComboBox()
        for screen in screens:
            self.combo.addItem(screen.label, screen.name)
        found = self.combo.findData(chosen) if chosen else -1
        self.combo.setCurrentIndex(max(found, 0))
        self.add_row("Client's &screen:", self.combo)
        self.fit_to_contents()

    def value(self) -> str:
        """The chosen screen's name."""
        return str(self.combo.currentData() or "")
