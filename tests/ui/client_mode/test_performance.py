"""Opening the rating screen ≤ 150 ms; a drag repaints within one frame (60 Hz: 16.7 ms)."""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.client_mode.conftest import fake_check_passphrase, point_at
from ui.client_mode import ClientRatingWindow, ScreenMetrics

OPEN_BUDGET_MS = 150.0
FRAME_MS = 1000 / 60


class PaintCounter(QObject):
    def __init__(self, target: QObject) -> None:
        super().__init__(target)
        self.count = 0
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def open_once(definition) -> tuple[ClientRatingWindow, float]:
    """Construct, show full screen, and run the event loop until the first frame is painted."""
    start = time.perf_counter()
    window = ClientRatingWindow(definition, "Sam", lambda _r: None,
                                check_passphrase=fake_check_passphrase,
                                metrics=ScreenMetrics(96.0))
    window.present(None)
    while window.first_frame_at is None:
        QApplication.processEvents()
        if time.perf_counter() - start > 5:  # pragma: no cover - says what went wrong
            raise AssertionError("the window never painted")
    return window, (window.first_frame_at - start) * 1000


def close(window: ClientRatingWindow) -> None:
    window.force_release()
    window.deleteLater()
    QApplication.processEvents()


def test_opening_the_rating_screen(definitions, qtbot) -> None:
    times = []
    for index in range(6):
        window, elapsed = open_once(definitions["srs" if index % 2 else "ors"])
        times.append(elapsed)
        close(window)
    warm = times[1:]
    print(f"\nopen to first paint: first {times[0]:.1f} ms; then median "
          f"{statistics.median(warm):.1f} ms, max {max(warm):.1f} ms")
    assert statistics.median(warm) <= OPEN_BUDGET_MS
    assert times[0] <= 2 * OPEN_BUDGET_MS  # even the first, with fonts and styles cold


def test_a_drag_repaints_within_one_frame(definitions, qtbot) -> None:
    window, _elapsed = open_once(definitions["ors"])
    try:
        line = window.lines[0]
        painted = PaintCounter(line)
        qtbot.mousePress(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.05))
        QApplication.processEvents()
        samples = []
        for step in range(240):
            fraction = 0.05 + 0.9 * ((step * 7) % 100) / 100
            before = painted.count
            start = time.perf_counter()
            qtbot.mouseMove(line, point_at(line, fraction))
            # The repaint the move asked for: delivered and painted synchronously here.
            QApplication.sendPostedEvents(window, QEvent.Type.UpdateRequest)
            samples.append((time.perf_counter() - start) * 1000)
            assert painted.count > before  # it really repainted the line
        qtbot.mouseRelease(line, Qt.MouseButton.LeftButton, pos=point_at(line, 0.5))
        samples.sort()
        p50 = statistics.median(samples)
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"\ndrag move + repaint: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
              f"max {samples[-1]:.2f} ms over {len(samples)} moves")
        assert p95 < FRAME_MS
    finally:
        close(window)
