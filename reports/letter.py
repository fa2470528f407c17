"""A letter as a PDF: letterhead, date, recipient, subject, text, tables, chart, signature.

Everything the letter says was decided in app/letters.py (`LetterContent`); this module only lays
it out, with the shared page furniture of reports/document.py (embedded DejaVu Sans, "Page 2 of
3", quiet running header from page 2, deliberate metadata). Tables split across pages with their
header repeated; the outcome chart is vector graphics (reports/chart_pdf.py). Practice images
are scaled down to what prints sharply at their size (300 dpi), so a 2 MB logo does not make a
2 MB letter.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
)

from app.letters import (
    BulletsBlock,
    ChartBlock,
    HeadingBlock,
    LetterContent,
    LetterImage,
    TableBlock,
    TextBlock,
)
from reports.chart_pdf import trajectory_drawing
from reports.document import (
    RULE,
    BidiParagraph,
    DocumentInfo,
    PageDecor,
    build_pdf,
    data_table,
    frame_width,
    has_rtl,
    layout_table,
    markup,
    para,
    styles,
)

PRINT_DPI = 300
LOGO_MAX = (50 * mm, 24 * mm)
SIGNATURE_MAX = (60 * mm, 18 * mm)
HEADING_ROOM = 30 * mm


@lru_cache(maxsize=8)
def _scaled(digest: str, data: bytes, kind: str, max_px: tuple[int, int]) -> tuple[bytes, int,
                                                                                   int]:
    """The image re-encoded no larger than `max_px`, and its pixel size (cached by content)."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(data)) as image:
        image.load()
        width, height = image.size
        if width <= max_px[0] and height <= max_px[1] and kind in ("png", "jpeg"):
            return data, width, height
        image.thumbnail(max_px)
        out = io.BytesIO()
        if kind == "jpeg" and image.mode in ("RGB", "L"):
            image.save(out, format="JPEG", quality=88, optimize=True)
        else:
            image.save(out, format="PNG", optimize=True)
        return out.getvalue(), image.size[0], image.size[1]


def _image(picture: LetterImage, max_size: tuple[float, float]) -> Image:
    """A practice image fitted into `max_size` points, keeping its proportions."""
    max_px = (round(max_size[0] / 72 * PRINT_DPI), round(max_size[1] / 72 * PRINT_DPI))
    digest = hashlib.sha256(picture.data).hexdigest()
    data, width_px, height_px = _scaled(digest, picture.data, picture.kind, max_px)
    scale = min(max_size[0] / width_px, max_size[1] / height_px)
    return Image(io.BytesIO(data), width=width_px * scale, height=height_px * scale)


def _letterhead(content: LetterContent, width: float) -> list[Flowable]:
    s = styles()
    head = content.letterhead
    left: list[Flowable] = [para(head.practice_name, s.title)] if head.practice_name else []
    named = head.practitioner if head.practitioner != head.practice_name else ""
    who = ", ".join(p for p in (named, head.credentials) if p)
    if who:
        left.append(para(who, s.body))
    for line in head.address_lines:
        left.append(para(line, s.quiet))
    if head.contact_line:
        left.append(para(head.contact_line, s.quiet))
    if not left and head.logo is None:
        return []  # no practice profile yet: no empty letterhead and rule
    if head.logo is not None:
        logo = _image(head.logo, LOGO_MAX)
        logo.hAlign = "RIGHT"
        table = layout_table([[left, logo]], [width - LOGO_MAX[0] - 4 * mm,
                                              LOGO_MAX[0] + 4 * mm], ("", "RIGHT"))
        flowables: list[Flowable] = [table]
    else:
        flowables = left
    flowables.append(HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=6,
                                spaceAfter=10))
    return flowables


def _address_and_date(content: LetterContent, width: float) -> Flowable:
    s = styles()
    recipient: list[Flowable] = [para(line, s.body if i == 0 else s.small)
                                 for i, line in enumerate(content.recipient_lines)]
    date = para(content.date_line, s.right)
    return layout_table([[recipient or [Spacer(1, 1)], date]], [width * 0.62, width * 0.38])


def _bullet(text: str) -> Flowable:
    s = styles()
    if has_rtl(text):
        return para(f"• {text}", s.bullet)
    return Paragraph(markup(text), s.bullet, bulletText="•")


def _blocks(content: LetterContent, width: float) -> list[Flowable]:
    s = styles()
    small = ParagraphStyle("letter_small", parent=s.quiet, spaceAfter=6)
    heading = ParagraphStyle("letter_heading", parent=s.heading, keepWithNext=0)
    style_for = {"body": s.body, "quote": s.quote, "small": small}
    out: list[Flowable] = []
    for block in content.blocks:
        if isinstance(block, HeadingBlock):
            # Room for the heading and a few lines, else a new page; not keepWithNext, which
            # would carry a whole table to the next page and leave this one half empty.
            out.append(CondPageBreak(HEADING_ROOM))
            out.append(para(block.text, heading))
        elif isinstance(block, TextBlock):
            out.append(para(block.text, style_for.get(block.style, s.body)))
        elif isinstance(block, BulletsBlock):
            out.extend(_bullet(item) for item in block.items)
            out.append(Spacer(1, 4))
        elif isinstance(block, TableBlock):
            total = sum(block.widths) or 1.0
            widths = [width * w / total for w in block.widths]
            out.append(data_table(block.header, block.rows, widths,
                                  align_right=block.align_right))
            out.append(Spacer(1, 8))
        elif isinstance(block, ChartBlock):
            out.append(KeepTogether([trajectory_drawing(block.chart, width),
                                     para(block.caption, s.quiet), Spacer(1, 4)]))
    return out


def _signature(content: LetterContent, last: list[Flowable]) -> Flowable:
    """The closing and signature, kept on one page with the last paragraph before them.

    A signature alone at the top of a page is the classic broken letter (and looks as if it
    could be detached and reused): the last paragraph moves over with it when it must.
    """
    s = styles()
    parts: list[Flowable] = [*last, Spacer(1, 6)]
    if content.closing:
        parts.append(para(content.closing, s.body))
    if content.signature is not None:
        image = _image(content.signature, SIGNATURE_MAX)
        image.hAlign = "LEFT"
        parts.append(image)
    else:
        parts.append(Spacer(1, 12))
    if content.signer_name:
        parts.append(para(content.signer_name, s.heading))
    if content.signer_credentials:
        parts.append(para(content.signer_credentials, s.small))
    return KeepTogether(parts)


def render_letter(content: LetterContent) -> bytes:
    """The letter as PDF bytes (deterministic: the same content gives the same bytes)."""
    s = styles()
    width = frame_width()
    story: list[Flowable] = [*_letterhead(content, width), _address_and_date(content, width),
                             Spacer(1, 12), para(content.subject, s.heading)]
    story.extend(para(line, s.quiet) for line in content.reference_lines)
    story.append(Spacer(1, 8))
    if content.salutation:
        story.append(para(content.salutation, s.body))
    body = _blocks(content, width)
    last = [body.pop()] if body and isinstance(body[-1], Paragraph | BidiParagraph) else []
    story.extend(body)
    story.append(_signature(content, last))
    meta = content.metadata
    info = DocumentInfo(title=meta.title, author=meta.author, subject=meta.subject,
                        keywords=meta.keywords)
    decor = PageDecor(header=content.running_header, header_right=content.running_header_right,
                      footer=content.footer)
    return build_pdf(story, info, decor)
