"""The private psychotherapy (process) notes: the therapist's own notepad about one client.

They are kept apart from the record (HIPAA 45 CFR 164.501): never in letters, reports, exports
or search unless the therapist explicitly releases them, and the tab says so. Loaded only when
the tab is opened, autosaved like a note.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from storage.practice import PracticeStore
from ui.widgets.common import MessageLabel
from ui.widgets.style import em, scaled_font
from ui.workspace.autosave import Autosaver, SaveStatus
from ui.workspace.calls import Calls

PRIVATE_NOTICE = ("Private psychotherapy notes — kept apart from the clinical record. Never "
                  "included in letters, reports, exports or search unless you explicitly "
                  "release them.")


class _Pad(QPlainTextEdit):
    def __init__(self, on_focus_out: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_focus_out = on_focus_out

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if callable(self._on_focus_out):
            self._on_focus_out()


class ProcessNotesTab(QWidget):
    """One client's private notepad."""

    def __init__(self, store: PracticeStore, calls: Calls, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Process notes")
        self._store = store
        self._calls = calls
        self.client_id: int | None = None
        self._loaded_for: int | None = None
        self._loading = False
        self.autosaver: Autosaver | None = None
        self._latest: dict[str, str] = {"text": ""}
        self._focus_when_loaded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, em(self, 1), em(self, 0.6), 0)
        layout.setSpacing(em(self, 0.7))
        self.notice = QLabel(f"<b>Private.</b> {PRIVATE_NOTICE}")
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setObjectName("Private")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Private notes")
        self.notice.setAccessibleDescription(PRIVATE_NOTICE)
        layout.addWidget(self.notice)
        head = QHBoxLayout()
        title = QLabel("Process notes (private)")
        title.setFont(scaled_font(1.05, bold=True))
        head.addWidget(title)
        head.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("SaveStatus")
        self.status.setAccessibleName("Save status")
        head.addWidget(self.status)
        layout.addLayout(head)
        self.error = MessageLabel("Error")
        layout.addWidget(self.error)
        self.editor = _Pad(self._on_focus_out)
        self.editor.setObjectName("ProcessNotes")
        self.editor.setAccessibleName("Process notes (private)")
        self.editor.setAccessibleDescription(PRIVATE_NOTICE)
        self.editor.setPlaceholderText("Your own reactions, hypotheses and questions for "
                                       "supervision. Saved as you type.")
        self.editor.setTabChangesFocus(True)
        self.editor.setEnabled(False)
        title.setBuddy(self.editor)
        layout.addWidget(self.editor, 1)
        self.editor.textChanged.connect(self._on_changed)

    def set_client(self, client_id: int | None) -> None:
        """Switch to another client (saving this one's first); loads on `ensure_loaded`."""
        if client_id == self.client_id:
            return
        self.leave()
        self.client_id = client_id
        self._loaded_for = None
        self.editor.blockSignals(True)
        self.editor.clear()
        self.editor.blockSignals(False)
        self.editor.setEnabled(False)
        self.status.clear()
        self.error.clear_message()

    def ensure_loaded(self) -> None:
        """Read the notepad if it is not shown yet (the tab was opened)."""
        client_id = self.client_id
        if client_id is None or self._loaded_for == client_id or self._loading:
            return
        self._loading = True
        self.status.setText("Opening…")
        self._calls.run(lambda: self._store.process_notes(client_id),
                        lambda body: self._on_loaded(client_id, body),
                        self._on_load_failed, self)

    def _on_loaded(self, client_id: int, body: str) -> None:
        self._loading = False
        if client_id != self.client_id:
            self.ensure_loaded()
            return
        self._loaded_for = client_id
        self.editor.blockSignals(True)
        self.editor.setPlainText(body)
        self.editor.blockSignals(False)
        self.editor.setEnabled(True)
        self.status.clear()
        if self._focus_when_loaded:
            self._focus_when_loaded = False
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        # The text is copied at every change, so a retry after the client was left saves
        # this client's text, never what the notepad shows by then.
        latest = {"text": body}
        self._latest = latest
        saver = Autosaver(self._calls,
                          lambda _reindex: self._store.save_process_notes(client_id,
                                                                          latest["text"]),
                          lambda stamp: str(stamp), parent=self)
        saver.status_changed.connect(lambda s=saver: self._on_status(s))
        self.autosaver = saver

    def _on_load_failed(self, message: str) -> None:
        self._loading = False
        self.status.clear()
        self.error.show_message(f"The process notes could not be opened: {message}")

    def _on_changed(self) -> None:
        if self.autosaver is not None and self._loaded_for == self.client_id:
            self._latest["text"] = self.editor.toPlainText()
            self.autosaver.changed()

    def _on_focus_out(self) -> None:
        if self.autosaver is not None:
            self.autosaver.flush()

    def _on_status(self, saver: Autosaver) -> None:
        if saver is not self.autosaver:
            return
        if saver.status is SaveStatus.FAILED:
            self.status.setText("Not saved")
            self.error.show_message(saver.status_text())
        else:
            self.error.clear_message()
            self.status.setText(saver.status_text())

    def leave(self) -> None:
        """Save now; the notepad is being left (another client, lock, close)."""
        saver = self.autosaver
        if saver is None:
            return
        saver.flush()
        self.autosaver = None
        if not saver.busy:
            saver.stop()
            saver.deleteLater()
        else:
            saver.settled.connect(saver.deleteLater)

    def flush(self) -> None:
        """Save now, staying on the notepad."""
        if self.autosaver is not None:
            self.autosaver.flush()

    def focus_editor(self) -> None:
        """Put the cursor in the notepad (once it is loaded)."""
        if self.editor.isEnabled():
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._focus_when_loaded = True

    def wipe(self) -> None:
        """Forget the text (locking; flush first)."""
        if self.autosaver is not None:
            self.autosaver.stop()
        self.editor.blockSignals(True)
        self.editor.clear()
        self.editor.blockSignals(False)
        self.status.clear()
        self.error.clear_message()
