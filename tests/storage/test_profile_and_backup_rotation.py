"""The practice profile, its images, and keeping the last N backups."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.clock import SettableClock
from app.errors import InvalidInput
from app.practice_profile import PracticeProfile
from storage.backup import make_backup
from storage.backup_rotation import backups_of, prune
from storage.profile_repo import load_image, load_profile, save_image, save_profile

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_profile_round_trip_and_validation(vault_factory) -> None:
    vault, _ = vault_factory()
    assert load_profile(vault).result() == PracticeProfile()
    profile = PracticeProfile("Dr Ana Lima", "DClinPsy", "PYL 12345", "Lima Psychology",
                              "2 Quiet Lane\nLeeds", "+44 113 496 0000", "ana@example.org")
    save_profile(vault, profile).result()
    assert load_profile(vault).result() == profile
    with pytest.raises(InvalidInput, match="email"):
        save_profile(vault, PracticeProfile(email="not-an-address"))
    assert load_profile(vault).result() == profile


def test_images_must_be_png_or_jpeg_and_small(vault_factory) -> None:
    vault, _ = vault_factory()
    save_image(vault, "logo", PNG).result()
    assert load_image(vault, "logo").result() == ("png", PNG)
    with pytest.raises(InvalidInput, match="PNG or JPEG"):
        save_image(vault, "signature", b"GIF89a....")
    with pytest.raises(InvalidInput, match="2 MB"):
        save_image(vault, "signature", PNG + b"\0" * 3_000_000)
    save_image(vault, "logo", None).result()
    assert load_image(vault, "logo").result() is None


def test_prune_keeps_the_newest_and_touches_nothing_else(vault_factory, tmp_path: Path) -> None:
    vault, _ = vault_factory("Main")
    other, _ = vault_factory("Other")
    folder = tmp_path / "backups"
    clock = SettableClock(vault.clock.now())
    made = []
    for hour in range(4):
        clock.set(clock.now().replace(hour=hour + 1))
        made.append(make_backup(vault, folder, clock=clock))
    foreign = make_backup(other, folder)
    stray = folder / "notes.txt"
    stray.write_text("not a backup")
    damaged = folder / "Main-20200101-000000.tandembackup"
    shutil.copy(made[0], damaged)
    damaged.write_bytes(damaged.read_bytes()[:100])
    assert [b.path for b in backups_of(folder, vault.vault_id)] == made[::-1]
    removed = prune(folder, vault.vault_id, keep=2)
    assert sorted(removed) == sorted(made[:2])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [made[2].name, made[3].name, foreign.name, stray.name, damaged.name])
