"""Where the shipped resources folder is: beside the packages in a checkout, inside a bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    """The `resources/` folder (templates, measures, letters, fonts, icons)."""
    bundle_root = getattr(sys, "_MEIPASS", None)  # set by a PyInstaller bundle
    if bundle_root:
        return Path(bundle_root) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"
