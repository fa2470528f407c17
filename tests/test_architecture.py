"""The layering the brief asks for, enforced: app/ is pure; storage/ and reports/ never reach up.

Reads every module's imports with `ast` (no importing, so it is fast and has no side effects).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

QT = {"PySide6", "shiboken6", "PyQt5", "PyQt6"}
SQL = {"sqlite3", "sqlcipher3", "pysqlite3"}
PDF_AND_CHARTS = {"reportlab", "matplotlib", "pypdf", "pikepdf", "pypdfium2"}

FORBIDDEN: dict[str, set[str]] = {
    "app": QT | SQL | PDF_AND_CHARTS | {"storage", "ui", "reports", "keyring"},
    "storage": QT | {"ui", "reports"},
    "reports": QT | SQL | {"ui", "storage"},
    "ui": SQL,
}


def imported_roots(source: str) -> set[str]:
    """Top-level package names a module imports (absolute imports only; Tandem uses no others)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def violations(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_roots(path.read_text("utf-8")) & FORBIDDEN[package]
        if bad:
            found.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(package: str) -> None:
    assert violations(package) == []


def test_the_checker_sees_every_import_form() -> None:
    source = (
        "import PySide6.QtWidgets\n"
        "from sqlcipher3 import dbapi2\n"
        "def lazy():\n    import matplotlib.pyplot as plt\n"
        "from .sibling import x\n"
    )
    assert imported_roots(source) == {"PySide6", "sqlcipher3", "matplotlib"}


def test_relative_imports_are_not_used() -> None:
    """Relative imports would hide cross-layer imports from the check above."""
    offenders = []
    for package in FORBIDDEN:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text("utf-8"))
            if any(isinstance(n, ast.ImportFrom) and n.level > 0 for n in ast.walk(tree)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("package", ["app", "storage", "reports", "ui"])
def test_packages_load_from_this_repository(package: str) -> None:
    """The generic top-level names must resolve to this checkout, not something on the path."""
    module = importlib.import_module(package)
    assert Path(module.__file__).resolve().parent == ROOT / package


def test_app_imports_without_qt_or_sql() -> None:
    """Importing the domain pulls in no GUI or database module (a fresh interpreter checks it)."""
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, app\n"
        "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6','sqlcipher3','sqlite3','reportlab','matplotlib'}]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""
