"""Letters: templates as data, what a letter is asked for, and what it says — before any PDF.

A letter is composed in three steps, each testable on its own:

1. `LetterTemplate` — a template from resources/letters/*.json or the practitioner's own (kept in
   the vault): a title, a default recipient, a subject, and sections of text with merge fields
   (app/merge_fields.py, parsed strictly when the template is loaded or saved) and optional
   *automatic blocks* (attendance table, outcome chart with the change category in words,
   exposure progress, goals, quoted progress notes).
2. `LetterFacts` — everything the vault knows that a letter may use, gathered by storage in one
   read transaction. Psychotherapy (process) notes have no place in it at all: there is no field
   that could carry them, so no request can draw them into a letter.
3. `compose(facts, template, request)` — pure: merges, builds tables and chart data, and returns a
   `LetterContent` that reports/letter.py renders without any further decisions.

De-identification (measures.md §3, HIPAA Safe Harbor) happens here, in `compose`, and is checked
again on the finished PDF (reports/readback.py) before any file is written. Decisions:
- the client's names become the pseudonym everywhere, including the therapist's own paragraphs,
  quoted notes, goals, ladders and what the client learned (app/deidentify.py);
- dates become month and year (the period, the letter's date) or session numbers (attendance,
  quotes, learning); the date of birth becomes the year, an age over 89 becomes "90+";
- no contact details or ID numbers of the client; the referrer is omitted (their name and
  address are treated as identifiers, so the final check also catches them if typed by hand);
- the practice's letterhead, logo and signature image stay: they identify the practice, not the
  client, and a supervisor is entitled to know whose case summary it is. They are never derived
  from client data, so they cannot carry a client's name; the final check reads every text in
  the PDF, and the only raster images in a letter are these two.
- the therapist's paragraphs are plain text: braces in them are just braces, not merge fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.clients import Client, Referral, age_on
from app.deidentify import Identifiers, deidentify
from app.errors import InvalidInput
from app.exposure import ProgressionRule, StepStatus
from app.measures import ChangeCategory, MeasureDefinition, fmt
from app.merge_fields import parse
from app.practice_profile import PracticeProfile
from app.ratings import Administration, RatingsSummary, summarise
from app.sessions import Attendance, Modality
from app.text import clean_text

TEMPLATE_FORMAT = "tandem-letter-template"
MAX_SECTIONS = 30
MAX_SECTION_CHARS = 5000
MAX_PARAGRAPH_CHARS = 20_000
MIN_PASSWORD_CHARS = 8
MAX_LEARNED_QUOTES = 8
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


# -- templates -------------------------------------------------------------------------------


class RecipientKind(StrEnum):
    """Who a letter goes to by default."""

    REFERRER = "referrer"
    SUPERVISOR = "supervisor"
    OTHER = "other"

    @property
    def label(self) -> str:
        """How the choice reads in the app."""
        return {"referrer": "The referrer", "supervisor": "Clinical supervisor",
                "other": "Someone else"}[self.value]


class BlockKind(StrEnum):
    """Content a section adds automatically from the record."""

    NONE = ""
    ATTENDANCE = "attendance"
    OUTCOME = "outcome"
    EXPOSURE = "exposure"
    GOALS = "goals"
    NOTES = "notes"


@dataclass(frozen=True)
class LetterSection:
    """One section: a heading, text with merge fields, an automatic block, a prompt."""

    key: str
    title: str
    text: str = ""
    block: BlockKind = BlockKind.NONE
    prompt: str = ""  # shown in the editor above the therapist's own paragraph


@dataclass(frozen=True)
class LetterTemplate:
    """A letter layout (built in, or the practitioner's own)."""

    id: str
    name: str
    description: str
    default_recipient: RecipientKind
    deidentified: bool
    subject: str
    salutation: str
    closing: str
    sections: tuple[LetterSection, ...]
    builtin: bool = True

    @classmethod
    def from_json(cls, raw: Any, *, builtin: bool = True) -> LetterTemplate:
        """Parse and validate a template; InvalidInput names the section and field at fault."""
        if not isinstance(raw, dict) or raw.get("format") != TEMPLATE_FORMAT:
            raise InvalidInput("Not a Tandem letter template (its \"format\" must be "
                               f"\"{TEMPLATE_FORMAT}\").")
        if raw.get("version", 1) != 1:
            raise InvalidInput(f"Letter template format version {raw.get('version')!r} is not "
                               "supported.")
        template_id = clean_text(str(raw.get("id", "")), "The template id", required=True)
        if not _ID.match(template_id):
            raise InvalidInput("A template id uses lower-case letters, digits, - and _ "
                               f"(it was {template_id!r}).")
        name = clean_text(str(raw.get("name", "")), "The template name", required=True)
        where = f"the template “{name}”"
        try:
            recipient = RecipientKind(str(raw.get("default_recipient", "referrer")))
        except ValueError:
            raise InvalidInput(f"The default recipient of {where} must be referrer, supervisor "
                               "or other.") from None
        texts: dict[str, str] = {}
        for key, label in (("subject", "subject"), ("salutation", "salutation"),
                           ("closing", "closing")):
            value = clean_text(str(raw.get(key, "")), f"The {label} of {where}", max_chars=500)
            parse(value, f"the {label} of {where}")
            texts[key] = value
        sections_raw = raw.get("sections")
        if not isinstance(sections_raw, list) or not sections_raw:
            raise InvalidInput(f"{where[0].upper()}{where[1:]} needs at least one section.")
        if len(sections_raw) > MAX_SECTIONS:
            raise InvalidInput(f"{where[0].upper()}{where[1:]} has more than {MAX_SECTIONS} "
                               "sections.")
        sections = []
        for number, item in enumerate(sections_raw, start=1):
            if not isinstance(item, dict):
                raise InvalidInput(f"Section {number} of {where} must be an object with a key "
                                   "and a title.")
            key = clean_text(str(item.get("key", "")), f"The key of section {number} of {where}",
                             required=True)
            title = clean_text(str(item.get("title", "")),
                               f"The title of section {number} of {where}")
            label = f"the section “{title or key}” of {where}"
            text = clean_text(str(item.get("text", "")), f"The text of {label}",
                              max_chars=MAX_SECTION_CHARS, multiline=True)
            parse(title, f"the title of {label}")
            parse(text, label)
            try:
                block = BlockKind(str(item.get("block", "")))
            except ValueError:
                raise InvalidInput(
                    f"Unknown automatic block {item.get('block')!r} in {label}: use one of "
                    + ", ".join(b.value for b in BlockKind if b.value) + ".") from None
            prompt = clean_text(str(item.get("prompt", "")), f"The prompt of {label}",
                                max_chars=500)
            sections.append(LetterSection(key, title, text, block, prompt))
        keys = [s.key for s in sections]
        if len(set(keys)) != len(keys):
            raise InvalidInput(f"Two sections of {where} share a key.")
        return cls(template_id, name,
                   clean_text(str(raw.get("description", "")), f"The description of {where}",
                              max_chars=500),
                   recipient, bool(raw.get("deidentified", False)), texts["subject"],
                   texts["salutation"], texts["closing"], tuple(sections), builtin)

    def to_json(self) -> dict[str, Any]:
        """The template as stored and as the editor shows it."""
        return {"format": TEMPLATE_FORMAT, "version": 1, "id": self.id, "name": self.name,
                "description": self.description,
                "default_recipient": self.default_recipient.value,
                "deidentified": self.deidentified, "subject": self.subject,
                "salutation": self.salutation, "closing": self.closing,
                "sections": [{k: v for k, v in (("key", s.key), ("title", s.title),
                                                ("text", s.text), ("block", s.block.value),
                                                ("prompt", s.prompt)) if v or k == "key"}
                             for s in self.sections]}

    def section(self, key: str) -> LetterSection | None:
        """The section called `key`, if there is one."""
        return next((s for s in self.sections if s.key == key), None)


def parse_template_text(text: str, *, builtin: bool = False) -> LetterTemplate:
    """A template the user typed or pasted (JSON); InvalidInput says where it is malformed."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The template is not valid JSON: {exc.msg} at line {exc.lineno}, "
                           f"column {exc.colno}.") from None
    return LetterTemplate.from_json(raw, builtin=builtin)


def load_letter_templates(folder: Path) -> dict[str, LetterTemplate]:
    """The templates shipped in resources/letters, by id (a broken file is skipped)."""
    found: dict[str, LetterTemplate] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            template = LetterTemplate.from_json(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, InvalidInput):
            continue
        found[template.id] = template
    return found


# -- requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Who the letter is addressed to."""

    name: str = ""
    role: str = ""
    address: str = ""
    kind: RecipientKind = RecipientKind.OTHER

    @property
    def label(self) -> str:
        """One line for lists: "Dr Hale (General practitioner)"."""
        if self.name and self.role:
            return f"{self.name} ({self.role})"
        return self.name or self.role or self.kind.label


@dataclass(frozen=True)
class LetterRequest:
    """What the therapist chose for one letter.

    None means "the default": the template's recipient (the referrer from the client's record),
    the current episode's start, the letter's date (today), the template's de-identification.
    `paragraphs` are the therapist's own words, by section key. `quoted_note_ids` are progress
    notes (signed) to quote; psychotherapy notes can never be quoted.
    """

    client_id: int
    template_id: str
    recipient: Recipient | None = None
    period_start: date | None = None
    period_end: date | None = None
    paragraphs: Mapping[str, str] = field(default_factory=dict)
    quoted_note_ids: tuple[int, ...] = ()
    deidentified: bool | None = None
    password: str | None = field(default=None, repr=False)
    letter_date: date | None = None


def check_password(password: str) -> str:
    """The password if it can protect a PDF, else InvalidInput saying why."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"A PDF password needs at least {MIN_PASSWORD_CHARS} characters.")
    if password != password.strip():
        raise InvalidInput("A PDF password cannot start or end with a space.")
    return password


def validate_request(request: LetterRequest, template: LetterTemplate) -> LetterRequest:
    """The request checked against its template; InvalidInput names the problem."""
    if request.period_start and request.period_end and request.period_start > \
            request.period_end:
        raise InvalidInput("The period starts after it ends.")
    paragraphs: dict[str, str] = {}
    for key, text in request.paragraphs.items():
        section = template.section(key)
        if section is None:
            raise InvalidInput(f"The template “{template.name}” has no section {key!r}; "
                               "the paragraph would be lost.")
        paragraphs[key] = clean_text(text, f"Your paragraph in “{section.title or key}”",
                                     max_chars=MAX_PARAGRAPH_CHARS, multiline=True)
    if request.password is not None:
        check_password(request.password)
    recipient = request.recipient
    if recipient is not None:
        recipient = Recipient(clean_text(recipient.name, "The recipient's name"),
                              clean_text(recipient.role, "The recipient's role"),
                              clean_text(recipient.address, "The recipient's address",
                                         max_chars=1000, multiline=True).strip(),
                              recipient.kind)
    return LetterRequest(request.client_id, request.template_id, recipient,
                         request.period_start, request.period_end, paragraphs,
                         tuple(dict.fromkeys(request.quoted_note_ids)), request.deidentified,
                         request.password, request.letter_date)


# -- facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterImage:
    """A practice image (logo or signature)."""

    kind: str  # png | jpeg
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class SessionFact:
    """One scheduled session."""

    number: int  # within its episode; 0 when not attended
    day: date
    attendance: Attendance
    modality: Modality


@dataclass(frozen=True)
class GoalFact:
    """A treatment goal."""

    text: str
    achieved_on: date | None = None


@dataclass(frozen=True)
class QuotedNote:
    """A signed progress note the therapist chose to quote, with its amendments."""

    note_id: int
    session_number: int
    session_date: date
    text: str
    amendments: tuple[tuple[str, date, str], ...] = ()  # (addendum|correction, day, text)


@dataclass(frozen=True)
class StepFact:
    """A ladder step as a letter reports it."""

    situation: str
    suds: int
    status: StepStatus
    trials: int


@dataclass(frozen=True)
class LearnedFact:
    """What the client said they learned after one trial."""

    day: date
    session_number: int | None
    step: str
    text: str


@dataclass(frozen=True)
class LadderFact:
    """A fear ladder, its steps, trials and learning."""

    target_fear: str
    goal: str
    rule: ProgressionRule
    steps: tuple[StepFact, ...]
    learned: tuple[LearnedFact, ...]  # oldest first
    trial_days: tuple[date, ...] = ()
    archived: bool = False


@dataclass(frozen=True)
class LetterFacts:
    """Everything a letter may draw on, read from the vault in one transaction."""

    client: Client
    profile: PracticeProfile
    today: date
    logo: LetterImage | None = None
    signature: LetterImage | None = None
    episode_start: date | None = None
    episode_end: date | None = None
    end_reason: str = ""
    sessions: tuple[SessionFact, ...] = ()
    goals: tuple[GoalFact, ...] = ()
    administrations: tuple[Administration, ...] = ()
    definitions: Mapping[str, MeasureDefinition] = field(default_factory=dict)
    no_improvement_by: int = 4
    reliable_change_override: Mapping[str, int] = field(default_factory=dict)
    ladders: tuple[LadderFact, ...] = ()
    notes: tuple[QuotedNote, ...] = ()


# -- content ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSeries:
    """A line of points (x = session number, y = total)."""

    name: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class ChartData:
    """The trajectory chart, as plain values (the same reading as reports/trajectory.py)."""

    outcome: ChartSeries | None
    alliance: ChartSeries | None
    cutoff: float | None = None
    cutoff_label: str = ""
    band: tuple[float, float] | None = None
    band_label: str = ""
    alerts: tuple[tuple[float, float], ...] = ()
    y_max: float = 40.0
    x_label: str = "Session"
    y_label: str = "Total (0–40)"


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (body, quote or small print)."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class HeadingBlock:
    """A section heading."""

    text: str


@dataclass(frozen=True)
class BulletsBlock:
    """A bulleted list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class TableBlock:
    """A table; `widths` are relative weights of the columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    align_right: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChartBlock:
    """The outcome chart with its caption."""

    chart: ChartData
    caption: str


Block = TextBlock | HeadingBlock | BulletsBlock | TableBlock | ChartBlock


@dataclass(frozen=True)
class Letterhead:
    """The practice at the top of the first page."""

    practice_name: str
    practitioner: str
    credentials: str
    address_lines: tuple[str, ...]
    contact_line: str
    logo: LetterImage | None = None


@dataclass(frozen=True)
class LetterMetadata:
    """The PDF's document properties (never the client's name in a de-identified letter)."""

    title: str
    author: str
    subject: str
    keywords: str = ""


@dataclass(frozen=True)
class LetterContent:
    """A letter fully decided: reports/letter.py only lays it out."""

    client_id: int
    template_id: str
    template_name: str
    deidentified: bool
    letterhead: Letterhead
    date_line: str
    recipient_lines: tuple[str, ...]
    subject: str
    reference_lines: tuple[str, ...]
    salutation: str
    blocks: tuple[Block, ...]
    closing: str
    signature: LetterImage | None
    signer_name: str
    signer_credentials: str
    footer: str
    running_header: str
    running_header_right: str
    metadata: LetterMetadata
    file_name: str
    recipient_label: str
    identifiers: Identifiers


@dataclass(frozen=True)
class QuotableNote:
    """A signed progress note the therapist may choose to quote (what the chooser lists)."""

    note_id: int
    session_number: int
    day: date
    preview: str  # the first words, one line


@dataclass(frozen=True)
class LetterRecord:
    """A letter kept in the vault."""

    id: int
    client_id: int
    template: str
    recipient: str
    created_at: str
    deidentified: bool
    sha256: str
    size: int
    file_name: str = ""
    template_name: str = ""


# -- helpers ---------------------------------------------------------------------------------


def long_date(day: date) -> str:
    """"23 November 2026": unambiguous on both sides of the Atlantic."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def month_year(day: date) -> str:
    """"November 2026": a date reduced for de-identified documents."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


def has_referrer(referral: Referral) -> bool:
    """False for a self-referral: then there is nobody to write to by default."""
    if referral.source.strip().casefold().startswith("self"):
        return False
    return bool(referral.referrer_name.strip() or referral.referrer_role.strip())


def identifiers_for(facts: LetterFacts) -> Identifiers:
    """Everything that identifies this client in a letter, the referrer included."""
    details = facts.client.details
    referral = details.referral
    # A line the practice's own letterhead prints ("Demo Town" when client, referrer and
    # practice share a town) says where the practice is, not who the client is; counting it
    # would refuse every de-identified letter of a small-town practice.
    practice_lines = {line.strip().casefold()
                      for line in facts.profile.address.splitlines() if line.strip()}

    def own(lines: str) -> list[str]:
        return [line.strip() for line in lines.splitlines()
                if line.strip() and line.strip().casefold() not in practice_lines]

    others: list[str] = []
    if has_referrer(referral):
        others.append(referral.referrer_name)
        others += own(referral.referrer_address)
    return Identifiers.build(
        details.pseudonym, details.name, details.preferred_name,
        phones=[details.contact.phone], emails=[details.contact.email],
        address="\n".join(own(details.contact.address)),
        dates=[details.date_of_birth] if details.date_of_birth else [],
        others=[o for o in others if o.strip()])


def safe_file_name(text: str) -> str:
    """`text` usable as a file name on Windows, macOS and Linux."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .")
    return cleaned[:150] or "Letter"


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs of `text`, trimmed; single line breaks are kept."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _age_text(age: int | None, deidentified: bool) -> str:
    if age is None:
        return "not recorded"
    return "90+" if deidentified and age > 89 else str(age)


