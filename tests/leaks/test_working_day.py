"""A full working day in the real window, then every byte the app wrote is searched for the client.

The day (tests/leaks/day.py) creates a vault on the first-run page and saves the Emergency Kit,
adds a client with accented names, contact details and a referrer, writes, autosaves, signs and
amends a note, runs ORS and SRS in client mode, builds a fear ladder and logs a trial, searches,
exports an identified letter through Qt's real save dialog and a de-identified one, writes the
de-identified caseload report, backs up, changes a setting, locks, unlocks and quits.

Every file under tmp_path — HOME with its config, cache and data folders, TMPDIR, the runtime
folder, QtProject.conf, the vault with its -wal/-shm and key files, the backups and the exports —
is read (tests/support/leak_scan.py) while the vault is open and again after quitting. Only the
identified letter may name the client; the de-identified letter and report hold no identifier in
their text, metadata, streams or bytes; nothing else holds anything typed that day.

tests/leaks/test_killed_day.py runs this file as a child process and SIGKILLs it:
- TANDEM_LEAK_PROGRESS: each step's name is appended to that file as the step starts;
- TANDEM_LEAK_HOLD: a step name; the first file sync (os.fsync: an export, a key file or a
  backup about to be renamed into place) during that step writes "hold" to the progress file
  and waits there to be killed.
TANDEM_LEAK_INVENTORY: a file to write the list of files written (path and size) to.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.leaks.day import IDENTIFIERS, NEEDLES, Day, run_day
from tests.support.leak_scan import Scanner, ScanReport, pdf_text, scan
from tests.ui.conftest import UI


class Progress:
    """Announces steps to a watching parent process and, when asked, holds in a file sync."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = os.environ.get("TANDEM_LEAK_PROGRESS")
        self.hold = os.environ.get("TANDEM_LEAK_HOLD")
        self.step = ""
        self.at_step: dict[str, Any] = {}
        if self.hold:
            real_fsync = os.fsync

            def fsync(fd: int) -> None:
                real_fsync(fd)
                if self.step == self.hold:
                    self.write("hold")
                    time.sleep(120)  # the parent kills the process here

            monkeypatch.setattr(os, "fsync", fsync)

    def write(self, line: str) -> None:
        if self.path:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def __call__(self, step: str) -> None:
        self.step = step
        self.write(step)
        hook = self.at_step.get(step)
        if hook is not None:
            hook()


def test_a_working_day_leaves_client_text_only_in_the_exports(
        app_folders: Path, ui: UI, qtlog: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    root = app_folders
    fresh_process = "matplotlib" not in sys.modules  # its font cache is made at first import
    progress = Progress(monkeypatch)
    day = Day(root, on_step=progress)
    while_open: list[ScanReport] = []
    progress.at_step["lock"] = lambda: while_open.append(scan([root], NEEDLES))
    run_day(ui, day)

    report = scan([root], NEEDLES)
    inventory = os.environ.get("TANDEM_LEAK_INVENTORY")
    if inventory:
        Path(inventory).write_text(report.inventory() + "\n", encoding="utf-8")
    print(f"\nWhile the vault was open:\n{while_open[0].inventory()}")
    print(f"\n{report.scanned} files written under {root}:\n{report.inventory()}")

    # Not vacuous: the scan read the places a leak would hide, and it sees the client's text
    # where it belongs (in the compressed PDF of the identified letter).
    home = Path("home")
    vault = day.vault.relative_to(root)
    opened = {f.path for f in while_open[0].files}
    assert {vault / "vault.db-wal", vault / "vault.db-shm"} <= opened, opened
    exports = [p.relative_to(root) for p in
               [*day.identified, *day.deidentified, *day.other_exports, *day.backups]]
    expected = [vault / "vault.db", vault / "keyslots.json", home / ".config/Tandem/tandem.ini",
                home / ".config/QtProject.conf", *exports]  # Qt's save dialog wrote its history
    assert [p for p in expected if p not in {f.path for f in report.files}] == []
    if fresh_process:  # matplotlib's cache went to MPLCONFIGDIR, inside the scanned folder
        assert any(f.path.name.startswith("fontlist") for f in report.files)
    letter = day.identified[0].relative_to(root)
    found = {h.needle for h in report.hits_in(letter)}
    assert {"Vantablack", "Wrenfield", "harpsichord", "marzipan lanterns"} <= found, found

    # The de-identified exports: nothing that says who, in text, metadata, streams or bytes.
    deid = Scanner(IDENTIFIERS)
    for path in day.deidentified:
        assert deid.in_bytes(path.read_bytes()) == [], path.name
        assert deid.in_name(Path(path.name)) == [], path.name
    assert "regatta" in pdf_text(day.deidentified[0].read_bytes())  # written, name rewritten

    # Nothing else, anywhere, while the vault was open or after quitting.
    allowed = identified_or_clinical(day, root)
    for seen in (while_open[0], report):
        leaks = [h for h in seen.hits if not allowed(h.path, h.needle)]
        assert leaks == [], "\n".join(map(str, leaks))
        stray = [f.path for f in seen.files if f.path.name.startswith(("etilqs_", "core"))
                 or f.path.suffix in (".part", ".tmp", ".partial")]
        assert stray == []
    logged = "\n".join(record.message for record in qtlog.records)
    assert Scanner(NEEDLES).in_text(logged) == []


def identified_or_clinical(day: Day, root: Path) -> Any:
    """Where a needle may be: anything in the identified letter, clinical text in the
    de-identified exports (the progress letter summarises the ladder), nothing elsewhere."""
    identified = {p.relative_to(root) for p in day.identified}
    deidentified = {p.relative_to(root) for p in day.deidentified}

    def allowed(path: Path, needle: str) -> bool:
        return path in identified or (path in deidentified and needle not in IDENTIFIERS)

    return allowed
