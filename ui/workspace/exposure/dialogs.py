"""The exposure dialogs: a new ladder, editing a ladder, a step, splitting one, logging a trial.

Like the workspace's other dialogs they only collect and check what was typed (inline messages,
nothing saved) and emit `submitted`; the Exposure tab runs the store call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.errors import InvalidInput
from app.exposure import (
    ProgressionRule,
    RuleKind,
    StarterLadder,
    StepDraft,
    TrialRecord,
    check_suds,
    validate_rule,
    validate_step,
    validate_trial,
)
from storage.exposure import Step
from ui.widgets.style import em
from ui.workspace.dialogs import FormDialog, parse_day

STARTER_NOTE = ("The starter ladders are examples to adapt with your client — not clinical "
                "advice. Change every step so it fits this person.")
DEFAULT_RULE = ProgressionRule()


def _line(name: str, text: str = "", placeholder: str = "", chars: int = 0) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if chars:
        edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0") * chars + 24)
    return edit


def _whole(text: str, label: str, low: int, high: int, *, optional: bool = True) -> int | None:
    text = text.strip()
    if not text:
        if optional:
            return None
        raise InvalidInput(f"{label} is needed ({low}–{high}).")
    if not text.isdigit():
        raise InvalidInput(f"{label} must be a whole number from {low} to {high}.")
    value = int(text)
    if not low <= value <= high:
        raise InvalidInput(f"{label} must be between {low} and {high} (it was {value}).")
    return value


@dataclass(frozen=True)
class NewLadder:
    """What the new-ladder dialog gives back."""

    target_fear: str
    goal: str
    rule: ProgressionRule
    steps: list[StepDraft]


class RuleFields:
    """The progression rule's choice and thresholds (defaults shown beside each)."""

    def __init__(self, dialog: FormDialog, rule: ProgressionRule = DEFAULT_RULE) -> None:
        d = DEFAULT_RULE
        self.habituation = QRadioButton("&Habituation")
        self.habituation.setAccessibleName("Habituation rule")
        self.inhibitory = QRadioButton("&Inhibitory learning")
        self.inhibitory.setAccessibleName("Inhibitory learning rule")
        choice = QWidget()
        row = QHBoxLayout(choice)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.habituation)
        row.addWidget(self.inhibitory)
        row.addStretch(1)
        (self.inhibitory if rule.kind is RuleKind.INHIBITORY else self.habituation).setChecked(
            True)
        dialog.add_row("Progression rule:", choice)
        self.drop = _line("SUDS drop, percent", str(rule.drop_percent), chars=5)
        self.start = _line("Starting SUDS at most",
                           "" if rule.start_suds_max is None else str(rule.start_suds_max),
                           "not used", chars=8)
        self.expectancy = _line("Expectancy drop, points", str(rule.expectancy_drop), chars=5)
        self.no_safety = QCheckBox("No safety behaviours used")
        self.no_safety.setChecked(rule.require_no_safety)
        self.consecutive = _line("Consecutive trials", str(rule.consecutive), chars=5)
        start_default = "empty: not used" if d.start_suds_max is None else str(d.start_suds_max)
        self.habituation_rows = [
            self._row(dialog, "SUDS drop peak→after (%):", self.drop,
                      f"default {d.drop_percent}"),
            self._row(dialog, "Starting SUDS at most:", self.start,
                      f"default {start_default}; empty: not used")]
        self.inhibitory_rows = [
            self._row(dialog, "Expectancy falls by (points):", self.expectancy,
                      f"default {d.expectancy_drop}"),
            self._row(dialog, "Safety behaviours:", self.no_safety,
                      "default: on")]
        self._row(dialog, "Over consecutive trials:", self.consecutive,
                  f"default {d.consecutive}")
        self.summary = QLabel()
        self.summary.setObjectName("Muted")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Rule in words")
        dialog.form.addRow(self.summary)
        for widget in (self.habituation, self.inhibitory, self.no_safety):
            widget.toggled.connect(self._refresh)
        for edit in (self.drop, self.start, self.expectancy, self.consecutive):
            edit.textChanged.connect(self._refresh)
        self._refresh()

    @staticmethod
    def _row(dialog: FormDialog, label: str, field: QWidget, hint: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field)
        note = QLabel(f"({hint})")
        note.setObjectName("Muted")
        row.addWidget(note)
        row.addStretch(1)
        dialog.add_row(label, box)
        field.setAccessibleDescription(hint)
        return box

    def _refresh(self) -> None:
        inhibitory = self.inhibitory.isChecked()
        for box in self.habituation_rows:
            box.setEnabled(not inhibitory)
        for box in self.inhibitory_rows:
            box.setEnabled(inhibitory)
        try:
            self.summary.setText(self.value().name)
        except InvalidInput as exc:
            self.summary.setText(exc.message)

    def value(self) -> ProgressionRule:
        """The rule typed, checked."""
        kind = RuleKind.INHIBITORY if self.inhibitory.isChecked() else RuleKind.HABITUATION
        drop = _whole(self.drop.text(), "The SUDS drop", 1, 100, optional=False)
        start = _whole(self.start.text(), "The starting SUDS threshold", 0, 100)
        expectancy = _whole(self.expectancy.text(), "The expectancy drop", 1, 100,
                            optional=False)
        consecutive = _whole(self.consecutive.text(), "Consecutive trials", 1, 10,
                             optional=False)
        assert drop is not None and expectancy is not None and consecutive is not None
        return validate_rule(ProgressionRule(kind, drop, start, expectancy,
                                             self.no_safety.isChecked(), consecutive))


