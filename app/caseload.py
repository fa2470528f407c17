"""The caseload outcomes report: one row per client and the practice's totals, for supervision.

Pure rules over facts that storage gathers. Scoring is never redone here: each client's change
category, intake and latest totals and alerts come from `app.ratings.summarise` (the same
`RatingsSummary` the Measures tab shows), so a supervisor's report and the client's record can
never disagree.

De-identified by default (HIPAA Safe Harbor, measures.md §3): a row is labelled with the client's
pseudonym, carries an age band instead of a date of birth, and no dates, contact details or
free text at all. `identified=True` labels rows with the legal name, for the therapist's own use.

Totals state their denominators. The four change categories are mutually exclusive (a recovered
client is not counted again as "reliably improved"), so their percentages add up to 100 % of the
clients that *have* a category; clients with fewer than two outcome ratings ("not enough data")
and clients whose measure has no reliable-change value (CORS unless set in Settings) are counted
beside them, never silently in the denominator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.clients import ClientStatus, age_on
from app.deidentify import Identifiers
from app.measures import ChangeCategory, MeasureDefinition, fmt
from app.ratings import RatingsSummary

# The categories that have a percentage, in the order everything lists them: best to worst.
CATEGORY_ORDER = (
    ChangeCategory.RECOVERED,
    ChangeCategory.RELIABLY_IMPROVED,
    ChangeCategory.NO_RELIABLE_CHANGE,
    ChangeCategory.RELIABLY_DETERIORATED,
)
CATEGORY_SHORT = {
    ChangeCategory.RECOVERED: "Recovered",
    ChangeCategory.RELIABLY_IMPROVED: "Reliably improved",
    ChangeCategory.NO_RELIABLE_CHANGE: "No reliable change",
    ChangeCategory.RELIABLY_DETERIORATED: "Reliably deteriorated",
    ChangeCategory.NOT_ENOUGH_DATA: "Not enough data",
}
NO_RULE_LABEL = "No reliable-change value"

# Words in a reason for ending that mean the client ended treatment unilaterally (a dropout), as
# opposed to a planned ending, a referral on or a move. The reasons are free text; these are the
# forms the Close client dialog offers ("Client chose to stop", "Client stopped attending") and
# the usual ways of writing the same thing. Matched case-insensitively as whole phrases.
DROPOUT_PHRASES = (
    "stopped attending", "chose to stop", "dropped out", "drop out", "dropout", "drop-out",
    "withdrew", "withdrawn", "did not return", "didn't return", "no longer attending",
    "lost to follow-up", "lost contact", "disengaged", "unplanned", "no response",
)

_AGE_BANDS = ((0, 5, "under 6"), (6, 12, "6–12"), (13, 17, "13–17"), (18, 25, "18–25"),
              (26, 39, "26–39"), (40, 64, "40–64"))


def age_band(age: int) -> str:
    """The report's age band for an age in completed years (Safe Harbor: nothing finer)."""
    for low, high, label in _AGE_BANDS:
        if low <= age <= high:
            return label
    return "65+"


def is_dropout(end_reason: str) -> bool:
    """True when a reason for ending says the client stopped treatment unilaterally."""
    text = " ".join(end_reason.casefold().split())
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in DROPOUT_PHRASES)


@dataclass(frozen=True)
class ExposureStatus:
    """Where a client's fear-ladder work stands: ladders, steps mastered of steps, steps ready.

    Retired (dropped) steps are not counted in `steps_total`; `ready_steps` are steps not yet
    mastered whose latest trials meet the ladder's progression rule (a suggestion, never a
    decision).
    """

    ladders: int = 0
    steps_mastered: int = 0
    steps_total: int = 0
    ready_steps: int = 0

    @property
    def text(self) -> str:
        """How the status reads in a table cell ("—" when there is no ladder)."""
        if not self.ladders:
            return "—"
        ladders = "1 ladder" if self.ladders == 1 else f"{self.ladders} ladders"
        ready = f", {self.ready_steps} ready" if self.ready_steps else ""
        return f"{ladders}, {self.steps_mastered}/{self.steps_total} mastered{ready}"


@dataclass(frozen=True)
class ClientFacts:
    """What storage knows about one client, as the report needs it (gathered in one read)."""

    client_id: int
    name: str
    pseudonym: str
    preferred_name: str
    date_of_birth: date | None
    stored_age_band: str  # what the therapist entered when the date of birth is unknown
    status: ClientStatus
    episode_started: date | None  # the current (latest) episode of care
    end_reason: str  # of the latest episode, when it has ended
    sessions_attended: int  # in the current episode
    ratings: RatingsSummary
    exposure: ExposureStatus = field(default_factory=ExposureStatus)

    @property
    def identifiers(self) -> Identifiers:
        """Everything of this client the de-identified report must not contain."""
        return Identifiers.build(self.pseudonym, self.name, self.preferred_name,
                                 dates=[self.date_of_birth] if self.date_of_birth else [])


