"""The caseload outcomes report as a PDF (for a supervisor, often printed) and as CSV.

PDF: A4 landscape, so the twelve columns read without wrapping numbers. The totals and the
distribution chart come first (what a supervisor looks at), then the rules used (measures.md:
"reports print the rule, the RCI and the cutoff used"), then one row per client in a table
that repeats its header on every page. The chart is vector (reportlab graphics): one bar per
category with its name, count and percentage written beside it — never colour alone.

De-identified reports go through a final check before any bytes are handed back: the text and
metadata are read back out of the finished PDF (what a recipient's search or copy-paste
would find) and scanned for every client's names and date of birth; if anything is found the
report is refused with a message naming the pseudonyms concerned. The same check runs on the
CSV text.

CSV: RFC 4180 (comma, CRLF line ends, quotes doubled), UTF-8 **with a byte-order mark**: Excel,
which most supervisors open it in, reads a BOM-less CSV in the local ANSI code page and turns
"Zoë" into "ZoÃ«"; LibreOffice, Numbers, pandas and Python's csv (utf-8-sig) all handle the BOM.
Text cells that begin with = + - @ (or a tab or carriage return) get a leading apostrophe so a
spreadsheet shows them as text instead of running them as formulas (CSV/formula injection);
numbers we format ourselves are left numeric.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from app.caseload import (
    CATEGORY_SHORT,
    NO_RULE_LABEL,
    RULE_TEXT,
    CaseloadReport,
    CaseloadRow,
    CategoryShare,
)
from app.errors import InvalidInput
from app.measures import ChangeCategory, fmt

TITLE = "Caseload outcomes"
HEADER = ("Client", "Age band", "Status", "Sessions", "Measure", "Intake", "Latest", "Change",
          "Category", "SRS mean", "SRS flags", "Exposure")
NUMERIC_COLUMNS = (3, 5, 6, 7, 9, 10)
CSV_HEADER = ("client", "age_band", "status", "sessions_attended", "measure",
              "outcome_ratings", "intake", "latest", "change", "cutoff", "reliable_change",
              "category", "srs_mean", "srs_ratings", "srs_flags", "ladders", "steps_mastered",
              "steps_total", "ready_steps")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Fills for the bars, each also named in words beside its bar (colour is never the only cue).
BAR_FILLS = {
    ChangeCategory.RECOVERED: "#2f6f4f",
    ChangeCategory.RELIABLY_IMPROVED: "#7fb28f",
    ChangeCategory.NO_RELIABLE_CHANGE: "#b9b9b9",
    ChangeCategory.RELIABLY_DETERIORATED: "#b3261e",
    ChangeCategory.NOT_ENOUGH_DATA: "#ffffff",
}


class IdentifiersFound(InvalidInput):
    """The de-identified report still holds something identifying: nothing was written."""


# -- the words on the page -------------------------------------------------------------------


def row_cells(row: CaseloadRow) -> list[str]:
    """A row as the PDF prints it (the first cell is the label)."""
    change = row.change_tenths
    srs = fmt(row.srs_mean_tenths) if row.srs_mean_tenths is not None else "—"
    return [row.label or "—", row.age_band or "—", row.status, str(row.sessions),
            row.measure or "—", fmt(row.intake_tenths), fmt(row.latest_tenths),
            "—" if change is None else f"{change / 10:+.1f}", row.category_label, srs,
            str(row.srs_flags) if row.srs_ratings else "—", row.exposure.text]


def _percent(share: CategoryShare) -> str:
    return share.percent_text.replace("—", "–")


def subtitle(report: CaseloadReport) -> str:
    """What kind of document this is, and when it was prepared."""
    if report.identified:
        return (f"Identified: shows clients' names. Confidential clinical record. Prepared "
                f"{report.prepared_text}.")
    return (f"De-identified for supervision (HIPAA Safe Harbor): pseudonyms, age bands, no "
            f"dates, names or contact details. Prepared {report.prepared_text}.")


def totals_lines(report: CaseloadReport) -> list[tuple[str, str]]:
    """The totals block: (what, figure with its denominator)."""
    t = report.totals
    lines = [("Clients", f"{t.clients} ({t.active} active, {t.ended} ended)")]
    for share in t.shares:
        lines.append((share.label, f"{share.count} of {t.categorised} ({_percent(share)})"))
    uncategorised = []
    if t.not_enough_data:
        uncategorised.append(f"{t.not_enough_data} with fewer than two outcome ratings")
    if t.no_rule:
        uncategorised.append(f"{t.no_rule} whose measure has no reliable-change value")
    lines.append(("Not categorised", "; ".join(uncategorised) if uncategorised else "none"))
    intake = ("—" if t.average_intake_tenths is None
              else f"{fmt(t.average_intake_tenths)} (of {t.intake_n} clients with a rating)")
    lines.append(("Average intake score", intake))
    sessions = "—" if t.average_sessions is None else (
        f"{t.average_sessions:.1f} attended, current episode (all {t.clients} clients)")
    lines.append(("Average sessions", sessions))
    lines.append(("Dropouts", f"{t.dropouts} of {t.ended} ended episodes"))
    return lines


def notes(report: CaseloadReport) -> list[str]:
    """How to read the report: the rules and definitions actually used."""
    t = report.totals
    out = [f"Percentages are of the {t.categorised} clients with a change category (two or "
           "more outcome ratings in the current episode and a reliable-change value); the "
           "four categories exclude each other and add up to 100 %. " + RULE_TEXT]
    out.extend(rule.text for rule in report.rules)
    out.append("Intake and latest are the first and most recent outcome totals (0–40) of the "
               "current episode; age band at the start of that episode. SRS mean: average "
               "session rating in the episode; SRS flags: session ratings that raised an "
               "alert (total below 36, an item below 9, or a drop of 1 point or more). "
               "Dropouts: ended episodes whose reason says the client stopped attending, chose "
               "to stop or withdrew. Exposure: fear ladders, steps mastered of steps (retired "
               "steps not counted), and steps whose recent trials meet the ladder's rule.")
    return out


def _document_words(report: CaseloadReport) -> list[str]:
    """Everything the PDF prints except the rows' labels: the final check's allowed words."""
    words = [TITLE, subtitle(report), *HEADER, *notes(report), "Page of",
             "Distribution of change categories", "not in the percentages",
             NO_RULE_LABEL, *CATEGORY_SHORT.values(), "Confidential", "De-identified",
             "Identified", "clinical supervision", report.practice_name]
    for what, figure in totals_lines(report):
        words += [what, figure]
    for row in report.rows:
        words += row_cells(row)[1:]
    return words


# -- the chart -------------------------------------------------------------------------------


def distribution_chart(report: CaseloadReport, width: float) -> object:
    """Horizontal bars, one per category, each named and counted in words beside it.

    Drawn straight onto the page canvas as vector paths and text (reportlab.graphics would add
    an unused, unembedded Helvetica resource to the file).
    """
    from reportlab.lib import colors
    from reportlab.platypus import Flowable

    from reports.document import FONT, FONT_BOLD, INK, QUIET, RULE

    t = report.totals
    bars: list[tuple[str, int, str, str]] = [
        (s.label, s.count, f"{s.count} ({_percent(s)})", BAR_FILLS[s.category])
        for s in t.shares]
    uncategorised = t.not_enough_data + t.no_rule
    bars.append(("Not categorised", uncategorised, f"{uncategorised} (not in the percentages)",
                 BAR_FILLS[ChangeCategory.NOT_ENOUGH_DATA]))
    bar_height, gap, title_height = 13.0, 6.0, 16.0
    label_width, value_width = 104.0, 128.0
    track = max(40.0, width - label_width - value_width)
    top = max([b[1] for b in bars] + [1])

    class Chart(Flowable):  # type: ignore[misc]
        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            self.width = width
            self.height = title_height + len(bars) * (bar_height + gap) + 4
            return self.width, self.height

        def draw(self) -> None:
            c = self.canv
            c.setFillColor(INK)
            c.setFont(FONT_BOLD, 9)
            c.drawString(0, self.height - 11, "Distribution of change categories")
            y = self.height - title_height - bar_height
            for index, (label, count, value, fill) in enumerate(bars):
                if index == len(bars) - 1:  # a dashed rule: what follows is outside the %
                    c.setStrokeColor(RULE)
                    c.setLineWidth(0.5)
                    c.setDash(2, 2)
                    c.line(0, y + bar_height + gap / 2, width, y + bar_height + gap / 2)
                    c.setDash()
                c.setFillColor(INK)
                c.setFont(FONT, 8)
                c.drawRightString(label_width - 6, y + 3.5, label)
                c.setFillColor(colors.HexColor("#f3f3f3"))
                c.rect(label_width, y, track, bar_height, stroke=0, fill=1)
                if count:
                    c.setFillColor(colors.HexColor(fill))
                    c.setStrokeColor(QUIET)
                    c.setLineWidth(0.5)
                    c.rect(label_width, y, track * count / top, bar_height, stroke=1, fill=1)
                c.setFillColor(INK)
                c.drawString(label_width + track + 6, y + 3.5, value)
                y -= bar_height + gap

    return Chart()


# -- the PDF ---------------------------------------------------------------------------------


def _column_widths(total: float, rows: Sequence[CaseloadRow]) -> list[float]:
    """Column widths in points, adding up to `total`.

    Every header word and usual cell fits on one line (DejaVu Sans 8.5 pt + 8 pt padding); the
    client and exposure columns share the rest, the client column as wide as its longest label
    needs (names, in an identified report) up to 150 pt.
    """
    from reports.document import string_width

    middle = [44, 62, 51, 50, 40, 40, 45, 98, 36, 36]
    longest = max((string_width(r.label, size=8.5) for r in rows), default=0.0)
    client = min(150.0, max(76.0, longest + 10))
    return [client, *middle, total - client - sum(middle)]


def client_table(rows: Sequence[CaseloadRow], widths: Sequence[float]) -> object:
    """The rows as a table that repeats its header on every page.

    It looks like `reports.document.data_table` (same fonts, fills and rules), but a cell that
    fits its column on one line and has no right-to-left letters is drawn as a plain string,
    not a Paragraph: for 600 clients × 12 columns that takes the layout from ~0.9 s to ~0.35 s.
    Cells that need wrapping or bidi shaping still go through `para`.
    """
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    from reports.document import (
        FONT,
        data_table_commands,
        has_rtl,
        para,
        string_width,
        styles,
    )

    s = styles()
    right_cell = ParagraphStyle("caseload_right", parent=s.cell, alignment=TA_RIGHT)
    right_head = ParagraphStyle("caseload_head_right", parent=s.cell_head, alignment=TA_RIGHT)
    padding = 8.5

    def cell(text: str, column: int) -> object:
        if not has_rtl(text) and string_width(text, FONT, 8.5) <= widths[column] - padding:
            return text
        return para(text, right_cell if column in NUMERIC_COLUMNS else s.cell)

    data: list[list[object]] = [[para(h, right_head if i in NUMERIC_COLUMNS else s.cell_head)
                                 for i, h in enumerate(HEADER)]]
    data += [[cell(v, i) for i, v in enumerate(row_cells(r))] for r in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    # Plain-text cells (drawn without a Paragraph) need the paragraph style's leading and ink.
    commands = [*data_table_commands(), ("LEADING", (0, 0), (-1, -1), 10.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), s.cell.textColor)]
    commands += [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in NUMERIC_COLUMNS]
    table.setStyle(TableStyle(commands))
    return table


def render_caseload_pdf(report: CaseloadReport, *, created: datetime | None = None,
                        footer: str = "") -> bytes:
    """The report as PDF bytes (nothing is written to disk).

    `created` is written as the PDF's date only for an identified report (a de-identified one
    carries no exact date anywhere). Raises IdentifiersFound when a de-identified report would
    still hold any client's name or date of birth, in its text or its metadata.
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Spacer, Table, TableStyle

    from reports.document import (
        FONT,
        DocumentInfo,
        PageDecor,
        build_pdf,
        frame_width,
        para,
        styles,
    )

    pagesize = landscape(A4)
    width = frame_width(pagesize)
    s = styles()
    practice = report.practice_name
    kind = "Identified" if report.identified else "De-identified"
    story: list[object] = [
        para(f"{TITLE}" + (f" — {practice}" if practice else ""), s.title),
        para(subtitle(report), s.quiet),
        Spacer(1, 6),
    ]
    totals = Table([[para(what, s.cell_head), para(figure, s.cell)]
                    for what, figure in totals_lines(report)],
                   colWidths=[110, width * 0.46 - 110], hAlign="LEFT")
    # Every table names its font: reportlab's default cell style would add an unembedded
    # Helvetica to the file even when the cells hold only paragraphs.
    totals.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8.5),
                                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    chart = distribution_chart(report, width * 0.52)
    side_by_side = Table([[totals, chart]], colWidths=[width * 0.47, width * 0.53],
                         hAlign="LEFT")
    side_by_side.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8.5),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                      ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                      ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [side_by_side, Spacer(1, 4)]
    story += [para(text, s.quiet) for text in notes(report)]
    story.append(Spacer(1, 6))
    if report.rows:
        story.append(client_table(report.rows, _column_widths(width, report.rows)))
    else:
        story.append(para("There are no clients in this vault yet.", s.body))
    info = DocumentInfo(
        title=f"{TITLE} ({kind.lower()})" + (f" — {practice}" if practice else ""),
        author=practice, subject=f"{kind} caseload outcomes (ORS/SRS), {report.prepared_text}",
        keywords="caseload; outcomes; supervision",
        created=created if report.identified else None)
    decor = PageDecor(
        header=f"{practice} · {TITLE}" if practice else TITLE,
        header_right=kind if not report.identified else "Identified — confidential",
        footer=footer or ("Confidential: for clinical supervision" if not report.identified
                          else "Confidential clinical record"),
        header_on_first_page=True)
    pdf = build_pdf(story, info, decor, pagesize=pagesize)
    if not report.identified:
        check_pdf(report, pdf)
    return pdf


