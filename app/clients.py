"""Clients: who they are, how to address them, how to refer to them when de-identified.

A client has a legal name and a preferred name (what the therapist and the rating screen use),
and a pseudonym used whenever a document is de-identified. Ages come from the date of birth at the
date that matters (a rating's date, a letter's date), or from an age band when the birth date is
not known.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.errors import InvalidInput
from app.text import clean_text

EARLIEST_BIRTH_YEAR = 1900
AGE_BANDS = ("", "under 6", "6–12", "13–17", "18–25", "26–39", "40–64", "65+")

_PSEUDONYM_WORDS = (
    "Alder", "Aspen", "Birch", "Bramble", "Briar", "Cedar", "Clover", "Cypress", "Elm", "Fern",
    "Hazel", "Heath", "Heron", "Holly", "Iris", "Juniper", "Kestrel", "Laurel", "Linden",
    "Maple", "Marsh", "Moss", "Oak", "Osprey", "Pine", "Plover", "Reed", "Robin", "Rowan",
    "Sage", "Sorrel", "Sparrow", "Tern", "Thistle", "Wren", "Willow", "Yarrow",
)


class ClientStatus(StrEnum):
    """Whether the client is currently seen."""

    ACTIVE = "active"
    CLOSED = "closed"


class RiskLevel(StrEnum):
    """A clinician's judgement of risk; NONE means none reported."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


@dataclass(frozen=True)
class ContactDetails:
    """How to reach the client (never in de-identified output)."""

    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Referral:
    """Who referred the client; letters go to the referrer."""

    source: str = ""
    referrer_name: str = ""
    referrer_role: str = ""
    referrer_address: str = ""


@dataclass(frozen=True)
class ClientDetails:
    """Everything the therapist enters about a client (what create and edit take)."""

    name: str
    preferred_name: str = ""
    pseudonym: str = ""
    date_of_birth: date | None = None
    age_band: str = ""
    contact: ContactDetails = field(default_factory=ContactDetails)
    referral: Referral = field(default_factory=Referral)


@dataclass(frozen=True)
class Client:
    """A stored client."""

    id: int
    details: ClientDetails
    status: ClientStatus
    created_at: str
    destroyed_at: str | None = None

    @property
    def name(self) -> str:
        """The legal name."""
        return self.details.name

    @property
    def display_name(self) -> str:
        """What the therapist sees in lists: the preferred name with the legal name."""
        preferred = self.details.preferred_name
        if preferred and preferred != self.details.name.split(" ")[0]:
            return f"{self.details.name} ({preferred})"
        return self.details.name

    @property
    def first_name(self) -> str:
        """What the client is called to their face (the rating screen shows at most this)."""
        return self.details.preferred_name or self.details.name.split(" ")[0]


@dataclass(frozen=True)
class RiskArea:
    """One area of risk (e.g. self-harm) and its level."""

    area: str
    level: RiskLevel


@dataclass(frozen=True)
class RiskRecord:
    """The structured risk record, as last reviewed."""

    level: RiskLevel
    areas: tuple[RiskArea, ...] = ()
    plan: str = ""
    reviewed_on: date | None = None


def validate_details(details: ClientDetails, today: date) -> ClientDetails:
    """The details cleaned, or InvalidInput naming the first problem."""
    name = clean_text(details.name, "The client's name", required=True)
    preferred = clean_text(details.preferred_name, "The preferred name")
    pseudonym = clean_text(details.pseudonym, "The pseudonym")
    if details.date_of_birth is not None:
        if details.date_of_birth > today:
            raise InvalidInput("The date of birth is in the future.")
        if details.date_of_birth.year < EARLIEST_BIRTH_YEAR:
            raise InvalidInput(f"The date of birth is before {EARLIEST_BIRTH_YEAR}.")
    if details.age_band not in AGE_BANDS:
        raise InvalidInput(f"Unknown age band {details.age_band!r}.")
    contact = ContactDetails(
        phone=clean_text(details.contact.phone, "The phone number"),
        email=clean_text(details.contact.email, "The email address"),
        address=clean_text(details.contact.address, "The address", max_chars=1000,
                           multiline=True),
    )
    if contact.email and ("@" not in contact.email or " " in contact.email):
        raise InvalidInput("The email address does not look like one (name@example.org).")
    referral = Referral(
        source=clean_text(details.referral.source, "The referral source"),
        referrer_name=clean_text(details.referral.referrer_name, "The referrer's name"),
        referrer_role=clean_text(details.referral.referrer_role, "The referrer's role"),
        referrer_address=clean_text(details.referral.referrer_address,
                                    "The referrer's address", max_chars=1000, multiline=True),
    )
    return ClientDetails(name, preferred, pseudonym, details.date_of_birth, details.age_band,
                         contact, referral)


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years on `day`."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def new_pseudonym(taken: set[str], rng: random.Random | None = None) -> str:
    """A pseudonym such as "Rowan 27" that no other client in the vault has."""
    rng = rng or random.SystemRandom()
    for _ in range(1000):
        candidate = f"{rng.choice(_PSEUDONYM_WORDS)} {rng.randint(10, 99)}"
        if candidate not in taken:
            return candidate
    return f"Client {len(taken) + 1}"
