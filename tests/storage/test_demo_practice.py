"""The demo vault looks like a real, current caseload and exercises every record-keeping path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.clients import RiskLevel
from app.notes import NoteStatus
from app.workspace import StatusFilter
from storage.practice import PracticeStore
from ui.demo import DEMO_PASSPHRASE, ensure_demo_vault, open_demo


def test_demo_practice_is_varied_and_current(tmp_path: Path) -> None:
    folder = tmp_path / "Demo.tandem"
    assert ensure_demo_vault(folder) is True
    assert ensure_demo_vault(folder) is False  # never rebuilt over an existing demo
    vault = open_demo(folder)
    try:
        store = PracticeStore(vault, {})
        rows = store.list_clients(status=StatusFilter.ALL).result()
        assert len(rows) == 12
        assert {r.status.value for r in rows} == {"active", "closed"}
        assert {r.risk for r in rows} == set(RiskLevel)
        today = date.today()
        active = [r for r in rows if r.status.value == "active"]
        assert all(r.last_session and (today - r.last_session).days <= 7 for r in active)
        templates, signed, drafts, late, amended = set(), 0, 0, 0, 0
        for row in rows:
            for session in store.sessions(row.id).result():
                late += session.late_entry
                note = store.note(session.id).result()
                if note is None:
                    continue
                templates.add(note.template)
                signed += note.status is NoteStatus.SIGNED
                drafts += note.status is NoteStatus.DRAFT
                amended += bool(note.amendments)
        assert templates == {"soap", "dap", "birp", "girp", "free"}
        assert signed > 100 and drafts >= 5 and late >= 3 and amended >= 5
        assert store.search("panic").result()
    finally:
        vault.close()
    assert DEMO_PASSPHRASE  # published on the unlock screen
