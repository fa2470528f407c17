"""Letters before any PDF: templates as data, merging, blocks, and de-identification."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from app.deidentify import Identifiers, deidentify, remaining_identifiers
from app.errors import InvalidInput
from app.letters import (
    BlockKind,
    BulletsBlock,
    ChartBlock,
    HeadingBlock,
    LetterContent,
    LetterRequest,
    LetterTemplate,
    Recipient,
    RecipientKind,
    TableBlock,
    TextBlock,
    chart_data,
    compose,
    parse_template_text,
)
from app.ratings import summarise
from tests.support import letters as sample


def everything(content: LetterContent) -> str:
    """Every piece of text the letter will print, plus its metadata and file name."""
    parts = [content.date_line, *content.recipient_lines, content.subject,
             *content.reference_lines, content.salutation, content.closing, content.footer,
             content.running_header, content.running_header_right, content.file_name,
             content.metadata.title, content.metadata.subject, content.metadata.author]
    for block in content.blocks:
        if isinstance(block, TextBlock | HeadingBlock):
            parts.append(block.text)
        elif isinstance(block, BulletsBlock):
            parts.extend(block.items)
        elif isinstance(block, TableBlock):
            parts.extend(block.header)
            parts.extend(cell for row in block.rows for cell in row)
        elif isinstance(block, ChartBlock):
            parts.append(block.caption)
    return "\n".join(parts)


def texts(content: LetterContent) -> list[str]:
    return [b.text for b in content.blocks if isinstance(b, TextBlock)]


# -- templates -------------------------------------------------------------------------------


def test_the_three_shipped_templates_load_with_their_defaults() -> None:
    templates = sample.templates()
    assert set(templates) == {"progress", "end-of-treatment", "supervision"}
    assert templates["progress"].default_recipient is RecipientKind.REFERRER
    assert templates["end-of-treatment"].default_recipient is RecipientKind.REFERRER
    assert templates["supervision"].default_recipient is RecipientKind.SUPERVISOR
    assert templates["supervision"].deidentified
    assert not templates["progress"].deidentified
    for template in templates.values():
        blocks = {s.block for s in template.sections}
        assert {BlockKind.ATTENDANCE, BlockKind.OUTCOME, BlockKind.EXPOSURE,
                BlockKind.GOALS, BlockKind.NOTES} <= blocks, template.id


def _user_template(**changes: object) -> str:
    raw = sample.templates()["progress"].to_json()
    raw.update({"id": "mine", "name": "My letter"})
    raw.update(changes)
    return json.dumps(raw)


def test_a_user_template_round_trips_through_its_json() -> None:
    template = parse_template_text(_user_template())
    assert not template.builtin
    assert LetterTemplate.from_json(template.to_json(), builtin=False) == template


@pytest.mark.parametrize(("change", "message"), [
    ({"subject": "Re {client.nmae}"},
     r"Unknown merge field \{client.nmae\} in the subject of the template “My letter”.*"
     r"client.name"),
    ({"sections": [{"key": "a", "title": "Plan", "text": "See you {soon"}]},
     "lone “{” at character 9 of the section “Plan” of the template “My letter”"),
    ({"sections": [{"key": "a", "title": "Plan", "block": "horoscope"}]},
     "Unknown automatic block 'horoscope' in the section “Plan”"),
    ({"sections": [{"key": "a", "title": "A"}, {"key": "a", "title": "B"}]},
     "share a key"),
    ({"default_recipient": "client"}, "referrer, supervisor or other"),
    ({"id": "My Letter!"}, "lower-case letters"),
])
def test_a_broken_user_template_is_refused_naming_where(change: dict[str, object],
                                                         message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_template_text(_user_template(**change))


def test_malformed_json_is_refused_with_its_line_and_column() -> None:
    with pytest.raises(InvalidInput, match="line 2, column 1"):
        parse_template_text('{"format": "tandem-letter-template",\n}')


# -- composing -------------------------------------------------------------------------------


def test_a_progress_letter_merges_the_record() -> None:
    content = compose(sample.facts(), sample.templates()["progress"],
                      LetterRequest(3, "progress", paragraphs={"plan": "Six more sessions."}))
    assert content.subject == f"Progress report: {sample.NAME}"
    assert content.recipient_lines[:2] == (sample.REFERRER, "General practitioner")
    assert content.salutation == f"Dear {sample.REFERRER},"
    assert content.date_line == "23 November 2026"
    body = everything(content)
    # 12 weeks: 10 attended, one cancelled, one no-show.
    assert "Zoë attended 10 of 12 scheduled sessions in this period (sessions 1 to 10). " \
           "Cancelled: 1; missed without notice: 1." in body
    assert "Six more sessions." in body
    assert "born 3 April 1991" in content.reference_lines[0]
    table = next(b for b in content.blocks if isinstance(b, TableBlock)
                 and b.header[0] == "Session")
    assert table.header == ("Session", "Date", "Attendance", "How")
    assert table.rows[3] == ("After session 3", "23 March 2026", "Cancelled", "In person")
    assert content.metadata.title == f"Progress letter: {sample.NAME}"
    assert content.file_name == f"Progress letter - {sample.NAME} - 2026-11-23.pdf"


def test_the_outcome_block_states_category_rule_and_values() -> None:
    content = compose(sample.facts(), sample.templates()["progress"],
                      LetterRequest(3, "progress"))
    body = everything(content)
    assert "Change since intake: Recovered (clinically significant change)." in body
    assert "Intake 18.2, latest 27.5, change +9.3; reliable change ≥ 5.0; clinical cutoff " \
           "25.0 (clinical range: below 25.0)." in body
    assert "Rule (Jacobson & Truax, 1991)" in body
    assert "cutoff 25.0 for ages 18+" in body
    assert any(isinstance(b, ChartBlock) for b in content.blocks)


def test_the_chart_has_the_same_points_as_the_window_chart() -> None:
    from matplotlib.figure import Figure

    from reports.trajectory import draw_trajectory

    facts = sample.facts()
    summary = summarise(list(facts.administrations), dict(facts.definitions), 35)
    chart = chart_data(summary)
    drawn = {(p.x, p.y) for p in draw_trajectory(Figure(), summary)
             if not p.text.startswith("Alert")}
    assert chart.outcome is not None and chart.alliance is not None
    assert set(chart.outcome.points) | set(chart.alliance.points) == drawn
    assert chart.cutoff == 25.0
    assert chart.band == (13.2, 23.2)


def test_the_period_limits_sessions_and_ratings() -> None:
    content = compose(sample.facts(), sample.templates()["progress"],
                      LetterRequest(3, "progress", period_start=date(2026, 3, 9),
                                    period_end=date(2026, 3, 30)))
    table = next(b for b in content.blocks if isinstance(b, TableBlock)
                 and b.header[0] == "Session")
    assert [row[1] for row in table.rows] == ["9 March 2026", "16 March 2026",
                                             "23 March 2026", "30 March 2026"]
    chart = next(b for b in content.blocks if isinstance(b, ChartBlock)).chart
    assert chart.outcome is not None and chart.outcome.points[-1][0] == 4  # session 4 ended it


def test_a_paragraph_for_a_section_the_template_lacks_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no section 'nonsense'"):
        compose(sample.facts(), sample.templates()["progress"],
                LetterRequest(3, "progress", paragraphs={"nonsense": "lost words"}))


def test_a_short_password_is_refused_before_anything_is_made() -> None:
    with pytest.raises(InvalidInput, match="at least 8 characters"):
        compose(sample.facts(), sample.templates()["progress"],
                LetterRequest(3, "progress", password="short"))


def test_empty_sections_are_left_out() -> None:
    content = compose(sample.facts(ladders=(), notes=()), sample.templates()["progress"],
                      LetterRequest(3, "progress"))
    headings = [b.text for b in content.blocks if isinstance(b, HeadingBlock)]
    assert "Graded exposure" not in headings
    assert "From the session notes" not in headings
    assert "Plan" not in headings  # no paragraph written for it


def test_exposure_progress_lists_steps_and_what_was_learned() -> None:
    content = compose(sample.facts(), sample.templates()["progress"],
                      LetterRequest(3, "progress"))
    body = everything(content)
    assert "Fear ladder: Being judged by others." in body
    assert "2 of 4 steps mastered" in body
    assert "“My voice shook and nobody noticed.”" in body
    assert "Session 11, 1 June 2026 (Speak up in a team meeting)" in body


# -- de-identification -----------------------------------------------------------------------


PLANTED = ("Zoë told me that ZOE's manager, and Dr Imogen Hale, know. Her phone is "
           f"{sample.PHONE}, e-mail {sample.EMAIL}, born 03/04/1991, lives at 14 Larch "
           "Crescent. Ñúñez-O’Brien is the family name.")


def test_a_deidentified_letter_carries_no_identifier_anywhere() -> None:
    content = compose(sample.facts(), sample.templates()["progress"],
                      LetterRequest(3, "progress", deidentified=True,
                                    paragraphs={"plan": PLANTED}))
    body = everything(content)
    assert remaining_identifiers(body, content.identifiers) == []
    assert sample.PSEUDONYM in body
    assert content.recipient_lines == ()  # the referrer is omitted
    assert content.salutation == "Dear colleague,"
    assert content.file_name == f"Progress letter - {sample.PSEUDONYM} - 2026-11.pdf"
    assert content.metadata.title == f"Progress letter: {sample.PSEUDONYM}"
    assert content.date_line == "November 2026"
    assert "1991" in content.reference_lines[0] or "age 35" in content.reference_lines[0]


def test_deidentified_dates_become_session_numbers_or_month_and_year() -> None:
    content = compose(sample.facts(), sample.templates()["supervision"],
                      LetterRequest(3, "supervision"))
    assert content.deidentified
    table = next(b for b in content.blocks if isinstance(b, TableBlock)
                 and b.header[0] == "Session")
    assert table.header == ("Session", "Attendance", "How")
    body = everything(content)
    assert "Period: March 2026 to November 2026 (sessions 1 to 10)" in body
    assert "Session 11 (Speak up in a team meeting)" in body
    assert "Progress note, session 5:" in body
    assert "2026-" not in body.replace(content.file_name, "")
    for month_day in ("2 March", "6 April", "1 June"):
        assert month_day not in body


def test_the_template_default_can_be_overridden_both_ways() -> None:
    identified = compose(sample.facts(), sample.templates()["supervision"],
                         LetterRequest(3, "supervision", deidentified=False))
    assert sample.NAME in everything(identified)


def test_ages_over_89_read_90_plus_when_deidentified() -> None:
    old = sample.client(birth=date(1931, 2, 1))
    content = compose(sample.facts(client=old), sample.templates()["supervision"],
                      LetterRequest(3, "supervision"))
    assert "age 90+" in content.reference_lines[0]
    assert "1931" not in everything(content)


def test_a_supervisor_recipient_is_kept_when_deidentified() -> None:
    content = compose(sample.facts(), sample.templates()["supervision"],
                      LetterRequest(3, "supervision", recipient=Recipient(
                          "Dr Ada Byrne", "Clinical supervisor", "",
                          RecipientKind.SUPERVISOR)))
    assert content.recipient_lines == ("Dr Ada Byrne", "Clinical supervisor")


def test_a_self_referred_client_has_no_default_recipient() -> None:
    client = sample.client()
    details = replace(client.details, referral=replace(client.details.referral,
                                                       source="Self", referrer_name="Self"))
    content = compose(sample.facts(client=replace(client, details=details)),
                      sample.templates()["progress"], LetterRequest(3, "progress"))
    assert content.recipient_lines == ()
    assert content.salutation == "Dear colleague,"


# -- deidentify: forms it used to miss (bug fixes) -------------------------------------------


IDS = Identifiers.build(sample.PSEUDONYM, sample.NAME, address="14 Rue de l'Église\nLyon",
                        others=["Dr Hélène Dubois"])


@pytest.mark.parametrize("text", [
    "Mrs Ñúñez-O’Brien came",  # a typographic apostrophe
    "Z\u200boë came",  # a zero-width space inside the name
    "Ñúñez\u00ad-O'Brien",  # a soft hyphen
    "lives at 14 rue de l'eglise",  # the address typed without its accents
    "dr helene dubois referred",  # the referrer without accents
])
def test_disguised_identifiers_are_removed_and_seen_by_the_check(text: str) -> None:
    assert remaining_identifiers(text, IDS) != []
    cleaned = deidentify(text, IDS)
    assert remaining_identifiers(cleaned, IDS) == [], cleaned


def test_a_town_the_letterhead_prints_is_not_the_clients_identifier() -> None:
    from app.letters import identifiers_for

    shared = replace(sample.profile(), address="2 Quay Road\nLeeds LS1 1AA")
    ids = identifiers_for(sample.facts(profile=shared))
    # The referrer's "Leeds LS1 1AA" is also the practice's own line: printing the
    # letterhead must not count as leaving an identifier; every other line still does.
    assert remaining_identifiers("2 Quay Road, Leeds LS1 1AA", ids) == []
    assert remaining_identifiers("14 Larch Crescent", ids) != []
    assert remaining_identifiers("Hale Surgery", ids) != []
