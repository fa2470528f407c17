"""The shared base of every Tandem PDF: fonts, right-to-left text, styles, pages, metadata.

Letters, the caseload report and the Emergency Kit all build on this module so they look like one
practice's paperwork and share the same guarantees:

- **One embedded font family** (DejaVu Sans, bundled in resources/fonts): it covers Latin with
  every accent, Polish, Greek, Cyrillic, Hebrew and Arabic (with presentation forms), and
  reportlab embeds only the glyphs used (a subset), so a letter stays small and prints the same
  everywhere. Nothing falls back to the 14 standard PDF fonts, which cannot show "Ł" or "ש".
- **Right-to-left text**: reportlab has no bidi support without the optional rlbidi, so runs of
  Hebrew or Arabic are shaped here (arabic-reshaper joins Arabic letters) and reordered per
  *line*, after wrapping, with python-bidi (Unicode UAX #9: break lines on logical text, then
  reorder each line). `para()` picks this path only when the text has right-to-left letters.
- **Quiet pages**: a small running header from page 2 (or from page 1 for reports), a footer with
  an optional note and "Page 2 of 3" on every page (the total is known only at the end, so pages
  are kept and numbered when the document is saved).
- **Deliberate metadata**: title, author, subject, keywords, creator and producer are exactly what
  the caller passes; creation and modification dates are written only when the caller chooses a
  moment (a de-identified document gets none). reportlab's own defaults ("anonymous",
  "untitled", the build time) never reach a file. Output is deterministic (`invariant`): the
  same content gives the same bytes.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from app.resources import resource_dir

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"

INK = colors.HexColor("#1d1d1d")
QUIET = colors.HexColor("#5f5f5f")
RULE = colors.HexColor("#c9c9c9")
HEADER_FILL = colors.HexColor("#eef2f5")
ZEBRA_FILL = colors.HexColor("#f8f8f8")

MARGIN = 20 * mm
PAGE_SIZE = A4

# Hebrew, Arabic, Syriac, Thaana, NKo… and their presentation forms: the strong RTL letters.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


# -- fonts -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, oblique, bold oblique) once; returns the family name.

    `<b>` and `<i>` in paragraphs then pick the right face through the registered family.
    """
    folder = resource_dir() / "fonts"
    faces = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf",
             FONT_ITALIC: "DejaVuSans-Oblique.ttf",
             FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf"}
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD_ITALIC)
    return FONT


def string_width(text: str, font: str = FONT, size: float = 10) -> float:
    """The printed width of `text` in points (after shaping, if it is right-to-left)."""
    register_fonts()
    return float(pdfmetrics.stringWidth(visual(text), font, size))


# -- right-to-left text ----------------------------------------------------------------------


def has_rtl(text: str) -> bool:
    """True when `text` holds Hebrew, Arabic or another right-to-left script."""
    return bool(_RTL.search(text))


def visual(line: str, base_direction: str | None = None) -> str:
    """One line of text in display order (Arabic joined, right-to-left runs reversed).

    Left-to-right text is untouched; text without RTL letters is returned as is.

    Only ever call this on a single line that has already been wrapped: reordering a whole
    paragraph and then wrapping it would put the end of a Hebrew sentence on the first line.
    """
    if not has_rtl(line):
        return line
    import arabic_reshaper
    from bidi import get_display

    shaped = arabic_reshaper.reshape(line)
    if base_direction in ("L", "R"):
        return str(get_display(shaped, base_dir=base_direction))
    return str(get_display(shaped))


def logical(line: str) -> str:
    """Undo `visual` as far as the read-back checks need.

    Presentation forms go back to letters (NFKC) and right-to-left runs back to reading order.
    """
    if not has_rtl(line):
        return line
    from bidi import get_display

    return str(get_display(unicodedata.normalize("NFKC", line)))


def base_direction(text: str) -> str:
    """'R' when the first strong letter of `text` is right-to-left, else 'L' (UAX #9 P2–P3)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "L"


# -- styles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """The paragraph styles every document shares."""

    body: ParagraphStyle
    small: ParagraphStyle
    quiet: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    quote: ParagraphStyle
    bullet: ParagraphStyle
    right: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    """Body 10 pt on 14 pt leading: comfortable to read on paper, two pages for most letters."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK,
                          spaceAfter=6, alignment=TA_LEFT, bulletFontName=FONT)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, spaceAfter=2),
        quiet=ParagraphStyle("quiet", parent=body, fontSize=8.5, leading=11, spaceAfter=2,
                             textColor=QUIET),
        heading=ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=11,
                               leading=14, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        title=ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=15,
                             leading=19, spaceAfter=8),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        cell_head=ParagraphStyle("cell_head", parent=body, fontName=FONT_BOLD, fontSize=8.5,
                                 leading=10.5, spaceAfter=0),
        quote=ParagraphStyle("quote", parent=body, leftIndent=10 * mm, rightIndent=6 * mm,
                             textColor=colors.HexColor("#333333"), fontSize=9.5, leading=13),
        bullet=ParagraphStyle("bullet", parent=body, leftIndent=6 * mm, bulletIndent=1.5 * mm,
                              spaceAfter=2),
        right=ParagraphStyle("right", parent=body, alignment=TA_RIGHT, spaceAfter=0),
    )


