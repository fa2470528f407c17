"""The demo practice: twelve fictional clients with a year of sessions and notes.

Everything here is invented (names, numbers, addresses: 555 numbers and example.org), generated
from a fixed seed relative to "today", so the demo always looks like a current caseload. It
covers what a therapist needs to try: every note template, signed notes with addenda, drafts,
late entries, cancellations and no-shows, closed clients, risk at every level, a child and an
adolescent. Later features add their own data (ratings, ladders) through `DemoClient.theme`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app.clients import (
    ClientDetails,
    ClientStatus,
    ContactDetails,
    Referral,
    RiskArea,
    RiskLevel,
    RiskRecord,
)
from app.exposure import ProgressionRule, RuleKind, TrialRecord
from app.sessions import Attendance, Modality, SessionDetails

SEED = 20261123


@dataclass(frozen=True)
class DemoNote:
    """A note as the therapist wrote it, and when."""

    template: str
    sections: dict[str, str]
    written_days_after: int = 0
    signed: bool = True
    addendum: str = ""


@dataclass(frozen=True)
class DemoRatings:
    """The ratings given in one session, in tenths (outcome at the start, alliance at the end)."""

    outcome_measure: str
    outcome: tuple[int, ...]
    alliance_measure: str
    alliance: tuple[int, ...]
    from_paper: bool = False


@dataclass(frozen=True)
class DemoSession:
    """A session, its note and its ratings."""

    details: SessionDetails
    note: DemoNote | None
    ratings: DemoRatings | None = None


@dataclass(frozen=True)
class DemoTrial:
    """One exposure trial: which step, when (days after the ladder starts), and the record."""

    step: int
    day: int
    in_session: bool
    record: TrialRecord


@dataclass(frozen=True)
class DemoLadder:
    """A fear ladder at some stage, with its trials."""

    starter: str  # id of the starter ladder in resources/ladders it was adapted from
    rule: ProgressionRule
    mastered: int  # the first N steps are mastered
    trials: tuple[DemoTrial, ...]


@dataclass
class DemoClient:
    """One fictional client's whole record."""

    details: ClientDetails
    theme: str
    template: str
    status: ClientStatus
    start: date
    goals: list[str]
    risk: RiskRecord
    end_reason: str = ""
    sessions: list[DemoSession] = field(default_factory=list)
    process_note: str = ""
    ladder: DemoLadder | None = None


@dataclass(frozen=True)
class _Profile:
    name: str
    preferred: str
    age: int | None
    age_band: str
    theme: str
    template: str
    weeks: int
    ended_weeks_ago: int | None
    end_reason: str
    risk: RiskLevel
    goals: tuple[str, ...]
    referrer: tuple[str, str]


