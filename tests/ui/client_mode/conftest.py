"""Fixtures for the client's screen: real definitions, windows on a screen of known DPI.

Every window a test opens is released (without the secret) and deleted at the end, so its
application-wide key guard never outlives the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from app.errors import WrongSecret
from app.measures import MeasureDefinition, load_definitions
from app.resources import resource_dir
from ui.client_mode import ClientRatingWindow, CompletedRating, RatingForm, ScreenMetrics

PASSPHRASE = "correct horse battery staple"

@pytest.fixture(scope="session")
def definitions() -> dict[str, MeasureDefinition]:
    return load_definitions(resource_dir() / "measures")


def fake_check_passphrase(passphrase: str) -> None:
    if passphrase != PASSPHRASE:
        raise WrongSecret("That passphrase does not open this vault.")


class Opened:
    """A window under test and what its callbacks received."""

    def __init__(self, window: ClientRatingWindow, submitted: list[CompletedRating],
                 released: list[bool]) -> None:
        self.window = window
        self.submitted = submitted
        self.released = released


@pytest.fixture
def open_window(qtbot: Any) -> Iterator[Callable[..., Opened]]:
    windows: list[ClientRatingWindow] = []

    def make(form: RatingForm, first_name: str = "Sam", *, dpi: float = 96.0,
             size: tuple[int, int] | None = (1280, 800), full_screen: bool = False,
             check_pin: Callable[[str], bool] | None = None,
             check_passphrase: Callable[[str], None] = fake_check_passphrase,
             review: bool = True) -> Opened:
        submitted: list[CompletedRating] = []
        released: list[bool] = []
        metrics = ScreenMetrics(dpi, 96.0, 1.0, "Test screen",
                                size if size is not None else (800, 800))
        window = ClientRatingWindow(form, first_name, submitted.append,
                                    check_passphrase=check_passphrase, check_pin=check_pin,
                                    on_released=lambda: released.append(True),
                                    metrics=metrics, review=review)
        windows.append(window)
        window.present(None, full_screen=full_screen)
        if size is not None and not full_screen:
            window.resize(*size)
        qtbot.waitExposed(window)
        settle(qtbot, window)
        return Opened(window, submitted, released)

    yield make
    for window in windows:
        window.force_release()
        window.close()
        window.deleteLater()
    QApplication.processEvents()


def settle(qtbot: Any, window: ClientRatingWindow) -> None:
    """Wait until the window's deferred fitting and re-asserting have run."""
    qtbot.waitUntil(lambda: not window._fit_timer.isActive()
                    and not window._reassert_timer.isActive())
    QApplication.processEvents()


def point_at(line: Any, fraction: float) -> QPoint:
    """The pixel of `line` at `fraction` of its length, on the line itself."""
    return QPoint(line.x0 + round(fraction * line.length), line.line_y())


def mark_all(qtbot: Any, window: ClientRatingWindow, fractions: list[float]) -> None:
    for line, fraction in zip(window.lines, fractions, strict=True):
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=point_at(line, fraction))
