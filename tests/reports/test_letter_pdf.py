"""Letters as PDFs read back: text, metadata, fonts, pages, tables, Unicode, password, the gate."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.letters import LetterContent, LetterImage, LetterRequest, SessionFact, compose
from app.sessions import Attendance, Modality
from reports.document import MARGIN
from reports.letter import render_letter
from reports.protect import protect
from reports.readback import leftover_identifiers, pdf_text_and_metadata, searchable_text
from tests.support import letters as sample

UNICODE_NAMES = ("Zoë Ñúñez-O'Brien", "Grzegorz Brzęczyszczykiewicz", "Ελένη Παπαδοπούλου",
                 "Олена Коваленко", "דניאל כהן", "سمير حداد")


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def content(template: str = "progress", facts_changes: dict[str, object] | None = None,
            **request: object) -> LetterContent:
    facts = sample.facts(**(facts_changes or {}))
    return compose(facts, sample.templates()[template],
                   LetterRequest(3, template, **request))  # type: ignore[arg-type]


def normalised(text: str) -> str:
    return unicodedata.normalize("NFC", searchable_text(text))


def test_a_letter_reads_back_with_its_metadata_fonts_and_page_numbers() -> None:
    letter = content()
    back = pdf_text_and_metadata(render_letter(letter))
    assert back.pages >= 2
    for number, text in enumerate(back.page_texts, start=1):
        assert f"Page {number} of {back.pages}" in text
    assert back.metadata == {"/Title": f"Progress letter: {sample.NAME}",
                             "/Author": "Dr Miriam Okafor",
                             "/Subject": f"Progress report: {sample.NAME}",
                             "/Creator": "Tandem", "/Producer": "Tandem"}
    assert back.fonts, "no fonts found"
    for font in back.fonts:
        assert font.embedded and font.subset, font
    assert {f.name.split("+")[1] for f in back.fonts} <= {"DejaVuSans", "DejaVuSans-Bold"}
    assert "Riverside Counselling" in back.page_texts[0]
    assert "Dear Dr Imogen Hale," in back.text


def test_the_same_letter_gives_the_same_bytes() -> None:
    assert render_letter(content()) == render_letter(content())


def test_unicode_names_in_every_script_are_extracted_as_written() -> None:
    paragraph = "Family members: " + ", ".join(UNICODE_NAMES) + "."
    letter = content(paragraphs={"plan": paragraph,
                                 "opening": "שלום — مرحبا — Γειά σου — Привет — Cześć"})
    back = pdf_text_and_metadata(render_letter(letter))
    text = normalised(back.text)
    for name in UNICODE_NAMES:
        assert name in text, name
    for font in back.fonts:
        assert font.embedded and font.subset


def test_long_names_and_paragraphs_wrap_inside_the_margins() -> None:
    import pypdfium2 as pdfium

    long_name = "Maximiliana Wilhelmina Ñúñez-O'Brien-Papadopoulou-Brzęczyszczykiewicz"
    client = sample.client(name=long_name)
    letter = content(facts_changes={"client": client},
                     paragraphs={"plan": "A long paragraph that must wrap. " * 60,
                                 "opening": "ארוך מאוד " * 60 + " نص عربي طويل " * 40})
    pdf = render_letter(letter)
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            width = page.get_width()
            text = page.get_textpage()
            for index in range(text.count_chars()):
                left, _bottom, right, _top = text.get_charbox(index)
                if right > left:  # a drawn glyph
                    assert left >= MARGIN - 1 and right <= width - MARGIN + 1, \
                        (text.get_text_range(index, 1), left, right)
    finally:
        document.close()
    assert long_name in pdf_text_and_metadata(pdf).text.replace("\n", " ")


def test_a_long_table_splits_across_pages_with_its_header_repeated() -> None:
    start = date(2024, 1, 1)
    sessions = tuple(SessionFact(i + 1, start + timedelta(weeks=i), Attendance.ATTENDED,
                                 Modality.VIDEO) for i in range(90))
    letter = content(facts_changes={"sessions": sessions, "episode_start": start})
    back = pdf_text_and_metadata(render_letter(letter))
    pages = [" ".join(text.split()) for text in back.page_texts]
    with_rows = [i for i, text in enumerate(pages) if "Session 60 " in text]
    assert with_rows and with_rows[0] >= 1, "the table should reach a later page"
    for index in range(with_rows[0] + 1):
        text = pages[index]
        rows = text.count(" Attended Video")
        if rows:
            assert "Session Date Attendance How Session" in text, (index, text[:200])
    assert sum("Session Date Attendance How" in t for t in pages) >= 2
    assert "Session 90 " in " ".join(pages)


def test_the_chart_is_vector_graphics_and_images_are_only_the_practice_s() -> None:
    facts_changes = {"logo": LetterImage("png", png(2400, 1200, (30, 80, 120))),
                     "signature": LetterImage("png", png(1800, 500, (20, 20, 90)))}
    pdf = render_letter(content(facts_changes=facts_changes))
    back = pdf_text_and_metadata(pdf)
    assert back.images == 2  # logo and signature; the chart added none
    assert "Clinical cutoff 25.0" in back.text and "Session" in back.text
    assert len(pdf) <= 150 * 1024, len(pdf)  # big images are scaled down to print size


def test_a_deidentified_letter_passes_the_final_check() -> None:
    letter = content("supervision")
    pdf = render_letter(letter)
    assert leftover_identifiers(pdf, letter.identifiers, letter.file_name) == []
    back = pdf_text_and_metadata(pdf)
    assert sample.PSEUDONYM in back.metadata["/Title"]
    assert sample.PSEUDONYM in back.text
    assert "Zo" not in letter.file_name


def test_the_final_check_names_what_deidentification_missed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import app.letters

    monkeypatch.setattr(app.letters, "deidentify", lambda text, ids: text)
    letter = content("supervision", paragraphs={"questions": f"How do I help {sample.NAME}?"})
    letter = replace(letter, file_name=f"Summary - {sample.NAME}.pdf",
                     metadata=replace(letter.metadata, title="About Zoë"))
    found = leftover_identifiers(render_letter(letter), letter.identifiers, letter.file_name)
    assert "name “Zoë” in the text" in found
    assert "name “Zoë” in the PDF's Title" in found
    assert "name “Zoë” in the file name" in found


def test_a_phone_number_deidentification_misses_is_caught() -> None:
    # Slashes between the digit groups slip past the phone pattern; the check sees the digits.
    letter = content("supervision", paragraphs={"questions": "Her number is 20/7946/0123."})
    found = leftover_identifiers(render_letter(letter), letter.identifiers)
    assert found == ["phone number ending 0123 in the text"]


def test_a_right_to_left_name_is_caught_in_its_printed_form(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import app.letters

    monkeypatch.setattr(app.letters, "deidentify", lambda text, ids: text)
    for name in ("דניאל כהן", "سمير حداد"):
        letter = content("supervision", facts_changes={"client": sample.client(name=name)},
                         paragraphs={"questions": f"{name} asked about the next step."})
        found = leftover_identifiers(render_letter(letter), letter.identifiers)
        assert f"name “{name}” in the text" in found, (name, found)


def test_a_password_protects_with_aes_256() -> None:
    from pypdf import PdfReader

    pdf = render_letter(content())
    protected = protect(pdf, "correct horse")
    reader = PdfReader(io.BytesIO(protected))
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert not reader.decrypt("wrong password")
    with pytest.raises(Exception, match="password"):
        pdf_text_and_metadata(protected)
    opened = pdf_text_and_metadata(protected, "correct horse")
    assert opened.text == pdf_text_and_metadata(pdf).text
    assert opened.metadata["/Title"] == f"Progress letter: {sample.NAME}"
    assert opened.metadata["/Producer"] == "Tandem"
    assert sample.NAME.encode() not in protected and b"Riverside" not in protected


def test_an_arabic_name_printed_as_shaped_display_order_is_searchable() -> None:
    """Some extractors return Arabic as presentation forms in display order: still found."""
    import arabic_reshaper
    from bidi import get_display

    from reports.readback import searchable_text

    name = "سمير حداد"
    printed = get_display(arabic_reshaper.reshape(name))
    assert name not in printed
    assert name in searchable_text(f"Client: {printed}")