_PROFILES = (
    _Profile("Maya Okonkwo", "Maya", 34, "", "panic", "soap", 30, None, "", RiskLevel.NONE,
             ("Travel to work by train without panic", "Reduce checking of heart rate"),
             ("Dr Imogen Hale", "General practitioner")),
    _Profile("Tomasz Wiśniewski", "Tomek", 41, "", "depression", "girp", 40, None, "",
             RiskLevel.MODERATE, ("Get up by 8 am on weekdays", "Reconnect with two friends"),
             ("Dr Farah Qureshi", "Psychiatrist")),
    _Profile("Zoë Ñúñez-O'Brien", "Zoë", 27, "", "social", "dap", 24, None, "", RiskLevel.NONE,
             ("Speak up in team meetings", "Attend a social event each month"),
             ("Dr Imogen Hale", "General practitioner")),
    _Profile("Samir Haddad", "Samir", 52, "", "grief", "birp", 20, 16,
             "Goals met; planned ending", RiskLevel.LOW,
             ("Visit his father's grave", "Return to the choir"),
             ("Hannah Moss", "Bereavement service coordinator")),
    _Profile("Eleni Papadopoulou", "Eleni", 18, "", "contamination", "soap", 28, None, "",
             RiskLevel.NONE, ("Use public bathrooms at university", "Shorten showers to 10 min"),
             ("Dr Alan Price", "University health service")),
    _Profile("Liam O'Connor", "Liam", 15, "", "school", "dap", 18, None, "", RiskLevel.LOW,
             ("Attend school four days a week", "Eat lunch in the canteen"),
             ("Grace Adeyemi", "School counsellor")),
    _Profile("Aiko Tanaka", "Aiko", 63, "", "sleep", "free", 14, None, "", RiskLevel.NONE,
             ("Sleep six hours most nights", "Stop nightly symptom searching"),
             ("Dr Imogen Hale", "General practitioner")),
    _Profile("Daniel Cohen", "Dan", 38, "", "anger", "birp", 9, 30,
             "Client stopped attending (no response to two letters)", RiskLevel.LOW,
             ("Leave arguments before shouting",), ("Self-referral", "")),
    _Profile("Priya Raman", "Priya", 29, "", "trauma", "girp", 36, None, "", RiskLevel.LOW,
             ("Drive past the junction of the accident", "Sleep without the light on"),
             ("Dr Farah Qureshi", "Psychiatrist")),
    _Profile("Jonas Berg", "Jonas", 45, "", "driving", "soap", 22, None, "", RiskLevel.NONE,
             ("Drive on the motorway for 30 minutes",), ("Dr Alan Price", "Occupational health")),
    _Profile("Olena Kovalenko", "Olena", 33, "", "adjustment", "dap", 16, None, "",
             RiskLevel.HIGH, ("Build a weekly routine", "Find a Ukrainian-speaking group"),
             ("Marta Nowak", "Refugee support caseworker")),
    _Profile("Ruby Mitchell", "Ruby", 9, "", "separation", "free", 12, None, "", RiskLevel.NONE,
             ("Stay at school all day without calling home", "Sleep in her own bed"),
             ("Grace Adeyemi", "School counsellor")),
)

# Outcome trajectory (start total, end total, noise) and alliance pattern per theme. Totals are
# in tenths of the 40-point scale; the shapes cover every change category and a rupture.
_TRAJECTORIES = {
    "panic": (190, 315, "steady"),          # recovered
    "depression": (175, 190, "steady"),     # flat: no reliable change, "not improving"
    "social": (140, 205, "steady"),         # reliably improved, still below the cutoff
    "grief": (180, 300, "steady"),          # recovered, closed
    "contamination": (210, 285, "steady"),  # adolescent crossing 18: cutoff 28 -> 25
    "school": (200, 262, "steady"),         # adolescent (cutoff 28): improved, not recovered
    "sleep": (285, 205, "steady"),          # reliably deteriorated
    "anger": (220, 215, "steady"),          # dropped out, no change
    "trauma": (160, 268, "rupture"),        # alliance rupture and repair
    "driving": (230, 300, "steady"),        # recovered
    "adjustment": (250, 160, "steady"),     # deteriorating, high risk
    "separation": (240, 335, "steady"),     # child on CORS: recovered (cutoff 32)
}

_THEME_WORDS = {
    "panic": ("the panic attacks", "the train", "breathing and heart-rate checking",
              "interoceptive exposure (spinning, stair runs)"),
    "depression": ("low mood", "mornings", "withdrawal from friends",
                   "activity scheduling"),
    "social": ("fear of being judged", "team meetings", "rehearsing and avoiding eye contact",
               "behavioural experiments dropping safety behaviours"),
    "grief": ("his father's death", "the anniversary", "avoiding the cemetery",
              "continuing-bonds work and a letter to his father"),
    "contamination": ("contamination fears", "shared bathrooms", "washing and avoiding",
                      "exposure and response prevention"),
    "school": ("school refusal", "Monday mornings", "stomach aches and staying home",
               "a graded return plan agreed with school"),
    "sleep": ("insomnia and health worries", "the night", "searching symptoms at 3 am",
              "CBT-I: a fixed wake time and stimulus control"),
    "anger": ("angry outbursts", "arguments at home", "shouting and leaving late",
              "time-outs and noticing early signs"),
    "trauma": ("the accident memories", "driving and loud noises", "avoiding the junction",
               "trauma-focused CBT, updating the memory"),
    "driving": ("fear of driving", "motorways", "taking back roads only",
                "a driving ladder from car park to motorway"),
    "adjustment": ("resettlement stress", "paperwork and isolation", "staying in the flat",
                   "problem solving and building routine"),
    "separation": ("worry about mum", "school drop-off", "calling home and tummy aches",
                   "a brave-steps chart with rewards"),
}

