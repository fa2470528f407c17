"""An in-session timed exposure, with the client's SUDS readings on the locked client screen.

`ExposureRunner` belongs to the main window (the workspace page is torn down while client mode
holds the screen, exactly as for ORS/SRS, so the page cannot own it). The flow:

1. "Run exposure in session…" on a step: `RunSetupDialog` (planned minutes, SUDS every N
   minutes, the client's screen).
2. Start: the workspace goes (`window.enter_client_mode`) and the main window shows `RunPage`
   (elapsed time, the live curve; nothing about any client but this step and these readings).
   The client's screen is client mode with one big 0–100 SUDS scale (`suds_form()`, no review
   step); after each reading it shows client mode's calm "Thank you" page until the next one is
   due (`controller.next_reading()`). Time comes from the session's monotonic clock (a fake
   one in tests) read by `ExposureRun`'s QTimer.
3. The therapist ends client mode with the PIN or passphrase (the only way out): the clock
   stops, the workspace is built again with the client's Exposure tab on this step, and
   `PausedRunDialog` offers Resume (client mode again, a reading at once), Stop and log trial,
   or Discard (asked first).
4. Stop: the trial dialog opens filled in (in session, therapist present, planned and actual
   minutes, SUDS before = first reading, peak = highest, after = last, the readings and their
   interval); the therapist adds the feared outcome, expectancies and what was learned and
   saves it with `ExposureStore.log_trial(..., reading_interval_min=N)`. Cancelling it goes back
   to the paused exposure, so nothing the client rated is lost to a stray Esc.

If the vault locks or the app closes while an exposure has readings, the trial is stored with
what is known (and what was typed in its dialog, if it checks) before the vault closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from app.errors import InvalidInput
from app.exposure import TrialRecord
from storage.exposure import ExposureStore, Step
from storage.pin_repo import pin_hash
from ui.client_mode import (
    ClientModeController,
    CompletedRating,
    available_screens,
    screen_by_name,
    suds_form,
    suds_value,
)
from ui.workspace.exposure.run_views import (
    PausedRunDialog,
    RunPage,
    RunSettings,
    RunSetupDialog,
    session_words,
)
from ui.workspace.exposure.timer import DEFAULT_INTERVAL, DEFAULT_PLANNED, ExposureRun

SCREEN_SETTING = "client_mode/screen"
"""The same remembered screen as ORS/SRS use: one client screen per computer."""


@dataclass(frozen=True)
class RunPlan:
    """What the Exposure tab knows when the therapist asks for a timed exposure."""

    client_id: int
    ladder_id: int
    step: Step
    first_name: str
    session_id: int | None
    session_time: str | None  # the linked session's start time ("" unknown), None: no session
    previous: TrialRecord | None  # the step's latest trial (place, feared outcome, planned)


def session_clock(session: Any) -> Callable[[], float]:
    """The session's monotonic clock: the one the inactivity lock uses (a fake one in tests)."""
    clock = getattr(session, "monotonic", None)
    return clock if callable(clock) else time.monotonic


