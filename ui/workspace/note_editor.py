"""The note editor: one session's progress note, from an empty template to signed and amended.

States: LOADING → NEW (no note stored yet: a template chooser and empty sections) → DRAFT (stored,
autosaved) → SIGNED (read-only, with its signing time and hash; addenda and corrections below)
or DELETED (a signed note deleted: a stub). Text reaches the vault through the Autosaver only,
and the editor never waits for the vault.

A new or draft note of a client with exposure work offers what the client learned in their last
exposure (`note_editor_learning.LearningOffer`); Insert puts it at the cursor like typing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app import notes as note_rules
from app.notes import AmendmentKind, NoteStatus, NoteTemplate, TemplateSection
from app.workspace import Amendment, NoteView, SessionRow
from storage.exposure import ExposureStore, LearningQuote
from storage.practice import PracticeStore, SavedDraft
from ui.dialogs.prompts import Prompts
from ui.widgets.common import MessageLabel
from ui.widgets.style import em, scaled_font
from ui.workspace.autosave import Autosaver, SaveStatus
from ui.workspace.calls import Calls
from ui.workspace.format import local_day, local_moment, short_moment, today
from ui.workspace.note_editor_learning import LearningOffer, note_text
from ui.workspace.timeline import session_details, session_title, session_words

HIGHLIGHT_BG = "#ffe58a"


class Mode(Enum):
    """Where the note is in its life."""

    LOADING = "loading"
    NEW = "new"
    DRAFT = "draft"
    SIGNED = "signed"
    DELETED = "deleted"


def template_order(templates: Mapping[str, NoteTemplate]) -> list[NoteTemplate]:
    """The built-in templates in their usual order, then the practitioner's own by name."""
    usual = ["soap", "dap", "birp", "girp", "free"]
    first = [templates[t] for t in usual if t in templates]
    rest = sorted((t for k, t in templates.items() if k not in usual), key=lambda t: t.name)
    return first + rest


def fallback_template(template_id: str, keys: list[str]) -> NoteTemplate:
    """A template for a note whose own template is gone: one section per stored key."""
    sections = tuple(TemplateSection(k, k.replace("_", " ").capitalize()) for k in keys) \
        or (TemplateSection("note", "Note"),)
    return NoteTemplate(template_id, template_id, "", sections)


