"""The letter pipeline the window and the command line share: preview, send, keep, export."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest

from app.errors import StorageFailure
from app.letters import LetterRequest
from reports.readback import pdf_text_and_metadata, searchable_text
from tests.storage.test_letters_store import NAME, PROCESS_TEXT, populate
from ui.letters.service import IdentifierLeft, LetterService


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_preview_renders_the_letter_without_keeping_it(vault_factory: Any) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    service = LetterService(vault)
    pdf = service.preview(LetterRequest(ids["client"], "progress"))
    assert NAME in pdf_text_and_metadata(pdf).text
    assert service.letters(ids["client"]) == []


def test_send_keeps_the_letter_and_exports_it_byte_identical(vault_factory: Any,
                                                            tmp_path: Path) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    service = LetterService(vault)
    out = tmp_path / "out"
    out.mkdir()
    record = service.send(LetterRequest(ids["client"], "progress",
                                        quoted_note_ids=(ids["signed"],)),
                          to=out / "letter.pdf")
    sent = (out / "letter.pdf").read_bytes()
    assert hashlib.sha256(sent).hexdigest() == record.sha256
    assert service.pdf(record.id) == sent
    service.export(record.id, out / "again.pdf")
    assert (out / "again.pdf").read_bytes() == sent
    assert leftovers(out) == ["again.pdf", "letter.pdf"]  # no temporary file left behind
    text = pdf_text_and_metadata(sent).text
    assert "Zoë spoke about work." in text and PROCESS_TEXT not in text
    assert [r.id for r in service.letters(ids["client"])] == [record.id]


def test_a_password_protects_the_exported_copy_only(vault_factory: Any,
                                                    tmp_path: Path) -> None:
    from pypdf import PdfReader

    vault, _ = vault_factory()
    ids = populate(vault)
    service = LetterService(vault)
    record = service.send(LetterRequest(ids["client"], "progress", password="s3cret-pass"),
                          to=tmp_path / "protected.pdf")
    protected = (tmp_path / "protected.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(protected))
    assert reader.is_encrypted and reader.trailer["/Encrypt"]["/R"] == 6
    kept = service.pdf(record.id)
    assert pdf_text_and_metadata(protected, "s3cret-pass").text == \
        pdf_text_and_metadata(kept).text
    assert not PdfReader(io.BytesIO(kept)).is_encrypted


def test_a_deidentified_letter_leaves_no_identifier(vault_factory: Any,
                                                    tmp_path: Path) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    service = LetterService(vault)
    record = service.send(LetterRequest(
        ids["client"], "supervision",
        paragraphs={"questions": "Zoë (ZOE) was referred by Dr Imogen Hale; phone "
                                 "+44 20 7946 0123; born 03/04/1991."}),
        to=tmp_path / "summary.pdf")
    assert record.deidentified
    back = pdf_text_and_metadata((tmp_path / "summary.pdf").read_bytes())
    haystack = searchable_text(back.text + "\n" + "\n".join(back.metadata.values()))
    for needle in ("Zoë", "Ñúñez", "O'Brien", "Hale", "7946 0123", "1991-04-03", "03/04/1991"):
        assert needle.casefold() not in haystack.casefold(), needle
    assert "Zo" not in record.file_name


def test_the_final_check_refuses_and_nothing_is_written(
        vault_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.letters

    vault, _ = vault_factory()
    ids = populate(vault)
    service = LetterService(vault)
    monkeypatch.setattr(app.letters, "deidentify", lambda text, ids: text)
    out = tmp_path / "out"
    out.mkdir()
    request = LetterRequest(ids["client"], "supervision",
                            paragraphs={"questions": "How can I help Zoë?"})
    assert "name “Zoë” in the text" in service.render(request).findings
    with pytest.raises(IdentifierLeft, match="not written: it still contains name “Zoë” in "
                                              "the text"):
        service.send(request, to=out / "summary.pdf")
    assert leftovers(out) == []
    assert service.letters(ids["client"]) == []


def test_a_failed_export_leaves_nothing_behind(vault_factory: Any, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    vault, _ = vault_factory()
    ids = populate(vault)
    service = LetterService(vault)
    record = service.send(LetterRequest(ids["client"], "progress"))
    out = tmp_path / "out"
    out.mkdir()

    def refuse(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(StorageFailure, match="the disk is full"):
        service.export(record.id, out / "letter.pdf")
    assert leftovers(out) == []
    tmpdir = Path(__import__("os").environ["TMPDIR"])
    assert list(tmpdir.iterdir()) == []


def test_a_crashed_exports_part_file_is_removed_by_the_next_export(tmp_path: Path) -> None:
    import os

    from ui.letters.service import remove_stale_parts, write_atomically

    stale = tmp_path / ".tandem-0123456789ab.part"
    stale.write_bytes(b"%PDF-1.4 the whole letter, left by a kill")
    old = stale.stat().st_mtime - 7200
    os.utime(stale, (old, old))
    fresh = tmp_path / ".tandem-ba9876543210.part"  # another export, still in progress
    fresh.write_bytes(b"%PDF-")
    other = tmp_path / ".tandem-notes.part"  # not ours by shape: never touched
    other.write_bytes(b"x")
    os.utime(other, (old, old))
    write_atomically(tmp_path / "letter.pdf", b"%PDF-1.4 new")
    assert not stale.exists()
    assert fresh.exists() and other.exists()
    assert (tmp_path / "letter.pdf").read_bytes() == b"%PDF-1.4 new"
    assert remove_stale_parts(tmp_path / "missing") == 0
