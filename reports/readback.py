"""Read a generated PDF back: its text, metadata, fonts and pages, as a recipient would see them.

The de-identification check must look at what is really in the file, not at what we meant to
put there. Text comes from pypdf's extraction (what a search or a copy-paste yields), metadata
from the Info dictionary. Right-to-left text is stored in display order with Arabic presentation
forms, so `searchable_text` adds a form with those undone (NFKC, reordered back) and the check
catches a Hebrew or Arabic name in either form.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

from app.deidentify import Identifiers, remaining_identifiers
from app.errors import InvalidInput
from reports.document import has_rtl, logical


@dataclass(frozen=True)
class FontInfo:
    """One font the PDF uses."""

    name: str  # BaseFont, e.g. "AAAAAA+DejaVuSans"
    subtype: str  # /TrueType, /Type0, /Type3…
    embedded: bool  # a FontFile, FontFile2 or FontFile3 stream is present
    subset: bool  # the name has the six-letter subset tag


@dataclass(frozen=True)
class ReadBack:
    """What a PDF holds, as extracted."""

    pages: int
    page_texts: tuple[str, ...]
    metadata: dict[str, str]
    fonts: tuple[FontInfo, ...] = field(default_factory=tuple)
    images: int = 0
    encrypted: bool = False

    @property
    def text(self) -> str:
        """All pages' text, page after page."""
        return "\n".join(self.page_texts)


def pdf_text_and_metadata(pdf_bytes: bytes, password: str | None = None) -> ReadBack:
    """Extract text, metadata, fonts and image count from `pdf_bytes` (decrypting if needed)."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    reader = PdfReader(io.BytesIO(pdf_bytes))
    encrypted = reader.is_encrypted
    if encrypted and (password is None or not reader.decrypt(password)):
        raise InvalidInput("The PDF is password-protected and the password was not given or "
                           "is wrong.")
    texts = tuple(page.extract_text() or "" for page in reader.pages)
    metadata = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    fonts: dict[str, FontInfo] = {}
    images = 0

    def visit(resources: DictionaryObject | None) -> None:
        nonlocal images
        if resources is None:
            return
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            name = str(font.get("/BaseFont", ""))
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            tag = name.lstrip("/").split("+", 1)[0]
            subset = "+" in name and len(tag) == 6 and tag.isalpha() and tag.isupper()
            fonts[name] = FontInfo(name.lstrip("/"), str(font.get("/Subtype", "")), embedded,
                                   subset)
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                images += 1
            elif xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return ReadBack(len(reader.pages), texts, metadata, tuple(fonts.values()), images,
                    encrypted)


def searchable_text(text: str) -> str:
    """`text` plus, for lines with right-to-left letters, the forms a name may hide in.

    Depending on the line, an extractor returns right-to-left runs in display or in reading
    order, with Arabic as presentation forms or letters: each line is added as letters (NFKC)
    and, reordered, in the other order, so a check finds a name whichever form it took.
    """
    extra: list[str] = []
    for line in text.splitlines():
        if has_rtl(line):
            letters = unicodedata.normalize("NFKC", line)
            extra += [letters, logical(line), logical(letters)]
    return "\n".join([text, *extra])


def leftover_identifiers(pdf_bytes: bytes, ids: Identifiers, file_name: str = "") -> list[str]:
    """Every identifier of the client still in the PDF's text, metadata or file name.

    The de-identification gate: an empty list means the file may be written. Each finding says
    where it was ("in the text", "in the PDF's Title", "in the file name").
    """
    found: list[str] = []
    back = pdf_text_and_metadata(pdf_bytes)
    for what in remaining_identifiers(searchable_text(back.text), ids):
        found.append(f"{what} in the text")
    for key, value in back.metadata.items():
        for what in remaining_identifiers(searchable_text(value), ids):
            found.append(f"{what} in the PDF's {key.lstrip('/')}")
    if file_name:
        for what in remaining_identifiers(file_name, ids):
            found.append(f"{what} in the file name")
    return list(dict.fromkeys(found))