class NewLadderDialog(FormDialog):
    """A new ladder: blank or copied from a starter, with its progression rule."""

    def __init__(self, starters: dict[str, StarterLadder], parent: QWidget | None = None) -> None:
        super().__init__("New fear ladder", "One ladder per target fear. Start blank or from an "
                         "example, then adapt every step with your client.", "&Create ladder",
                         parent)
        self.starters = starters
        self.start_from = QComboBox()
        self.start_from.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.start_from.setMinimumContentsLength(24)
        self.start_from.addItem("Blank ladder", "")
        for key, starter in starters.items():
            self.start_from.addItem(f"Example: {starter.target_fear} ({len(starter.steps)} "
                                    "steps)", key)
        self.add_row("&Start from:", self.start_from)
        self.note = QLabel(STARTER_NOTE)
        self.note.setObjectName("Warning")
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Examples, not clinical advice")
        self.form.addRow(self.note)
        self.fear = _line("Target fear", placeholder="e.g. Driving on busy roads")
        self.add_row("&Target fear:", self.fear)
        self.goal = _line("Goal", placeholder="What the client wants to be able to do")
        self.add_row("&Goal:", self.goal)
        self.add_section("When is a step ready to move on?")
        self.rule = RuleFields(self)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._filled: tuple[str, str] = ("", "")
        self.start_from.currentIndexChanged.connect(self._on_start)
        self.fit_to_contents()

    def _on_start(self) -> None:
        starter = self.starters.get(self.start_from.currentData() or "")
        fear, goal = (starter.target_fear, starter.goal) if starter else ("", "")
        if self.fear.text() in ("", self._filled[0]):
            self.fear.setText(fear)
        if self.goal.text() in ("", self._filled[1]):
            self.goal.setText(goal)
        self._filled = (fear, goal)

    def value(self) -> NewLadder:  # noqa: D102
        if not self.fear.text().strip():
            raise InvalidInput("Name the target fear (for example “Driving on busy roads”).")
        starter = self.starters.get(self.start_from.currentData() or "")
        steps = list(starter.steps) if starter else []
        return NewLadder(self.fear.text().strip(), self.goal.text().strip(), self.rule.value(),
                         steps)


@dataclass(frozen=True)
class LadderChange:
    """What the edit-ladder dialog gives back."""

    target_fear: str
    goal: str
    rule: ProgressionRule