def check_pdf(report: CaseloadReport, pdf: bytes) -> None:
    """The final check on the finished PDF's text and metadata; IdentifiersFound if any."""
    from reports.readback import pdf_text_and_metadata, searchable_text

    back = pdf_text_and_metadata(pdf)
    text = searchable_text("\n".join([back.text, *back.metadata.values()]))
    # pypdf may hand Arabic back already in reading order but as presentation forms: add the
    # NFKC form too, so a name is found in whichever order and form the file holds it.
    text += "\n" + unicodedata.normalize("NFKC", text)
    _refuse_if_found(report, text, _document_words(report))


def _refuse_if_found(report: CaseloadReport, text: str, allowed: Sequence[str]) -> None:
    found = report.remaining_identifiers(text, allowed)
    if found:
        shown = "; ".join(list(dict.fromkeys(found))[:5])
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise IdentifiersFound(
            f"The de-identified report was not written: it would still contain {shown}{more}. "
            "Change the pseudonym(s) concerned and try again.")


# -- CSV -------------------------------------------------------------------------------------


def _text_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _number(tenths: int | None) -> str:
    return "" if tenths is None else f"{tenths / 10:.1f}"


def csv_rows(report: CaseloadReport) -> list[list[str]]:
    """The CSV's rows, header first."""
    out: list[list[str]] = [list(CSV_HEADER)]
    for r in report.rows:
        e = r.exposure
        out.append([
            _text_cell(r.label), _text_cell(r.age_band), _text_cell(r.status), str(r.sessions),
            _text_cell(r.measure), str(r.outcome_ratings), _number(r.intake_tenths),
            _number(r.latest_tenths), _number(r.change_tenths), _number(r.cutoff_tenths),
            _number(r.reliable_change_tenths), _text_cell(r.category_label),
            _number(r.srs_mean_tenths), str(r.srs_ratings), str(r.srs_flags), str(e.ladders),
            str(e.steps_mastered), str(e.steps_total), str(e.ready_steps)])
    return out


def caseload_csv(report: CaseloadReport) -> str:
    """RFC 4180 CSV text beginning with a BOM: encode it as UTF-8 to write the file.

    One row per client, the same rows as the PDF with the numbers split into their own
    columns; the totals are left to the PDF (a CSV is one table). A de-identified CSV is
    checked like the PDF; IdentifiersFound if anything identifying remains.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    rows = csv_rows(report)
    writer.writerows(rows)
    text = buffer.getvalue()
    if not report.identified:
        allowed: list[str] = [*CSV_HEADER]
        for row in rows[1:]:
            allowed += row[1:]
        _refuse_if_found(report, text, allowed)
    return "\ufeff" + text