def chart_data(summary: RatingsSummary, outcome_name: str = "ORS",
               alliance_name: str = "SRS") -> ChartData:
    """The summary as chart values: the same conventions as reports/trajectory.py.

    x is the session number (the administration's order when it has no session); alerts are
    marked where they start or change, so "not improving by session 4" is one triangle.
    """
    def x(index: int, a: Administration) -> float:
        return float(a.session_number or index + 1)

    outcome = ChartSeries(outcome_name, tuple((x(i, a), a.total / 10)
                                              for i, a in enumerate(summary.outcome)))
    alliance = ChartSeries(alliance_name, tuple((x(i, a), a.total / 10)
                                                for i, a in enumerate(summary.alliance)))
    change = summary.change
    band = None
    band_label = ""
    if change.intake_tenths is not None and change.reliable_change_tenths is not None:
        low = (change.intake_tenths - change.reliable_change_tenths) / 10
        high = (change.intake_tenths + change.reliable_change_tenths) / 10
        band = (max(low, 0.0), min(high, 40.0))
        band_label = (f"Intake {fmt(change.intake_tenths)} ± "
                      f"{fmt(change.reliable_change_tenths)} (no reliable change)")
    cutoff = change.cutoff_tenths / 10 if change.cutoff_tenths is not None else None
    alerts_by_id = {point.administration_id: point for point in summary.alerts}
    marks: list[tuple[float, float]] = []
    previous: frozenset[str] = frozenset()
    for index, a in enumerate(summary.outcome):
        point = alerts_by_id.get(a.id)
        kinds = frozenset(al.kind.value for al in point.alerts) if point else frozenset()
        if kinds and kinds != previous:
            marks.append((x(index, a), a.total / 10))
        previous = kinds
    for index, a in enumerate(summary.alliance):
        if a.id in alerts_by_id:
            marks.append((x(index, a), a.total / 10))
    return ChartData(outcome if outcome.points else None,
                     alliance if alliance.points else None, cutoff,
                     f"Clinical cutoff {fmt(change.cutoff_tenths)}" if cutoff is not None else "",
                     band, band_label, tuple(marks))


