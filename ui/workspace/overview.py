"""The client's overview: next session, risk, goals, latest note, referral, contact, episodes.

Each card fills in as its answer arrives from the vault, so the first paint never waits for the
slowest read.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.clients import Client, RiskLevel, RiskRecord
from app.sessions import Attendance
from app.workspace import SessionRow
from storage.practice import Episode, Goal
from ui.widgets.common import link_button
from ui.widgets.style import em, scaled_font
from ui.workspace.format import day_text, risk_icon, risk_word
from ui.workspace.timeline import is_deleted, note_words


class Card(QFrame):
    """A titled box of facts."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        pad = em(self, 1.6)
        layout.setContentsMargins(pad, em(self, 1.1), pad, em(self, 1.2))
        layout.setSpacing(em(self, 0.5))
        self.title = QLabel(title)
        self.title.setObjectName("CardTitle")
        self.title.setFont(scaled_font(1.0, bold=True))
        layout.addWidget(self.title)
        self.body = QVBoxLayout()
        self.body.setSpacing(em(self, 0.35))
        layout.addLayout(self.body)
        layout.addStretch(1)

    def clear(self) -> None:
        """Remove every line."""
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget()
            if widget is not None:
                if isinstance(widget, QLabel):
                    widget.clear()
                widget.hide()
                widget.deleteLater()
            elif item.layout() is not None:
                layout = item.layout()
                while layout.count():
                    inner = layout.takeAt(0).widget()
                    if inner is not None:
                        if isinstance(inner, QLabel):
                            inner.clear()
                        inner.hide()
                        inner.deleteLater()

    def line(self, text: str, *, muted: bool = False, bold: bool = False,
             name: str = "") -> QLabel:
        """Add a wrapped line of text."""
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if muted:
            label.setObjectName("Muted")
        if bold:
            label.setFont(scaled_font(1.0, bold=True))
        if name:
            label.setAccessibleName(name)
        self.body.addWidget(label)
        return label

    def fact(self, caption: str, value: str) -> None:
        """A caption and its value on one line (nothing when the value is empty)."""
        if not value:
            return
        label = self.line(f"{caption}: {value}")
        label.setAccessibleName(caption)


