"""`tandem letter PATH --client ID --template NAME --to FILE.pdf` on the demo practice."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from app.workspace import StatusFilter
from reports.readback import pdf_text_and_metadata, searchable_text
from storage.practice import PracticeStore
from storage.vault import Secret, Vault
from ui.demo import DEMO_PASSPHRASE
from ui.entry import main

ZOE = "Zoë Ñúñez-O'Brien"


@pytest.fixture
def vault(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "Demo.tandem"
    shutil.copytree(demo_template, folder)
    return folder


def client_id(vault: Path, name: str) -> int:
    with Vault.open(vault, Secret(passphrase=DEMO_PASSPHRASE)) as opened:
        rows = PracticeStore(opened, {}).list_clients(status=StatusFilter.ALL).result()
    return next(r.id for r in rows if r.name == name)


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
        stdin: str = DEMO_PASSPHRASE + "\n") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = main(["letter", *args], out=out)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, out.getvalue(), captured.err


def test_a_progress_letter_is_written_and_kept(vault: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    zoe = client_id(vault, ZOE)
    target = tmp_path / "letter.pdf"
    code, out, err = run(monkeypatch, capsys, str(vault), "--client", str(zoe), "--template",
                         "progress", "--to", str(target), "--passphrase-stdin")
    assert code == 0, err
    assert out.startswith(f"Letter written to {target} (")
    assert "kept in the vault as letter 1" in out
    back = pdf_text_and_metadata(target.read_bytes())
    assert ZOE in back.text and f"Page 1 of {back.pages}" in back.text
    assert back.metadata["/Title"] == f"Progress letter: {ZOE}"


def test_a_deidentified_protected_letter(vault: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    zoe = client_id(vault, ZOE)
    target = tmp_path / "summary.pdf"
    code, out, err = run(monkeypatch, capsys, str(vault), "--client", str(zoe), "--template",
                         "progress", "--to", str(target), "--deidentified",
                         "--period-start", "2020-01-01", "--passphrase-stdin",
                         "--password-stdin", stdin=f"{DEMO_PASSPHRASE}\nletter-password\n")
    assert code == 0, err
    assert out.startswith(f"De-identified letter written to {target}, protected with a "
                          "password (AES-256)")
    with pytest.raises(Exception, match="password"):
        pdf_text_and_metadata(target.read_bytes())
    back = pdf_text_and_metadata(target.read_bytes(), "letter-password")
    haystack = searchable_text(back.text + "\n".join(back.metadata.values())).casefold()
    for part in ("Zoë", "Ñúñez", "O'Brien"):
        assert part.casefold() not in haystack


@pytest.mark.parametrize(("args", "message"), [
    (["--template", "nope"], "There is no letter template called 'nope'"),
    (["--template", "progress", "--period-start", "1 March"],
     "--period-start must be a date like 2026-03-01"),
    (["--template", "progress", "--client", "999"], "That client does not exist."),
])
def test_mistakes_are_one_line_with_exit_code_2(vault: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str],
                                                args: list[str], message: str) -> None:
    if "--client" not in args:
        args = [*args, "--client", "1"]
    code, _out, err = run(monkeypatch, capsys, str(vault), *args, "--to",
                          str(tmp_path / "x.pdf"), "--passphrase-stdin")
    assert code == 2
    assert err.strip() == f"tandem: {message}" or err.strip().startswith(f"tandem: {message}")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_a_wrong_passphrase_is_exit_3(vault: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = run(monkeypatch, capsys, str(vault), "--client", "1", "--template",
                           "progress", "--to", str(tmp_path / "x.pdf"), "--passphrase-stdin",
                           stdin="not the passphrase\n")
    assert code == 3
    assert not (tmp_path / "x.pdf").exists()


def test_the_target_must_be_a_pdf_in_an_existing_folder(vault: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    for target, message in ((tmp_path / "x.txt", "--to must name a .pdf file."),
                            (tmp_path / "missing" / "x.pdf", "does not exist")):
        code, _out, err = run(monkeypatch, capsys, str(vault), "--client", "1",
                              "--template", "progress", "--to", str(target),
                              "--passphrase-stdin")
        assert code == 2 and message in err