class ExposureRunner(QObject):
    """Runs one timed exposure at a time for the main window."""

    ended = Signal(bool)
    """The exposure is over: True when its trial was stored, False when it was discarded."""

    @classmethod
    def of(cls, window: Any) -> ExposureRunner:
        """The window's runner (made on first use)."""
        for child in window.children():
            if isinstance(child, cls):
                return child
        return cls(window)

    def __init__(self, window: Any, *, controller: ClientModeController | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.session = window.session
        self.controller = controller or ClientModeController(self)
        self.controller.finished.connect(self._client_mode_ended)
        self.plan: RunPlan | None = None
        self.run: ExposureRun | None = None
        self.settings: RunSettings | None = None
        self.setup_dialog: RunSetupDialog | None = None
        self.paused_dialog: PausedRunDialog | None = None
        self.trial_dialog: Any = None
        self._pin: str | None = None
        self._closing = False
        self.session.about_to_close.connect(self._about_to_close)
        window.installEventFilter(self)

    @property
    def active(self) -> bool:
        """True from the setup dialog until the trial is stored or discarded."""
        return self.plan is not None

    # -- 1. setting up ----------------------------------------------------------------------

    def prepare(self, plan: RunPlan) -> None:
        """Show the setup dialog for `plan` (nothing happens while another exposure runs)."""
        other = getattr(self._window, "client_mode", None)
        if self.active or self.session.vault is None or (other is not None and other.active):
            return
        previous = plan.previous
        planned = previous.planned_minutes if previous and previous.planned_minutes else \
            DEFAULT_PLANNED
        dialog = RunSetupDialog(plan.step, planned, DEFAULT_INTERVAL, available_screens(),
                                self.session.local_settings.value(SCREEN_SETTING),
                                session_words(plan.session_time), self._window)
        self.plan = plan
        dialog.submitted.connect(self._start)
        dialog.rejected.connect(self._setup_cancelled)
        self.setup_dialog = dialog
        self._window.show_tracked_dialog(dialog)

    def _setup_cancelled(self) -> None:
        if self.run is None:
            self._reset()

    def _start(self, settings: RunSettings) -> None:
        vault = self.session.vault
        dialog = self.setup_dialog
        if vault is None or self.plan is None or dialog is None:
            return
        self.settings = settings
        if settings.screen:
            self.session.local_settings.set_value(SCREEN_SETTING, settings.screen)
        dialog.set_busy(True)
        self._read_pin(lambda: self._begin(settings))

    def _read_pin(self, then: Callable[[], None]) -> None:
        """The PIN's hash, read off the UI thread (none readable: the passphrase only)."""
        vault = self.session.vault
        if vault is None:
            return

        def got(hashed: str | None) -> None:
            self._pin = hashed
            then()

        def failed(_error: BaseException) -> None:
            self._pin = None
            then()

        self.session.tasks.watch(pin_hash(vault), got, failed, context=self)

    def _begin(self, settings: RunSettings) -> None:
        vault = self.session.vault
        if vault is None or self.plan is None or self._closing:
            return
        run = ExposureRun(settings.planned_minutes, settings.interval_minutes,
                          session_clock(self.session), vault.clock.now, self)
        run.reading_due.connect(self._reading_due)
        self.run = run
        self._close_quietly(self.setup_dialog)
        self.setup_dialog = None
        if self._open_client_mode():
            run.start()
        else:
            self._reset()

    # -- 2. client mode ---------------------------------------------------------------------

    def _open_client_mode(self) -> bool:
        vault = self.session.vault
        plan, settings = self.plan, self.settings
        if vault is None or plan is None or settings is None:
            return False
        try:
            self.controller.start(suds_form(), plan.first_name, screen_by_name(settings.screen),
                                  self._submit, vault.check_passphrase, self._pin,
                                  self._before_show, review=False)
        except Exception as exc:  # before_show failed, or client mode is on already
            self.session.prompts.inform(self._window, "Client mode did not start",
                                        f"The client's screen could not be opened: {exc}",
                                        warning=True)
            return False
        return True

    def _before_show(self) -> None:
        run, plan = self.run, self.plan
        if run is None or plan is None:
            raise RuntimeError("No exposure to run.")
        # No idle lock while client mode holds the screen; sleep still locks underneath.
        self.session.monitor.watch_sleep_only()
        self._window.enter_client_mode(RunPage(run, plan.step))

    def _submit(self, rating: CompletedRating) -> None:
        run = self.run
        if run is not None:
            run.add_reading(suds_value(rating))

    def _reading_due(self, _minute: int) -> None:
        self.controller.next_reading()

    # -- 3. paused --------------------------------------------------------------------------

    def _client_mode_ended(self, _completed: bool) -> None:
        run = self.run
        if self._closing or run is None:
            return
        run.pause()
        session = self.session
        if session.vault is not None and session.snapshot is not None:
            session.monitor.start(session.snapshot.lock_after_minutes)
        page = self._window.leave_client_mode()
        if page is not None:
            self._reopen(page)
        self._show_paused()

    def _reopen(self, page: Any) -> None:
        """The client's Exposure tab on this step, as before client mode."""
        plan = self.plan
        if plan is None:
            return
        page.open_client(plan.client_id)
        record = page.record
        record.tabs.setCurrentWidget(record.exposure_tab)
        record.exposure_tab.select_step(plan.ladder_id, plan.step.id)

    def _exposure_tab(self) -> Any:
        page = getattr(self._window, "page", None)
        record = getattr(page, "record", None)
        return getattr(record, "exposure_tab", None)

    def _show_paused(self) -> None:
        run, plan = self.run, self.plan
        if run is None or plan is None or self._closing or self.session.vault is None:
            return
        dialog = PausedRunDialog(run, plan.step, self._window)
        dialog.submitted.connect(lambda _v: self._resume())
        dialog.stop_requested.connect(self._stop)
        dialog.discard_requested.connect(self._ask_discard)
        self.paused_dialog = dialog
        self._window.show_tracked_dialog(dialog)

    def _resume(self) -> None:
        dialog = self.paused_dialog
        if dialog is not None:
            dialog.set_busy(True)
        self._read_pin(self._resume_now)

    def _resume_now(self) -> None:
        run = self.run
        if run is None or self._closing:
            return
        self._close_quietly(self.paused_dialog)
        self.paused_dialog = None
        if self._open_client_mode():
            run.resume()
        else:
            self._show_paused()

    def _ask_discard(self) -> None:
        run, dialog = self.run, self.paused_dialog
        if run is None or dialog is None:
            return
        count = len(run.readings)
        readings = f"its {count} SUDS reading{'s' if count != 1 else ''}" if count else \
            "its timing"
        self.session.prompts.confirm(
            dialog, "Discard this exposure?",
            f"The exposure and {readings} will not be saved. This cannot be undone.",
            "Discard", self._discard_answered, destructive=True)

    def _discard_answered(self, yes: bool) -> None:
        if not yes or self.run is None:
            return
        self._close_quietly(self.paused_dialog)
        self.paused_dialog = None
        self._reset()
        self.ended.emit(False)

    # -- 4. stopping and logging ------------------------------------------------------------

    def record(self) -> TrialRecord:
        """The trial as far as the timer knows it (the dialog's starting point)."""
        run, plan, settings = self.run, self.plan, self.settings
        assert run is not None and plan is not None and settings is not None
        before, peak, after = run.summary
        previous = plan.previous
        assert run.started_at is not None, "only a started exposure has a trial"
        return TrialRecord(
            started_at=run.started_at, setting="session", place=previous.place if previous else "",
            therapist_present=True, planned_minutes=settings.planned_minutes,
            actual_minutes=run.elapsed_minutes, suds_before=before, suds_peak=peak,
            suds_after=after, suds_readings=tuple(run.readings),
            feared_outcome=previous.feared_outcome if previous else "")

    def _stop(self) -> None:
        run, plan, settings = self.run, self.plan, self.settings
        if run is None or plan is None or settings is None:
            return
        run.stop()
        self._close_quietly(self.paused_dialog)
        self.paused_dialog = None
        # After the closed dialog has handed the keyboard back to the window (a 0 ms timer
        # too), so the trial dialog ends up the active window with the keyboard in it.
        QTimer.singleShot(0, self, self._open_trial)

    def _open_trial(self) -> None:
        run, plan, settings = self.run, self.plan, self.settings
        if run is None or plan is None or settings is None or self._closing:
            return
        tab = self._exposure_tab()
        if tab is None:  # no workspace to log it in (cannot happen after client mode)
            self._show_paused()
            return
        self.trial_dialog = tab.log_timed_trial(
            plan.step, self.record(), settings.interval_minutes, plan.session_id,
            self._stored, self._trial_cancelled)

    def _stored(self) -> None:
        self._reset()
        self.ended.emit(True)

    def _trial_cancelled(self) -> None:
        self.trial_dialog = None
        if self.run is not None:
            self._show_paused()  # back to the exposure: its readings are still here

    # -- locking and closing ----------------------------------------------------------------

    def _about_to_close(self) -> None:
        """The vault closes (lock, quit): store what the client rated, then end everything."""
        run = self.run
        if run is not None and self.plan is not None and run.started_at is not None \
                and (run.readings or self.trial_dialog is not None):
            self._store_unfinished()
        if self.controller.active:
            self._closing = True
            self.controller.abort()
            self._closing = False
        self._reset()

    def _store_unfinished(self) -> None:
        run, plan, settings = self.run, self.plan, self.settings
        vault = self.session.vault
        if run is None or plan is None or settings is None or vault is None:
            return
        run.stop()
        record = self.record()
        dialog = self.trial_dialog
        if dialog is not None and not dialog.accept_button.isEnabled():
            return  # the dialog's own save is on its way to the vault
        if dialog is not None:
            try:
                typed = dialog.value()
                record = replace(typed, suds_readings=record.suds_readings)
            except (InvalidInput, RuntimeError):
                pass  # what was typed does not check: the timer's record is kept
        with suppress(InvalidInput):  # nothing storable (not with the timer's own values)
            ExposureStore(vault).log_trial(plan.step.id, record, plan.session_id,
                                           settings.interval_minutes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The main window is closing: end client mode with it, ask nothing on the way out."""
        if watched is self._window and event.type() == QEvent.Type.Close:
            self._closing = True
            for dialog in (self.paused_dialog, self.setup_dialog):
                if dialog is not None and hasattr(dialog, "allow_close"):
                    dialog.allow_close = True
            if self.controller.active:
                self.controller.abort()
        return False

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _close_quietly(dialog: Any) -> None:
        """Close one of our dialogs without it counting as Cancel or Discard."""
        if dialog is None:
            return
        if hasattr(dialog, "allow_close"):
            dialog.allow_close = True
        dialog.accept()

    def _reset(self) -> None:
        run = self.run
        if run is not None:
            run.stop()
            run.deleteLater()
        for dialog in (self.paused_dialog, self.setup_dialog):
            if dialog is not None and hasattr(dialog, "allow_close"):
                dialog.allow_close = True
        self.plan = None
        self.run = None
        self.settings = None
        self.setup_dialog = None
        self.paused_dialog = None
        self.trial_dialog = None
        self._pin = None

