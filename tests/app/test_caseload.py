"""The caseload report's rules: categories at the boundaries, denominators, dropouts, the check."""

from __future__ import annotations

from datetime import date

import pytest

from app.caseload import (
    Caseload,
    ExposureStatus,
    age_band,
    build_report,
    is_dropout,
    remaining_identifiers,
)
from app.clients import ClientStatus
from app.measures import ChangeCategory
from tests.support.caseload import DEFS, facts

TODAY = date(2026, 11, 23)


def report(*clients, identified: bool = False, override: dict[str, int] | None = None):
    return build_report(clients, DEFS, prepared_on=TODAY, identified=identified,
                        reliable_change_override=override)


@pytest.mark.parametrize(("intake", "latest", "category"), [
    (200, 250, ChangeCategory.RECOVERED),  # +5.0 exactly, crossing to exactly the cutoff 25.0
    (201, 250, ChangeCategory.NO_RELIABLE_CHANGE),  # +4.9: not reliable
    (250, 300, ChangeCategory.RELIABLY_IMPROVED),  # +5.0 but started at the cutoff: not clinical
    (190, 240, ChangeCategory.RELIABLY_IMPROVED),  # +5.0 but still below the cutoff
    (300, 250, ChangeCategory.RELIABLY_DETERIORATED),  # −5.0 exactly
    (300, 251, ChangeCategory.NO_RELIABLE_CHANGE),  # −4.9
])
def test_adult_ors_categories_at_the_boundaries(intake: int, latest: int,
                                                category: ChangeCategory) -> None:
    row = report(facts(1, [intake, 260, latest])).rows[0]
    assert row.category is category
    assert (row.intake_tenths, row.latest_tenths) == (intake, latest)
    assert row.change_tenths == latest - intake
    assert row.cutoff_tenths == 250 and row.reliable_change_tenths == 50


def test_adolescent_cutoff_is_28() -> None:
    teen = facts(1, [230, 280], born=date(2010, 1, 1), age=15)
    row = report(teen).rows[0]
    assert row.category is ChangeCategory.RECOVERED and row.cutoff_tenths == 280
    assert row.age_band == "13–17"
    # 22.5 → 27.9 would be "recovered" against the adult cutoff of 25, not against 28.
    assert report(facts(2, [225, 279], age=15)).rows[0].category is \
        ChangeCategory.RELIABLY_IMPROVED
    assert report(facts(3, [225, 279], age=30)).rows[0].category is ChangeCategory.RECOVERED


def test_totals_state_their_denominators_and_leave_out_clients_without_a_category() -> None:
    clients = [
        facts(1, [200, 300]),  # recovered
        facts(2, [200, 320]),  # recovered
        facts(3, [150, 220]),  # reliably improved
        facts(4, [200, 210]),  # no reliable change
        facts(5, [300, 200]),  # deteriorated
        facts(6, [180]),  # one rating: not enough data
        facts(7, [], sessions=2),  # no rating at all
        facts(8, [200, 300], measure="cors", age=9, born=date(2017, 1, 1)),  # no CORS RCI
    ]
    totals = report(*clients).totals
    assert totals.clients == 8
    assert totals.categorised == 5
    shares = {s.category: (s.count, s.denominator) for s in totals.shares}
    assert shares == {ChangeCategory.RECOVERED: (2, 5), ChangeCategory.RELIABLY_IMPROVED: (1, 5),
                      ChangeCategory.NO_RELIABLE_CHANGE: (1, 5),
                      ChangeCategory.RELIABLY_DETERIORATED: (1, 5)}
    assert totals.share(ChangeCategory.RECOVERED).percent == pytest.approx(40.0)
    assert sum(s.percent or 0 for s in totals.shares) == pytest.approx(100.0)
    assert totals.not_enough_data == 2
    assert totals.no_rule == 1
    # Intake averaged over the 7 clients with at least one rating (the one with none is out).
    assert totals.intake_n == 7
    assert totals.average_intake_tenths == round((200 + 200 + 150 + 200 + 300 + 180 + 200) / 7)
    # Sessions averaged over everybody.
    assert totals.average_sessions == pytest.approx((2 + 2 + 2 + 2 + 2 + 1 + 2 + 2) / 8)


def test_a_reliable_change_setting_for_cors_categorises_children() -> None:
    child = facts(1, [200, 330], measure="cors", age=9, born=date(2017, 1, 1),
                  cors_reliable_change=60)
    built = report(child, override={"cors": 60})
    assert built.rows[0].category is ChangeCategory.RECOVERED  # cutoff 32 for CORS
    assert built.totals.no_rule == 0 and built.totals.categorised == 1
    rule = next(r for r in built.rules if r.short_name == "CORS")
    assert "reliable change ≥ 6.0" in rule.text and "cutoff 32.0 for ages 6–12" in rule.text


def test_an_empty_caseload_has_no_percentages() -> None:
    totals = report().totals
    assert totals.clients == 0 and totals.categorised == 0
    assert all(s.percent is None and s.percent_text == "—" for s in totals.shares)
    assert totals.average_intake_tenths is None and totals.average_sessions is None


@pytest.mark.parametrize(("reason", "dropout"), [
    ("Client stopped attending", True),
    ("Client chose to stop", True),
    ("client withdrew", True),
    ("Client stopped attending (no response to two letters)", True),
    ("Dropped out after session 3", True),
    ("Goals met; planned ending", False),
    ("Referred on to another service", False),
    ("Client moved away", False),
    ("planned ending", False),
])
def test_dropouts_are_read_from_the_reason_for_ending(reason: str, dropout: bool) -> None:
    assert is_dropout(reason) is dropout


