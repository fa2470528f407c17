"""The client's full-screen rating window: the form, a review step, a thank-you page; no way out.

Built from a form (`RatingForm`), a first name and a submit callback — nothing else about the
client — plus the two checks that let the therapist leave. While it is up:
- the escape keys (listed explicitly: offscreen Qt did not match Ctrl+Q to QKeySequence.Quit)
  and every application shortcut are swallowed by an application-wide event filter;
- close requests are ignored, minimising / leaving full screen is undone, losing activation
  re-raises it; it stays on top, frameless, application-modal;
- on X11 it grabs the keyboard and the pointer (as a screen locker does), so the window
  manager's own bindings (Super+D "show desktop", Ctrl+Alt+arrows and Alt+wheel "switch
  desktop", Alt+Space "window menu", Alt+Tab) never fire; found by tests/x11 under openbox;
- if the window is unmapped anyway (moved to another virtual desktop by a pager, "show desktop"
  from a panel, another client unmapping it), it maps itself again on the current desktop;
- the only way out is the exit panel (the corner "Therapist" control or Ctrl+Alt+Shift+T).
Nothing times out: idle, it stays on whichever page it is on.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QFontMetrics,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QResizeEvent,
    QScreen,
    QWindow,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.pin import PinGuard
from ui.client_mode.exit_panel import ExitPanel
from ui.client_mode.form import CompletedRating, RatingForm, ScreenMetrics, line_length
from ui.client_mode.rating_line import RatingLine, scaled
from ui.tasks import TaskRunner
from ui.widgets.style import ACCENT, ACCENT_DARK, CARD, INK, LINE, MUTED, em, scaled_font

WINDOW_TITLE = "Tandem"
GROW_STEPS = (1.15, 1.3, 1.5, 1.75)
SHRINK_STEPS = (0.9, 0.8, 0.72, 0.65)
"""Text sizes tried (× the design sizes) so the whole form fits the screen without scrolling:
larger for a short form (one SUDS line), smaller for a tall one on a small screen — never below
the app's own font size (`scaled`). Past the last one the form scrolls."""
CALM_BACKGROUND = "#f5f3ee"
_MODS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
         | Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.MetaModifier)
_CTRL = Qt.KeyboardModifier.ControlModifier
_ALT = Qt.KeyboardModifier.AltModifier
_SHIFT = Qt.KeyboardModifier.ShiftModifier
_META = Qt.KeyboardModifier.MetaModifier
_NONE = Qt.KeyboardModifier.NoModifier
_K = Qt.Key

THERAPIST_CHORD = (_K.Key_T, _CTRL | _ALT | _SHIFT)
"""Opens the exit panel (Cmd+Option+Shift+T on a Mac, where Qt reports Cmd as Control)."""

BLOCKED_KEYS: frozenset[tuple[int, Qt.KeyboardModifier]] = frozenset({
    (_K.Key_Escape, _NONE),
    (_K.Key_F4, _ALT),  # close window (Windows, most Linux desktops)
    (_K.Key_F4, _CTRL),  # close tab/document
    (_K.Key_W, _CTRL), (_K.Key_W, _CTRL | _SHIFT),  # close (Cmd+W on a Mac)
    (_K.Key_Q, _CTRL), (_K.Key_Q, _CTRL | _SHIFT),  # quit (Cmd+Q on a Mac)
    (_K.Key_Q, _META), (_K.Key_W, _META),  # the same with the other modifier mapping
    (_K.Key_L, _CTRL), (_K.Key_L, _META),  # Tandem's lock: would reveal the other windows
    (_K.Key_H, _CTRL), (_K.Key_M, _CTRL),  # hide / minimise (Cmd+H, Cmd+M on a Mac)
    (_K.Key_F11, _NONE), (_K.Key_F, _CTRL | _META),  # leave full screen
    (_K.Key_Space, _ALT),  # the window menu on Windows
    (_K.Key_Tab, _CTRL), (_K.Key_Backtab, _CTRL | _SHIFT),
})
"""Swallowed always, wherever the focus is (with Ctrl, Alt or Meta anything else is too)."""