# -- composing -------------------------------------------------------------------------------


class _Composer:
    """One letter being composed (internal: `compose` is the way in)."""

    def __init__(self, facts: LetterFacts, template: LetterTemplate,
                 request: LetterRequest) -> None:
        self.facts = facts
        self.template = template
        self.request = request
        self.deidentified = (template.deidentified if request.deidentified is None
                             else request.deidentified)
        self.ids = identifiers_for(facts)
        self.letter_date = request.letter_date or facts.today
        self.start = request.period_start or facts.episode_start or min(
            (s.day for s in facts.sessions), default=self.letter_date)
        ended = facts.episode_end if facts.episode_end and \
            facts.episode_end <= self.letter_date else None
        self.end = request.period_end or ended or self.letter_date
        self.sessions = tuple(sorted((s for s in facts.sessions
                                      if self.start <= s.day <= self.end),
                                     key=lambda s: (s.day, s.number)))
        self.recipient = self._recipient()
        self.summary = self._summary()
        self.outcome_definition = (facts.definitions.get(self.summary.outcome[-1].measure)
                                   if self.summary.outcome else None)
        self.alliance_definition = (facts.definitions.get(self.summary.alliance[-1].measure)
                                    if self.summary.alliance else None)

    # -- small pieces ---------------------------------------------------------------------

    def client_text(self, text: str) -> str:
        """Text about the client: de-identified when the letter is."""
        return deidentify(text, self.ids) if self.deidentified else text

    def day(self, day: date | None) -> str:
        """A date as this letter shows it."""
        if day is None:
            return "not recorded"
        return month_year(day) if self.deidentified else long_date(day)

    def when(self, day: date, session_number: int | None) -> str:
        """When something happened: the session number in a de-identified letter."""
        if self.deidentified:
            return f"session {session_number}" if session_number else month_year(day)
        if session_number:
            return f"session {session_number}, {long_date(day)}"
        return long_date(day)

    def _recipient(self) -> Recipient:
        kind = self.template.default_recipient
        referral = self.facts.client.details.referral
        recipient = self.request.recipient
        if recipient is None:
            if kind is RecipientKind.REFERRER and not has_referrer(referral):
                recipient = Recipient("", "", "", kind)
            elif kind is RecipientKind.REFERRER:
                recipient = Recipient(referral.referrer_name, referral.referrer_role,
                                      referral.referrer_address, kind)
            elif kind is RecipientKind.SUPERVISOR:
                recipient = Recipient("", "Clinical supervisor", "", kind)
            else:
                recipient = Recipient("", "", "", kind)
        if self.deidentified and recipient.kind is RecipientKind.REFERRER:
            return Recipient("", "", "", RecipientKind.REFERRER)  # the referrer is omitted
        return recipient

    def _summary(self) -> RatingsSummary:
        end = self.end
        administrations = [a for a in self.facts.administrations
                           if a.administered_at.astimezone().date() <= end]
        dob = self.facts.client.details.date_of_birth
        valid = [a for a in administrations if not a.voided]
        age = None
        if dob is not None:
            when = valid[-1].administered_at.astimezone().date() if valid else self.letter_date
            age = age_on(dob, when)
        return summarise(administrations, dict(self.facts.definitions), age,
                         self.facts.no_improvement_by,
                         dict(self.facts.reliable_change_override) or None)

    def age(self) -> int | None:
        dob = self.facts.client.details.date_of_birth
        return age_on(dob, self.letter_date) if dob else None

    # -- merge values ---------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        details = self.facts.client.details
        profile = self.facts.profile
        de = self.deidentified
        dob = details.date_of_birth
        if dob is None:
            dob_text = "not recorded"
        elif de:
            age = self.age()
            dob_text = "[removed]" if age is not None and age > 89 else str(dob.year)
        else:
            dob_text = long_date(dob)
        change = self.summary.change
        attended = [s for s in self.sessions if s.attendance is Attendance.ATTENDED]
        numbers = [s.number for s in attended if s.number]
        if numbers:
            period_sessions = (f"session {numbers[0]}" if len(numbers) == 1 else
                               f"sessions {min(numbers)} to {max(numbers)}")
        else:
            period_sessions = "no attended sessions"
        alliance_totals = [a.total for a in self.summary.alliance
                           if a.administered_at.astimezone().date() >= self.start]
        measure = self.outcome_definition.short_name if self.outcome_definition else "ORS"
        episode_end = self.facts.episode_end
        return {
            "client.name": details.pseudonym if de else details.name,
            "client.first_name": details.pseudonym if de else self.facts.client.first_name,
            "client.pseudonym": details.pseudonym,
            "client.date_of_birth": dob_text,
            "client.age": _age_text(self.age(), de) if dob else (details.age_band or
                                                                 "not recorded"),
            "recipient.name": self.recipient.name or "colleague",
            "recipient.role": self.recipient.role or "colleague",
            "practitioner.name": profile.practitioner_name or "the practitioner",
            "practitioner.credentials": profile.credentials,
            "practitioner.licence": profile.licence_number,
            "practice.name": profile.practice_name or profile.practitioner_name,
            "period.start": self.day(self.start),
            "period.end": self.day(self.end),
            "period.sessions": period_sessions,
            "episode.start": self.day(self.facts.episode_start),
            "episode.end": self.day(episode_end) if episode_end else "ongoing",
            "episode.end_reason": self.client_text(self.facts.end_reason) or "not recorded",
            "today": self.day(self.letter_date),
            "sessions.total": str(len(self.sessions)),
            "sessions.attended": str(len(attended)),
            "sessions.cancelled": str(sum(s.attendance is Attendance.CANCELLED
                                          for s in self.sessions)),
            "sessions.no_show": str(sum(s.attendance is Attendance.NO_SHOW
                                        for s in self.sessions)),
            "goals": "; ".join(self.client_text(g.text) for g in self.facts.goals) or
                     "none recorded",
            "outcome.measure": measure,
            "outcome.category": change.category.label,
            "outcome.intake": fmt(change.intake_tenths),
            "outcome.latest": fmt(change.latest_tenths),
            "outcome.change": ("—" if change.intake_tenths is None or change.latest_tenths is None
                               else f"{(change.latest_tenths - change.intake_tenths) / 10:+.1f}"),
            "outcome.cutoff": fmt(change.cutoff_tenths),
            "outcome.reliable_change": fmt(change.reliable_change_tenths),
            "outcome.rule": change.explanation,
            "alliance.mean": (fmt(round(sum(alliance_totals) / len(alliance_totals)))
                              if alliance_totals else "—"),
            "exposure.summary": self.exposure_sentence(),
        }

    def exposure_sentence(self) -> str:
        ladders = [ladder for ladder in self.facts.ladders if ladder.steps]
        if not ladders:
            return "No graded exposure work is recorded."
        parts = []
        for ladder in ladders:
            mastered = sum(s.status is StepStatus.MASTERED for s in ladder.steps)
            active = [s for s in ladder.steps if s.status is not StepStatus.DROPPED]
            parts.append(f"{self.client_text(ladder.target_fear)}: {mastered} of {len(active)} "
                         "steps mastered")
        return "Fear ladders — " + "; ".join(parts) + "."

    # -- blocks ---------------------------------------------------------------------------

    def block(self, kind: BlockKind) -> list[Block]:
        return {BlockKind.NONE: lambda: [], BlockKind.ATTENDANCE: self.attendance,
                BlockKind.OUTCOME: self.outcome, BlockKind.EXPOSURE: self.exposure,
                BlockKind.GOALS: self.goals, BlockKind.NOTES: self.notes}[kind]()

    def attendance(self) -> list[Block]:
        if not self.sessions:
            return [TextBlock("No sessions were scheduled in this period.")]
        rows: list[tuple[str, ...]] = []
        last_number = 0
        for s in self.sessions:
            if s.number:
                label = f"Session {s.number}"
                last_number = s.number
            else:
                label = (f"After session {last_number}" if last_number else
                         "Before session 1")
            if self.deidentified:
                rows.append((label, s.attendance.label, s.modality.label))
            else:
                rows.append((label, long_date(s.day), s.attendance.label, s.modality.label))
        if self.deidentified:
            return [TableBlock(("Session", "Attendance", "How"), tuple(rows), (2.0, 1.5, 1.5))]
        return [TableBlock(("Session", "Date", "Attendance", "How"), tuple(rows),
                           (1.3, 1.7, 1.2, 1.2))]

    def outcome(self) -> list[Block]:
        summary = self.summary
        if not summary.outcome and not summary.alliance:
            return [TextBlock("No outcome or session ratings are recorded.")]
        blocks: list[Block] = []
        outcome_name = self.outcome_definition.short_name if self.outcome_definition else "ORS"
        alliance_name = (self.alliance_definition.short_name if self.alliance_definition
                         else "SRS")
        chart = chart_data(summary, outcome_name, alliance_name)
        caption = (f"{outcome_name} (outcome, solid line, circles) and {alliance_name} "
                   "(session rating, dashed line, squares) by session number; higher is "
                   "better. Dotted line: clinical cutoff. Shaded band: intake ± reliable change. "
                   "Triangles: alerts.")
        blocks.append(ChartBlock(chart, caption))
        change = summary.change
        if change.category is ChangeCategory.NOT_ENOUGH_DATA:
            blocks.append(TextBlock(f"Change since intake: not enough data to judge. "
                                    f"{change.explanation}"))
        else:
            blocks.append(TextBlock(f"Change since intake: {change.category.label}. "
                                    f"{change.explanation}"))
        rule = ("Rule (Jacobson & Truax, 1991): reliably improved when latest − intake ≥ the "
                "reliable-change value; recovered when also the intake was below the clinical "
                "cutoff and the latest rating is at or above it; reliably deteriorated when "
                "intake − latest ≥ the reliable-change value; otherwise no reliable change. "
                "Intake is the first rating of this episode of care.")
        sources = []
        definition = self.outcome_definition
        if definition is not None:
            age = None
            dob = self.facts.client.details.date_of_birth
            if dob is not None and summary.outcome:
                age = age_on(dob, summary.outcome[-1].administered_at.astimezone().date())
            band = definition.cutoff_for(age)
            if band is not None and band.source:
                ages = (f"ages {band.min_age}+" if band.max_age is None else
                        f"ages {band.min_age}–{band.max_age}")
                sources.append(f"cutoff {fmt(band.cutoff_tenths)} for {ages}: {band.source}")
            if definition.reliable_change_source:
                sources.append(f"reliable change: {definition.reliable_change_source}")
        if sources:
            rule += " Values used — " + "; ".join(sources) + "."
        blocks.append(TextBlock(rule, "small"))
        alliance = list(summary.alliance)
        if alliance:
            totals = [a.total for a in alliance]
            lowest = min(alliance, key=lambda a: a.total)
            where = (f" (session {lowest.session_number})" if lowest.session_number else "")
            threshold = ""
            if self.alliance_definition and self.alliance_definition.alerts:
                threshold = (f" Ratings below {fmt(self.alliance_definition.alerts.total_below)}"
                             " are flagged and discussed with the client.")
            flagged = sum(1 for point in summary.alerts
                          if point.administration_id in {a.id for a in alliance})
            blocks.append(TextBlock(
                f"Session ratings ({alliance_name}): {len(totals)} in this episode, mean "
                f"{fmt(round(sum(totals) / len(totals)))}, lowest {fmt(lowest.total)}{where}; "
                f"{flagged} flagged.{threshold}"))
        copyright_line = definition.copyright if definition else ""
        if copyright_line:
            blocks.append(TextBlock(copyright_line, "small"))
        return blocks

    def exposure(self) -> list[Block]:
        ladders = [ladder for ladder in self.facts.ladders if ladder.steps]
        blocks: list[Block] = []  # nothing at all without a ladder: the section is left out
        for ladder in ladders:
            mastered = sum(s.status is StepStatus.MASTERED for s in ladder.steps)
            active = [s for s in ladder.steps if s.status is not StepStatus.DROPPED]
            in_period = sum(self.start <= d <= self.end for d in ladder.trial_days)
            lines = [f"Fear ladder: {self.client_text(ladder.target_fear)}."]
            if ladder.goal:
                goal = self.client_text(ladder.goal).strip()
                lines.append(f"Goal: {goal}" + ("" if goal.endswith((".", "!", "?")) else "."))
            lines.append(f"{mastered} of {len(active)} steps mastered; {in_period} exposure "
                         f"trial(s) in this period, {len(ladder.trial_days)} in all. "
                         f"Progression rule: {ladder.rule.name}.")
            blocks.append(TextBlock(" ".join(lines)))
            rows = tuple((str(i), self.client_text(s.situation), str(s.suds), s.status.label,
                          str(s.trials)) for i, s in enumerate(ladder.steps, start=1))
            blocks.append(TableBlock(("Step", "Situation", "SUDS", "Status", "Trials"), rows,
                                     (0.5, 4.2, 0.7, 1.1, 0.7), align_right=(0, 2, 4)))
            learned = [item for item in ladder.learned if self.start <= item.day <= self.end]
            if learned:
                blocks.append(TextBlock("What was learned, in the client's words:"))
                items = tuple(f"{_upper_first(self.when(item.day, item.session_number))} "
                              f"({self.client_text(item.step)}): "
                              f"“{self.client_text(item.text)}”"
                              for item in learned[-MAX_LEARNED_QUOTES:])
                blocks.append(BulletsBlock(items))
        return blocks

    def goals(self) -> list[Block]:
        if not self.facts.goals:
            return [TextBlock("No treatment goals are recorded.")]
        items = []
        for goal in self.facts.goals:
            text = self.client_text(goal.text)
            if goal.achieved_on is not None:
                text += f" — achieved ({self.day(goal.achieved_on)})"
            items.append(text)
        return [BulletsBlock(tuple(items))]

    def notes(self) -> list[Block]:
        blocks: list[Block] = []
        for note in self.facts.notes:
            when = self.when(note.session_date, note.session_number)
            blocks.append(TextBlock(f"Progress note, {when}:"))
            for paragraph in _paragraphs(self.client_text(note.text)):
                blocks.append(TextBlock(paragraph, "quote"))
            for kind, day, text in note.amendments:
                blocks.append(TextBlock(f"{_upper_first(kind)} ({self.day(day)}): "
                                        f"{self.client_text(text)}", "quote"))
        return blocks

    # -- the whole letter -----------------------------------------------------------------

    def compose(self) -> LetterContent:
        values = self.values()
        literal = self.client_text if self.deidentified else None

        def fill(text: str, where: str) -> str:
            return parse(text, where).fill(values, literal)

        blocks: list[Block] = []
        has_notes_section = any(s.block is BlockKind.NOTES for s in self.template.sections)
        for section in self.template.sections:
            content: list[Block] = [TextBlock(p) for p in _paragraphs(
                fill(section.text, f"the section “{section.title or section.key}”"))]
            content += self.block(section.block)
            own = self.request.paragraphs.get(section.key, "")
            content += [TextBlock(p) for p in _paragraphs(self.client_text(own))]
            if not content:
                continue
            title = fill(section.title, "a section title")
            if title:
                blocks.append(HeadingBlock(title))
            blocks.extend(content)
        if self.facts.notes and not has_notes_section:
            blocks.append(HeadingBlock("From the progress notes"))
            blocks.extend(self.notes())

        details = self.facts.client.details
        profile = self.facts.profile
        de = self.deidentified
        who = details.pseudonym if de else details.name
        reference = [f"Client: {details.pseudonym} (pseudonym)" if de else
                     f"Client: {details.name}" + (f", born {long_date(details.date_of_birth)}"
                                                  if details.date_of_birth else "")]
        if de:
            age = self.age()
            if age is not None:
                reference[0] += f", age {_age_text(age, True)}"
            elif details.age_band:
                reference[0] += f", age band {details.age_band}"
        reference.append(f"Period: {self.day(self.start)} to {self.day(self.end)} "
                         f"({values['period.sessions']})")
        recipient_lines: tuple[str, ...] = ()
        if self.recipient.name or self.recipient.role or self.recipient.address:
            recipient_lines = tuple(line for line in (
                self.recipient.name, self.recipient.role,
                *[a.strip() for a in self.recipient.address.splitlines()]) if line)
        subject = fill(self.template.subject, "the subject") if self.template.subject else \
            f"{self.template.name}: {who}"
        practice = profile.practice_name or profile.practitioner_name  # "" before set-up
        footer = ("De-identified (Safe Harbor): pseudonym; no dates, contact details or referrer."
                  if de else
                  f"Confidential: for {self.recipient.name or 'the addressee'} only.")
        address_lines = tuple(line.strip() for line in profile.address.splitlines()
                              if line.strip())
        contact = " · ".join(p for p in (profile.phone, profile.email) if p)
        date_part = f"{self.letter_date:%Y-%m}" if de else self.letter_date.isoformat()
        file_name = safe_file_name(f"{self.template.name} - {who} - {date_part}") + ".pdf"
        return LetterContent(
            client_id=self.facts.client.id,
            template_id=self.template.id,
            template_name=self.template.name,
            deidentified=de,
            letterhead=Letterhead(practice, profile.practitioner_name, profile.credentials,
                                  address_lines, contact, self.facts.logo),
            date_line=self.day(self.letter_date),
            recipient_lines=recipient_lines,
            subject=subject,
            reference_lines=tuple(reference),
            salutation=fill(self.template.salutation, "the salutation"),
            blocks=tuple(blocks),
            closing=fill(self.template.closing, "the closing"),
            signature=self.facts.signature,
            signer_name=profile.practitioner_name,
            signer_credentials=" · ".join(p for p in (
                profile.credentials,
                f"Licence {profile.licence_number}" if profile.licence_number else "") if p),
            footer=footer,
            running_header=" · ".join(p for p in (practice, self.template.name) if p),
            running_header_right=who,
            metadata=LetterMetadata(
                title=f"{self.template.name}: {who}",
                author=profile.practitioner_name or practice,
                subject=subject),
            file_name=file_name,
            recipient_label=self.recipient.label if (self.recipient.name or
                                                     self.recipient.role) else
            self.recipient.kind.label,
            identifiers=self.ids,
        )


def compose(facts: LetterFacts, template: LetterTemplate,
            request: LetterRequest) -> LetterContent:
    """The letter's content from the facts, the template and the therapist's choices."""
    checked = validate_request(request, template)
    if facts.client.destroyed_at:
        raise InvalidInput("That client's record was destroyed; no letter can be written.")
    return _Composer(facts, template, checked).compose()


def suggested_file_name(content: LetterContent) -> str:
    """The file name offered on export (the pseudonym, never the name, when de-identified)."""
    return content.file_name


def sections_for_editing(template: LetterTemplate) -> Sequence[LetterSection]:
    """The sections where the therapist can add their own paragraph, in order."""
    return template.sections
