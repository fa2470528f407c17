"""Thin wrappers for file pickers and message boxes, with a seam tests pre-program.

Like KeePassXC's `MessageBox::setNextAnswer`: `queue_folder` stores the answer the next folder
picker would have produced, and that picker is then not shown at all. Message boxes are non-modal
(`open()`), so a lock while one is up is never stuck behind a nested event loop, and every box
still open is closed when the vault locks (`close_all`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class Prompts:
    """The one place that asks the person something through a standard dialog."""

    def __init__(self) -> None:
        self._answers: deque[Path | str | None] = deque()
        self._confirmations: deque[bool] = deque()
        self._open_boxes: list[QMessageBox] = []
        self._closing: set[QMessageBox] = set()
        self.shown: list[tuple[str, str]] = []
        """(title, text) of every message shown, newest last (tests read it)."""
        self.shared_actions: list[QAction] = []
        """Actions every message box offers too (Ctrl+L: lock from anywhere)."""

    def queue_folder(self, answer: Path | str | None) -> None:
        """The next folder picker returns `answer` without being shown (None = cancelled)."""
        self._answers.append(answer)

    def choose_folder(self, parent: QWidget | None, title: str, start: Path) -> Path | None:
        """Ask for a folder; None when cancelled."""
        if self._answers:
            answer = self._answers.popleft()
            return None if answer is None else Path(answer)
        start_at = start if start.exists() else next(
            (p for p in start.parents if p.exists()), Path.home())
        chosen = QFileDialog.getExistingDirectory(parent, title, str(start_at))
        return Path(chosen) if chosen else None

    def queue_file(self, answer: Path | str | None) -> None:
        """The next file picker returns `answer` without being shown (None = cancelled)."""
        self._answers.append(answer)

    def choose_file(self, parent: QWidget | None, title: str, start: Path,
                    filters: str = "") -> Path | None:
        """Ask for an existing file to open; None when cancelled."""
        if self._answers:
            answer = self._answers.popleft()
            return None if answer is None else Path(answer)
        start_at = start if start.exists() else next(
            (p for p in start.parents if p.exists()), Path.home())
        chosen, _filter = QFileDialog.getOpenFileName(parent, title, str(start_at), filters)
        return Path(chosen) if chosen else None

    def inform(self, parent: QWidget | None, title: str, text: str, *,
               warning: bool = False) -> None:
        """Tell the person something; does not wait for them to read it."""
        self.shown.append((title, text))
        box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information,
                          title, text, QMessageBox.StandardButton.Ok, parent)
        box.setAccessibleName(title)
        box.setAccessibleDescription(text)
        box.addActions(self.shared_actions)
        self._open_boxes.append(box)
        box.finished.connect(lambda _result, b=box: self._forget_box(b))
        box.open()

    def queue_confirmation(self, answer: bool) -> None:
        """The next `confirm` answers `answer` at once, without showing a box."""
        self._confirmations.append(answer)

    def confirm(self, parent: QWidget | None, title: str, text: str, accept_label: str,
                on_answer: Callable[[bool], None], *, destructive: bool = False) -> None:
        """Ask a yes/no question without waiting; `on_answer(True)` only on `accept_label`.

        The box is window-modal but not a nested event loop, and a lock closes it without an
        answer (nothing is done). A destructive question defaults to Cancel.
        """
        if self._confirmations:
            on_answer(self._confirmations.popleft())
            return
        self.shown.append((title, text))
        box = QMessageBox(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question,
                          title, text, QMessageBox.StandardButton.NoButton, parent)
        accept = box.addButton(accept_label, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel if destructive else accept)
        box.setEscapeButton(cancel)
        box.setAccessibleName(title)
        box.setAccessibleDescription(text)
        box.addActions(self.shared_actions)
        self._open_boxes.append(box)

        def finished(_result: int, b: QMessageBox = box) -> None:
            answered = b.clickedButton() is accept
            self._forget_box(b)
            if parent is not None:  # the keyboard goes back to the window that asked
                window = parent.window()
                QTimer.singleShot(0, window, window.activateWindow)
            on_answer(answered)

        box.finished.connect(finished)
        box.open()

    def _forget_box(self, box: QMessageBox) -> None:
        if box in self._open_boxes:
            self._open_boxes.remove(box)
        box.deleteLater()

    @property
    def open_boxes(self) -> list[QMessageBox]:
        """Message boxes still on screen."""
        return list(self._open_boxes)

    def close_all(self) -> None:
        """Close every message box still open (the vault is being locked)."""
        for box in list(self._open_boxes):
            self._open_boxes.remove(box)
            box.hide()
            # Out of the window tree now; kept referenced until Qt deletes it (the lock may have
            # come from a key press inside this very box).
            box.setParent(None)
            self._closing.add(box)
            box.destroyed.connect(lambda _obj=None, b=box: self._closing.discard(b))
            box.deleteLater()
        self.shown.clear()
