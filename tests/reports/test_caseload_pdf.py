"""The caseload report as PDF and CSV, read back: pages, header, totals, chart, metadata, leaks."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import UTC, date, datetime

import pytest

from app.caseload import ExposureStatus, build_report
from app.clients import ClientStatus
from reports.caseload import IdentifiersFound, caseload_csv, render_caseload_pdf
from reports.readback import pdf_text_and_metadata, searchable_text
from tests.support.caseload import DEFS, facts

TODAY = date(2026, 11, 23)
NAMES = ("Zoë Ñúñez-O'Brien", "Tomasz Wiśniewski", "Ελένη Παπαδοπούλου", "Олена Коваленко",
         "Maya Okonkwo")


def caseload(count: int = 300):
    """`count` clients across every category, with names in several scripts."""
    out = []
    shapes = ([200, 230, 300], [150, 180, 220], [200, 205, 210], [300, 260, 240], [180])
    for i in range(1, count + 1):
        first, last = NAMES[i % len(NAMES)].split(" ", 1)
        out.append(facts(
            i, shapes[i % len(shapes)], alliance=[390, 345, 385],
            name=f"{first} {last}{i}", preferred=first, pseudonym=f"Willow {i}",
            born=date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
            status=ClientStatus.CLOSED if i % 7 == 0 else ClientStatus.ACTIVE,
            end_reason="Client stopped attending" if i % 14 == 0 else "Goals met",
            exposure=ExposureStatus(1, i % 10, 10, i % 2) if i % 5 == 0 else None))
    return out


@pytest.fixture(scope="module")
def big():
    clients = caseload(300)
    report = build_report(clients, DEFS, prepared_on=TODAY, practice_name="Riverside Counselling")
    return clients, report, pdf_text_and_metadata(render_caseload_pdf(report))


def test_a_big_caseload_spans_pages_with_the_header_repeated(big) -> None:
    _clients, report, back = big
    assert back.pages >= 5
    for number, text in enumerate(back.page_texts, 1):
        assert f"Page {number} of {back.pages}" in text
        assert "Client" in text and "Category" in text and "Exposure" in text  # table header
    assert "Willow 300" in back.text and "Willow 1\n" in back.text + "\n"
    assert len(report.rows) == 300


def test_totals_chart_and_rules_are_printed_with_their_denominators(big) -> None:
    _clients, report, back = big
    first = back.page_texts[0]
    t = report.totals
    recovered = t.shares[0]
    assert f"{recovered.count} of {t.categorised} ({recovered.percent_text})" in first
    assert f"{recovered.count} ({recovered.percent_text})" in first  # beside its bar
    assert "Distribution of change categories" in first
    assert f"{t.not_enough_data} (not in the percentages)" in first
    assert f"{t.dropouts} of {t.ended} ended episodes" in first
    assert "ORS: reliable change ≥ 5.0 points" in back.text
    assert "cutoff 25.0 for ages 18+" in back.text
    assert back.images == 0  # the chart is vector, not a picture


def test_fonts_are_embedded_and_metadata_is_deliberate(big) -> None:
    _clients, _report, back = big
    assert back.fonts and all(f.embedded and f.subset for f in back.fonts)
    assert all("DejaVuSans" in f.name for f in back.fonts)
    meta = back.metadata
    assert meta["/Title"] == "Caseload outcomes (de-identified) — Riverside Counselling"
    assert meta["/Author"] == "Riverside Counselling"
    assert meta["/Subject"] == "De-identified caseload outcomes (ORS/SRS), November 2026"
    assert meta["/Producer"] == "Tandem"
    assert "/CreationDate" not in meta and "/ModDate" not in meta


def test_the_de_identified_pdf_holds_no_names_or_birth_dates_anywhere(big) -> None:
    clients, _report, back = big
    haystack = searchable_text(back.text + "\n" + "\n".join(back.metadata.values())).casefold()
    for client in clients:
        for part in client.name.split():
            assert part.casefold() not in haystack, part
        assert client.preferred_name.casefold() not in haystack
        born = client.date_of_birth
        assert born.isoformat() not in haystack
        assert f"{born.day} {born:%B %Y}".casefold() not in haystack
    assert "23 November 2026" not in back.text and "November 2026" in back.text


def test_an_identified_report_shows_names_and_its_date() -> None:
    clients = caseload(12)
    report = build_report(clients, DEFS, prepared_on=TODAY, identified=True)
    pdf = render_caseload_pdf(report, created=datetime(2026, 11, 23, 10, tzinfo=UTC))
    back = pdf_text_and_metadata(pdf)
    text = searchable_text(back.text)
    assert "Zoë Ñúñez-O'Brien" in text and "Tomasz Wiśniewski" in text
    assert "Ελένη Παπαδοπούλου" in text and "Олена Коваленко" in text
    assert back.metadata["/Title"] == "Caseload outcomes (identified)"
    assert "/CreationDate" in back.metadata
    assert "23 November 2026" in text


def test_a_pseudonym_that_names_the_client_stops_the_pdf_and_the_csv() -> None:
    clients = [*caseload(4), facts(99, [200, 300], name="Maya Okonkwo", pseudonym="Maya O")]
    report = build_report(clients, DEFS, prepared_on=TODAY)
    with pytest.raises(IdentifiersFound) as caught:
        render_caseload_pdf(report)
    assert "“Maya O”" in caught.value.message and "Okonkwo" not in caught.value.message
    with pytest.raises(IdentifiersFound):
        caseload_csv(report)


def test_a_name_in_the_practice_title_is_not_a_client_leak_but_a_client_name_is() -> None:
    clients = [facts(1, [200, 300], name="Hazel Moss", pseudonym="Cedar 11"),
               facts(2, [200, 250], name="Tom Reed", pseudonym="Hazel 42")]
    report = build_report(clients, DEFS, prepared_on=TODAY, practice_name="Reed Therapy")
    back = pdf_text_and_metadata(render_caseload_pdf(report))  # neither is a leak
    assert "Hazel 42" in back.text
    leaky = build_report(clients, DEFS, prepared_on=TODAY, practice_name="Moss Clinic")
    assert leaky.practice_name == "Moss Clinic"  # the therapist's own name: allowed
    render_caseload_pdf(leaky)


def test_right_to_left_pseudonyms_render_and_read_back() -> None:
    clients = [facts(1, [200, 300], name="Ana Silva", pseudonym="שקד 12"),
               facts(2, [200, 300], name="Rui Costa", pseudonym="سرو 7")]
    back = pdf_text_and_metadata(render_caseload_pdf(
        build_report(clients, DEFS, prepared_on=TODAY)))
    text = unicodedata.normalize("NFKC", searchable_text(back.text))
    assert "שקד" in text and "سرو" in text


def test_an_empty_caseload_still_makes_a_one_page_report() -> None:
    back = pdf_text_and_metadata(render_caseload_pdf(build_report([], DEFS, prepared_on=TODAY)))
    assert back.pages == 1 and "no clients" in back.text


# -- CSV ---------------------------------------------------------------------------------------


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_csv_is_rfc_4180_with_a_bom_and_one_row_per_client() -> None:
    clients = caseload(20)
    text = caseload_csv(build_report(clients, DEFS, prepared_on=TODAY))
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = read_csv(text)
    assert rows[0][:4] == ["client", "age_band", "status", "sessions_attended"]
    assert len(rows) == 21
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["client"] == "Willow 1"
    assert first["intake"] == "15.0" and first["latest"] == "22.0" and first["change"] == "7.0"
    assert first["category"] == "Reliably improved"
    encoded = ("\ufeff" + text[1:]).encode("utf-8")
    assert encoded.startswith(b"\xef\xbb\xbf")


def test_csv_guards_against_formula_injection_and_quotes_properly() -> None:
    clients = [facts(1, [300, 200], pseudonym="=HYPERLINK(\"http://x\",\"y\")"),
               facts(2, [200], pseudonym="+1 555"), facts(3, [200], pseudonym="-2+3"),
               facts(4, [200], pseudonym="@SUM(A1)"), facts(5, [200], pseudonym='Ash, "A"')]
    rows = read_csv(caseload_csv(build_report(clients, DEFS, prepared_on=TODAY)))
    labels = {r[0] for r in rows[1:]}
    assert labels == {"'=HYPERLINK(\"http://x\",\"y\")", "'+1 555", "'-2+3", "'@SUM(A1)",
                      'Ash, "A"'}
    deteriorated = next(r for r in rows[1:] if r[0].startswith("'=HYP"))
    assert deteriorated[rows[0].index("change")] == "-10.0"  # our own numbers stay numbers


def test_identified_csv_has_names() -> None:
    clients = caseload(5)
    rows = read_csv(caseload_csv(build_report(clients, DEFS, prepared_on=TODAY,
                                              identified=True)))
    assert {r[0] for r in rows[1:]} == {c.name for c in clients}