def test_dropouts_count_only_ended_episodes() -> None:
    built = report(
        facts(1, [200, 210], status=ClientStatus.CLOSED, end_reason="Client stopped attending"),
        facts(2, [200, 300], status=ClientStatus.CLOSED, end_reason="Goals met; planned ending"),
        facts(3, [200, 210], status=ClientStatus.ACTIVE),
    )
    assert [r.status for r in built.rows] == ["Dropped out", "Ended", "Active"]
    assert built.totals.dropouts == 1
    assert (built.totals.ended, built.totals.active) == (2, 1)


def test_de_identified_rows_carry_pseudonyms_and_age_bands_only() -> None:
    client = facts(1, [200, 300], name="Zoë Ñúñez-O'Brien", pseudonym="Rowan 27",
                   born=date(1999, 4, 2))
    row = report(client).rows[0]
    assert row.label == "Rowan 27"
    assert row.age_band == "18–25"  # at the start of the episode (March 2025): 25
    assert report(client, identified=True).rows[0].label == "Zoë Ñúñez-O'Brien"
    unknown_birth = facts(2, [200], born=None, band="40–64")
    assert report(unknown_birth).rows[0].age_band == "40–64"


@pytest.mark.parametrize(("age", "band"), [(0, "under 6"), (5, "under 6"), (6, "6–12"),
                                           (12, "6–12"), (13, "13–17"), (17, "13–17"),
                                           (18, "18–25"), (64, "40–64"), (65, "65+"),
                                           (95, "65+")])
def test_age_bands(age: int, band: str) -> None:
    assert age_band(age) == band


def test_srs_mean_and_flags_come_from_the_alerts() -> None:
    # 39.0, 34.0 (below 36: flag), 38.0 with an item below 9? (items 9.5 each) no flag.
    client = facts(1, [200, 220, 240], alliance=[390, 340, 380])
    row = report(client).rows[0]
    assert row.srs_mean_tenths == round((390 + 340 + 380) / 3)
    assert row.srs_ratings == 3
    assert row.srs_flags == 1
    assert report(facts(2, [200, 220])).rows[0].srs_mean_tenths is None


def test_exposure_status_reads_plainly() -> None:
    assert ExposureStatus().text == "—"
    assert ExposureStatus(1, 3, 10, 1).text == "1 ladder, 3/10 mastered, 1 ready"
    assert ExposureStatus(2, 0, 18, 0).text == "2 ladders, 0/18 mastered"


def test_rows_are_in_natural_order_of_their_labels() -> None:
    built = report(facts(1, [200], pseudonym="Oak 10"), facts(2, [200], pseudonym="oak 9"),
                   facts(3, [200], pseudonym="Ash 2"))
    assert [r.label for r in built.rows] == ["Ash 2", "oak 9", "Oak 10"]


def test_month_and_year_only_when_de_identified() -> None:
    assert report().prepared_text == "November 2026"
    assert report(identified=True).prepared_text == "23 November 2026"


# -- the final check ---------------------------------------------------------------------------


def test_a_pseudonym_that_gives_the_client_away_is_found() -> None:
    maya = facts(1, [200], name="Maya Okonkwo", pseudonym="Maya O.")
    found = remaining_identifiers("Maya O. 26–39 Active", [maya])
    assert found and "“Maya O.”" in found[0] and "Okonkwo" not in " ".join(found)


def test_another_clients_name_inside_a_pseudonym_is_not_a_leak() -> None:
    hazel = facts(1, [200], name="Hazel Jones", pseudonym="Cedar 11")
    other = facts(2, [200], name="Tom Reed", pseudonym="Hazel 42")
    assert remaining_identifiers("Cedar 11 … Hazel 42 …", [hazel, other]) == []


def test_names_and_birth_dates_anywhere_else_are_found_and_named_by_pseudonym() -> None:
    zoe = facts(1, [200], name="Zoë Ñúñez-O'Brien", pseudonym="Rowan 27",
                born=date(1999, 4, 2))
    assert remaining_identifiers("Rowan 27 (ZOE NUNEZ-O'BRIEN)", [zoe]) == [
        "a name of the client shown as “Rowan 27”"]
    assert remaining_identifiers("Rowan 27 … o'brien", [zoe])
    assert remaining_identifiers("born 1999-04-02", [zoe]) == [
        "the date of birth of the client shown as “Rowan 27”"]
    assert remaining_identifiers("born 2 April 1999", [zoe])
    assert remaining_identifiers("Rowan 27, April 1999", [zoe]) == []  # month/year is not a DOB


def test_the_reports_own_words_do_not_trip_the_check() -> None:
    page = facts(1, [200], name="Grace Page", pseudonym="Elm 3")
    text = "Elm 3 Active … Page 1 of 2"
    assert remaining_identifiers(text, [page]) == ["a name of the client shown as “Elm 3”"]
    assert remaining_identifiers(text, [page], allowed_words=["Page 1 of 2"]) == []
    # …but the client's own pseudonym may never contain their name, allowed word or not.
    assert remaining_identifiers("Page 3", [facts(2, [200], name="Grace Page",
                                                   pseudonym="Page 3")], ["Page"])


def test_a_caseload_builds_its_report_and_keeps_the_sources_for_the_check() -> None:
    caseload = Caseload((facts(1, [200, 300], name="Ana Silva", pseudonym="Fern 12"),),
                        practice_name="Riverside Counselling")
    built = caseload.report(DEFS, prepared_on=TODAY)
    assert built.practice_name == "Riverside Counselling"
    assert built.remaining_identifiers("Fern 12 Riverside Counselling") == []
    assert built.remaining_identifiers("Fern 12 Ana") == [
        "a name of the client shown as “Fern 12”"]
    assert "Ana" not in repr(built)
