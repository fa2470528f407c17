"""Read models for the workspace: what lists and the client record show, as frozen values.

They cross from the vault's worker thread to the UI thread, so they are immutable and hold only
plain values — never live database rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.clients import ClientStatus, RiskLevel
from app.notes import NoteStatus
from app.sessions import Attendance, Modality


class StatusFilter(StrEnum):
    """Which clients the list shows."""

    ACTIVE = "active"
    CLOSED = "closed"
    ALL = "all"


class ClientOrder(StrEnum):
    """How the client list is sorted."""

    NAME = "name"
    LAST_SESSION = "last_session"


@dataclass(frozen=True)
class ClientRow:
    """One line of the client list."""

    id: int
    name: str
    preferred_name: str
    pseudonym: str
    status: ClientStatus
    last_session: date | None
    sessions: int
    risk: RiskLevel
    flags: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """Name with the preferred name when it differs from the first name."""
        if self.preferred_name and self.preferred_name != self.name.split(" ")[0]:
            return f"{self.name} ({self.preferred_name})"
        return self.name


@dataclass(frozen=True)
class SessionRow:
    """One session in a client's timeline."""

    id: int
    client_id: int
    date: date
    start_time: str
    duration_min: int
    attendance: Attendance
    modality: Modality
    number: int
    note_status: NoteStatus | None
    note_preview: str
    late_entry: bool


@dataclass(frozen=True)
class Amendment:
    """An addendum or correction to a signed note."""

    id: int
    kind: str
    body: str
    created_at: str
    signed_at: str
    content_sha256: str


@dataclass(frozen=True)
class NoteView:
    """A note as the editor shows it."""

    id: int
    session_id: int
    template: str
    sections: dict[str, str]
    status: NoteStatus
    created_at: str
    updated_at: str
    signed_at: str | None
    content_sha256: str | None
    late_entry: bool
    amendments: tuple[Amendment, ...] = ()
    deleted_at: str | None = None
    deleted_reason: str = ""


@dataclass(frozen=True)
class SearchHit:
    """One note matching a search, with a snippet whose matches are marked."""

    note_id: int
    session_id: int
    client_id: int
    client_name: str
    session_date: date
    snippet: str  # matches wrapped in \x02 … \x03 for the UI to highlight
    rank: float


HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
