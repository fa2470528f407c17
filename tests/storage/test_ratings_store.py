"""Ratings in a real vault: record, void, summarise, flags, and alerts discussed into the note."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from app.clients import ClientDetails
from app.clock import SettableClock
from app.errors import InvalidInput
from app.measures import AlertKind, ChangeCategory, load_definitions
from app.notes import NoteStatus, load_templates
from app.resources import resource_dir
from app.sessions import SessionDetails
from storage.practice import PracticeStore
from storage.ratings import RatingInput, RatingsStore

DEFS = load_definitions(resource_dir() / "measures")
TEMPLATES = load_templates(resource_dir() / "templates")


@pytest.fixture
def stores(vault_factory):
    vault, _ = vault_factory()
    clock = SettableClock(vault.clock.now())
    vault.clock = clock
    practice = PracticeStore(vault, TEMPLATES)
    ratings = RatingsStore(vault, DEFS, TEMPLATES)
    return practice, ratings, clock


def client_with_sessions(practice: PracticeStore, weeks: int, dob: date | None = None):
    client = practice.create_client(ClientDetails("Ana Silva", date_of_birth=dob),
                                    started_on=date(2026, 1, 1)).result()
    start = date(2026, 1, 5)
    sessions = [practice.create_session(client.id, SessionDetails(start + timedelta(weeks=i)))
                .result() for i in range(weeks)]
    return client.id, sessions


def ors(client_id: int, session_id: int, *items: float) -> RatingInput:
    return RatingInput(client_id, session_id, "ors", "screen",
                       tuple(round(v * 10) for v in items))


def test_recorded_ratings_read_back_exactly(stores) -> None:
    practice, ratings, _ = stores
    client, sessions = client_with_sessions(practice, 1)
    recorded = ratings.record(ors(client, sessions[0].id, 4.9, 5.0, 7.3, 6.1)).result()
    assert recorded.items == (49, 50, 73, 61) and recorded.total == 233
    assert recorded.definition_hash == DEFS["ors"].hash
    stored = ratings.vault.call(lambda c: c.execute(
        "SELECT definition FROM measure_definitions WHERE hash = ?",
        (recorded.definition_hash,)).fetchone()[0])
    assert json.loads(stored)["id"] == "ors"
    assert ratings.vault.audit_entries()[0].event == "measure.recorded"


@pytest.mark.parametrize("rating", [
    RatingInput(1, None, "ors", "screen", (50, 50, 50)),             # three of four items
    RatingInput(1, None, "ors", "screen", (50, 50, 50, 101)),        # > 10.0
    RatingInput(1, None, "ors", "screen", (50, 50, 50, -1)),
    RatingInput(1, None, "ors", "paper_total", (), 401),
    RatingInput(1, None, "ors", "paper_total", (50,), 200),
    RatingInput(1, None, "nope", "screen", (50,)),
    RatingInput(1, None, "ors", "telepathy", (50, 50, 50, 50)),
    RatingInput(99, None, "ors", "screen", (50, 50, 50, 50)),         # no such client
])
def test_bad_ratings_are_refused_and_nothing_is_stored(stores, rating: RatingInput) -> None:
    practice, ratings, _ = stores
    client_with_sessions(practice, 1)
    with pytest.raises(InvalidInput):
        ratings.record(rating).result()
    assert ratings.administrations(1).result() == []


def test_summary_change_category_and_alerts(stores) -> None:
    practice, ratings, clock = stores
    client, sessions = client_with_sessions(practice, 4, dob=date(1990, 1, 1))
    scores = [(5.0, 5.0, 5.0, 5.0), (5.5, 5.5, 5.5, 5.5), (6.0, 6.0, 6.0, 6.0),
              (6.5, 6.5, 6.3, 6.0)]  # 20.0 → 25.3: recovered
    for session, items in zip(sessions, scores, strict=True):
        clock.set(clock.now() + timedelta(days=7))
        ratings.record(ors(client, session.id, *items)).result()
    summary = ratings.summary(client).result()
    assert summary.change.category is ChangeCategory.RECOVERED
    assert "clinical cutoff 25.0" in summary.change.explanation
    assert [a.total for a in summary.outcome] == [200, 220, 240, 253]


def test_voided_ratings_never_count(stores) -> None:
    practice, ratings, clock = stores
    client, sessions = client_with_sessions(practice, 2)
    first = ratings.record(ors(client, sessions[0].id, 9, 9, 9, 9)).result()
    clock.set(clock.now() + timedelta(days=7))
    ratings.record(ors(client, sessions[1].id, 5, 5, 5, 5)).result()
    assert ratings.summary(client).result().change.category is \
        ChangeCategory.RELIABLY_DETERIORATED
    ratings.void(first.id, "Client rated the wrong week").result()
    summary = ratings.summary(client).result()
    assert summary.change.category is ChangeCategory.NOT_ENOUGH_DATA
    assert [a.voided for a in ratings.administrations(client).result()] == [True, False]
    with pytest.raises(InvalidInput, match="already void"):
        ratings.void(first.id, "again").result()


def test_srs_alerts_become_client_list_flags(stores) -> None:
    practice, ratings, clock = stores
    client, sessions = client_with_sessions(practice, 2)
    ratings.record(RatingInput(client, sessions[0].id, "srs", "screen",
                               (100, 100, 100, 100))).result()
    clock.set(clock.now() + timedelta(days=7))
    ratings.record(RatingInput(client, sessions[1].id, "srs", "screen",
                               (90, 80, 90, 95))).result()  # 35.5
    flags = ratings.flags([client]).result()
    assert flags[client] == ("Alliance low", "Alliance", "Alliance dropped")


def test_discussed_alerts_go_into_the_draft_or_an_addendum(stores) -> None:
    practice, ratings, _ = stores
    client, sessions = client_with_sessions(practice, 2)
    srs = ratings.record(RatingInput(client, sessions[0].id, "srs", "screen",
                                     (80, 100, 100, 100))).result()
    practice.save_draft(sessions[0].id, "soap", {"plan": "Keep the diary"}).result()
    ratings.mark_discussed(srs.id, AlertKind.SRS_ITEM_LOW, "Relationship rated below 9.0.",
                           "Felt rushed at the end; we will keep 10 minutes for her topics."
                           ).result()
    note = practice.note(sessions[0].id).result()
    assert note is not None and note.status is NoteStatus.DRAFT
    assert note.sections["plan"].startswith("Keep the diary\n\nFeedback discussed with client")
    assert practice.search("rushed").result()
    # A signed note keeps its content: the discussion becomes a signed addendum.
    other = ratings.record(RatingInput(client, sessions[1].id, "srs", "paper_total", (),
                                       300)).result()
    signed = practice.save_draft(sessions[1].id, "free", {"note": "Session went well"}).result()
    practice.sign_note(signed.note_id).result()
    ratings.mark_discussed(other.id, AlertKind.SRS_TOTAL_LOW, "Session rating 30.0.",
                           "Agreed to try a different approach").result()
    note = practice.note(sessions[1].id).result()
    assert note is not None and note.sections == {"note": "Session went well"}
    assert "different approach" in note.amendments[0].body
    assert ratings.responses(client).result()[(other.id, "srs_total_low")].startswith("Agreed")


def test_the_practice_settings_decide_the_rules(stores) -> None:
    from storage import settings_repo

    practice, ratings, clock = stores
    client, sessions = client_with_sessions(practice, 3)
    for session, total in zip(sessions, (200, 210, 220), strict=True):
        clock.set(clock.now() + timedelta(days=7))
        ratings.record(ors(client, session.id, *(total / 40,) * 4)).result()
    assert ratings.flags([client]).result() == {}  # session 3 < the default of 4
    settings_repo.put(ratings.vault, "measures.no_improvement_by", 3)
    assert ratings.flags([client]).result() == {client: ("Not improving",)}


def test_a_cors_reliable_change_can_be_set(stores) -> None:
    from storage import settings_repo

    practice, ratings, clock = stores
    client, sessions = client_with_sessions(practice, 2, dob=date(2017, 5, 1))
    for session, item in zip(sessions, (6.0, 8.0), strict=True):
        clock.set(clock.now() + timedelta(days=7))
        ratings.record(RatingInput(client, session.id, "cors", "screen",
                                   (round(item * 10),) * 4)).result()
    assert ratings.summary(client).result().change.category is ChangeCategory.NOT_ENOUGH_DATA
    settings_repo.put(ratings.vault, "measures.cors_reliable_change", 60)
    summary = ratings.summary(client).result()
    assert summary.change.category is ChangeCategory.RECOVERED  # 24.0 -> 32.0, cutoff 32