def _chord(event: QKeyEvent) -> tuple[int, Qt.KeyboardModifier]:
    mods = event.modifiers() & _MODS
    if event.key() == _K.Key_Backtab:
        mods = mods & ~_SHIFT | _SHIFT  # Backtab always arrives with Shift
    return event.key(), Qt.KeyboardModifier(mods)


class _KeyGuard(QObject):
    """Application-wide: no escape key and no shortcut of any other window while client mode."""

    def __init__(self, window: ClientRatingWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        window = self._window
        if not window.guarding or not isinstance(event, QKeyEvent):
            return False
        if not window.owns(watched):
            event.accept()  # no key reaches another window, whatever the platform's modality
            return True
        chord = _chord(event)
        if chord == THERAPIST_CHORD:
            event.accept()
            if kind == QEvent.Type.KeyPress:
                window.open_exit_panel()
            return True
        if chord in BLOCKED_KEYS:
            event.accept()
            if kind == QEvent.Type.KeyPress and chord == (_K.Key_Escape, _NONE):
                window.escape_pressed()
            return True
        if kind == QEvent.Type.ShortcutOverride:
            # Accepted means "the focused widget wants this key itself": no QShortcut or
            # QAction of any Tandem window fires; the key press then goes to the focus widget.
            event.accept()
            return True
        if window.editing_secret():
            # Editing chords (Ctrl+V, Ctrl+A…) and characters typed with AltGr, which Windows
            # reports as Ctrl+Alt ("@" on a German keyboard), reach the secret field.
            typed = bool(event.text()) and event.text().isprintable()
            if typed or not chord[1] & (_ALT | _META):
                return False
        if chord[1] & (_CTRL | _ALT | _META):
            event.accept()
            return True
        return False


class _ExposureWatch(QObject):
    """Tells the window when its native window is mapped or unmapped (QWidget is not told)."""

    def __init__(self, window: ClientRatingWindow) -> None:
        super().__init__(window)
        self._window = window
        self._watched: QWindow | None = None

    def watch(self, handle: QWindow | None) -> None:
        if handle is not None and handle is not self._watched:
            handle.installEventFilter(self)
            self._watched = handle

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and isinstance(watched, QWindow):
            self._window.exposure_changed(watched.isExposed())
        return False


class ClientRatingWindow(QWidget):
    """The rating form for the client, full screen; `submit` gets a `CompletedRating`."""

    submitted = Signal(object)
    """A CompletedRating was handed to the submit callback."""
    released = Signal()
    """The therapist ended client mode (after `on_released`)."""

    def __init__(self, form: RatingForm, first_name: str,
                 submit: Callable[[CompletedRating], None], *,
                 check_passphrase: Callable[[str], None],
                 check_pin: Callable[[str], bool] | None = None,
                 on_released: Callable[[], None] | None = None,
                 metrics: ScreenMetrics | None = None,
                 tasks: TaskRunner | None = None,
                 review: bool = True) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.form = form
        self._submit = submit
        self._on_released = on_released
        self._fixed_metrics = metrics
        self._metrics = metrics or ScreenMetrics.of(None)
        self._review_enabled = review
        self._released = False
        self._presented = False
        self._full_screen = True
        self._screen: QScreen | None = None
        self.in_review = False
        self.submissions = 0
        self.unsaved: list[CompletedRating] = []
        """Ratings whose submit callback raised (kept for the caller to store after release)."""
        self.first_frame_at: float | None = None
        self.scale_step = 1.0
        self._fit_pending = True
        self._fitted_for: tuple[int, int] | None = None
        self._own_tasks = tasks is None
        self.tasks = tasks or TaskRunner(1, "tandem-client-mode", self)

        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("ClientMode")
        self.setAccessibleName("Rating form")
        self.setAccessibleDescription(form.instructions)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)

        self.stack = QStackedWidget(self)
        self.form_page = self._build_form(first_name.strip().splitlines()[0][:60]
                                          if first_name.strip() else "")
        self.thanks_page = self._build_thanks()
        self.exit_panel = ExitPanel(check_passphrase, check_pin, self.tasks, PinGuard())
        self.exit_panel.released.connect(self._release)
        self.exit_panel.back.connect(self._leave_exit_panel)
        for page in (self.form_page, self.thanks_page, self.exit_panel):
            self.stack.addWidget(page)
        self._page_before_exit: QWidget = self.form_page

        self.copyright = QLabel(form.copyright)
        self.copyright.setObjectName("Copyright")
        self.copyright.setTextFormat(Qt.TextFormat.PlainText)
        self.copyright.setWordWrap(True)
        self.copyright.setFont(scaled_font(0.85))
        self.copyright.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copyright.setVisible(bool(form.copyright))
        keep = self.copyright.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.copyright.setSizePolicy(keep)
        self.therapist_button = QPushButton("•••")
        self.therapist_button.setObjectName("Therapist")
        self.therapist_button.setAccessibleName("Therapist")
        self.therapist_button.setAccessibleDescription("For the therapist: end client mode.")
        self.therapist_button.setToolTip("Therapist")
        self.therapist_button.setFont(scaled_font(0.9))
        self.therapist_button.setAutoDefault(False)
        self.therapist_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.therapist_button.clicked.connect(self.open_exit_panel)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(16, 0, 8, 8)
        spacer = QWidget()
        spacer.setFixedWidth(self.therapist_button.sizeHint().width())
        bottom.addWidget(spacer, 0)
        self.copyright.setMaximumWidth(em(self.copyright, 150))
        bottom.addStretch(1)
        bottom.addWidget(self.copyright, 100)
        bottom.addStretch(1)
        bottom.addWidget(self.therapist_button, 0, Qt.AlignmentFlag.AlignBottom)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.stack, 1)
        column.addLayout(bottom)

        self._reassert_timer = QTimer(self)
        self._reassert_timer.setSingleShot(True)
        self._reassert_timer.setInterval(0)
        self._reassert_timer.timeout.connect(self._reassert)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit)
        # Map again when someone else unmapped us (see _recover).
        self._recover_timer = QTimer(self)
        self._recover_timer.setSingleShot(True)
        self._recover_timer.setInterval(60)
        self._recover_timer.timeout.connect(self._recover)
        self._remapping = False
        self._input_timer = QTimer(self)  # retry a refused grab (another client holds one)
        self._input_timer.setSingleShot(True)
        self._input_timer.setInterval(250)
        self._input_timer.timeout.connect(self._hold_input)
        self.holding_input = False
        """True while the keyboard and pointer grabs are held (X11 only)."""
        self._exposure = _ExposureWatch(self)
        self._guard = _KeyGuard(self)
        self._update_done()
        self._fit_column()

    # -- pages ---------------------------------------------------------------------------

    def _build_form(self, first_name: str) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("FormScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes straight to the first line
        body = QWidget()
        body.setObjectName("FormBody")
        scroll.setWidget(body)
        self.column = QWidget(body)
        self.column.setObjectName("FormColumn")
        outer = QHBoxLayout(body)
        outer.setContentsMargins(24, 0, 24, 0)
        outer.addStretch(1)
        outer.addWidget(self.column, 100)
        outer.addStretch(1)

        self.greeting = self._text(f"Hello, {first_name}" if first_name else "", 1.9, bold=True)
        self.greeting.setVisible(bool(first_name))
        self.review_heading = self._text("Is this how you want to leave it?", 1.9, bold=True)
        self.review_note = self._text("You can still move any mark.", 1.3)
        self.instructions = self._text(self.form.instructions, 1.3)
        self.instructions.setVisible(bool(self.form.instructions))
        self.lines: list[RatingLine] = []
        for item in self.form.items:
            line = RatingLine(item, self.form.item_max_tenths, self._metrics)
            line.marked.connect(self._update_done)
            self.lines.append(line)
        self.done_button = self._big_button("Done", self._done)
        self.confirm_button = self._big_button("Yes, I'm done", self._confirm)
        self.done_note = self._text("Please put a mark on every line first."
                                    if len(self.lines) > 1 else
                                    "Please put a mark on the line first.", 1.15, muted=True)

        layout = QVBoxLayout(self.column)
        layout.setContentsMargins(0, 16, 0, 8)
        layout.setSpacing(8)
        layout.addStretch(1)  # a short form (one SUDS line) sits in the middle of the screen
        layout.addWidget(self.greeting)
        layout.addWidget(self.review_heading)
        layout.addWidget(self.review_note)
        layout.addWidget(self.instructions)
        self._gaps: list[tuple[int, int]] = []
        self._gaps.append((layout.count(), 8))
        layout.addSpacing(8)
        for line in self.lines:
            layout.addWidget(line)
            self._gaps.append((layout.count(), 8))
            layout.addSpacing(8)
        # Done / Yes, I'm done: in the flow under the lines; pinned under the scrolling area
        # when even the smallest text does not fit (the button must never be out of sight).
        self.actions = QWidget()
        self.actions.setObjectName("Actions")
        actions = QVBoxLayout(self.actions)
        actions.setContentsMargins(0, 4, 0, 4)
        actions.setSpacing(6)
        actions.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignHCenter)
        actions.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignHCenter)
        actions.addWidget(self.done_note)
        layout.addWidget(self.actions)
        layout.addStretch(1)
        self.review_heading.hide()
        self.review_note.hide()
        self.confirm_button.hide()
        self.form_scroll = scroll
        self._form_layout = layout
        page = QWidget()
        page.setObjectName("FormPage")
        self._page_layout = QVBoxLayout(page)
        self._page_layout.setContentsMargins(0, 0, 0, 0)
        self._page_layout.setSpacing(0)
        self._page_layout.addWidget(scroll, 1)
        self.actions_pinned = False
        return page

    def _pin_actions(self, pinned: bool) -> None:
        if pinned == self.actions_pinned:
            return
        self.actions_pinned = pinned
        if pinned:
            self._form_layout.removeWidget(self.actions)
            self._page_layout.addWidget(self.actions)
        else:
            self._page_layout.removeWidget(self.actions)
            self._form_layout.insertWidget(self._form_layout.count() - 1, self.actions)
        self.actions.show()

    def _build_thanks(self) -> QWidget:
        page = QWidget()
        page.setObjectName("ThanksPage")
        self.thanks_heading = self._text("Thank you", 3.0, bold=True)
        self.thanks_note = self._text("Please hand the screen back.", 2.0)
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        layout.addWidget(self.thanks_heading)
        layout.addSpacing(12)
        layout.addWidget(self.thanks_note)
        layout.addStretch(3)
        return page

    @staticmethod
    def _text(text: str, factor: float, *, bold: bool = False, muted: bool = False) -> QLabel:
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        label.setFont(scaled_font(factor, bold=bold))
        if muted:
            label.setObjectName("Muted")
        label.setProperty("factor", factor)
        return label

    @staticmethod
    def _big_button(text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("Big")
        button.setProperty("factor", 1.5)
        button.setAutoDefault(False)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        _size_button(button, 1.0)
        button.clicked.connect(slot)
        return button

    def _apply_scale(self, step: float) -> None:
        self.scale_step = step
        for label in (self.greeting, self.review_heading, self.review_note, self.instructions,
                      self.done_note):
            label.setFont(scaled_font(scaled(float(label.property("factor")), step),
                                      bold=label.font().bold()))
        for button in (self.done_button, self.confirm_button):
            _size_button(button, step)
        for line in self.lines:
            line.apply_scale(step)
        self._fit_column()
        self._form_layout.setSpacing(max(4, round(8 * step)))
        for index, gap in self._gaps:
            item = self._form_layout.itemAt(index)
            spacer = item.spacerItem() if item is not None else None
            if spacer is not None:
                spacer.changeSize(0, max(4, round(gap * step)))
        self._form_layout.invalidate()

    def _fit(self) -> None:
        """The largest text (see GROW_STEPS) with which the whole form fits on the screen."""
        if self.stack.currentWidget() is not self.form_page or not self.isVisible():
            self._fit_pending = True
            return
        self._fit_pending = False
        size = (self.form_page.width(), self.form_page.height())
        if size == self._fitted_for:
            return
        self._pin_actions(False)
        if self._fits(1.0):
            best = 1.0
            for step in GROW_STEPS:
                if not self._fits(step):
                    break
                best = step
            if best != self.scale_step:
                self._fits(best)
        elif not any(self._fits(step) for step in SHRINK_STEPS):
            self._pin_actions(True)
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._fitted_for = size

    def _fits(self, step: float) -> bool:
        if step != self.scale_step:
            self._apply_scale(step)
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        needed = self._form_layout.totalHeightForWidth(self.column.width())
        return needed <= self.form_scroll.viewport().height()

    def _fit_column(self) -> None:
        """A column wide enough for a 10 cm line and comfortable reading, centred."""
        pad = self.lines[0].pad if self.lines else 24
        ideal, _ = line_length(self._metrics, 10**6, max(self.width(), 1))
        reading = round(QFontMetrics(scaled_font(1.3)).averageCharWidth() * 64
                        * max(self.scale_step, 1.0))
        self.column.setMaximumWidth(max(ideal + 2 * pad, reading))

    @property
    def page(self) -> str:
        """Which page shows: "form", "review", "thanks" or "exit"."""
        current = self.stack.currentWidget()
        if current is self.exit_panel:
            return "exit"
        if current is self.thanks_page:
            return "thanks"
        return "review" if self.in_review else "form"

    # -- the client's steps --------------------------------------------------------------

    def _update_done(self, _tenths: int | None = None) -> None:
        complete = all(line.is_marked for line in self.lines)
        self.done_button.setEnabled(complete)
        self.done_note.setVisible(not complete and not self.in_review)

    def _done(self) -> None:
        if not all(line.is_marked for line in self.lines):
            return
        if not self._review_enabled:
            self._confirm()
            return
        self.in_review = True
        self.greeting.hide()
        self.instructions.hide()
        self.review_heading.show()
        self.review_note.show()
        self.done_button.hide()
        self.done_note.hide()
        self.confirm_button.show()
        self.form_scroll.verticalScrollBar().setValue(0)
        self.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def completed(self) -> CompletedRating:
        """The rating as it stands (every line marked)."""
        first = self.lines[0]
        capture = {"positions_px": [round(line.position or 0.0, 2) for line in self.lines],
                   "line_length_px": first.length, "length_basis": first.length_basis,
                   **self._metrics.capture()}
        return CompletedRating(self.form.id, self.form.hash,
                               tuple(int(line.tenths or 0) for line in self.lines), capture)

    def _confirm(self) -> None:
        if not all(line.is_marked for line in self.lines) or self._released:
            return
        rating = self.completed()
        self.submissions += 1
        try:
            self._submit(rating)
        except Exception:  # the client never sees an error: the rating waits in `unsaved`
            self.unsaved.append(rating)
        self.submitted.emit(rating)
        self.stack.setCurrentWidget(self.thanks_page)
        self.copyright.hide()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_form_again(self) -> None:
        """A new, blank reading of the same form without leaving client mode (timed SUDS)."""
        if self._released:
            return
        for line in self.lines:
            line.clear()
        self.in_review = False
        self.greeting.setVisible(bool(self.greeting.text()))
        self.instructions.setVisible(bool(self.form.instructions))
        self.review_heading.hide()
        self.review_note.hide()
        self.confirm_button.hide()
        self.done_button.show()
        self._update_done()
        self.copyright.setVisible(bool(self.form.copyright))
        if self.stack.currentWidget() is self.exit_panel:
            self._page_before_exit = self.form_page  # the therapist is busy: keep the panel
        else:
            self.stack.setCurrentWidget(self.form_page)
            self.form_scroll.verticalScrollBar().setValue(0)
            self.setFocus(Qt.FocusReason.OtherFocusReason)
            if self._fit_pending:
                self._fit_timer.start()

    next_reading = show_form_again

    # -- the therapist's way out ---------------------------------------------------------

    def open_exit_panel(self) -> None:
        """Show the PIN/passphrase panel in place of the client's page."""
        if self._released or self.stack.currentWidget() is self.exit_panel:
            return
        self._page_before_exit = self.stack.currentWidget()
        self.exit_panel.reset()
        self.stack.setCurrentWidget(self.exit_panel)
        self.copyright.hide()
        self.therapist_button.hide()
        self.exit_panel.secret_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _leave_exit_panel(self) -> None:
        self.stack.setCurrentWidget(self._page_before_exit)
        self.therapist_button.show()
        self.copyright.setVisible(self._page_before_exit is self.form_page
                                  and bool(self.form.copyright))
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        if self._fit_pending:
            self._fit_timer.start()

    def escape_pressed(self) -> None:
        """Esc: leaves the exit panel (back to the client's page); otherwise nothing."""
        if self.stack.currentWidget() is self.exit_panel:
            self.exit_panel.go_back()

    def owns(self, target: QObject) -> bool:
        """True when `target` is this window, its native window or one of its widgets."""
        if isinstance(target, QWidget):
            return target.window() is self
        if isinstance(target, QWindow):
            return target is self.windowHandle()
        return True  # the application object itself and other non-visual receivers

    def editing_secret(self) -> bool:
        """True while the therapist types in the exit panel (editing chords are allowed)."""
        return (self.stack.currentWidget() is self.exit_panel
                and QApplication.focusWidget() is self.exit_panel.secret_edit)

    def _release(self) -> None:
        self._released = True
        QApplication.instance().removeEventFilter(self._guard)
        self._recover_timer.stop()
        self._input_timer.stop()
        handle = self.windowHandle()
        if self.holding_input and handle is not None:
            handle.setKeyboardGrabEnabled(False)
            handle.setMouseGrabEnabled(False)
        self.holding_input = False
        if self._own_tasks:
            self.tasks.shutdown(wait=False)
        if self._on_released is not None:
            self._on_released()
        self.released.emit()
        self.close()

    def force_release(self) -> None:
        """End client mode without the therapist's secret: only for the app shutting down."""
        if not self._released:
            self._release()

    @property
    def is_released(self) -> bool:
        """True once client mode has ended."""
        return self._released

    # -- staying up ----------------------------------------------------------------------

    @property
    def guarding(self) -> bool:
        """True while client mode holds the screen."""
        return self._presented and not self._released

    def present(self, screen: QScreen | None = None, *, full_screen: bool = True) -> None:
        """Show the window on `screen` (primary when None), full screen, on top, active."""
        screen = screen or QGuiApplication.primaryScreen()
        self._screen = screen
        self._full_screen = full_screen
        if self._fixed_metrics is None:
            self.set_metrics(ScreenMetrics.of(screen))
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        if not self._presented:
            QApplication.instance().installEventFilter(self._guard)
            QGuiApplication.instance().screenRemoved.connect(self._screen_removed)
        self._presented = True
        if full_screen:
            self.showFullScreen()
        else:
            self.show()
        self._exposure.watch(self.windowHandle())
        self.raise_()
        self.activateWindow()
        self._hold_input()
        self._fit()
        self.setFocus(Qt.FocusReason.OtherFocusReason)  # no line is "current" until Tab or touch

    def set_metrics(self, metrics: ScreenMetrics) -> None:
        """The screen changed: lines take their length from it (marks keep their scores)."""
        self._metrics = metrics
        for line in self.lines:
            line.set_metrics(metrics)
        self._fit_column()
        self._fitted_for = None
        if self._presented:
            self._fit_timer.start()

    def _screen_removed(self, screen: QScreen) -> None:
        if screen is self._screen and self.guarding:
            QTimer.singleShot(0, self, lambda: self.present(None, full_screen=self._full_screen))

    def exposure_changed(self, exposed: bool) -> None:
        """The native window was mapped (`exposed`) or unmapped by someone else."""
        if not self.guarding:
            return
        if exposed:
            self._recover_timer.stop()
            self._hold_input()
            if not self.isActiveWindow():
                self.raise_()
                self.activateWindow()
        else:
            self.holding_input = False  # X drops the grabs of a window that is not viewable
            if not self._recover_timer.isActive():
                self._recover_timer.start(60)

    def _recover(self) -> None:
        """Map the window again: a window manager put it on another desktop or hid it.

        A new native window is mapped on the current desktop (which also ends "show desktop"
        mode) with its full-screen and on-top states asked for anew. New, because Qt still
        counts the old one as focused (the focus went to a window blocked by this one and was
        handed back by Qt, not by X): shown again, it would never become the active window,
        and a later loss of focus would go unanswered.
        """
        handle = self.windowHandle()
        if not self.guarding or handle is None or handle.isExposed() or self._remapping:
            return
        self._remapping = True
        try:
            self.hide()
            self.destroy()
            if self._full_screen:
                self.showFullScreen()
            else:
                self.showNormal()
        finally:
            self._remapping = False
        self._exposure.watch(self.windowHandle())
        self.raise_()
        self.activateWindow()
        self._recover_timer.start(600)  # still unmapped then: again

    def _hold_input(self) -> None:
        """Grab the keyboard and pointer on X11 so no window-manager binding can fire."""
        handle = self.windowHandle()
        if (not self.guarding or self.holding_input or handle is None
                or not handle.isExposed() or QGuiApplication.platformName() != "xcb"):
            return
        keyboard = handle.setKeyboardGrabEnabled(True)
        pointer = handle.setMouseGrabEnabled(True)
        self.holding_input = keyboard and pointer
        if not self.holding_input:
            self._input_timer.start()

    def _reassert(self) -> None:
        if not self.guarding or self._remapping:
            return
        if self._full_screen and not self.windowState() & Qt.WindowState.WindowFullScreen:
            self.showFullScreen()
        elif not self.isVisible() or self.windowState() & Qt.WindowState.WindowMinimized:
            self.showNormal()
        self._ask_to_stay_on_top()
        self.raise_()
        self.activateWindow()

    def _ask_to_stay_on_top(self) -> None:
        """Ask the window manager for "on top" again: a pager may have set "keep below".

        Qt sends the state only when the flags change, hence the toggle; on the native window
        (QWidget.setWindowFlags would unmap and remap it).
        """
        handle = self.windowHandle()
        if handle is None or not handle.isExposed():
            return
        flags = handle.flags()
        handle.setFlags(flags & ~Qt.WindowType.WindowStaysOnTopHint)
        handle.setFlags(flags | Qt.WindowType.WindowStaysOnTopHint)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: D102 - Qt override
        if self._released or not self._presented:
            event.accept()
            return
        event.ignore()
        self._reassert_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: D102 - Qt override
        super().hideEvent(event)
        if self.guarding and not self._remapping:
            self._reassert_timer.start()

    def changeEvent(self, event: QEvent) -> None:  # noqa: D102 - Qt override
        super().changeEvent(event)
        if not self.guarding:
            return
        if event.type() == QEvent.Type.WindowStateChange:
            state = self.windowState()
            if state & Qt.WindowState.WindowMinimized or (
                    self._full_screen and not state & Qt.WindowState.WindowFullScreen):
                self._reassert_timer.start()
        elif event.type() == QEvent.Type.ActivationChange:
            if self.isActiveWindow():
                self._hold_input()
            else:
                self._reassert_timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._fit_column()
        if self._presented:
            self._fit_timer.start()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: D102 - Qt override
        event.accept()  # nothing reaches a parent; the guard has already handled the chords

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest and self.first_frame_at is None:
            self.first_frame_at = time.perf_counter()
        return handled


def _size_button(button: QPushButton, step: float) -> None:
    button.setFont(scaled_font(scaled(float(button.property("factor")), step), bold=True))
    height = button.fontMetrics().height()
    button.setMinimumSize(em(button, 12), round(height * 2.3))


_STYLE = f"""
QWidget#ClientMode, QWidget#FormBody, QWidget#FormColumn, QScrollArea#FormScroll,
QWidget#FormPage, QWidget#Actions,
QWidget#ThanksPage, QWidget#ExitPanel, QWidget#RatingLine {{
    background: {CALM_BACKGROUND};
}}
QLabel {{ color: {INK}; background: transparent; }}
QLabel#Muted, QLabel#Copyright {{ color: {MUTED}; }}
QPushButton#Big {{
    color: #ffffff; background: {ACCENT}; border: 2px solid {ACCENT_DARK};
    border-radius: 12px; padding: 8px 28px;
}}
QPushButton#Big:hover {{ background: {ACCENT_DARK}; }}
QPushButton#Big:focus {{ border: 4px solid #0e2a40; padding: 6px 26px; }}
QPushButton#Big:disabled {{ color: #5d6a77; background: #e4e2dc; border: 2px solid #c9c5bb; }}
QPushButton#Therapist {{
    color: #8a8f95; background: transparent; border: 1px solid transparent;
    border-radius: 6px; padding: 2px 8px;
}}
QPushButton#Therapist:hover {{ color: {MUTED}; border: 1px solid {LINE}; }}
QPushButton#Therapist:focus {{ color: {INK}; border: 2px solid {ACCENT}; padding: 1px 7px; }}
QFrame#Card {{ background: {CARD}; border: 1px solid {LINE}; border-radius: 12px; }}
"""
