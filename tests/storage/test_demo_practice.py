"""The demo vault looks like a real, current caseload and exercises every record-keeping path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.clients import RiskLevel
from app.notes import NoteStatus
from app.workspace import StatusFilter
from storage.practice import PracticeStore
from ui.demo import ensure_demo_vault, open_demo


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


def test_demo_ratings_cover_every_trajectory(tmp_path: Path) -> None:
    from app.measures import ChangeCategory, load_definitions
    from app.resources import resource_dir
    from storage.ratings import RatingsStore

    vault = open_demo(tmp_path / "Demo.tandem")
    try:
        practice = PracticeStore(vault, {})
        ratings = RatingsStore(vault, load_definitions(resource_dir() / "measures"))
        rows = {r.name: r.id for r in practice.list_clients(status=StatusFilter.ALL).result()}
        summaries = {name: ratings.summary(cid).result() for name, cid in rows.items()}
        categories = {s.change.category for s in summaries.values()}
        assert {ChangeCategory.RECOVERED, ChangeCategory.RELIABLY_IMPROVED,
                ChangeCategory.NO_RELIABLE_CHANGE,
                ChangeCategory.RELIABLY_DETERIORATED} <= categories
        assert summaries["Ruby Mitchell"].outcome[0].measure == "cors"
        assert summaries["Ruby Mitchell"].alliance[0].measure == "csrs"
        # The adolescent who turned 18 mid-treatment is judged against the adult cutoff.
        assert summaries["Eleni Papadopoulou"].change.cutoff_tenths == 250
        assert summaries["Liam O'Connor"].change.cutoff_tenths == 280
        # Priya's alliance ruptured and was repaired, and the rupture was discussed.
        alliance = [a.total for a in summaries["Priya Raman"].alliance]
        assert min(alliance) < 360 and alliance[-1] >= 360
        assert ratings.responses(rows["Priya Raman"]).result()
        modes = {a.mode for s in summaries.values() for a in s.outcome}
        assert modes == {"screen", "paper_items"}
    finally:
        vault.close()


def test_demo_ladders_at_different_stages_under_both_rules(tmp_path: Path) -> None:
    from app.exposure import RuleKind, StepStatus
    from storage.exposure import ExposureStore

    vault = open_demo(tmp_path / "Demo.tandem")
    try:
        practice = PracticeStore(vault, {})
        exposure = ExposureStore(vault)
        rows = {r.name: r.id for r in practice.list_clients(status=StatusFilter.ALL).result()}
        ladders = {name: exposure.ladders(cid).result() for name, cid in rows.items()}
        with_ladders = {name: found[0] for name, found in ladders.items() if found}
        assert set(with_ladders) == {"Jonas Berg", "Eleni Papadopoulou", "Maya Okonkwo"}
        assert {lad.rule.kind for lad in with_ladders.values()} == set(RuleKind)
        all_steps = {name: exposure.steps(lad.id).result()
                     for name, lad in with_ladders.items()}
        statuses = {s.status for steps in all_steps.values() for s in steps}
        assert {StepStatus.MASTERED, StepStatus.IN_PROGRESS, StepStatus.PLANNED} <= statuses
        assert any(s.readiness.ready and s.status is StepStatus.IN_PROGRESS
                   for steps in all_steps.values() for s in steps)
        maya = [s for s in all_steps["Maya Okonkwo"] if s.status is StepStatus.IN_PROGRESS]
        assert any("safety behaviours still used" in s.readiness.reason for s in maya)
        trials = [t for steps in all_steps.values() for s in steps
                  for t in exposure.trials(s.id).result()]
        assert {t.record.setting for t in trials} == {"session", "homework"}
        assert all(t.session_id for t in trials if t.record.setting == "session")
        assert exposure.latest_learning(rows["Jonas Berg"]).result()
    finally:
        vault.close()