_OPENINGS = (
    "{name} arrived on time and said the week had been {week}.",
    "{name} described a {week} week and wanted to talk about {topic}.",
    "{name} began by reviewing the homework on {work}.",
    "{name} reported that {topic} had been {week} since we last met.",
)
_WEEKS = ("difficult", "mixed", "better than expected", "steady", "tiring but manageable",
          "encouraging")
_OBSERVED = (
    "Presented as tense at first, settling as the session went on; good eye contact.",
    "Appropriately dressed, speech normal in rate and volume; affect anxious but reactive.",
    "Tearful when speaking about {topic}; engaged well and used humour at times.",
    "Calm and reflective; noticeably more animated than last month.",
)
_ASSESSMENTS = (
    "Progress toward the goal is gradual; avoidance of {place} is reducing.",
    "The pattern of {behaviour} keeps the anxiety going; {name} is beginning to see this.",
    "Mood is improving; no new risk reported. Motivation good.",
    "A setback this week, understood as part of recovery rather than failure.",
)
_PLANS = (
    "Continue {work}; practise daily and note what happens.",
    "Homework: one planned step toward {place}, recorded on the worksheet.",
    "Review the plan next week and agree the next step.",
    "Next session in one week; share the summary with {name} by email as agreed.",
)
_ADDENDA = (
    "{name} phoned after the session to say the homework had gone better than feared.",
    "Correction to the plan: the next session was moved at {name}'s request.",
    "Spoke with the referrer today (with consent) about progress; they will review medication.",
)


def _phone(rng: random.Random) -> str:
    return f"+1 555 01{rng.randint(10, 99)}"


def _note(profile: _Profile, number: int, rng: random.Random) -> dict[str, str]:
    topic, place, behaviour, work = _THEME_WORDS[profile.theme]
    values = {"name": profile.preferred, "topic": topic, "place": place,
              "behaviour": behaviour, "work": work, "week": rng.choice(_WEEKS)}
    opening = rng.choice(_OPENINGS).format(**values)
    observed = rng.choice(_OBSERVED).format(**values)
    assessment = rng.choice(_ASSESSMENTS).format(**values)
    plan = rng.choice(_PLANS).format(**values)
    extra = f" Session {number}: we worked on {work}."
    by_template = {
        "soap": {"subjective": opening, "objective": observed, "assessment": assessment,
                 "plan": plan + extra},
        "dap": {"data": f"{opening} {observed}", "assessment": assessment,
                "plan": plan + extra},
        "birp": {"behaviour": f"{opening} {observed}", "intervention": f"We worked on {work}.",
                 "response": assessment, "plan": plan},
        "girp": {"goal": profile.goals[0], "intervention": f"{opening} We worked on {work}.",
                 "response": assessment, "plan": plan},
        "free": {"note": f"{opening} {observed}\n\n{assessment}\n\n{plan}{extra}"},
    }
    return by_template[profile.template]