class EditLadderDialog(FormDialog):
    """Change a ladder's target fear, goal and progression rule (with its thresholds)."""

    def __init__(self, target_fear: str, goal: str, rule: ProgressionRule,
                 parent: QWidget | None = None) -> None:
        super().__init__("Edit ladder", "Readiness is worked out again under the rule you "
                         "choose; steps and trials stay as they are.", "&Save ladder", parent)
        self.fear = _line("Target fear", target_fear, "e.g. Driving on busy roads")
        self.add_row("&Target fear:", self.fear)
        self.goal = _line("Goal", goal, "What the client wants to be able to do")
        self.add_row("&Goal:", self.goal)
        self.add_section("When is a step ready to move on?")
        self.rule = RuleFields(self, rule)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fit_to_contents()
        self.fear.setCursorPosition(0)
        self.goal.setCursorPosition(0)
        self.fear.setFocus()

    def value(self) -> LadderChange:  # noqa: D102
        if not self.fear.text().strip():
            raise InvalidInput("Name the target fear (for example “Driving on busy roads”).")
        return LadderChange(self.fear.text().strip(), self.goal.text().strip(),
                            self.rule.value())


class StepDialog(FormDialog):
    """Add or edit a step."""

    def __init__(self, step: Step | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Edit step" if step else "Add step",
                         "A concrete situation and how much distress the client expects "
                         "(SUDS 0–100).", "&Save step" if step else "&Add step", parent,
                         width_chars=70)
        self.situation = _line("Situation", step.situation if step else "",
                               "e.g. Drive round the supermarket car park")
        self.add_row("S&ituation:", self.situation)
        self.suds = _line("Anticipated SUDS", str(step.suds) if step else "", "0–100", chars=6)
        self.add_row("Anticipated &SUDS:", self.suds)
        self.safety = QPlainTextEdit("\n".join(step.safety_behaviours) if step else "")
        self.safety.setAccessibleName("Safety behaviours, one a line")
        self.safety.setTabChangesFocus(True)
        self.safety.setFixedHeight(self.safety.fontMetrics().lineSpacing() * 3 + 16)
        self.add_row("Safety &behaviours\n(one a line):", self.safety)
        self.notes = QPlainTextEdit(step.notes if step else "")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 3 + 16)
        self.add_row("&Notes:", self.notes)
        self.fit_to_contents()

    def value(self) -> StepDraft:  # noqa: D102
        suds = check_suds(self.suds.text(), "Anticipated SUDS", optional=False)
        assert suds is not None
        return validate_step(StepDraft(
            self.situation.text(), suds, self.notes.toPlainText(),
            tuple(line.strip() for line in self.safety.toPlainText().splitlines()
                  if line.strip())))


class SplitStepDialog(FormDialog):
    """Replace a step that is too big with two smaller ones."""

    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__("Split step", f"“{step.situation}” (SUDS {step.suds}) becomes two "
                         "steps. Its trials stay with the first.", "S&plit", parent,
                         width_chars=70)
        self.step = step
        self.first = _line("First situation", step.situation)
        self.first_suds = _line("First anticipated SUDS", str(max(0, step.suds - 10)),
                                chars=6)
        self.second = _line("Second situation", step.situation)
        self.second_suds = _line("Second anticipated SUDS", str(step.suds), chars=6)
        self.add_row("&First step:", self.first)
        self.add_row("Its SUDS:", self.first_suds)
        self.add_row("S&econd step:", self.second)
        self.add_row("Its SUDS:", self.second_suds)
        self.fit_to_contents()

    def value(self) -> tuple[StepDraft, StepDraft]:  # noqa: D102
        a = check_suds(self.first_suds.text(), "The first step's SUDS", optional=False)
        b = check_suds(self.second_suds.text(), "The second step's SUDS", optional=False)
        assert a is not None and b is not None
        return (validate_step(StepDraft(self.first.text(), a, self.step.notes,
                                        self.step.safety_behaviours)),
                validate_step(StepDraft(self.second.text(), b, self.step.notes,
                                        self.step.safety_behaviours)))


