"""`tandem report caseload PATH --to FILE.pdf|.csv [--identified]` on the demo practice."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.demo_practice import demo_practice
from app.workspace import StatusFilter
from reports.readback import pdf_text_and_metadata, searchable_text
from storage.practice import PracticeStore
from storage.vault import Secret, Vault
from ui.demo import DEMO_PASSPHRASE
from ui.entry import main

DEMO_NAMES = [c.details.name for c in demo_practice(date.today())]


@pytest.fixture
def vault(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "Demo.tandem"
    shutil.copytree(demo_template, folder)
    return folder


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
        stdin: str = DEMO_PASSPHRASE + "\n") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = main(["report", "caseload", *args], out=out)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, out.getvalue(), captured.err


def test_writes_a_de_identified_pdf_with_progress_on_stderr(
        vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "caseload.pdf"
    target.parent.mkdir()
    code, out, err = run(monkeypatch, capsys, str(vault), "--to", str(target),
                         "--passphrase-stdin")
    assert code == 0, err
    assert out.strip() == f"Wrote the de-identified caseload report (12 clients) to {target}"
    assert "Reading 12 clients" in err
    back = pdf_text_and_metadata(target.read_bytes())
    haystack = searchable_text(back.text + " ".join(back.metadata.values())).casefold()
    for name in DEMO_NAMES:
        for part in name.split():
            assert part.casefold() not in haystack, part
    with Vault.open(vault, Secret(passphrase=DEMO_PASSPHRASE)) as opened:
        pseudonyms = [r.pseudonym for r in PracticeStore(opened, {}).list_clients(
            status=StatusFilter.ALL).result()]
        events = [e.event for e in opened.audit_entries(limit=5)]
    assert all(p in back.text for p in pseudonyms)
    assert "report.caseload_exported" in events
    if os.name != "nt":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["caseload.pdf"]


def test_identified_csv_shows_names(vault: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "caseload.csv"
    code, out, err = run(monkeypatch, capsys, str(vault), "--to", str(target), "--identified",
                         "--passphrase-stdin")
    assert code == 0, err
    assert "keep it as safe as the records" in out
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "client" and len(rows) == 13
    assert {r[0] for r in rows[1:]} == set(DEMO_NAMES)


def test_de_identified_csv_has_pseudonyms_only(vault: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "caseload.csv"
    code, _out, err = run(monkeypatch, capsys, str(vault), "--to", str(target),
                          "--passphrase-stdin")
    assert code == 0, err
    text = target.read_text("utf-8-sig")
    assert not any(name.split()[0] in text for name in DEMO_NAMES)


def test_wrong_passphrase_exits_3_and_writes_nothing(vault: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "caseload.pdf"
    code, out, err = run(monkeypatch, capsys, str(vault), "--to", str(target),
                         "--passphrase-stdin", stdin="not the passphrase\n")
    assert code == 3
    assert err.strip().splitlines()[-1] == "tandem: That passphrase does not open this vault."
    assert out == "" and not target.exists()


def test_usage_errors_come_before_the_passphrase(vault: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(monkeypatch, capsys, str(vault), "--to", str(tmp_path / "x.docx"),
                          "--passphrase-stdin", stdin="")
    assert code == 2 and err.strip() == "tandem: --to must name a .pdf or a .csv file."
    code, _out, err = run(monkeypatch, capsys, str(tmp_path / "nowhere.tandem"), "--to",
                          str(tmp_path / "x.pdf"), "--passphrase-stdin", stdin="")
    assert code == 4 and "There is no Tandem vault" in err


def test_a_revealing_pseudonym_stops_the_report(vault: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with Vault.open(vault, Secret(passphrase=DEMO_PASSPHRASE)) as opened:
        store = PracticeStore(opened, {})
        row = next(r for r in store.list_clients(status=StatusFilter.ALL).result()
                   if r.name == "Maya Okonkwo")
        client = store.client(row.id, audit_view=False).result()
        store.update_client(row.id, replace(client.details, pseudonym="Maya O")).result()
    target = tmp_path / "caseload.pdf"
    code, _out, err = run(monkeypatch, capsys, str(vault), "--to", str(target),
                          "--passphrase-stdin")
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("tandem: The de-identified report was not written")
    assert "“Maya O”" in line and "Okonkwo" not in line
    assert not target.exists()
