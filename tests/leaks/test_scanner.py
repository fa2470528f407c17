"""The leak scanner finds a name in every form the leak tests rely on (a scan that cannot fail
proves nothing)."""

from __future__ import annotations

import json
import unicodedata
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from tests.support.leak_scan import Scanner, scan

NAME = "Héloïse Vantablack"


def written(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\x00\x9f random bytes " + data + b" more bytes \xff")
    return path


@pytest.mark.parametrize("data", [
    NAME.encode("utf-8"),
    NAME.encode("utf-16-le"),
    NAME.encode("utf-16-be"),
    NAME.upper().encode("utf-8"),
    NAME.lower().encode("utf-16-le"),
    b"heloise vantablack",  # accents dropped
    "HELOISE VANTABLACK".encode("utf-16-le"),
    unicodedata.normalize("NFD", NAME).encode("utf-8"),  # macOS file names
    NAME.encode("latin-1"),
    urllib.parse.quote(NAME).encode(),  # a URL: QtProject.conf, recently-used.xbel
    json.dumps(NAME).encode(),  # \u00e9
    b"H\\xe9lo\\xefse Vantablack",  # Qt INI escapes
], ids=["utf-8", "utf-16-le", "utf-16-be", "upper", "lower-utf-16", "unaccented",
        "unaccented-upper-utf-16", "nfd", "latin-1", "percent", "json", "qt-ini"])
def test_every_encoding_is_found(tmp_path: Path, data: bytes) -> None:
    written(tmp_path, "state.bin", data)
    report = scan([tmp_path], [NAME])
    assert [(h.path, h.needle) for h in report.hits] == [(Path("state.bin"), NAME)]


def test_text_inside_a_compressed_pdf_and_its_metadata_is_found(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    for name, title, text in (("body.pdf", "Letter", f"Dear {NAME},"),
                              ("meta.pdf", f"About {NAME}", "Nothing here")):
        canvas = Canvas(str(tmp_path / name), pageCompression=1)
        canvas.setTitle(title)
        canvas.drawString(72, 720, text)
        canvas.save()
    assert b"Vantablack" not in (tmp_path / "body.pdf").read_bytes()  # compressed
    report = scan([tmp_path], ["Vantablack"])
    assert sorted(str(h.path) for h in report.hits) == ["body.pdf", "meta.pdf"]
    assert any(h.form == "PDF text" for h in report.hits)


def test_a_deflated_zip_member_and_names_are_found(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "archive.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", f"{NAME} " * 50)
    folder = tmp_path / "Heloise Vantablack"  # a folder named after her, unaccented
    folder.mkdir()
    (folder / "empty").write_bytes(b"")
    (tmp_path / "Vantablack letter.pdf.part").write_bytes(b"")
    report = scan([tmp_path], [NAME, "Vantablack"])
    forms = {(str(h.path), h.form) for h in report.hits}
    assert ("archive.zip", "ZIP member notes.txt: UTF-8") in forms
    assert ("Heloise Vantablack", "folder name") in forms
    assert ("Heloise Vantablack/empty", "file name") in forms
    assert ("Vantablack letter.pdf.part", "file name") in forms


def test_clean_files_and_short_chance_matches_are_not_hits(tmp_path: Path) -> None:
    import os

    (tmp_path / "random.bin").write_bytes(os.urandom(2_000_000))
    written(tmp_path, "other.txt", b"Heloise Vantablock, no match")
    report = scan([tmp_path, tmp_path / "random.bin"], [NAME, "Zoë"])
    assert report.hits == []
    assert report.scanned == 2  # each file once, however many roots reach it
    assert Scanner(["Zoë"]).in_text("ZOE") == [("Zoë", "text")]
    assert [line.split()[-1] for line in report.inventory().splitlines()] == [
        "other.txt", "random.bin"]
    assert "2,000,000" in report.inventory()