class SectionEdit(QTextEdit):
    """A plain-text field that grows with its text (the note scrolls, not each field)."""

    focus_left = Signal()
    """The keyboard focus moved elsewhere."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setPlaceholderText(prompt)
        self.setAccessibleName(title)
        if prompt:
            self.setAccessibleDescription(prompt)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self._min_lines = 3
        self.document().documentLayout().documentSizeChanged.connect(lambda _s: self._fit())
        self._fit()

    def set_min_lines(self, lines: int) -> None:
        """The smallest height, in lines."""
        self._min_lines = lines
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        chrome = 2 * self.frameWidth() + self.contentsMargins().top() \
            + self.contentsMargins().bottom() + round(2 * self.document().documentMargin())
        height = self.document().size().height()
        if not self.toPlainText() and self.placeholderText():
            width = max(50, self.viewport().width() - round(2 * self.document().documentMargin()))
            rect = metrics.boundingRect(0, 0, width, 10_000, Qt.TextFlag.TextWordWrap,
                                        self.placeholderText())
            height = max(height, rect.height() + 2 * self.document().documentMargin())
        wanted = max(round(height) + 2 * self.frameWidth(),
                     metrics.lineSpacing() * self._min_lines + chrome)
        if self.height() != wanted:
            self.setFixedHeight(wanted)

    def resizeEvent(self, event: object) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: D102 - Qt override
        super().focusOutEvent(event)
        self.focus_left.emit()


class NoteEditor(QWidget):
    """One session's note."""

    state_changed = Signal()
    """The note's state changed (loaded, saved, signed, deleted): actions may apply now."""

    session_changed = Signal(object)
    """The session's row changed (note status, preview, late entry): its new SessionRow."""

    template_used = Signal(str)
    """A note with this template was opened or started (the default for the next one)."""

    save_failed = Signal(str)
    """A save failed after the note was left (its message): the editor keeps retrying."""

    focus_timeline_requested = Signal()
    """Escape was pressed in the note: back to the list of sessions."""

    def __init__(self, session: SessionRow, store: PracticeStore, calls: Calls,
                 prompts: Prompts, templates: Mapping[str, NoteTemplate],
                 default_template: str, show_dialog: Callable[[QDialog], None],
                 deleted_notes: dict[int, tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoteEditor")
        self.setAccessibleName("Progress note")
        self.session = session
        self._store = store
        self._calls = calls
        self._prompts = prompts
        self._templates = dict(templates)
        self._show_dialog = show_dialog
        self._deleted_notes = deleted_notes
        self.mode = Mode.LOADING
        self.note: NoteView | None = None
        self.note_id: int | None = None
        self.template = self._templates.get(default_template) or \
            next(iter(template_order(self._templates)), fallback_template("free", ["note"]))
        self.edits: dict[str, SectionEdit] = {}
        self.amendment_views: list[SectionEdit] = []
        self._late_written: date | None = None
        self._retired = False
        self._sign_after_save = False
        self._pending_highlight = ""
        self._save_error_shown = False
        self._learning_dismissed = False
        self._last_edit: SectionEdit | None = None
        self.autosaver = self._new_autosaver()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(em(self, 1.2), 0, 0, 0)
        outer.setSpacing(em(self, 0.5))

        self.title = QLabel(session_title(session))
        self.title.setObjectName("NoteTitle")
        self.title.setFont(scaled_font(1.1, bold=True))
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Session")
        self.title.setAccessibleDescription(session_words(session))
        outer.addWidget(self.title)
        self.details = QLabel(session_details(session))
        self.details.setObjectName("Muted")
        self.details.setWordWrap(True)
        self.details.setAccessibleName("Session details")
        outer.addWidget(self.details)
        self.status = QLabel()
        self.status.setObjectName("SaveStatus")
        self.status.setAccessibleName("Save status")
        self.status.setWordWrap(True)

        self.error = MessageLabel("Error")
        outer.addWidget(self.error)
        self.late_label = QLabel()
        self.late_label.setObjectName("LateEntry")
        self.late_label.setAccessibleName("Late entry")
        self.late_label.setWordWrap(True)
        self.late_label.hide()
        outer.addWidget(self.late_label)

        bar = QHBoxLayout()
        bar.setSpacing(em(self, 0.8))
        self.template_label = QLabel("&Template")
        self.template_combo = QComboBox()
        self.template_combo.setAccessibleName("Note template")
        self.template_label.setBuddy(self.template_combo)
        for template in template_order(self._templates):
            self.template_combo.addItem(template.name, template.id)
            self.template_combo.setItemData(self.template_combo.count() - 1,
                                            template.description, Qt.ItemDataRole.ToolTipRole)
        bar.addWidget(self.template_label)
        bar.addSpacing(em(self, 0.4))
        bar.addWidget(self.template_combo)
        bar.addStretch(1)
        self.sign_button = QPushButton("Sign…")
        self.sign_button.setObjectName("Primary")
        self.sign_button.setAccessibleName("Sign and lock the note")
        self.sign_button.setToolTip("Sign and lock the note (Ctrl+Shift+S)")
        self.addendum_button = QPushButton("Addendum…")
        self.addendum_button.setAccessibleName("Add an addendum")
        self.addendum_button.setToolTip("Add an addendum: new information, signed and dated")
        self.correction_button = QPushButton("Correction…")
        self.correction_button.setAccessibleName("Add a correction")
        self.correction_button.setToolTip("Add a correction: the original stays visible")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete the note")
        for button in (self.sign_button, self.addendum_button, self.correction_button,
                       self.delete_button):
            bar.addWidget(button)
        outer.addLayout(bar)
        self.signed_label = QLabel()
        self.signed_label.setObjectName("SignedLine")
        self.signed_label.setAccessibleName("Signature")
        self.signed_label.setWordWrap(True)
        self.signed_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signed_label.hide()
        outer.addWidget(self.signed_label)
        self.learning = LearningOffer()
        outer.addWidget(self.learning)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("NoteScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setAccessibleName("Note text")
        self.body = QWidget()
        self.body.setObjectName("NoteBody")
        self.body.setMaximumWidth(em(self, 130))  # lines a person can read
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, em(self, 1), em(self, 1))
        self.body_layout.setSpacing(em(self, 0.4))
        self.scroll.setWidget(self.body)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.status)

        self.template_combo.currentIndexChanged.connect(self._on_template_chosen)
        self.sign_button.clicked.connect(self.sign)
        self.addendum_button.clicked.connect(lambda: self.add_amendment(AmendmentKind.ADDENDUM))
        self.correction_button.clicked.connect(
            lambda: self.add_amendment(AmendmentKind.CORRECTION))
        self.delete_button.clicked.connect(self.delete)
        self.learning.insert_requested.connect(self.insert_learning)
        self.learning.dismissed.connect(self._dismiss_learning)
        self._refresh_chrome()

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        """Read the note (off the UI thread) and show it."""
        self.mode = Mode.LOADING
        self._set_status("Opening…")
        self._calls.run(lambda: self._store.note(self.session.id), self._on_loaded,
                        self._on_load_failed, self)

    def _on_loaded(self, view: NoteView | None) -> None:
        if view is None:
            self.mode = Mode.NEW
            self._build(self.template, {}, read_only=False)
            self.template_used.emit(self.template.id)
        else:
            self._show_view(view)
        if self.mode is Mode.NEW:
            self._set_status("New note · saved as you type")
        elif self.mode is Mode.DRAFT and view is not None:
            self._set_status(f"Draft · saved {short_moment(view.updated_at)}")
        else:
            self._set_status("")
        self._refresh_chrome()
        self.state_changed.emit()
        if self._pending_highlight:
            text, self._pending_highlight = self._pending_highlight, ""
            self.highlight(text)
        self._ask_learning()

    def _on_load_failed(self, message: str) -> None:
        self.error.show_message(f"The note could not be opened: {message}")
        self._set_status("")

    def _show_view(self, view: NoteView) -> None:
        self.note = view
        self.note_id = view.id
        template = self._templates.get(view.template) or \
            fallback_template(view.template, list(view.sections))
        self.template = template
        if view.status is NoteStatus.SIGNED and not view.sections:
            self.mode = Mode.DELETED
        elif view.status is NoteStatus.SIGNED:
            self.mode = Mode.SIGNED
        else:
            self.mode = Mode.DRAFT
        if view.late_entry:
            self._late_written = local_day(view.created_at)
        self._build(template, view.sections, read_only=self.mode is not Mode.DRAFT)
        self.template_used.emit(template.id)

    # -- building the fields ----------------------------------------------------------------

    def _clear_body(self) -> None:
        self.edits = {}
        self.amendment_views = []
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                if isinstance(widget, QTextEdit):
                    widget.blockSignals(True)  # emptying old fields is not typing
                    widget.clear()
                widget.hide()
                widget.deleteLater()

    def _build(self, template: NoteTemplate, values: Mapping[str, str], *,
               read_only: bool) -> None:
        self._clear_body()
        if self.mode is Mode.DELETED:
            self._build_stub()
            return
        sections = list(template.sections)
        known = {s.key for s in sections}
        sections += [TemplateSection(k, k.replace("_", " ").capitalize())
                     for k in values if k not in known]
        for section in sections:
            text = values.get(section.key, "")
            if read_only and not text.strip():
                continue
            title = QLabel(section.title)
            title.setObjectName("SectionTitle")
            title.setFont(scaled_font(1.0, bold=True))
            edit = SectionEdit(section.title, "" if read_only else section.prompt)
            if len(sections) == 1:
                edit.set_min_lines(12)
            edit.setPlainText(text)
            edit.setReadOnly(read_only)
            if read_only:
                edit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            title.setBuddy(edit)
            self.body_layout.addWidget(title)
            self.body_layout.addWidget(edit)
            self.edits[section.key] = edit
            if not read_only:
                edit.textChanged.connect(self._on_text_changed)
                edit.focus_left.connect(self._on_focus_left)
                edit.cursorPositionChanged.connect(lambda e=edit: self._keep_visible(e))
            edit.installEventFilter(self)
        if self.note is not None and self.mode is Mode.SIGNED:
            self._build_amendments(self.note.amendments)
        self.body_layout.addStretch(1)

    def _build_amendments(self, amendments: tuple[Amendment, ...]) -> None:
        for amendment in amendments:
            kind = "Correction" if amendment.kind == AmendmentKind.CORRECTION else "Addendum"
            card = QFrame()
            card.setObjectName("Amendment")
            box = QVBoxLayout(card)
            box.setContentsMargins(em(self, 1.2), em(self, 0.8), em(self, 1.2), em(self, 0.8))
            head = QLabel(f"{kind} · {local_moment(amendment.created_at)} · signed "
                          f"{local_moment(amendment.signed_at)} · SHA-256 "
                          f"{amendment.content_sha256[:12]}…")
            head.setObjectName("AmendmentTitle")
            head.setFont(scaled_font(0.95, bold=True))
            head.setWordWrap(True)
            head.setToolTip(f"SHA-256 {amendment.content_sha256}")
            body = SectionEdit(kind, "")
            body.setPlainText(amendment.body)
            body.setReadOnly(True)
            body.set_min_lines(1)
            body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            body.setAccessibleName(f"{kind} of {local_moment(amendment.created_at)}")
            head.setBuddy(body)
            box.addWidget(head)
            box.addWidget(body)
            self.body_layout.addWidget(card)
            self.amendment_views.append(body)

    def _build_stub(self) -> None:
        assert self.note is not None
        when, reason = self._deleted_notes.get(self.note.id, ("", ""))
        when = when or getattr(self.note, "deleted_at", None) or ""
        reason = reason or getattr(self.note, "deleted_reason", None) or ""
        if when:
            text = f"Deleted {local_moment(when)}: {reason}" if reason else \
                f"Deleted {local_moment(when)}."
        else:
            text = "Deleted: this signed note was deleted; its text is gone from the vault."
        stub = QLabel(text)
        stub.setObjectName("DeletedStub")
        stub.setWordWrap(True)
        stub.setAccessibleName("Deleted note")
        stub.setAccessibleDescription(text)
        self.body_layout.addWidget(stub)
        if self.note.signed_at:
            detail = QLabel(f"It had been signed {local_moment(self.note.signed_at)} · SHA-256 "
                            f"{(self.note.content_sha256 or '')[:12]}…")
            detail.setObjectName("Muted")
            detail.setWordWrap(True)
            self.body_layout.addWidget(detail)
        self.body_layout.addStretch(1)

    def _refresh_chrome(self) -> None:
        mode = self.mode
        editable = mode in (Mode.NEW, Mode.DRAFT)
        empty = not self.has_text()
        # The layout is chosen while the note is empty; after that the details line names it.
        self.template_label.setVisible(editable and empty)
        self.template_combo.setVisible(editable and empty)
        index = self.template_combo.findData(self.template.id)
        if index < 0 and editable:
            self.template_combo.addItem(self.template.name, self.template.id)
            index = self.template_combo.count() - 1
        self.template_combo.blockSignals(True)
        self.template_combo.setCurrentIndex(index)
        self.template_combo.blockSignals(False)
        self.template_combo.setEnabled(empty)
        self.template_combo.setToolTip(
            "Choose the note's layout." if empty else
            "The template can be changed while the note is empty.")
        self.sign_button.setVisible(editable)
        self.sign_button.setEnabled(editable and not empty)
        signed = mode is Mode.SIGNED
        self.addendum_button.setVisible(signed)
        self.correction_button.setVisible(signed)
        self.delete_button.setVisible(mode in (Mode.DRAFT, Mode.SIGNED))
        self.delete_button.setEnabled(self.note_id is not None)
        self.delete_button.setAccessibleName("Delete the draft" if mode is Mode.DRAFT
                                             else "Delete the note")
        if signed and self.note is not None:
            digest = self.note.content_sha256 or ""
            text = f"Signed {local_moment(self.note.signed_at)} · SHA-256 {digest[:12]}…"
            self.signed_label.setText(text)
            self.signed_label.setToolTip(f"SHA-256 {digest}")
            self.signed_label.setAccessibleDescription(f"Signed "
                                                       f"{local_moment(self.note.signed_at)}, "
                                                       f"SHA-256 {digest}")
            self.signed_label.show()
        else:
            self.signed_label.clear()
            self.signed_label.hide()
        if self._late_written is not None:
            label = note_rules.late_entry_label(self.session.date, self._late_written)
            self.late_label.setText(label)
            self.late_label.setAccessibleDescription(label)
            self.late_label.show()
        else:
            self.late_label.hide()
        self.title.setText(session_title(self.session))
        self.details.setText(session_details(self.session) + (
            f" · {self.template.name} note" if mode in (Mode.SIGNED, Mode.DRAFT)
            or not empty else ""))
        self.title.setAccessibleDescription(session_words(self.session))
        self._refresh_learning()

    # -- what the client learned in exposure ------------------------------------------------

    def _ask_learning(self) -> None:
        """Read the latest learning the client had by the end of this session's day."""
        if self.mode not in (Mode.NEW, Mode.DRAFT) or self._retired:
            return
        day_after = datetime.combine(self.session.date + timedelta(days=1), time())
        until = day_after.astimezone().astimezone(UTC)
        client_id = self.session.client_id
        exposure = ExposureStore(self._store.vault)
        self._calls.run(lambda: exposure.learning_for_note(client_id, until),
                        self._on_learning, lambda _message: None, self)

    def _on_learning(self, quote: LearningQuote | None) -> None:
        if self._retired:
            return
        self.learning.set_quote(quote)
        self._refresh_learning()

    @property
    def learning_offered(self) -> bool:
        """True while the last exposure's learning is offered for this note."""
        return self.learning.isVisibleTo(self)

    def _refresh_learning(self) -> None:
        """Offered only on an editable note that does not hold those words already."""
        quote = self.learning.quote
        offer = (quote is not None and not self._learning_dismissed and not self._retired
                 and self.mode in (Mode.NEW, Mode.DRAFT) and not self._sign_after_save
                 and bool(self.edits)
                 and not any(quote.text in e.toPlainText() for e in self.edits.values()))
        self.learning.setVisible(offer)

    def _dismiss_learning(self) -> None:
        self._learning_dismissed = True
        self._refresh_learning()
        if self._last_edit is not None and self._last_edit in self.edits.values():
            self._last_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def insert_learning(self) -> None:
        """Put the client's words into the note at the cursor (the section last in use)."""
        quote = self.learning.quote
        if quote is None or self.mode not in (Mode.NEW, Mode.DRAFT) or self._sign_after_save:
            return
        edit = self._last_edit if self._last_edit in self.edits.values() else \
            next(iter(self.edits.values()), None)
        if edit is None or edit.isReadOnly():
            return
        cursor = edit.textCursor()
        text = note_text(quote)
        if cursor.positionInBlock() > 0:
            before = cursor.block().text()[cursor.positionInBlock() - 1]
            if not before.isspace():
                text = " " + text
        cursor.insertText(text)  # typing: the note autosaves as usual
        edit.setTextCursor(cursor)
        self._focus_on(edit)
        self._refresh_learning()

    # -- what the page asks -----------------------------------------------------------------

    def has_text(self) -> bool:
        """True when any section holds something."""
        return any(e.toPlainText().strip() for e in self.edits.values())

    def sections(self) -> dict[str, str]:
        """The text of every section, by key."""
        return {key: edit.toPlainText() for key, edit in self.edits.items()}

    @property
    def can_sign(self) -> bool:
        """A draft (or new note) with something in it."""
        return self.mode in (Mode.NEW, Mode.DRAFT) and self.has_text() \
            and not self._sign_after_save

    @property
    def can_amend(self) -> bool:
        """A signed, not deleted note."""
        return self.mode is Mode.SIGNED

    @property
    def can_delete(self) -> bool:
        """A stored draft or signed note."""
        return self.mode in (Mode.DRAFT, Mode.SIGNED) and self.note_id is not None

    def focus_first(self) -> None:
        """Put the cursor in the first section (the end of its text)."""
        if self._retired:
            return
        target: QWidget = next(iter(self.edits.values()), self.scroll)
        if not target.isVisible():  # just built: Qt shows new children on the next turn
            QTimer.singleShot(0, self, self.focus_first)
            return
        window = self.window()
        if not window.isActiveWindow() and QApplication.activeModalWidget() is None:
            window.activateWindow()  # back from a dialog: the keyboard belongs here
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(target, QTextEdit) and not target.isReadOnly():
            target.moveCursor(QTextCursor.MoveOperation.End)

    @property
    def highlight_pending(self) -> bool:
        """True while a highlight waits for the note to load."""
        return bool(self._pending_highlight)

    def highlight(self, text: str) -> bool:
        """Scroll to the first match of `text` (any case) and mark it; False if none."""
        if self.mode is Mode.LOADING:
            self._pending_highlight = text
            return False
        needle = text.strip()
        if not needle:
            return False
        for edit in [*self.edits.values(), *self.amendment_views]:
            found = edit.document().find(needle)
            if found.isNull():
                continue
            mark = QTextEdit.ExtraSelection()
            mark.cursor = found
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(HIGHLIGHT_BG))
            fmt.setFontWeight(700)
            mark.format = fmt
            edit.setExtraSelections([mark])
            edit.setTextCursor(found)
            self._focus_on(edit)
            return True
        return False

    def _focus_on(self, edit: QTextEdit) -> None:
        """Focus `edit` and scroll to its cursor (on the next turn if it is not shown yet)."""
        if self._retired:
            return
        if not edit.isVisible():
            QTimer.singleShot(0, edit, lambda: self._focus_on(edit))
            return
        window = self.window()
        if not window.isActiveWindow() and QApplication.activeModalWidget() is None:
            window.activateWindow()
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.body.layout().activate()
        self._keep_visible(edit)

    # -- typing and saving ------------------------------------------------------------------

    def _new_autosaver(self) -> Autosaver:
        saver = Autosaver(self._calls, self._save, lambda saved: saved.updated_at,
                          reindex=lambda: self._store.reindex_note(self.session.id),
                          parent=self)
        saver.status_changed.connect(self._on_save_status)
        saver.saved.connect(self._on_saved)
        saver.settled.connect(self._on_settled)
        return saver

    def _save(self, reindex: bool) -> object:
        return self._store.save_draft(self.session.id, self.template.id, self.sections(),
                                      reindex=reindex)

    def _on_text_changed(self) -> None:
        if self.mode not in (Mode.NEW, Mode.DRAFT) or self._sign_after_save or self._retired:
            return
        for edit in self.edits.values():
            if edit.extraSelections():
                edit.setExtraSelections([])
        if self.mode is Mode.NEW and not self.has_text() and self.autosaver.status \
                is SaveStatus.IDLE:
            self._refresh_buttons()
            return  # nothing typed yet: no empty draft
        self.autosaver.changed()
        self._refresh_buttons()
        if not self.learning.isHidden():
            self._refresh_learning()

    def _refresh_buttons(self) -> None:
        empty = not self.has_text()
        if self.template_combo.isEnabled() != empty or self.sign_button.isEnabled() == empty:
            self._refresh_chrome()
            self.state_changed.emit()

    def _on_focus_left(self) -> None:
        self.autosaver.flush()

    def flush(self, *, final: bool = False) -> None:
        """Save now (with the search text when the note is being left)."""
        if self.mode in (Mode.NEW, Mode.DRAFT):
            self.autosaver.flush(reindex=final)

    def _on_saved(self, saved: SavedDraft) -> None:
        first = self.note_id is None
        self.note_id = saved.note_id
        if self.mode is Mode.NEW:
            self.mode = Mode.DRAFT
        if saved.late_entry and self._late_written is None:
            self._late_written = local_day(saved.updated_at) if first else today()
        self._refresh_chrome()
        self.state_changed.emit()
        self.session = replace(self.session, note_status=NoteStatus.DRAFT,
                               note_preview=note_rules.preview(
                                   note_rules.plain_text(self.template, self.sections())),
                               late_entry=saved.late_entry)
        self.session_changed.emit(self.session)
        if self._sign_after_save and not self.autosaver.dirty:
            self._sign_now()

    def _on_save_status(self) -> None:
        saver = self.autosaver
        if saver.status is SaveStatus.FAILED:
            self._set_status("Not saved", failed=True)
            self.error.show_message(saver.status_text())
            self._save_error_shown = True
            if self._sign_after_save:
                self._sign_after_save = False
                for edit in self.edits.values():
                    edit.setReadOnly(False)
                self._refresh_chrome()
                self.state_changed.emit()
            if self._retired:
                self.save_failed.emit(saver.error)
            return
        if self._save_error_shown:
            self._save_error_shown = False
            self.error.clear_message()
        if not self._sign_after_save:
            self._set_status(saver.status_text())

    def _on_settled(self) -> None:
        if self._retired:
            self.autosaver.stop()
            self.deleteLater()

    def _set_status(self, text: str, *, failed: bool = False) -> None:
        name = "SaveError" if failed else "SaveStatus"
        if self.status.objectName() != name:
            self.status.setObjectName(name)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)
        self.status.setText(text)
        self.status.setAccessibleDescription(text)

    def _keep_visible(self, edit: QTextEdit) -> None:
        if not edit.hasFocus():
            return
        rect = edit.cursorRect()
        point = edit.viewport().mapTo(self.body, rect.center())
        self.scroll.ensureVisible(point.x(), point.y(), 0, rect.height() * 2)

    def _on_template_chosen(self, index: int) -> None:
        template_id = self.template_combo.itemData(index)
        if template_id is None or self.has_text() or template_id == self.template.id:
            return
        template = self._templates.get(template_id)
        if template is None:
            return
        self.template = template
        self._build(template, {}, read_only=False)
        self._refresh_chrome()
        self.template_used.emit(template.id)
        if self.mode is Mode.DRAFT:
            self.autosaver.changed()  # the stored draft takes the new layout

    # -- signing, amending, deleting --------------------------------------------------------

    def sign(self) -> None:
        """Ask, then save and sign the note (Ctrl+Shift+S)."""
        if self.mode not in (Mode.NEW, Mode.DRAFT):
            return
        if not self.has_text():
            self.error.show_message("An empty note cannot be signed.")
            return
        self._prompts.confirm(
            self, "Sign this note?",
            "Signing locks the note: Tandem stores the signing time and a SHA-256 of the text, "
            "and the note can no longer be edited. Later changes are added as an addendum or a "
            "correction, and the original stays visible.",
            "Sign and lock", self._on_sign_answer)

    def _on_sign_answer(self, yes: bool) -> None:
        if not yes or self._retired or self.mode not in (Mode.NEW, Mode.DRAFT):
            return
        self.error.clear_message()
        self._sign_after_save = True
        for edit in self.edits.values():
            edit.setReadOnly(True)
        self._set_status("Signing…")
        self._refresh_chrome()
        self.state_changed.emit()
        self.autosaver.flush(reindex=True)
        if not self.autosaver.dirty and self.note_id is not None:
            self._sign_now()

    def _sign_now(self) -> None:
        note_id = self.note_id
        if note_id is None:
            return
        self._calls.run(lambda: self._store.sign_note(note_id), self._on_signed,
                        self._on_sign_failed, self)

    def _on_signed(self, view: NoteView) -> None:
        self._sign_after_save = False
        self.autosaver.stop()
        self._show_view(view)
        self._set_status("")
        self._refresh_chrome()
        self.state_changed.emit()
        self.session = replace(self.session, note_status=NoteStatus.SIGNED,
                               late_entry=view.late_entry)
        self.session_changed.emit(self.session)
        self.scroll.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_sign_failed(self, message: str) -> None:
        self._sign_after_save = False
        for edit in self.edits.values():
            edit.setReadOnly(False)
        self._set_status("")
        self.error.show_message(f"Not signed: {message}")
        self._refresh_chrome()
        self.state_changed.emit()

    def add_amendment(self, kind: AmendmentKind) -> None:
        """Open the addendum or correction dialog (signed notes only)."""
        from ui.workspace.dialogs import AmendmentDialog

        if self.mode is not Mode.SIGNED or self.note_id is None:
            return
        note_id = self.note_id
        dialog = AmendmentDialog(kind, self.window())

        def submit(body: str) -> None:
            dialog.set_busy(True)
            self._calls.run(lambda: self._store.add_amendment(note_id, dialog.kind, body),
                            lambda amendment: self._on_amended(dialog, amendment),
                            dialog.show_error, dialog)

        dialog.submitted.connect(submit)
        self._show_dialog(dialog)

    def _on_amended(self, dialog: QDialog, amendment: Amendment) -> None:
        dialog.accept()
        if self.note is None or self._retired:
            return
        self.note = replace(self.note, amendments=(*self.note.amendments, amendment))
        self._build(self.template, self.note.sections, read_only=True)
        self.state_changed.emit()
        if self.amendment_views:
            self.amendment_views[-1].setFocus(Qt.FocusReason.OtherFocusReason)
            self._keep_visible(self.amendment_views[-1])

    def delete(self) -> None:
        """Delete a draft (confirmed) or a signed note (with a reason; leaves a stub)."""
        from ui.workspace.dialogs import DeleteNoteDialog

        note_id = self.note_id
        if note_id is None or self.mode not in (Mode.DRAFT, Mode.SIGNED):
            return
        if self.mode is Mode.DRAFT:
            self._prompts.confirm(
                self, "Delete this draft?",
                "The draft is removed from the vault, together with its search text. This "
                "cannot be undone.", "Delete draft",
                lambda yes: self._delete_draft(note_id) if yes else None, destructive=True)
            return
        dialog = DeleteNoteDialog(self.window())

        def submit(reason: str) -> None:
            dialog.set_busy(True)
            self._calls.run(lambda: self._store.delete_note(note_id, reason),
                            lambda _none: self._on_signed_deleted(dialog, note_id, reason),
                            dialog.show_error, dialog)

        dialog.submitted.connect(submit)
        self._show_dialog(dialog)

    def _delete_draft(self, note_id: int) -> None:
        if self._retired or self.mode is not Mode.DRAFT:
            return
        self.autosaver.stop()
        self._calls.run(lambda: self._store.delete_note(note_id, ""),
                        lambda _none: self._on_draft_deleted(),
                        lambda message: self.error.show_message(f"Not deleted: {message}"), self)

    def _on_draft_deleted(self) -> None:
        self.autosaver.deleteLater()
        self.autosaver = self._new_autosaver()
        self.note = None
        self.note_id = None
        self._late_written = None
        self.mode = Mode.NEW
        self._build(self.template, {}, read_only=False)
        self._set_status("Draft deleted")
        self._refresh_chrome()
        self.state_changed.emit()
        self.session = replace(self.session, note_status=None, note_preview="",
                               late_entry=False)
        self.session_changed.emit(self.session)

    def _on_signed_deleted(self, dialog: QDialog, note_id: int, reason: str) -> None:
        from app.clock import SystemClock, iso

        dialog.accept()
        self._deleted_notes[note_id] = (iso(SystemClock().now()), reason)
        if self._retired or self.note is None:
            return
        self.note = replace(self.note, sections={})
        self.mode = Mode.DELETED
        self._build(self.template, {}, read_only=True)
        self._refresh_chrome()
        self.state_changed.emit()
        self.session = replace(self.session, note_preview="")
        self.session_changed.emit(self.session)

    # -- keys and leaving -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Escape in a section goes back to the session list; a section taking focus is noted."""
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, SectionEdit) \
                and watched in self.edits.values():
            self._last_edit = watched
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.focus_timeline_requested.emit()
            return True
        return super().eventFilter(watched, event)

    def retire(self) -> None:
        """The note is being left: save now, then delete this editor once the save is in."""
        if self._retired:
            return
        self._retired = True
        self.flush(final=True)
        self.hide()
        if not self.autosaver.busy:
            self.autosaver.stop()
            self.deleteLater()

    def wipe(self) -> None:
        """Forget every text shown (locking; flush first). Nothing is saved after this."""
        self._retired = True
        self.mode = Mode.LOADING
        self.autosaver.stop()
        self.autosaver.blockSignals(True)
        for edit in self.findChildren(QTextEdit):
            edit.blockSignals(True)
            edit.clear()
        self.learning.wipe()
        for label in self.findChildren(QLabel):
            label.clear()
            label.setAccessibleDescription("")
