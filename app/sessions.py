"""Sessions: when they happened, whether the client came, how, and their number in the episode."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.errors import InvalidInput

MAX_DURATION_MIN = 600
EARLIEST_SESSION = date(1980, 1, 1)


class Attendance(StrEnum):
    """Attended, or not and why."""

    ATTENDED = "attended"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        """How it reads in lists and letters."""
        return {"attended": "Attended", "cancelled": "Cancelled", "no_show": "No-show"}[self.value]


class Modality(StrEnum):
    """How the session took place."""

    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        """How it reads in lists and letters."""
        return {"in_person": "In person", "video": "Video", "phone": "Phone"}[self.value]


@dataclass(frozen=True)
class SessionDetails:
    """What the therapist enters for a session."""

    date: date
    start_time: str = ""  # "HH:MM", local time, or "" when not recorded
    duration_min: int = 50
    attendance: Attendance = Attendance.ATTENDED
    modality: Modality = Modality.IN_PERSON


def validate_session(details: SessionDetails, today: date) -> SessionDetails:
    """The details checked, or InvalidInput naming the problem."""
    if details.date < EARLIEST_SESSION:
        raise InvalidInput(f"The session date is before {EARLIEST_SESSION.year}.")
    if (details.date - today).days > 366:
        raise InvalidInput("The session date is more than a year ahead.")
    if details.start_time and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", details.start_time):
        raise InvalidInput("The start time must look like 09:30 (24-hour clock).")
    if not 0 <= details.duration_min <= MAX_DURATION_MIN:
        raise InvalidInput(f"The duration must be between 0 and {MAX_DURATION_MIN} minutes.")
    return details
