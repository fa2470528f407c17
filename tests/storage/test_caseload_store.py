"""Gathering the caseload from a real vault: the demo practice, read in one job on the worker."""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from app.caseload import ExposureStatus
from app.measures import ChangeCategory, load_definitions
from app.resources import resource_dir
from app.workspace import StatusFilter
from storage import settings_repo
from storage.caseload import CaseloadStore
from storage.practice import PracticeStore
from storage.ratings import RatingsStore
from storage.vault import Vault
from ui.demo import DEMO_PROFILE, ensure_demo_vault, open_demo

DEFS = load_definitions(resource_dir() / "measures")


@pytest.fixture(scope="module")
def demo_copy_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("caseload-demo") / "Demo.tandem"
    ensure_demo_vault(folder)
    return folder


@pytest.fixture
def demo(demo_copy_source: Path, tmp_path: Path) -> Vault:
    folder = tmp_path / "Demo.tandem"
    shutil.copytree(demo_copy_source, folder)
    vault = open_demo(folder)
    yield vault
    vault.close()


def ids_by_name(vault: Vault) -> dict[str, int]:
    rows = PracticeStore(vault, {}).list_clients(status=StatusFilter.ALL).result()
    return {r.name: r.id for r in rows}


def test_every_client_with_the_same_categories_as_the_measures_tab(demo: Vault) -> None:
    caseload = CaseloadStore(demo, DEFS).gather().result()
    assert len(caseload.clients) == 12
    ratings = RatingsStore(demo, DEFS)
    for client in caseload.clients:
        assert client.ratings == ratings.summary(client.client_id).result()
    categories = {c.ratings.change.category for c in caseload.clients}
    assert ChangeCategory.RECOVERED in categories
    assert ChangeCategory.RELIABLY_DETERIORATED in categories
    assert caseload.practice_name == DEMO_PROFILE.practice_name  # from the letterhead


def test_sessions_status_dropouts_and_exposure(demo: Vault) -> None:
    ids = ids_by_name(demo)
    caseload = CaseloadStore(demo, DEFS).gather().result()
    by_id = {c.client_id: c for c in caseload.clients}
    practice = PracticeStore(demo, {})
    maya = ids["Maya Okonkwo"]
    attended = [s for s in practice.sessions(maya).result() if s.attendance.value == "attended"]
    assert by_id[maya].sessions_attended == len(attended) > 20
    report = caseload.report(DEFS, prepared_on=date.today())
    rows = {r.client_id: r for r in report.rows}
    assert rows[ids["Daniel Cohen"]].status == "Dropped out"  # "Client stopped attending…"
    assert rows[ids["Samir Haddad"]].status == "Ended"  # "Goals met; planned ending"
    assert report.totals.dropouts == 1 and report.totals.ended == 2
    # The three demo ladders, mastered steps as the demo set them; everyone else has none.
    with_ladders = {c.client_id: c.exposure for c in caseload.clients if c.exposure.ladders}
    assert set(with_ladders) == {ids["Jonas Berg"], ids["Eleni Papadopoulou"],
                                 ids["Maya Okonkwo"]}
    assert with_ladders[ids["Jonas Berg"]].steps_mastered == 3
    assert with_ladders[ids["Eleni Papadopoulou"]].steps_mastered == 4
    assert all(e.steps_total >= e.steps_mastered + e.ready_steps for e in with_ladders.values())
    assert by_id[ids["Aiko Tanaka"]].exposure == ExposureStatus()


def test_the_cors_reliable_change_setting_is_used(demo: Vault) -> None:
    ruby = ids_by_name(demo)["Ruby Mitchell"]
    before = CaseloadStore(demo, DEFS).gather().result()
    row = next(r for r in before.report(DEFS, prepared_on=date.today()).rows
               if r.client_id == ruby)
    assert row.no_rule and row.measure == "CORS"
    settings_repo.put(demo, "measures.cors_reliable_change", 60)
    after = CaseloadStore(demo, DEFS).gather().result()
    assert after.reliable_change_override == {"cors": 60}
    row = next(r for r in after.report(DEFS, prepared_on=date.today()).rows
               if r.client_id == ruby)
    assert not row.no_rule and row.category is not ChangeCategory.NOT_ENOUGH_DATA


def test_progress_counts_up_to_the_number_of_clients_on_the_worker(demo: Vault) -> None:
    calls: list[tuple[int, int, str]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total, threading.current_thread().name))

    CaseloadStore(demo, DEFS).gather(progress).result()
    assert calls[0][:2] == (0, 12) and calls[-1][:2] == (12, 12)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert all(name != threading.main_thread().name for _, _, name in calls)


def test_destroyed_clients_are_left_out(demo: Vault) -> None:
    ids = ids_by_name(demo)
    PracticeStore(demo, {}).destroy_client(ids["Aiko Tanaka"]).result()
    caseload = CaseloadStore(demo, DEFS).gather().result()
    assert len(caseload.clients) == 11
    assert ids["Aiko Tanaka"] not in {c.client_id for c in caseload.clients}


def test_the_read_leaves_no_transaction_open_and_exports_are_audited(demo: Vault) -> None:
    store = CaseloadStore(demo, DEFS)
    store.gather().result()
    assert demo.call(lambda conn: conn.in_transaction) is False
    store.record_export(identified=False, file_format="pdf", clients=12).result()
    entry = demo.audit_entries(limit=1)[0]
    assert entry.event == "report.caseload_exported"
    assert dict(entry.detail) == {"identified": False, "format": "pdf", "clients": 12}
