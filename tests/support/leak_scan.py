"""Scan every file under some folders for identifying text, in every form it could take on disk.

The leak tests (tests/leaks/, tests/ui/settings/test_leaks.py, tests/storage/test_plaintext.py)
give this module the strings a session typed — names, note phrases, a phone number — and the
folders the application was given. A string counts as found when any of these is in a file:

- its bytes in UTF-8, UTF-16-LE or UTF-16-BE, in the original, lower- or upper-case, NFD
  (decomposed, as macOS writes file names) or accent-folded form ("Héloïse" → "heloise");
  ASCII letters match in any case (the file's bytes are lower-cased before the search);
- Latin-1, percent-encoded (URLs, QtProject.conf, recently-used.xbel), JSON \\u escapes and
  Qt INI \\x escapes of the original;
- the text of a PDF (every page, the metadata and XMP, and every decoded stream) — PDF streams
  are compressed, so grepping a PDF's bytes proves nothing on its own;
- a compressed member of a ZIP file;
- a file or folder name (accent- and case-folded).

`scan` returns every hit and every file it read (path relative to its root and size), which is
the inventory of what an application wrote.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import unicodedata
import urllib.parse
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MIN_PATTERN_BYTES = 4
"""Shorter byte patterns would match by chance inside encrypted data."""


def fold(text: str) -> str:
    """Accent- and case-folded: "Héloïse" and "HELOISE" are both "heloise"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def squeeze(text: str) -> str:
    """`fold` without any white space (PDF text extraction breaks lines and words freely)."""
    return re.sub(r"\s+", "", fold(text))


def _text_variants(text: str) -> list[str]:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                     if not unicodedata.combining(c))
    variants = [text, text.lower(), text.upper(), unicodedata.normalize("NFD", text),
                folded, folded.upper()]
    return list(dict.fromkeys(variants))


def _escaped(text: str) -> list[tuple[str, bytes]]:
    forms = [("percent-encoded", urllib.parse.quote(text, safe="").encode("ascii")),
             ("JSON escapes", json.dumps(text)[1:-1].encode("ascii")),
             ("Qt INI escapes", "".join(c if ord(c) < 0x80 else f"\\x{ord(c):x}"
                                        for c in text).encode("ascii"))]
    with contextlib.suppress(UnicodeEncodeError):
        forms.append(("latin-1", text.encode("latin-1")))
    return forms


def byte_patterns(text: str) -> list[tuple[str, bytes]]:
    """(description, lower-cased bytes) of every on-disk form of `text` (see the module doc)."""
    forms: list[tuple[str, bytes]] = []
    for variant in _text_variants(text):
        forms.append(("UTF-8", variant.encode("utf-8")))
        forms.append(("UTF-16-LE", variant.encode("utf-16-le")))
    forms.append(("UTF-16-BE", text.encode("utf-16-be")))
    forms += _escaped(text)
    unique: dict[bytes, str] = {}
    for name, data in forms:
        lowered = data.lower()
        if len(lowered) >= MIN_PATTERN_BYTES and lowered not in unique:
            unique[lowered] = name
    return [(name, data) for data, name in unique.items()]


@dataclass(frozen=True)
class Hit:
    """One identifying string found in one place."""

    root: Path
    path: Path
    """The file, relative to `root`."""
    needle: str
    form: str
    """How it was found: "UTF-16-LE", "PDF text", "file name", "ZIP member x: UTF-8"…"""

    @property
    def full(self) -> Path:
        """The absolute path."""
        return self.root / self.path

    def __str__(self) -> str:
        return f"{self.path}: {self.needle!r} ({self.form})"


@dataclass(frozen=True)
class WrittenFile:
    """A file found under a root."""

    root: Path
    path: Path
    """Relative to `root`."""
    size: int

    @property
    def full(self) -> Path:
        """The absolute path."""
        return self.root / self.path


@dataclass
class ScanReport:
    """What `scan` saw: every file, and every identifying string found in them."""

    files: list[WrittenFile] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)

    @property
    def scanned(self) -> int:
        """How many files were read."""
        return len(self.files)

    def hits_in(self, path: Path) -> list[Hit]:
        """The hits in one file (relative path)."""
        return [h for h in self.hits if h.path == path]

    def hits_outside(self, allowed: Iterable[Path]) -> list[Hit]:
        """The hits in any file but the `allowed` ones (relative paths)."""
        keep = set(allowed)
        return [h for h in self.hits if h.path not in keep]

    def inventory(self) -> str:
        """One line per file: size and path relative to its root (the docs' list)."""
        return "\n".join(f"{f.size:>10,}  {f.path}" for f in sorted(
            self.files, key=lambda f: str(f.path)))