class SafetyChecklist(QWidget):
    """The step's safety behaviours to tick, and a line for others (comma-separated)."""

    def __init__(self, name: str, known: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em(self, 0.3))
        self.list = QListWidget()
        self.list.setAccessibleName(name)
        for text in known:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        rows = max(1, min(len(known), 4))
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 8 if known else 0)
        self.list.setVisible(bool(known))
        layout.addWidget(self.list)
        self.other = _line(f"{name}: others", placeholder="Others, separated by commas")
        layout.addWidget(self.other)
        self.setFocusProxy(self.list if known else self.other)

    def check(self, text: str, checked: bool = True) -> None:
        """Tick (or untick) a known behaviour."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.text() == text:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def values(self) -> tuple[str, ...]:
        """Ticked ones, then the others typed."""
        ticked = [self.list.item(r).text() for r in range(self.list.count())
                  if self.list.item(r).checkState() == Qt.CheckState.Checked]
        others = [t.strip() for t in self.other.text().split(",") if t.strip()]
        return tuple(dict.fromkeys(ticked + others))


OUTCOMES = (("Not recorded", None), ("No — it did not happen", False),
            ("Yes — it happened", True))


def readings_text(readings: tuple[tuple[int, int], ...] | list[tuple[int, int]],
                  interval: int | None = None) -> str:
    """Timed readings in words: "0′ 60 · 5′ 80 · 10′ 50 (every 5 minutes)"."""
    if not readings:
        return "No readings."
    every = f" (every {interval} minutes)" if interval else ""
    return " · ".join(f"{minute}′ {suds}" for minute, suds in readings) + every


class TrialDialog(FormDialog):
    """Log one exposure trial, in session or from a homework sheet; Enter saves.

    Made for the keyboard: it opens on the date (homework, today, by default; typing replaces
    it), Tab goes down the form in the order of a homework sheet and ends on Cancel and Save,
    and Enter saves from any field.
    From an in-session timed exposure (`prefill`) the setting, times, SUDS and the readings
    are filled in and the keyboard starts at the feared outcome.
    """

    def __init__(self, step: Step, previous: TrialRecord | None = None,
                 parent: QWidget | None = None, *, prefill: TrialRecord | None = None,
                 interval: int | None = None) -> None:
        intro = f"Step {step.position + 1}: {step.situation}"
        if prefill is not None:
            intro += (" — in session, timed: the SUDS come from the client's readings. Add the "
                      "feared outcome, the expectancies and what the client learned.")
        super().__init__("Log trial", intro, "&Save trial", parent, width_chars=84)
        self.step = step
        self.readings: tuple[tuple[int, int], ...] = prefill.suds_readings if prefill else ()
        self.interval = interval
        self.day = _line("Date", placeholder="YYYY-MM-DD")
        self.day.setAccessibleDescription("Year-month-day; today unless you type another")
        self.day.setToolTip("Year-month-day, e.g. 2026-03-12")
        self.at = _line("Time", placeholder="HH:MM")
        self.at.setAccessibleDescription("24-hour time; empty for midday")
        self.at.setToolTip("24-hour time, e.g. 18:30; empty for midday")
        for edit, sample in ((self.day, "0000-00-00"), (self.at, "00:00")):
            edit.setFixedWidth(edit.fontMetrics().horizontalAdvance(sample) + em(edit, 4))
        when = QWidget()
        when_row = QHBoxLayout(when)
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.day)
        when_row.addWidget(self.at)
        hint = QLabel("24-hour time")
        hint.setObjectName("Muted")
        when_row.addWidget(hint)
        when_row.addStretch(1)
        self.add_row("&When:", when)
        self.set_when(prefill.started_at if prefill is not None else datetime.now().astimezone())
        self.setting = QComboBox()
        self.setting.addItem("Homework", "homework")
        self.setting.addItem("In session", "session")
        self.add_row("Se&tting:", self.setting)
        place = prefill.place if prefill and prefill.place else (previous.place if previous
                                                                 else "")
        self.place = _line("Place", place)
        self.add_row("&Place:", self.place)
        company = QWidget()
        row = QHBoxLayout(company)
        row.setContentsMargins(0, 0, 0, 0)
        self.accompanied = QCheckBox("&Accompanied")
        self.therapist = QCheckBox("Therap&ist present")
        row.addWidget(self.accompanied)
        row.addWidget(self.therapist)
        row.addStretch(1)
        self.add_row("Company:", company)
        planned = prefill.planned_minutes if prefill else (
            previous.planned_minutes if previous else None)
        self.planned = _line("Planned minutes", "" if planned is None else str(planned),
                             chars=6)
        self.actual = _line("Actual minutes", chars=6)
        self.add_row("Planned minutes:", self.planned)
        self.add_row("Act&ual minutes:", self.actual)
        self.add_section("SUDS (0–100)")
        self.before = _line("SUDS before", chars=6)
        self.peak = _line("Peak SUDS", chars=6)
        self.after = _line("SUDS after", chars=6)
        suds = QWidget()
        suds_row = QHBoxLayout(suds)
        suds_row.setContentsMargins(0, 0, 0, 0)
        for text, edit in (("&Before", self.before), ("Pea&k", self.peak),
                           ("Afte&r", self.after)):
            label = QLabel(text)
            label.setBuddy(edit)
            suds_row.addWidget(label)
            suds_row.addWidget(edit)
        suds_row.addStretch(1)
        self.add_row("SUDS:", suds)
        self.drop_label = QLabel()
        self.drop_label.setObjectName("Muted")
        self.drop_label.setAccessibleName("SUDS drop")
        self.form.addRow("", self.drop_label)
        self.readings_label = QLabel(readings_text(self.readings, interval))
        self.readings_label.setWordWrap(True)
        self.readings_label.setSizePolicy(QSizePolicy.Policy.Expanding,
                                          QSizePolicy.Policy.Preferred)  # the whole row
        self.readings_label.setAccessibleName("SUDS readings")
        self.readings_label.setAccessibleDescription(self.readings_label.text())
        self.readings_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.readings:
            self.form.addRow("Readings:", self.readings_label)
        else:
            self.readings_label.hide()
        self.add_section("Expectancy")
        self.feared = _line("Feared outcome", previous.feared_outcome if previous else "",
                            "What the client feared would happen")
        self.add_row("&Feared outcome:", self.feared)
        self.exp_before = _line("Expectancy before, percent", chars=6)
        self.exp_after = _line("Expectancy after, percent", chars=6)
        expectancy = QWidget()
        exp_row = QHBoxLayout(expectancy)
        exp_row.setContentsMargins(0, 0, 0, 0)
        for text, edit in (("Bef&ore %", self.exp_before), ("After %", self.exp_after)):
            label = QLabel(text)
            label.setBuddy(edit)
            exp_row.addWidget(label)
            exp_row.addWidget(edit)
        exp_row.addStretch(1)
        self.add_row("Expectancy:", expectancy)
        self.violation = QLabel()
        self.violation.setAccessibleName("Expectancy violation")
        self.violation.setWordWrap(True)
        self.form.addRow("", self.violation)
        self.occurred = QComboBox()
        for text, value in OUTCOMES:
            self.occurred.addItem(text, value)
        self.add_row("Feared outcome &happened?", self.occurred)
        self.add_section("Safety behaviours and response prevention")
        self.planned_drop = SafetyChecklist("Safety behaviours planned to drop",
                                            step.safety_behaviours)
        self.add_row("Planned to &drop:", self.planned_drop)
        self.used = SafetyChecklist("Safety behaviours used", step.safety_behaviours)
        self.add_row("U&sed:", self.used)
        self.prevention = _line("Urges and response prevention",
                                placeholder="Urges, and whether the response was held back")
        self.add_row("Respo&nse prevention:", self.prevention)
        self.learned = _line("What I learned", placeholder="In the client's words")
        self.add_row("What I &learned:", self.learned)
        for edit in (self.before, self.peak, self.after, self.exp_before, self.exp_after):
            edit.textChanged.connect(self._refresh)
        if prefill is not None:
            self._fill(prefill)
        self._tab_order()
        self._refresh()
        self.fit_to_contents()
        first = self.feared if prefill is not None else self.day
        first.setFocus()
        first.selectAll()  # typing replaces what is there

    def set_when(self, moment: datetime) -> None:
        """Show `moment` (any timezone) as the local date and time."""
        local = moment.astimezone()
        self.day.setText(local.date().isoformat())
        self.at.setText(f"{local:%H:%M}")

    def when(self) -> datetime:
        """The date and time typed, in UTC (InvalidInput says how to write them)."""
        day = parse_day(self.day.text(), "The date")
        assert day is not None
        text = self.at.text().strip()
        if not text:
            hour, minute = 12, 0
        else:
            match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
            if match is None or int(match[1]) > 23 or int(match[2]) > 59:
                raise InvalidInput("The time must look like 18:30 (24-hour), or be empty for "
                                   "midday.")
            hour, minute = int(match[1]), int(match[2])
        return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)

    def _fill(self, record: TrialRecord) -> None:
        """An in-session timed exposure: what the timer knows."""
        self.setting.setCurrentIndex(self.setting.findData(record.setting))
        self.accompanied.setChecked(record.accompanied)
        self.therapist.setChecked(record.therapist_present)
        for edit, value in ((self.planned, record.planned_minutes),
                            (self.actual, record.actual_minutes),
                            (self.before, record.suds_before), (self.peak, record.suds_peak),
                            (self.after, record.suds_after)):
            edit.setText("" if value is None else str(value))
        if record.feared_outcome:
            self.feared.setText(record.feared_outcome)

    def _tab_order(self) -> None:
        """Tab goes down the form as it reads, then Cancel and Save (never into the scroll)."""
        chain: list[QWidget] = [
            self.day, self.at, self.setting, self.place, self.accompanied, self.therapist,
            self.planned, self.actual, self.before, self.peak, self.after, self.feared,
            self.exp_before, self.exp_after, self.occurred, self.planned_drop.list,
            self.planned_drop.other, self.used.list, self.used.other, self.prevention,
            self.learned, self.cancel_button, self.accept_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _refresh(self) -> None:
        def number(edit: QLineEdit) -> int | None:
            text = edit.text().strip()
            return int(text) if text.isdigit() and int(text) <= 100 else None

        before, after = number(self.exp_before), number(self.exp_after)
        if before is None or after is None:
            self.violation.setText("Expectancy violation: type both expectancies.")
        else:
            fell = before - after
            words = (f"fell {fell} points" if fell > 0 else
                     f"rose {-fell} points" if fell < 0 else "did not change")
            self.violation.setText(f"Expectancy violation: {fell} (before − after): the "
                                   f"expectancy {words}.")
        self.violation.setAccessibleDescription(self.violation.text())
        peak, end = number(self.peak), number(self.after)
        if peak and end is not None and end <= peak:
            self.drop_label.setText(f"SUDS fell {round(100 * (peak - end) / peak)}% from peak "
                                    "to after.")
        else:
            self.drop_label.setText("")

    def value(self) -> TrialRecord:  # noqa: D102
        return validate_trial(TrialRecord(
            started_at=self.when(),
            setting=self.setting.currentData(),
            suds_readings=self.readings,
            place=self.place.text(),
            accompanied=self.accompanied.isChecked(),
            therapist_present=self.therapist.isChecked(),
            planned_minutes=_whole(self.planned.text(), "Planned minutes", 0, 1440),
            actual_minutes=_whole(self.actual.text(), "Actual minutes", 0, 1440),
            suds_before=check_suds(self.before.text(), "SUDS before"),
            suds_peak=check_suds(self.peak.text(), "Peak SUDS"),
            suds_after=check_suds(self.after.text(), "SUDS after"),
            feared_outcome=self.feared.text(),
            expectancy_before=check_suds(self.exp_before.text(), "Expectancy before"),
            expectancy_after=check_suds(self.exp_after.text(), "Expectancy after"),
            outcome_occurred=self.occurred.currentData(),
            safety_planned_to_drop=self.planned_drop.values(),
            safety_used=self.used.values(),
            response_prevention=self.prevention.text(),
            learned=self.learned.text()))


