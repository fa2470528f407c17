"""Client mode: the client's full-screen rating form (ORS/SRS/CORS/CSRS/VAS, or a SUDS reading).

The client window is built only from a form, the client's preferred first name (may be empty)
and a submit callback, plus the two checks that let the therapist out. It holds no reference to
the vault, the session, the workspace or any other client data.

Controller API (what the session wires in)::

    from ui.client_mode import ClientModeController, available_screens, screen_by_name

    controller = ClientModeController(parent)          # one per main window
    controller.finished.connect(on_finished)           # finished(completed: bool)
    window = controller.start(
        definition,              # MeasureDefinition, or any RatingForm (e.g. suds_form())
        first_name,              # str; "" shows no greeting
        screen_by_name(saved),   # QScreen | None (None: primary); remember screen.name()
        submit,                  # Callable[[CompletedRating], None], on the UI thread
        vault.check_passphrase,  # Callable[[str], None]: raises (WrongSecret) when wrong
        pin_hash,                # str | None (storage.pin_repo.pin_hash); None: passphrase only
        before_show,             # Callable[[], None]: tear down client data, lock the rest
        review=True,             # keyword-only: the "Is this how you want to leave it?" step
    )                            # -> ClientRatingWindow; RuntimeError if already on
    controller.active              # bool
    controller.window              # ClientRatingWindow | None
    controller.next_reading()      # a new blank reading without leaving client mode (timed SUDS)
    controller.abort()             # end without the therapist's secret: ONLY when the app quits
    controller.unsaved             # list[CompletedRating] whose submit raised (store after release)

    available_screens() -> list[ScreenChoice]   # name, width, height, primary, physical_dpi, .label
    screen_by_name(name: str | None) -> QScreen | None   # falls back to the primary screen

`start` calls `before_show()` first (if it raises, nothing opens), then shows the window full
screen on the chosen screen. `submit(CompletedRating(measure_id, definition_hash, items_tenths,
capture))` is called when the client confirms the review; to record it::

    RatingInput(client_id, session_id, rating.measure_id, mode="screen",
                items=rating.items_tenths, completed_by="client", capture=rating.capture)

`capture` = positions_px (raw mark positions along the line), line_length_px, length_basis
("10cm", "window_fraction" or "available_width"), logical_dpi, physical_dpi,
device_pixel_ratio, screen_name, screen_size. The therapist leaves with the PIN (3 wrong tries,
then passphrase only) or the passphrase, through the corner "Therapist" control or
Ctrl+Alt+Shift+T; then `finished(completed)` is emitted, completed = at least one rating was
submitted. For a timed exposure: `start(suds_form(), …, review=False)`, then `next_reading()`
every N minutes; `suds_value(rating)` gives the 0–100 reading.
"""

from ui.client_mode.controller import (
    ClientModeController,
    ScreenChoice,
    available_screens,
    screen_by_name,
)
from ui.client_mode.form import (
    CompletedRating,
    FormItem,
    RatingForm,
    ScreenMetrics,
    SimpleForm,
    SimpleItem,
    suds_form,
    suds_value,
)
from ui.client_mode.rating_line import RatingLine
from ui.client_mode.window import ClientRatingWindow

__all__ = [
    "ClientModeController",
    "ClientRatingWindow",
    "CompletedRating",
    "FormItem",
    "RatingForm",
    "RatingLine",
    "ScreenChoice",
    "ScreenMetrics",
    "SimpleForm",
    "SimpleItem",
    "available_screens",
    "screen_by_name",
    "suds_form",
    "suds_value",
]