def pdf_text(data: bytes) -> str:
    """Everything a reader of the PDF could see: page text, metadata, XMP, decoded streams.

    Decoded streams are included as Latin-1 so no byte is lost. An encrypted PDF that does not
    open with an empty password gives "" (its raw bytes are still searched by the caller).
    """
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject, StreamObject

    parts: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return ""
        for page in reader.pages:
            parts.append(page.extract_text() or "")
        parts.append(repr(dict(reader.metadata or {})))
        for number, generation in _object_ids(reader):
            obj = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(obj, StreamObject):
                try:
                    parts.append(obj.get_data().decode("latin-1"))
                except Exception:  # an odd filter: the raw bytes still count
                    parts.append(bytes(obj._data).decode("latin-1"))
    except Exception as exc:  # a damaged PDF is reported, not skipped silently
        parts.append(f"<unreadable PDF: {type(exc).__name__}>")
    return "\n".join(parts)


def _object_ids(reader: object) -> Iterator[tuple[int, int]]:
    xref = getattr(reader, "xref", {})
    for generation, numbers in xref.items():
        for number in numbers:
            yield number, generation
    for number in getattr(reader, "xref_objStm", {}):
        yield number, 0


class Scanner:
    """Finds a fixed set of identifying strings in bytes, text, PDFs, ZIPs and names."""

    def __init__(self, needles: Iterable[str]) -> None:
        self.needles = list(dict.fromkeys(n for n in needles if n.strip()))
        self._patterns = [(needle, name, data) for needle in self.needles
                          for name, data in byte_patterns(needle)]
        self._folded = [(needle, fold(needle), squeeze(needle)) for needle in self.needles]

    def in_bytes(self, data: bytes) -> list[tuple[str, str]]:
        """(needle, form) for each needle found in raw bytes, its PDF text or ZIP members."""
        found: dict[str, str] = {}
        lowered = data.lower()
        for needle, name, pattern in self._patterns:
            if needle not in found and pattern in lowered:
                found[needle] = name
        if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
            for needle, form in self.in_text(pdf_text(data)):
                found.setdefault(needle, f"PDF {form}")
        if data[:4] == b"PK\x03\x04":
            for member, needle, form in self._in_zip(data):
                found.setdefault(needle, f"ZIP member {member}: {form}")
        return list(found.items())

    def in_text(self, text: str) -> list[tuple[str, str]]:
        """(needle, "text") for each needle in decoded text (accent-, case-, space-folded)."""
        folded = fold(text)
        squeezed = re.sub(r"\s+", "", folded)
        return [(needle, "text") for needle, f, s in self._folded
                if f in folded or s in squeezed]

    def in_name(self, relative: Path) -> list[str]:
        """The needles in a path's names (accent- and case-folded)."""
        folded = fold(str(relative))
        return [needle for needle, f, _s in self._folded if f in folded]

    def _in_zip(self, data: bytes) -> Iterator[tuple[str, str, str]]:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError):
            return
        with archive:
            for info in archive.infolist():
                if info.compress_type == zipfile.ZIP_STORED:
                    continue  # its bytes are in the archive as they are: already searched
                try:
                    member = archive.read(info)
                except Exception:  # damaged member: the raw bytes were searched
                    continue
                for needle, form in self.in_bytes(member):
                    yield info.filename, needle, form


def walk(roots: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """(root, relative path) of every regular file under the roots, each file once.

    A root inside another root is not walked twice; symbolic links are not followed.
    """
    resolved = [Path(r) for r in roots if Path(r).exists()]
    seen: set[Path] = set()
    for root in resolved:
        if root.is_file():
            if root.resolve() not in seen:
                seen.add(root.resolve())
                yield root.parent, Path(root.name)
            continue
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                real = path.resolve()
                if path.is_symlink() or not path.is_file() or real in seen:
                    continue
                seen.add(real)
                yield root, path.relative_to(root)


def scan(roots: Iterable[Path], needles: Iterable[str]) -> ScanReport:
    """Read every file under `roots` and look for every needle (see the module doc)."""
    scanner = Scanner(needles)
    report = ScanReport()
    roots = list(roots)
    for root, relative in walk(roots):
        path = root / relative
        try:
            data = path.read_bytes()
        except OSError:
            continue  # vanished while scanning (a live app's temp file): nothing to read
        report.files.append(WrittenFile(root, relative, len(data)))
        for needle in scanner.in_name(relative):
            report.hits.append(Hit(root, relative, needle, "file name"))
        for needle, form in scanner.in_bytes(data):
            report.hits.append(Hit(root, relative, needle, form))
    for root in roots:  # empty folders named after someone count too
        if Path(root).is_dir():
            for folder, dirs, _files in os.walk(root):
                for name in dirs:
                    for needle in scanner.in_name(Path(name)):
                        relative = (Path(folder) / name).relative_to(root)
                        report.hits.append(Hit(Path(root), relative, needle, "folder name"))
    return report
