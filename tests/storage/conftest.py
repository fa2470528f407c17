"""Fixtures for the vault tests: a closed vault with a few records in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.vaults import ClosedVault, make_closed_vault


@pytest.fixture
def closed_vault(tmp_path: Path) -> ClosedVault:
    """A vault at tmp_path/vaults/Practice.tandem with three clients, closed."""
    return make_closed_vault(tmp_path / "vaults" / "Practice.tandem")
