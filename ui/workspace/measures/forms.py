"""Which rating form suits the client, and the definitions and store the workspace shares."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from app.clients import age_on
from app.measures import MeasureDefinition, MeasureKind, load_definitions
from app.notes import NoteTemplate, load_templates
from app.resources import resource_dir
from storage.ratings import RatingsStore
from storage.vault import Vault

START = "start"
"""The outcome rating at the start of a session (ORS, CORS)."""
END = "end"
"""The alliance rating at the end of a session (SRS, CSRS)."""


@lru_cache(maxsize=1)
def measure_definitions() -> dict[str, MeasureDefinition]:
    """The shipped (or licensed, replaced) measure definitions, read once."""
    return load_definitions(resource_dir() / "measures")


@lru_cache(maxsize=1)
def _templates() -> dict[str, NoteTemplate]:
    return load_templates(resource_dir() / "templates")


def ratings_store(vault: Vault) -> RatingsStore:
    """A ratings store on `vault` with the shipped definitions and note templates."""
    return RatingsStore(vault, measure_definitions(), _templates())


def client_age(date_of_birth: date | None, on: date) -> int | None:
    """Completed years on `on`; None when the date of birth is not recorded."""
    return age_on(date_of_birth, on) if date_of_birth is not None else None


def form_for(which: str, age: int | None,
             definitions: dict[str, MeasureDefinition] | None = None
             ) -> tuple[MeasureDefinition | None, str]:
    """The form for the start (outcome) or end (alliance) of a session at `age`.

    Returns (definition, "") or (None, why no form applies): ORS/SRS for 13+ or an unknown
    age, CORS/CSRS for 6–12; under 6 nothing is scored.
    """
    definitions = definitions or measure_definitions()
    kind = MeasureKind.OUTCOME if which == START else MeasureKind.ALLIANCE
    for definition in definitions.values():
        if definition.kind is kind and definition.suits_age(age):
            return definition, ""
    if age is not None and age < 6:
        return None, (f"The client is {age}. No {'outcome' if which == START else 'session'} "
                      "rating form is scored under 6 (the young children's form is not "
                      "scored), so none can be started.")
    return None, "No rating form suits this client's age."


def paper_choices(age: int | None) -> list[MeasureDefinition]:
    """The outcome and alliance forms, the ones suited to `age` first."""
    forms = [d for d in measure_definitions().values()
             if d.kind in (MeasureKind.OUTCOME, MeasureKind.ALLIANCE)]
    return sorted(forms, key=lambda d: (not d.suits_age(age), d.kind is not MeasureKind.OUTCOME,
                                        d.id))