# -- paragraphs ------------------------------------------------------------------------------


def markup(text: str) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept."""
    return escape(text).replace("\n", "<br/>")


class BidiParagraph(Flowable):  # type: ignore[misc]
    """A paragraph with right-to-left text: wrapped on logical text, reordered line by line.

    Plain text only (no inline bold); the style gives font, size, leading, indents, spacing and
    alignment. A paragraph whose first strong letter is right-to-left is right-aligned, as a
    Hebrew or Arabic reader expects, unless the style centres it.
    """

    def __init__(self, text: str, style: ParagraphStyle,
                 lines: Sequence[str] | None = None) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.direction = base_direction(text)
        self._lines: list[str] = list(lines) if lines is not None else []
        self._wrapped_for: float | None = None if lines is None else -1.0

    def _width(self, text: str) -> float:
        return float(pdfmetrics.stringWidth(visual(text, self.direction), self.style.fontName,
                                            self.style.fontSize))

    def _wrap_lines(self, width: float) -> list[str]:
        lines: list[str] = []
        for raw in self.text.split("\n"):
            current = ""
            for word in raw.split(" "):
                candidate = f"{current} {word}" if current else word
                if not current or self._width(candidate) <= width:
                    current = candidate
                    continue
                lines.append(current)
                current = word
            while current and self._width(current) > width and len(current) > 1:
                # A single word longer than the line: break it where it must.
                cut = len(current)
                while cut > 1 and self._width(current[:cut]) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
            lines.append(current)
        return lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Break into lines for `avail_width`; the height is lines × leading."""
        width = avail_width - self.style.leftIndent - self.style.rightIndent
        if self._wrapped_for != -1.0 and self._wrapped_for != width:
            self._lines = self._wrap_lines(width)
            self._wrapped_for = width
        self.width = avail_width
        self.height = len(self._lines) * self.style.leading
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """Split between lines when the paragraph does not fit the rest of the frame."""
        self.wrap(avail_width, avail_height)
        fit = int(avail_height // self.style.leading)
        if fit <= 0 or fit >= len(self._lines):
            return [] if fit <= 0 else [self]
        return [BidiParagraph(self.text, self.style, self._lines[:fit]),
                BidiParagraph(self.text, self.style, self._lines[fit:])]

    def getSpaceBefore(self) -> float:
        """The style's space before."""
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        """The style's space after."""
        return float(self.style.spaceAfter)

    def draw(self) -> None:
        """Each line shaped and reordered, placed by direction and alignment."""
        canvas = self.canv
        style = self.style
        canvas.setFont(style.fontName, style.fontSize)
        canvas.setFillColor(style.textColor)
        left = style.leftIndent
        right = self.width - style.rightIndent
        y = self.height - style.fontSize
        for line in self._lines:
            shown = visual(line, self.direction)
            if style.alignment == TA_CENTER:
                canvas.drawCentredString((left + right) / 2, y, shown)
            elif self.direction == "R" or style.alignment == TA_RIGHT:
                canvas.drawRightString(right, y, shown)
            else:
                canvas.drawString(left, y, shown)
            y -= style.leading


def para(text: str, style: ParagraphStyle | None = None) -> Flowable:
    """A paragraph of plain text (escaped; line breaks kept), right-to-left aware."""
    style = style or styles().body
    if has_rtl(text):
        return BidiParagraph(text, style)
    return Paragraph(markup(text), style)


def data_table(header: Sequence[str], rows: Sequence[Sequence[str]],
               widths: Sequence[float], *, align_right: Sequence[int] = (),
               zebra: bool = True) -> Table:
    """A table whose header row repeats on every page it spans, with wrapping cells.

    `widths` are in points and should add up to the frame width; `align_right` lists the
    columns of numbers.
    """
    s = styles()
    right_cell = ParagraphStyle("cell_right", parent=s.cell, alignment=TA_RIGHT)
    right_head = ParagraphStyle("cell_head_right", parent=s.cell_head, alignment=TA_RIGHT)

    def cell(text: str, column: int, head: bool) -> Flowable:
        if column in align_right:
            return para(text, right_head if head else right_cell)
        return para(text, s.cell_head if head else s.cell)

    data = [[cell(h, i, True) for i, h in enumerate(header)]]
    data += [[cell(str(v), i, False) for i, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(data_table_commands(zebra=zebra)))
    return table


def data_table_commands(*, zebra: bool = True) -> list[tuple[Any, ...]]:
    """The look every data table shares (letters, reports).

    The document's font on every cell (never a stray Helvetica), a shaded header row with a
    rule under it, quiet padding, optional zebra rows.
    """
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, QUIET),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA_FILL]))
    return commands


def layout_table(cells: Sequence[Sequence[Any]], widths: Sequence[float],
                 align: Sequence[str] = ()) -> Table:
    """A borderless table for placing blocks side by side (letterhead, address and date).

    Its font is the document's, as for every table: reportlab otherwise selects Helvetica for
    each cell, and a standard font that nothing uses would still be listed in the PDF.
    """
    table = Table([list(row) for row in cells], colWidths=list(widths), hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 10),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    for column, value in enumerate(align):
        if value:
            commands.append(("ALIGN", (column, 0), (column, -1), value))
    table.setStyle(TableStyle(commands))
    return table