@dataclass(frozen=True)
class CaseloadRow:
    """One client's line in the report."""

    client_id: int
    label: str  # pseudonym, or the name when identified
    age_band: str  # "" when unknown
    status: str  # Active | Ended | Dropped out
    sessions: int
    measure: str  # short name of the outcome measure (ORS, CORS), "" without ratings
    outcome_ratings: int  # in the current episode, of that measure
    intake_tenths: int | None
    latest_tenths: int | None
    cutoff_tenths: int | None
    reliable_change_tenths: int | None
    category: ChangeCategory
    no_rule: bool  # two or more ratings, but the measure has no reliable-change value
    srs_mean_tenths: int | None
    srs_ratings: int
    srs_flags: int  # alliance ratings that raised at least one alert
    exposure: ExposureStatus
    dropout: bool

    @property
    def category_label(self) -> str:
        """The category as the table and the CSV print it."""
        if self.no_rule:
            return NO_RULE_LABEL
        return CATEGORY_SHORT[self.category]

    @property
    def change_tenths(self) -> int | None:
        """Latest − intake (None with fewer than two ratings)."""
        if self.outcome_ratings < 2 or self.intake_tenths is None or self.latest_tenths is None:
            return None
        return self.latest_tenths - self.intake_tenths

    @property
    def categorised(self) -> bool:
        """True when the row counts in the category percentages."""
        return self.category is not ChangeCategory.NOT_ENOUGH_DATA


@dataclass(frozen=True)
class CategoryShare:
    """A category's count and its share of the categorised clients."""

    category: ChangeCategory
    count: int
    denominator: int

    @property
    def label(self) -> str:
        """Short label."""
        return CATEGORY_SHORT[self.category]

    @property
    def percent(self) -> float | None:
        """Share of the denominator in per cent; None when nobody has a category."""
        return 100.0 * self.count / self.denominator if self.denominator else None

    @property
    def percent_text(self) -> str:
        """"42 %" (whole per cent; "—" without a denominator)."""
        value = self.percent
        return "—" if value is None else f"{value:.0f} %"


@dataclass(frozen=True)
class CaseloadTotals:
    """The practice's figures, each with what it is out of."""

    clients: int
    active: int
    ended: int
    categorised: int  # the denominator of the category percentages
    shares: tuple[CategoryShare, ...]
    not_enough_data: int  # fewer than two outcome ratings in the current episode
    no_rule: int  # two or more ratings, but no reliable-change value for the measure
    average_intake_tenths: int | None
    intake_n: int  # clients with at least one outcome rating
    average_sessions: float | None
    dropouts: int  # of `ended`

    def share(self, category: ChangeCategory) -> CategoryShare:
        """The share of one category."""
        return next(s for s in self.shares if s.category is category)


@dataclass(frozen=True)
class MeasureRule:
    """The rule a measure's categories were computed with, printed under the totals."""

    short_name: str
    reliable_change_tenths: int | None
    cutoffs: tuple[tuple[str, int], ...]  # (age range, cutoff in tenths)

    @property
    def text(self) -> str:
        """One sentence: reliable change and cutoffs by age."""
        rc = (f"reliable change ≥ {fmt(self.reliable_change_tenths)} points"
              if self.reliable_change_tenths is not None
              else "no reliable-change value set (not categorised)")
        cuts = "; ".join(f"cutoff {fmt(c)} for ages {ages}" for ages, c in self.cutoffs)
        return f"{self.short_name}: {rc}" + (f"; {cuts}" if cuts else "") + "."


@dataclass(frozen=True)
class CaseloadReport:
    """Rows, totals and the rules used; what the PDF and the CSV are made from."""

    rows: tuple[CaseloadRow, ...]
    totals: CaseloadTotals
    rules: tuple[MeasureRule, ...]
    identified: bool
    prepared_on: date
    practice_name: str = ""
    # The facts the rows came from, kept (never printed) for the final de-identification check
    # of whatever is made from this report: the check cannot be forgotten by a caller.
    sources: tuple[ClientFacts, ...] = field(default=(), repr=False, compare=False)

    def remaining_identifiers(self, text: str, allowed_words: Iterable[str] = ()) -> list[str]:
        """What of any client's identity is in `text` made from this report (see below)."""
        return remaining_identifiers(text, self.sources, [*allowed_words, self.practice_name])

    @property
    def prepared_text(self) -> str:
        """The report's date: month and year only when de-identified (Safe Harbor)."""
        if self.identified:
            return f"{self.prepared_on.day} {self.prepared_on:%B %Y}"
        return f"{self.prepared_on:%B %Y}"


