"""Render the Letters tab, the composer with its preview, and a kept letter, to look at."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.ui.conftest import SHOTS, UI
from tests.ui.letters.test_composer import open_composer, open_letters, wait_ready
from tests.ui.test_accessibility import unnamed_controls


def test_render_letter_views(big_font: None, demo: UI, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    demo.window.resize(1280, 800)
    tab = open_letters(demo)
    composer = open_composer(demo, tab, tmp_path)
    composer.resize(1280, 800)
    wait_ready(demo, composer)
    # After a resize the pages are drawn again at the new width, fitted to the preview.
    demo.qtbot.waitUntil(lambda: composer.preview.page_images()[0].width()
                         > composer.preview.viewport().width() * 0.8, timeout=10_000)
    QApplication.processEvents()
    assert composer.grab().save(str(SHOTS / "letter-composer.png"))
    assert unnamed_controls(composer) == []
    composer.export()
    demo.qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=15_000)
    QApplication.processEvents()
    assert demo.window.grab().save(str(SHOTS / "letters-tab.png"))
    assert unnamed_controls(tab) == []