# -- metadata --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF's document properties say. Nothing else is written.

    A de-identified document must never carry the client's name here: pass the pseudonym or a
    generic title. `created` None writes no creation or modification date at all.
    """

    title: str
    author: str = ""
    subject: str = ""
    keywords: str = ""
    creator: str = "Tandem"
    producer: str = "Tandem"
    created: datetime | None = None


def _pdf_date(moment: datetime) -> str:
    stamp = moment.strftime("D:%Y%m%d%H%M%S")
    offset = moment.utcoffset()
    if offset is None:
        return stamp
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{stamp}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


class _ChosenInfo(pdfdoc.PDFInfo):  # type: ignore[misc]
    """reportlab's Info dictionary, limited to the fields the caller chose."""

    def __init__(self, info: DocumentInfo) -> None:
        super().__init__()
        self.chosen = info

    def format(self, document: Any) -> bytes:
        info = self.chosen
        values: dict[str, Any] = {"Title": pdfdoc.PDFString(info.title),
                                  "Creator": pdfdoc.PDFString(info.creator),
                                  "Producer": pdfdoc.PDFString(info.producer)}
        for key, value in (("Author", info.author), ("Subject", info.subject),
                           ("Keywords", info.keywords)):
            if value:
                values[key] = pdfdoc.PDFString(value)
        if info.created is not None:
            values["CreationDate"] = values["ModDate"] = pdfdoc.PDFString(
                _pdf_date(info.created))
        return bytes(pdfdoc.PDFDictionary(values).format(document))


# -- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageDecor:
    """What every page carries outside the text frame."""

    header: str = ""  # running header text (left), e.g. "Riverside Counselling · Letter"
    header_right: str = ""  # e.g. the pseudonym or "Confidential"
    footer: str = ""  # footer note (left), e.g. "Confidential: for the named recipient only"
    header_on_first_page: bool = False


def _canvas_class(info: DocumentInfo, decor: PageDecor) -> type[Canvas]:
    """A canvas that writes only the chosen metadata and numbers pages "Page X of Y"."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["invariant"] = 1
            kwargs["initialFontName"] = FONT  # never a standard font nobody asked for
            super().__init__(*args, **kwargs)
            self._doc.info = _ChosenInfo(info)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._decorate(total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _decorate(self, total: int) -> None:
            number = self.getPageNumber()
            width, height = self._pagesize
            self.saveState()
            self.setFillColor(QUIET)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            if decor.header and (number > 1 or decor.header_on_first_page):
                top = height - MARGIN + 6 * mm
                self.setFont(FONT, 7.5)
                self.drawString(MARGIN, top, visual(_fit(decor.header, width * 0.6, 7.5)))
                if decor.header_right:
                    self.drawRightString(width - MARGIN, top,
                                         visual(_fit(decor.header_right, width * 0.3, 7.5)))
                self.line(MARGIN, top - 2.5 * mm, width - MARGIN, top - 2.5 * mm)
            bottom = MARGIN - 9 * mm
            self.line(MARGIN, bottom + 3.5 * mm, width - MARGIN, bottom + 3.5 * mm)
            self.setFont(FONT, 7.5)
            if decor.footer:
                self.drawString(MARGIN, bottom, visual(_fit(decor.footer, width * 0.65, 7.5)))
            self.drawRightString(width - MARGIN, bottom, f"Page {number} of {total}")
            self.restoreState()

    return NumberedCanvas


def _fit(text: str, width: float, size: float) -> str:
    """`text` shortened with an ellipsis to fit `width` (headers and footers are one line)."""
    if pdfmetrics.stringWidth(visual(text), FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(visual(text + "…"), FONT, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def frame_width(pagesize: tuple[float, float] = PAGE_SIZE) -> float:
    """The width of the text frame in points: what tables and charts should add up to."""
    return float(pagesize[0] - 2 * MARGIN)


def build_pdf(story: list[Flowable], info: DocumentInfo, decor: PageDecor | None = None, *,
              pagesize: tuple[float, float] = PAGE_SIZE,
              on_page: Callable[[Canvas, Any], None] | None = None) -> bytes:
    """Lay out `story` on pages and return the PDF bytes (nothing is written to disk).

    `on_page(canvas, doc)` may draw extra page furniture (it runs before the header/footer).
    """
    register_fonts()
    decor = decor or PageDecor()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN, bottomMargin=MARGIN, title=info.title,
                          author=info.author, subject=info.subject, creator=info.creator,
                          producer=info.producer, invariant=1)
    frame = Frame(MARGIN, MARGIN, pagesize[0] - 2 * MARGIN, pagesize[1] - 2 * MARGIN,
                  id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def draw(canvas: Canvas, document: Any) -> None:
        if on_page is not None:
            on_page(canvas, document)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=draw)])
    doc.build(story, canvasmaker=_canvas_class(info, decor))
    return buffer.getvalue()
