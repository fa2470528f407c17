"""Hand-built letter facts: a client with every kind of identifier, sessions, ratings, a ladder.

Built without a vault so app/ and reports/ tests run in milliseconds; the storage and command-line
tests use real vaults instead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from app.clients import Client, ClientDetails, ClientStatus, ContactDetails, Referral
from app.exposure import ProgressionRule, StepStatus
from app.letters import (
    GoalFact,
    LadderFact,
    LearnedFact,
    LetterFacts,
    LetterTemplate,
    QuotedNote,
    SessionFact,
    StepFact,
    load_letter_templates,
)
from app.measures import load_definitions
from app.practice_profile import PracticeProfile
from app.ratings import Administration
from app.resources import resource_dir
from app.sessions import Attendance, Modality

NAME = "Zoë Ñúñez-O'Brien"
PSEUDONYM = "Sage 34"
BIRTH = date(1991, 4, 3)
PHONE = "+44 20 7946 0123"
EMAIL = "zoe.n@example.org"
REFERRER = "Dr Imogen Hale"
EPISODE_START = date(2026, 3, 2)
TODAY = date(2026, 11, 23)

# Outcome totals (tenths) rising from 18.2 to 27.5: recovered against the adult cutoff of 25.
ORS = (182, 190, 201, 214, 226, 240, 251, 263, 275)
SRS = (352, 371, 380, 385, 390, 388, 392, 395, 396)


def templates() -> dict[str, LetterTemplate]:
    """The templates shipped in resources/letters."""
    return load_letter_templates(resource_dir() / "letters")


def client(name: str = NAME, birth: date | None = BIRTH) -> Client:
    """A client with contact details and a referrer."""
    details = ClientDetails(
        name, "Zoë", PSEUDONYM, birth, "",
        ContactDetails(PHONE, EMAIL, "14 Larch Crescent\nLeeds LS6 2AB"),
        Referral("GP", REFERRER, "General practitioner",
                 "Hale Surgery\n1 High Street\nLeeds LS1 1AA"))
    return Client(3, details, ClientStatus.ACTIVE, "2026-03-01T09:00:00.000000Z")


def profile() -> PracticeProfile:
    """The practitioner's letterhead."""
    return PracticeProfile("Dr Miriam Okafor", "DClinPsy, CPsychol", "PYL012345",
                           "Riverside Counselling", "14 Mill Lane\nRiverside RV1 2AB",
                           "+44 20 7946 0000", "practice@example.org")


def _items(total: int) -> tuple[int, ...]:
    base = total // 4
    return (base, base, base, total - 3 * base)


def sessions_and_ratings(count: int = 12) -> tuple[tuple[SessionFact, ...],
                                                   tuple[Administration, ...]]:
    """Weekly sessions from the episode's start: the 4th cancelled, the 8th a no-show."""
    sessions = []
    administrations = []
    number = 0
    for week in range(count):
        day = EPISODE_START + timedelta(weeks=week)
        attendance = (Attendance.CANCELLED if week == 3 else
                      Attendance.NO_SHOW if week == 7 else Attendance.ATTENDED)
        if attendance is Attendance.ATTENDED:
            number += 1
        sessions.append(SessionFact(number if attendance is Attendance.ATTENDED else 0, day,
                                    attendance, Modality.VIDEO if week % 3 else
                                    Modality.IN_PERSON))
        if attendance is Attendance.ATTENDED and number <= len(ORS):
            moment = datetime.combine(day, time(10)).replace(tzinfo=UTC)
            for offset, measure, total in ((0, "ors", ORS[number - 1]),
                                           (1, "srs", SRS[number - 1])):
                administrations.append(Administration(
                    len(administrations) + 1, 3, 100 + week, number, measure, "hash",
                    moment + timedelta(minutes=50 * offset), "client", "screen",
                    _items(total), total, episode_start=EPISODE_START))
    return tuple(sessions), tuple(administrations)


def ladder() -> LadderFact:
    """A social-anxiety ladder halfway up, with what the client learned."""
    steps = (StepFact("Say hello to a neighbour", 20, StepStatus.MASTERED, 3),
             StepFact("Ask a shop assistant a question", 35, StepStatus.MASTERED, 2),
             StepFact("Speak up in a team meeting", 60, StepStatus.IN_PROGRESS, 2),
             StepFact("Give a short talk at work", 85, StepStatus.PLANNED, 0))
    learned = (LearnedFact(date(2026, 5, 4), 8, "Ask a shop assistant a question",
                           "People were kinder than I predicted."),
               LearnedFact(date(2026, 6, 1), 11, "Speak up in a team meeting",
                           "My voice shook and nobody noticed."))
    days = tuple(date(2026, 4, 6) + timedelta(weeks=i) for i in range(7))
    return LadderFact("Being judged by others", "Speak up at work", ProgressionRule(), steps,
                      learned, days)


def facts(**changes: object) -> LetterFacts:
    """The whole set of facts for one letter; keyword arguments replace fields."""
    sessions, administrations = sessions_and_ratings()
    built = LetterFacts(
        client=client(), profile=profile(), today=TODAY,
        episode_start=EPISODE_START, sessions=sessions,
        goals=(GoalFact("Speak up in meetings at work"),
               GoalFact("Sleep through most nights", date(2026, 5, 11))),
        administrations=administrations,
        definitions=load_definitions(resource_dir() / "measures"),
        ladders=(ladder(),),
        notes=(QuotedNote(41, 5, date(2026, 4, 6),
                          "Zoë described the meeting at work in detail.\n\nWe planned the "
                          "next step together."),))
    return replace(built, **changes)  # type: ignore[arg-type]
