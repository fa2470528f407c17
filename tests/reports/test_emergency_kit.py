"""The Emergency Kit: one page, the key readable and correct, nothing secret in the metadata."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import RecoveryKeyTypo
from app.recovery_key import RecoveryKey
from reports.emergency_kit import render_emergency_kit, write_emergency_kit
from reports.readback import pdf_text_and_metadata

KEY = RecoveryKey(bytes(range(1, 18)))
CREATED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def kit():
    return pdf_text_and_metadata(render_emergency_kit("Riverside Counselling", CREATED, KEY))


def test_exactly_one_page_with_vault_name_date_and_every_group(kit) -> None:
    assert kit.pages == 1
    text = kit.text
    assert "Riverside Counselling" in text
    assert "23 November 2026" in text
    squeezed = text.replace(" ", "").replace("\n", "")
    for group in KEY.groups:
        assert group in squeezed
    # The key as printed (groups in order) parses back to the same key.
    found = [g for g in KEY.groups if g in squeezed]
    assert RecoveryKey.parse("".join(found)) == KEY
    for n in range(1, 9):
        assert f"group {n}" in text


def test_plain_instructions_say_what_where_how_and_what_if_lost(kit) -> None:
    text = " ".join(kit.text.split())
    assert "only other way into this vault" in text
    assert "printed, on paper, offline" in text
    assert "Not in the same bag as the laptop" in text
    assert "“Use recovery key instead”" in text
    assert "nobody can open the vault" in text and "not the makers of Tandem" in text
    assert "Where this vault lives" in text and "Folder of the vault" in text


def test_metadata_never_holds_the_key(kit) -> None:
    meta = " ".join(kit.metadata.values())
    assert kit.metadata["/Title"] == "Tandem Emergency Kit"
    squeezed = meta.replace(" ", "").replace("-", "").upper()
    assert str(KEY).replace("-", "") not in squeezed
    assert not any(group in squeezed for group in KEY.groups)
    assert "/CreationDate" not in kit.metadata


def test_fonts_are_embedded_and_nothing_is_a_picture(kit) -> None:
    assert kit.fonts and all(f.embedded for f in kit.fonts)
    assert kit.images == 0


def test_a_key_with_a_typo_is_refused_not_printed() -> None:
    typed = str(KEY)
    wrong = ("0" if typed[0] != "0" else "1") + typed[1:]
    with pytest.raises(RecoveryKeyTypo):
        render_emergency_kit("Practice", CREATED, wrong)
    # The groups, as the recovery-key page holds them, are accepted.
    assert render_emergency_kit("Practice", "2026-11-23T09:30:00.000000Z", KEY.groups)


def test_long_vault_names_and_any_script_still_fit_one_page() -> None:
    name = "Πρακτική Ψυχοθεραπείας — Zoë Ñúñez-O'Brien — " * 3
    back = pdf_text_and_metadata(render_emergency_kit(name, CREATED, KEY))
    assert back.pages == 1
    assert "Ψυχοθεραπείας" in back.text


def test_written_atomically_for_the_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "kit"
    folder.mkdir()
    target = folder / "Emergency Kit.pdf"
    target.write_bytes(b"old")
    write_emergency_kit(target, "Riverside Counselling", CREATED, KEY)
    assert target.read_bytes().startswith(b"%PDF")
    assert pdf_text_and_metadata(target.read_bytes()).pages == 1
    assert [p.name for p in folder.iterdir()] == ["Emergency Kit.pdf"]  # no temp file left
    if os.name != "nt":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