RULE_TEXT = ("Change is latest − intake (first rating of the current episode of care). "
             "Reliably improved: change ≥ the reliable-change value; recovered: reliably "
             "improved and moved from below the clinical cutoff to at or above it; reliably "
             "deteriorated: change ≤ −(reliable-change value); otherwise no reliable change "
             "(Jacobson & Truax 1991). A total exactly at the cutoff is not in the clinical "
             "range.")


def _row(facts: ClientFacts, identified: bool, definitions: dict[str, MeasureDefinition],
         today: date) -> CaseloadRow:
    summary = facts.ratings
    change = summary.change
    outcome = summary.outcome
    measure_id = outcome[-1].measure if outcome else ""
    definition = definitions.get(measure_id)
    same_measure = sum(1 for a in outcome if a.measure == measure_id)
    no_rule = (change.category is ChangeCategory.NOT_ENOUGH_DATA and same_measure >= 2
               and change.reliable_change_tenths is None)
    alliance = summary.alliance
    alliance_ids = {a.id for a in alliance}
    flagged = {p.administration_id for p in summary.alerts
               if p.administration_id in alliance_ids and p.alerts}
    srs_mean = round(sum(a.total for a in alliance) / len(alliance)) if alliance else None
    # Age at the start of the current episode (intake): what the supervisor reads the intake
    # score against. Never the date of birth itself.
    if facts.date_of_birth is not None:
        band = age_band(max(0, age_on(facts.date_of_birth, facts.episode_started or today)))
    else:
        band = facts.stored_age_band
    dropout = facts.status is ClientStatus.CLOSED and is_dropout(facts.end_reason)
    status = ("Active" if facts.status is ClientStatus.ACTIVE
              else "Dropped out" if dropout else "Ended")
    return CaseloadRow(
        client_id=facts.client_id,
        label=facts.name if identified else facts.pseudonym,
        age_band=band, status=status, sessions=facts.sessions_attended,
        measure=definition.short_name if definition else measure_id.upper(),
        outcome_ratings=same_measure,
        intake_tenths=change.intake_tenths, latest_tenths=change.latest_tenths,
        cutoff_tenths=change.cutoff_tenths, reliable_change_tenths=change.reliable_change_tenths,
        category=change.category, no_rule=no_rule, srs_mean_tenths=srs_mean,
        srs_ratings=len(alliance), srs_flags=len(flagged), exposure=facts.exposure,
        dropout=dropout)


def _sort_key(label: str) -> tuple[object, ...]:
    """Natural order, case- and accent-insensitive ("Oak 9" before "Oak 10")."""
    folded = unicodedata.normalize("NFKD", label.casefold())
    parts = re.split(r"(\d+)", folded)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def _rules(rows: Sequence[CaseloadRow],
           definitions: dict[str, MeasureDefinition],
           reliable_change_override: dict[str, int] | None) -> tuple[MeasureRule, ...]:
    used = {r.measure for r in rows if r.measure}
    out = []
    overrides = reliable_change_override or {}
    for definition in sorted(definitions.values(), key=lambda d: d.short_name):
        if definition.short_name not in used:
            continue
        cutoffs = tuple(
            (f"{c.min_age}+" if c.max_age is None else f"{c.min_age}–{c.max_age}",
             c.cutoff_tenths) for c in sorted(definition.cutoffs, key=lambda c: c.min_age))
        out.append(MeasureRule(definition.short_name,
                               overrides.get(definition.id, definition.reliable_change_tenths),
                               cutoffs))
    return tuple(out)


