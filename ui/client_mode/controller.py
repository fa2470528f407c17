"""Starting and ending client mode, and choosing the screen it shows on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication, QScreen

from storage.pin_repo import pin_matches
from ui.client_mode.form import CompletedRating, RatingForm, ScreenMetrics
from ui.client_mode.window import ClientRatingWindow
from ui.tasks import TaskRunner


@dataclass(frozen=True)
class ScreenChoice:
    """A screen the client window could use, as the therapist picks it."""

    name: str
    width: int
    height: int
    primary: bool
    physical_dpi: float

    @property
    def label(self) -> str:
        """How the screen reads in a picker: "HDMI-1 — 1920 × 1080 (main screen)"."""
        main = " (main screen)" if self.primary else ""
        return f"{self.name or 'Screen'} — {self.width} × {self.height}{main}"


def available_screens() -> list[ScreenChoice]:
    """Every connected screen, the primary one first."""
    primary = QGuiApplication.primaryScreen()
    screens = sorted(QGuiApplication.screens(), key=lambda s: s is not primary)
    return [ScreenChoice(s.name(), s.size().width(), s.size().height(), s is primary,
                         round(float(s.physicalDotsPerInch()), 1)) for s in screens]


def screen_by_name(name: str | None) -> QScreen | None:
    """The screen remembered by `name`, or the primary screen when it is not connected."""
    if name:
        for screen in QGuiApplication.screens():
            if screen.name() == name:
                return screen
    return QGuiApplication.primaryScreen()


class ClientModeController(QObject):
    """Opens the client's window and tells the session when the therapist has ended it."""

    finished = Signal(bool)
    """Client mode ended (the therapist's PIN or passphrase); True when a rating was submitted."""

    def __init__(self, parent: QObject | None = None, *, metrics: ScreenMetrics | None = None,
                 full_screen: bool = True, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self._metrics = metrics  # tests: a screen of known DPI
        self._full_screen = full_screen
        self._tasks = tasks
        self._window: ClientRatingWindow | None = None
        self.unsaved: list[CompletedRating] = []
        """Ratings the submit callback raised on, from the last client mode: store them now."""

    @property
    def active(self) -> bool:
        """True while the client window holds the screen."""
        return self._window is not None

    @property
    def window(self) -> ClientRatingWindow | None:
        """The client window while client mode is on."""
        return self._window

    def start(self, definition: RatingForm, first_name: str, screen: QScreen | None,
              submit: Callable[[CompletedRating], None],
              check_passphrase: Callable[[str], None], pin_hash: str | None,
              before_show: Callable[[], None], *, review: bool = True) -> ClientRatingWindow:
        """Enter client mode: `before_show()` first, then the form full screen on `screen`.

        `before_show` must tear down every widget that shows client data and lock the other
        windows; if it raises, client mode does not start. `submit` gets each CompletedRating
        on the UI thread and must not block (hand it to the vault's writer). `check_passphrase`
        raises (e.g. WrongSecret) unless the passphrase opens the vault; it and the PIN check
        run on a worker thread. `pin_hash` None: only the passphrase ends client mode.
        """
        if self._window is not None:
            raise RuntimeError("Client mode is already on.")
        before_show()
        check_pin = functools.partial(pin_matches, pin_hash) if pin_hash else None
        window = ClientRatingWindow(definition, first_name, submit,
                                    check_passphrase=check_passphrase, check_pin=check_pin,
                                    metrics=self._metrics, tasks=self._tasks, review=review)
        window.released.connect(self._released)
        self._window = window
        self.unsaved = []
        window.present(screen, full_screen=self._full_screen)
        return window

    def next_reading(self) -> None:
        """Ask for another reading of the same form (timed SUDS) without leaving client mode."""
        if self._window is not None:
            self._window.show_form_again()

    def abort(self) -> None:
        """End client mode without the therapist's secret: only when the app is quitting."""
        if self._window is not None:
            self._window.force_release()

    def _released(self) -> None:
        window = self._window
        if window is None:
            return
        self._window = None
        self.unsaved = list(window.unsaved)
        completed = window.submissions > 0
        window.deleteLater()
        self.finished.emit(completed)
