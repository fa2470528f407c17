"""Client mode started from a session: the workspace goes, the client rates, the workspace returns.

`ClientModeRunner` belongs to the main window (the workspace page is deleted while the client
rates, so it cannot own it). On a request it reads the therapist PIN's hash, asks which screen
when there is more than one (remembered on this computer), then starts the client window. Before
that window shows, the main window tears the workspace down exactly as a lock does — but the
vault stays open to store the rating — and shows only a neutral "Client mode in progress" page;
the idle lock is paused (the client window is the only thing on screen, and ending it needs the
therapist's PIN or passphrase anyway). When the therapist ends client mode the workspace is
built afresh and the client and session are opened again, on the Measures tab.

Each rating is handed to the vault's writer as the client confirms it (never waited for); one
that fails is kept and stored again after release, or, failing that, shown to the therapist
with its scores so it can be entered from paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.measures import fmt
from storage.pin_repo import pin_hash
from storage.ratings import RatingInput
from ui.client_mode import (
    ClientModeController,
    CompletedRating,
    available_screens,
    screen_by_name,
)
from ui.session import describe
from ui.widgets.common import heading, muted
from ui.widgets.style import em
from ui.workspace.measures.forms import measure_definitions, ratings_store

SCREEN_SETTING = "client_mode/screen"


@dataclass(frozen=True)
class RatingRequest:
    """What the workspace asks for: this client, this session, this form."""

    client_id: int
    session_id: int | None
    measure_id: str
    first_name: str


class ClientModePage(QWidget):
    """The main window while the client rates: nothing about any client."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setAccessibleName("Client mode in progress")
        layout = QVBoxLayout(self)
        margin = em(self, 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addStretch(1)
        title = heading("Client mode in progress", 1.6)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = muted("The rating form is open on the client's screen. Tandem's records stay "
                     "hidden until you end client mode there with your PIN or passphrase "
                     "(the ••• control in the corner, or Ctrl+Alt+Shift+T).")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addStretch(2)

    def wipe(self) -> None:
        """Nothing to forget (it never shows client data)."""
        for label in self.findChildren(QLabel):
            label.setAccessibleDescription("")


class ClientModeRunner(QObject):
    """Starts client mode for the main window and brings the workspace back after."""

    def __init__(self, window: Any, *, controller: ClientModeController | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.session = window.session
        self.controller = controller or ClientModeController(window)
        self.controller.finished.connect(self._finished)
        self.request: RatingRequest | None = None
        self.failed: list[CompletedRating] = []
        self.recorded: list[Any] = []
        self._starting = False

    @property
    def active(self) -> bool:
        """True from the request until the workspace is back."""
        return self._starting or self.controller.active

    # -- starting ---------------------------------------------------------------------------

    def start(self, request: RatingRequest) -> None:
        """Read the PIN hash, ask for the screen if there is a choice, then open the form."""
        vault = self.session.vault
        if vault is None or self.active:
            return
        self._starting = True
        self.request = request

        def failed(_error: BaseException) -> None:
            self._choose_screen(request, None)  # no PIN readable: the passphrase only

        self.session.tasks.watch(pin_hash(vault), lambda hashed: self._choose_screen(
            request, hashed), failed, context=self)

    def _choose_screen(self, request: RatingRequest, hashed: str | None) -> None:
        screens = available_screens()
        saved = self.session.local_settings.value(SCREEN_SETTING)
        if len(screens) <= 1 or self.session.vault is None:
            self._open(request, hashed, saved)
            return
        from ui.workspace.measures.dialogs import ScreenDialog

        definition = measure_definitions()[request.measure_id]
        dialog = ScreenDialog(f"Start {definition.short_name}", screens, saved, self._window)

        def chosen(name: str) -> None:
            self.session.local_settings.set_value(SCREEN_SETTING, name)
            dialog.accept()
            self._open(request, hashed, name)

        dialog.submitted.connect(chosen)
        dialog.rejected.connect(self._cancelled)
        self._window.show_tracked_dialog(dialog)

    def _cancelled(self) -> None:
        if not self.controller.active:
            self._starting = False
            self.request = None

    def _open(self, request: RatingRequest, hashed: str | None, screen: str | None) -> None:
        vault = self.session.vault
        if vault is None:
            self._starting = False
            return
        self.failed = []
        self.recorded = []
        try:
            self.controller.start(measure_definitions()[request.measure_id], request.first_name,
                                  screen_by_name(screen), self._submit, vault.check_passphrase,
                                  hashed, self._before_show)
        finally:
            self._starting = False

    def _before_show(self) -> None:
        # No idle lock while the form holds the screen, but sleep still locks the vault
        # underneath: after waking, leaving client mode leads to the lock screen.
        self.session.monitor.watch_sleep_only()
        self._window.enter_client_mode(ClientModePage())

    # -- the client's ratings ---------------------------------------------------------------

    def _record(self, rating: CompletedRating) -> Any:
        request = self.request
        vault = self.session.vault
        if request is None or vault is None:
            raise RuntimeError("The vault is not open.")
        return ratings_store(vault).record(RatingInput(
            request.client_id, request.session_id, rating.measure_id, mode="screen",
            items=rating.items_tenths, completed_by="client", capture=rating.capture))

    def _submit(self, rating: CompletedRating) -> None:
        future = self._record(rating)  # raises at once: the window keeps it in `unsaved`
        self.session.tasks.watch(future, self.recorded.append,
                                 lambda _e: self.failed.append(rating), context=self)

    # -- coming back ------------------------------------------------------------------------

    def _finished(self, _completed: bool) -> None:
        request = self.request
        self.request = None
        unsaved = list(self.controller.unsaved)
        session = self.session
        if session.vault is not None and session.snapshot is not None:
            session.monitor.start(session.snapshot.lock_after_minutes)
        page = self._window.leave_client_mode()
        if request is not None and page is not None:
            page.reopen_after_rating(request.client_id, request.session_id)
        # Ratings still being written arrive on the same worker thread before this check.
        if request is not None and session.vault is None:
            self._retry(request, unsaved + self.failed)
        elif request is not None:
            session.tasks.watch(_after_writes(session), lambda _n: self._retry(
                request, unsaved + self.failed), lambda _e: self._retry(
                request, unsaved + self.failed), context=self)

    def _retry(self, request: RatingRequest, ratings: list[CompletedRating]) -> None:
        self.failed = []
        if not ratings:
            return
        vault = self.session.vault
        for rating in ratings:
            if vault is None:
                self._tell(rating, "The vault is locked.")
                continue
            self.request = request
            try:
                future = self._record(rating)
            except Exception as exc:
                self._tell(rating, describe(exc))
                continue
            finally:
                self.request = None
            self.session.tasks.watch(future, lambda _a: self._refresh(),
                                     lambda error, r=rating: self._tell(r, describe(error)),
                                     context=self)

    def _refresh(self) -> None:
        page = self._window.page
        refresh = getattr(page, "ratings_changed_elsewhere", None)
        if refresh is not None:
            refresh()

    def _tell(self, rating: CompletedRating, why: str) -> None:
        definition = measure_definitions().get(rating.measure_id)
        name = definition.short_name if definition else rating.measure_id
        items = " · ".join(fmt(v) for v in rating.items_tenths)
        self.session.prompts.inform(
            self._window, "Rating not saved",
            f"The client's {name} could not be saved: {why}\n\nTheir scores were {items} "
            f"(total {fmt(sum(rating.items_tenths))}). Enter them from paper in the Measures "
            "tab.", warning=True)

    def abort(self) -> None:
        """The app is quitting: end client mode without the secret."""
        self.controller.abort()


def _after_writes(session: Any) -> Any:
    """A future that completes after every vault write queued before it."""
    return session.vault.submit(lambda _conn: None)