def _split(total: int, rng: random.Random, spread: int = 8) -> tuple[int, ...]:
    """Four item scores (tenths, 0–100) that add up to `total`."""
    total = max(0, min(400, total))
    items = [total // 4] * 4
    for i in range(total - sum(items)):
        items[i % 4] += 1
    for _ in range(3):  # move a little between items, keeping the sum
        a, b = rng.sample(range(4), 2)
        shift = rng.randint(0, spread)
        if items[a] - shift >= 0 and items[b] + shift <= 100:
            items[a] -= shift
            items[b] += shift
    return tuple(items)


def _ratings(profile: _Profile, index: int, count: int, rng: random.Random) -> DemoRatings:
    start, end, pattern = _TRAJECTORIES[profile.theme]
    progress = index / max(count - 1, 1)
    outcome = round(start + (end - start) * progress + rng.randint(-12, 12))
    alliance = 384 + rng.randint(-6, 14)
    if pattern == "rupture" and count // 3 <= index <= count // 3 + 1:
        alliance = 305 + rng.randint(0, 20)  # a rupture, discussed, then repaired
    child = profile.age is not None and profile.age <= 12
    return DemoRatings("cors" if child else "ors", _split(outcome, rng),
                       "csrs" if child else "srs", _split(min(alliance, 400), rng, 2),
                       from_paper=rng.random() < 0.1)


_LADDERS = {
    # theme: (starter ladder, rule, steps mastered, steps with trials, safety still used)
    "driving": ("driving", ProgressionRule(RuleKind.HABITUATION), 3, 5, False),
    "contamination": ("contamination",
                      ProgressionRule(RuleKind.INHIBITORY, expectancy_drop=20, consecutive=1),
                      4, 6, False),
    "panic": ("panic-sensations",
              ProgressionRule(RuleKind.INHIBITORY, expectancy_drop=20, consecutive=2), 2, 4,
              True),
}
_FEARS = {"driving": "I'll panic and crash", "contamination": "I'll get seriously ill",
          "panic": "I'll faint or have a heart attack"}
_LEARNED = (
    "The anxiety peaked and then came down on its own.",
    "Nothing terrible happened even though I felt awful at first.",
    "I can feel anxious and still do it.",
    "My body's alarm is loud but it isn't danger.",
    "It was easier the second time than I predicted.",
)


def _ladder(theme: str, start: date, weeks: int, rng: random.Random) -> DemoLadder | None:
    spec = _LADDERS.get(theme)
    if spec is None:
        return None
    starter, rule, mastered, active, safety = spec
    trials = []
    day = 14
    for step in range(active):
        count = 3 if step < mastered else rng.randint(1, 3)
        for n in range(count):
            base = 30 + step * 8
            peak = min(100, base + 25 - n * 6 + rng.randint(-4, 4))
            after = max(0, peak - (35 + n * 8) + rng.randint(-5, 5))
            before = max(0, min(peak, base - n * 5 + rng.randint(-3, 3)))
            expectancy_before = max(10, 85 - step * 5 - n * 10)
            ready_step = step < mastered or (step == active - 1 and not safety)
            expectancy_after = max(0, expectancy_before - (30 if ready_step or safety else 10))
            in_session = (n == 0)
            started = datetime.combine(start + timedelta(days=day),
                                       time(11 if in_session else 18), tzinfo=UTC)
            trials.append(DemoTrial(step, day, in_session, TrialRecord(
                started, "session" if in_session else "homework",
                place="Therapy room and nearby" if in_session else "Near home",
                accompanied=in_session, therapist_present=in_session,
                planned_minutes=20, actual_minutes=20 + rng.randint(-5, 10),
                suds_before=before, suds_peak=peak, suds_after=after,
                suds_readings=tuple((m, max(0, peak - m * 2)) for m in range(0, 21, 5))
                if in_session else (),
                feared_outcome=_FEARS[theme], expectancy_before=expectancy_before,
                expectancy_after=expectancy_after, outcome_occurred=False,
                safety_planned_to_drop=("Checking the pulse",) if theme == "panic" else (),
                safety_used=("Checking the pulse",) if safety and step >= mastered else (),
                learned=rng.choice(_LEARNED))))
            day += 3 if not in_session else 4
        if day > weeks * 7 - 7:
            break
    return DemoLadder(starter, rule, mastered, tuple(trials))


def demo_practice(today: date, seed: int = SEED) -> list[DemoClient]:
    """The twelve demo clients, dated so that the most recent sessions are this week."""
    rng = random.Random(seed)
    clients = []
    for index, profile in enumerate(_PROFILES):
        ended = (today - timedelta(weeks=profile.ended_weeks_ago)
                 if profile.ended_weeks_ago else None)
        # Each client has a weekday slot, Monday to Friday; the last session is the latest such
        # day on or before today (or before the ending, for closed clients).
        anchor = ended or today
        last = anchor - timedelta(days=(anchor.weekday() - index % 5) % 7)
        start = last - timedelta(weeks=profile.weeks)
        birth = (date(today.year - profile.age, rng.randint(1, 12), rng.randint(1, 28))
                 if profile.age is not None else None)
        if profile.theme == "contamination":  # turned 18 about ten weeks ago, mid-treatment
            eighteenth = today - timedelta(weeks=10)
            birth = eighteenth.replace(year=eighteenth.year - 18)
        details = ClientDetails(
            name=profile.name, preferred_name=profile.preferred, pseudonym="",
            date_of_birth=birth, age_band=profile.age_band,
            contact=ContactDetails(phone=_phone(rng),
                                   email=f"{profile.preferred.lower()}.demo@example.org",
                                   address=f"{rng.randint(2, 90)} Example Road\nDemo Town"),
            referral=Referral(source="GP" if "General" in profile.referrer[1] else
                              (profile.referrer[1] or "Self"),
                              referrer_name=profile.referrer[0],
                              referrer_role=profile.referrer[1],
                              referrer_address="Demo Health Centre\n1 Sample Street\nDemo Town"
                              if profile.referrer[1] else ""))
        risk_areas = () if profile.risk is RiskLevel.NONE else (
            RiskArea("Self-harm" if profile.theme != "anger" else "Harm to others",
                     profile.risk),)
        plan = {RiskLevel.NONE: "", RiskLevel.LOW: "Discussed; no plan or intent. Review monthly.",
                RiskLevel.MODERATE: "Passive thoughts, no plan. Safety plan agreed; crisis "
                                    "numbers given; GP informed with consent.",
                RiskLevel.HIGH: "Recent crisis. Safety plan reviewed each session; weekly "
                                "contact with caseworker; crisis team details shared."}
        client = DemoClient(details, profile.theme, profile.template,
                            ClientStatus.CLOSED if ended else ClientStatus.ACTIVE, start,
                            list(profile.goals),
                            RiskRecord(profile.risk, risk_areas, plan[profile.risk],
                                       last - timedelta(weeks=rng.randint(0, 3))),
                            profile.end_reason,
                            process_note=f"My own reactions: I notice I want to rescue "
                                         f"{profile.preferred}. Bring to supervision.")
        hour = 9 + index % 8
        day = start
        number = 0
        attended_total = profile.weeks  # an estimate for shaping the trajectory
        while day <= last:
            roll = rng.random()
            attendance = (Attendance.CANCELLED if roll < 0.06 else
                          Attendance.NO_SHOW if roll < 0.09 else Attendance.ATTENDED)
            modality = Modality.VIDEO if rng.random() < 0.2 else Modality.IN_PERSON
            session = SessionDetails(day, f"{hour:02d}:00", 50, attendance, modality)
            note = None
            if attendance is Attendance.ATTENDED:
                number += 1
                recent = (last - day).days < 10
                late = 0 if rng.random() > 0.07 else rng.randint(1, 4)
                addendum = (rng.choice(_ADDENDA).format(name=profile.preferred)
                            if rng.random() < 0.08 and not recent else "")
                note = DemoNote(profile.template, _note(profile, number, rng), late,
                                signed=not recent, addendum=addendum)
                ratings = _ratings(profile, number - 1, attended_total, rng)
            else:
                ratings = None
            client.sessions.append(DemoSession(session, note, ratings))
            day += timedelta(weeks=1)
        client.ladder = _ladder(profile.theme, start, profile.weeks, rng)
        if not ended:
            client.sessions.append(DemoSession(
                SessionDetails(last + timedelta(weeks=1), f"{hour:02d}:00"), None))
        clients.append(client)
    return clients