def build_report(facts: Iterable[ClientFacts], definitions: dict[str, MeasureDefinition], *,
                 prepared_on: date, identified: bool = False, practice_name: str = "",
                 reliable_change_override: dict[str, int] | None = None) -> CaseloadReport:
    """Rows (in natural order of their labels) and totals for every client in `facts`.

    `reliable_change_override` is the practice's setting for measures without a published
    value (CORS); it must be the same one the summaries were computed with.
    """
    facts = tuple(facts)
    rows = sorted((_row(f, identified, definitions, prepared_on) for f in facts),
                  key=lambda r: (_sort_key(r.label), r.client_id))
    categorised = [r for r in rows if r.categorised]
    shares = tuple(CategoryShare(c, sum(1 for r in categorised if r.category is c),
                                 len(categorised)) for c in CATEGORY_ORDER)
    intakes = [r.intake_tenths for r in rows if r.intake_tenths is not None]
    ended = [r for r in rows if r.status != "Active"]
    totals = CaseloadTotals(
        clients=len(rows), active=len(rows) - len(ended), ended=len(ended),
        categorised=len(categorised), shares=shares,
        not_enough_data=sum(1 for r in rows if not r.categorised and not r.no_rule),
        no_rule=sum(1 for r in rows if r.no_rule),
        average_intake_tenths=round(sum(intakes) / len(intakes)) if intakes else None,
        intake_n=len(intakes),
        average_sessions=sum(r.sessions for r in rows) / len(rows) if rows else None,
        dropouts=sum(1 for r in rows if r.dropout))
    return CaseloadReport(tuple(rows), totals,
                          _rules(rows, definitions, reliable_change_override), identified,
                          prepared_on, practice_name, facts)


@dataclass(frozen=True)
class Caseload:
    """Every client's facts, read in one snapshot, with the practice settings that applied."""

    clients: tuple[ClientFacts, ...]
    practice_name: str = ""
    reliable_change_override: dict[str, int] = field(default_factory=dict)

    def report(self, definitions: dict[str, MeasureDefinition], *, prepared_on: date,
               identified: bool = False) -> CaseloadReport:
        """The report over these facts (de-identified unless `identified`)."""
        return build_report(self.clients, definitions, prepared_on=prepared_on,
                            identified=identified, practice_name=self.practice_name,
                            reliable_change_override=self.reliable_change_override)


# -- the final check ---------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _name_found(folded_text: str, words: set[str], name: str) -> bool:
    folded = _fold(name)
    pieces = _WORD.findall(folded)
    if not pieces or any(p not in words for p in pieces):
        return False  # every word of the name must be there: a set lookup, fast for 600 clients
    if len(pieces) == 1 and pieces[0] == folded:
        return True
    return re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", folded_text) is not None


def _date_forms(day: date) -> set[str]:
    month = f"{day:%B}"
    return {day.isoformat(), f"{day.day:02d}/{day.month:02d}/{day.year}",
            f"{day.day}/{day.month}/{day.year}", f"{day.month:02d}/{day.day:02d}/{day.year}",
            f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}",
            f"{day.day:02d}.{day.month:02d}.{day.year}"}


def remaining_identifiers(text: str, clients: Sequence[ClientFacts],
                          allowed_words: Iterable[str] = ()) -> list[str]:
    """What of any client's identity is still in a de-identified report's `text` (and metadata).

    Each client's own pseudonym is checked against that client's names (a pseudonym such as
    "Maya O." gives a client away). Then every pseudonym is masked — "Hazel 42" must not stop the
    report because another client is called Hazel — and the rest is scanned for every client's
    name parts and date of birth. `allowed_words` are the words the report itself prints (its
    headings, column titles, category names, the practice's name): a client called "Page" or
    "Rule" must not block it either. Findings name pseudonyms, never the names found.
    """
    found: list[str] = []
    allowed = {_fold(w) for phrase in allowed_words for w in _WORD.findall(phrase)}
    for client in clients:
        own = _fold(client.pseudonym)
        own_words = set(_WORD.findall(own))
        if any(_name_found(own, own_words, n) for n in client.identifiers.names):
            found.append(f"the pseudonym “{client.pseudonym}” contains that client's own name")
    pseudonyms = sorted({c.pseudonym.strip() for c in clients if c.pseudonym.strip()},
                        key=len, reverse=True)
    masked = text
    if pseudonyms:  # one pass over the text, longest pseudonym first
        pattern = "|".join(re.escape(p) for p in pseudonyms)
        masked = re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", " ", text)
    folded = _fold(masked)
    words = set(_WORD.findall(folded)) - allowed
    lowered = masked.casefold()
    for client in clients:
        ids = client.identifiers
        if any(_name_found(folded, words, n) for n in ids.names
               if not (_WORD.fullmatch(_fold(n)) and _fold(n) in allowed)):
            found.append(f"a name of the client shown as “{client.pseudonym}”")
        if any(form.casefold() in lowered for day in ids.dates for form in _date_forms(day)):
            found.append(f"the date of birth of the client shown as “{client.pseudonym}”")
    return found