class OverviewTab(QScrollArea):
    """Cards about one client."""

    note_requested = Signal(int)
    """The person asked to open the note of this session id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OverviewScroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Overview")
        body = QWidget()
        body.setObjectName("OverviewBody")
        self.grid = QGridLayout(body)
        gap = em(self, 1.2)
        self.grid.setContentsMargins(0, em(self, 1), em(self, 0.6), em(self, 1))
        self.grid.setHorizontalSpacing(gap)
        self.grid.setVerticalSpacing(gap)
        self.setWidget(body)
        self.next_card = Card("Next session")
        self.risk_card = Card("Risk")
        self.goals_card = Card("Goals")
        self.note_card = Card("Latest note")
        self.referral_card = Card("Referral")
        self.contact_card = Card("Contact")
        self.episodes_card = Card("Episodes of care")
        self.cards = [self.next_card, self.risk_card, self.goals_card, self.note_card,
                      self.referral_card, self.contact_card, self.episodes_card]
        self._columns = 0
        self._latest_session: int | None = None
        self._place(2)
        self.clear()

    def _place(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards:
            self.grid.removeWidget(card)
        for i, card in enumerate(self.cards):
            self.grid.addWidget(card, i // columns, i % columns)
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.grid.setRowStretch(len(self.cards), 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._place(2 if self.viewport().width() >= em(self, 84) else 1)

    def clear(self) -> None:
        """Show nothing about anyone."""
        for card in self.cards:
            card.clear()
        self._latest_session = None

    def show_loading(self) -> None:
        """Placeholders while the first answers are on their way."""
        for card in self.cards:
            card.clear()
            card.line("…", muted=True)

    # -- each card --------------------------------------------------------------------------

    def show_sessions(self, sessions: list[SessionRow], on: date) -> None:
        """Next session (the earliest future one), last session, latest note."""
        self.next_card.clear()
        upcoming = [s for s in sessions if s.date > on]
        past = [s for s in sessions if s.date <= on]
        if upcoming:
            nxt = min(upcoming, key=lambda s: (s.date, s.start_time))
            when = " · ".join(x for x in (day_text(nxt.date), nxt.start_time,
                                          f"{nxt.duration_min} min", nxt.modality.label) if x)
            self.next_card.line(when, bold=True, name="Next session")
        else:
            self.next_card.line("None booked.", muted=True, name="Next session")
        attended = [s for s in past if s.attendance is Attendance.ATTENDED]
        if past:
            last = past[0]
            days = (on - last.date).days
            ago = "today" if days == 0 else ("yesterday" if days == 1 else f"{days} days ago")
            self.next_card.fact("Last session", f"{day_text(last.date)} ({ago})")
        self.next_card.fact("Sessions attended", str(len(attended)) if past else "")
        self.note_card.clear()
        self._latest_session = None
        with_note = [s for s in sessions if s.note_status is not None and not is_deleted(s)]
        if not with_note:
            self.note_card.line("No notes yet.", muted=True, name="Latest note")
            return
        latest = with_note[0]
        self._latest_session = latest.id
        self.note_card.line(f"{day_text(latest.date)} · {note_words(latest, on)}",
                            bold=True, name="Latest note")
        self.note_card.line(latest.note_preview, name="Excerpt")
        button = link_button("Open the note", "Open the latest note")
        button.clicked.connect(lambda: self.note_requested.emit(latest.id))
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        self.note_card.body.addLayout(row)

    def show_risk(self, record: RiskRecord | None) -> None:
        """Level (word and shape), areas, plan, when reviewed."""
        card = self.risk_card
        card.clear()
        if record is None:
            card.line("No risk review recorded.", muted=True, name="Risk level")
            return
        row = QHBoxLayout()
        row.setSpacing(em(self, 0.6))
        size = round(self.fontMetrics().height() * 1.1)
        if record.level is not RiskLevel.NONE:
            shape = QLabel()
            shape.setPixmap(risk_icon(record.level, size).pixmap(size, size))
            shape.setAccessibleName(f"{risk_word(record.level)} risk")
            row.addWidget(shape)
        level = QLabel(risk_word(record.level) if record.level is RiskLevel.NONE
                       else f"{risk_word(record.level)} risk")
        level.setFont(scaled_font(1.0, bold=True))
        level.setAccessibleName("Risk level")
        row.addWidget(level)
        row.addStretch(1)
        card.body.addLayout(row)
        if record.areas:
            card.fact("Areas", ", ".join(f"{a.area} ({risk_word(a.level).lower()})"
                                         for a in record.areas))
        card.fact("Plan", record.plan)
        if record.reviewed_on:
            card.fact("Reviewed", day_text(record.reviewed_on))

    def show_goals(self, goals: list[Goal]) -> None:
        """The goals in the therapist's order."""
        self.goals_card.clear()
        if not goals:
            self.goals_card.line("No goals recorded yet.", muted=True, name="Goals")
            return
        for number, goal in enumerate(goals, start=1):
            done = f" (achieved {goal.achieved_on.isoformat()})" if goal.achieved_on else ""
            self.goals_card.line(f"{number}. {goal.text}{done}", name=f"Goal {number}")

    def show_client(self, client: Client) -> None:
        """Referral and contact details."""
        referral = client.details.referral
        self.referral_card.clear()
        if not any((referral.source, referral.referrer_name, referral.referrer_role,
                    referral.referrer_address)):
            self.referral_card.line("No referral recorded.", muted=True, name="Referral")
        self.referral_card.fact("Source", referral.source)
        who = ", ".join(x for x in (referral.referrer_name, referral.referrer_role) if x)
        self.referral_card.fact("Referrer", who)
        if referral.referrer_address:
            self.referral_card.line(referral.referrer_address, muted=True,
                                    name="Referrer's address")
        contact = client.details.contact
        self.contact_card.clear()
        if not any((contact.phone, contact.email, contact.address)):
            self.contact_card.line("No contact details.", muted=True, name="Contact")
        self.contact_card.fact("Phone", contact.phone)
        self.contact_card.fact("Email", contact.email)
        if contact.address:
            self.contact_card.line(contact.address, muted=True, name="Address")

    def show_episodes(self, episodes: list[Episode]) -> None:
        """Each episode of care, newest first, with its ending."""
        self.episodes_card.clear()
        if not episodes:
            self.episodes_card.line("None.", muted=True)
        for episode in reversed(episodes):
            end = episode.ended_on.isoformat() if episode.ended_on else "ongoing"
            line = f"{episode.started_on.isoformat()} – {end}"
            self.episodes_card.line(line, bold=episode.ended_on is None, name="Episode")
            if episode.end_reason:
                self.episodes_card.line(episode.end_reason, muted=True, name="Reason for ending")
