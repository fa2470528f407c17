"""Fixtures for the window tests: a window with a fake clock and pre-programmable prompts.

Real widgets, real vaults (with the cheap KDF profile from tests/conftest.py), real background
threads; tests wait with qtbot.waitUntil / waitSignal, never sleep.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QLineEdit, QWidget

from app.recovery_key import RecoveryKey
from storage.vault import Vault
from tests.conftest import PASSPHRASE

PRACTICE_NAME = "Riverside Counselling"


class FakeClock:
    """Monotonic and wall time that only move when told to."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall_time = 1_700_000_000.0

    def monotonic(self) -> float:
        return self.mono

    def wall(self) -> float:
        return self.wall_time

    def advance(self, seconds: float, *, slept: bool = False) -> None:
        """Move both clocks; when `slept`, only the wall clock moves (a suspended machine)."""
        self.wall_time += seconds
        if not slept:
            self.mono += seconds


@dataclass
class ClosedVault:
    folder: Path
    recovery_key: RecoveryKey
    vault_id: str


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def closed_vault(tmp_path: Path) -> ClosedVault:
    """A vault named PRACTICE_NAME at tmp_path/vaults/Practice.tandem, closed."""
    folder = tmp_path / "vaults" / "Practice.tandem"
    vault, recovery_key = Vault.create(folder, PASSPHRASE, name=PRACTICE_NAME)
    vault_id = vault.vault_id
    vault.close()
    return ClosedVault(folder, recovery_key, vault_id)


class UI:
    """The window under test and the handles a test needs."""

    def __init__(self, qtbot: Any, clock: FakeClock) -> None:
        from ui.app import build
        from ui.dialogs.prompts import Prompts

        self.qtbot = qtbot
        self.clock = clock
        self.prompts = Prompts()
        self.session, self.window = build(prompts=self.prompts, monotonic=clock.monotonic,
                                          wall=clock.wall)
        qtbot.addWidget(self.window)
        self.window.show()
        self.window.activateWindow()

    @property
    def page(self) -> QWidget | None:
        return self.window.page

    def wait_for_page(self, kind: type, timeout: int = 10000) -> Any:
        self.qtbot.waitUntil(lambda: isinstance(self.window.page, kind), timeout=timeout)
        return self.window.page

    def wait_idle(self, timeout: int = 10000) -> None:
        self.qtbot.waitUntil(lambda: self.session.tasks.pending == 0
                             and self.session.probe_tasks.pending == 0, timeout=timeout)

    def unlock(self, passphrase: str = PASSPHRASE) -> Any:
        from ui.pages.unlock import UnlockPage
        from ui.pages.workspace import WorkspacePage

        page = self.wait_for_page(UnlockPage)
        self.qtbot.keyClicks(page.secret_edit, passphrase)
        self.qtbot.keyClick(page.secret_edit, Qt.Key.Key_Return)
        workspace = self.wait_for_page(WorkspacePage)
        self.qtbot.waitUntil(lambda: workspace.client_model.loaded)
        return workspace

    def open_overview(self, workspace: Any = None) -> Any:
        """Vault ▸ Vault overview: the vault's details and audit trail (loaded)."""
        workspace = workspace or self.window.page
        self.window.workspace_actions["vault_overview"].trigger()
        overview = workspace.overview
        self.qtbot.waitUntil(lambda: overview.model.loaded)
        return overview

    def unlock_to_overview(self, passphrase: str = PASSPHRASE) -> Any:
        """Unlock, then show the vault overview (what the tests of the vault home need)."""
        return self.open_overview(self.unlock(passphrase))

    def visible_texts(self) -> list[str]:
        """Every text the window tree could show: labels, fields, titles, models' cells."""
        return widget_texts(self.window)


def widget_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts.append(widget.windowTitle())
        texts.append(widget.toolTip())
        texts.append(widget.accessibleName())
        texts.append(widget.accessibleDescription())
        if isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    texts.append(str(model.index(row, column).data() or ""))
    return [t for t in texts if t]


@pytest.fixture
def ui(qtbot: Any, fake_clock: FakeClock) -> Iterator[UI]:
    handle = UI(qtbot, fake_clock)
    yield handle
    handle.window.close()
    handle.session.shutdown()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo vault, built once per test run (tests get their own copy of it)."""
    from ui.demo import ensure_demo_vault

    folder = tmp_path_factory.mktemp("demo-template") / "Demo.tandem"
    ensure_demo_vault(folder)
    return folder


@pytest.fixture
def demo(ui: UI, demo_template: Path) -> UI:
    """The window unlocked on a fresh copy of the demo vault, in this test's data folder."""
    import shutil

    from tests.ui.settings.conftest import unlock
    from ui.demo import DEMO_PASSPHRASE

    shutil.copytree(demo_template, ui.session.paths.demo_vault)
    ui.session.open_demo()
    unlock(ui, DEMO_PASSPHRASE)
    ui.wait_idle()
    # Offscreen Qt does not always give activation back to the main window after the
    # unlock page's busy state; window shortcuts need it.
    ui.window.activateWindow()
    ui.qtbot.waitUntil(ui.window.isActiveWindow)
    return ui


def client_id(ui: UI, name: str) -> int:
    """The id of the client called `name` in the unlocked workspace."""
    page = ui.window.page
    for client in page.store.list_clients(text=name.split()[0]).result():
        if getattr(client, "name", "") == name:
            return int(client.id)
    raise AssertionError(f"no client {name}")


SHOTS = Path("/tmp/tandem-shots")
"""Where the render tests save what they draw, to be looked at."""


@pytest.fixture
def big_font(qapp: QApplication) -> Iterator[None]:
    """Text at 150 %: the render tests check the views scale without clipping."""
    original = qapp.font()
    font = qapp.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    qapp.setFont(font)
    yield
    qapp.setFont(original)
