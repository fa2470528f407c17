"""The live preview: the real PDF's pages, rendered by PDFium, beside the letter being edited.

What the therapist sees is the file that will be sent, not an approximation of it — the same
bytes that are checked for identifiers and stored in the vault. Rendering runs on one background
thread (PDFium is not thread-safe, so every call into it goes through `_PDFIUM`), and only the
newest request is shown: typing quickly never queues up a backlog of stale pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.tasks import TaskRunner

_PDFIUM = threading.Lock()
"""PDFium keeps global state: one call at a time, whichever thread makes it."""

PAGE_MARGIN = 16


@dataclass(frozen=True)
class RenderedPage:
    """One page as an image, and the page's size in PDF points (for the aspect ratio)."""

    image: QImage
    width_pt: float
    height_pt: float


def render_pages(pdf: bytes, width_px: int) -> list[RenderedPage]:
    """Every page of `pdf` scaled to `width_px` pixels wide (safe to call off the UI thread)."""
    import pypdfium2 as pdfium  # ~30 ms to import; only when a letter is first previewed

    pages: list[RenderedPage] = []
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            for index in range(len(document)):
                page = document[index]
                try:
                    width_pt, height_pt = page.get_size()
                    scale = max(width_px, 1) / width_pt
                    bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True,
                                         fill_color=(255, 255, 255, 255))
                    try:
                        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                                       QImage.Format.Format_RGBX8888).copy()
                    finally:
                        bitmap.close()
                finally:
                    page.close()
                pages.append(RenderedPage(image, width_pt, height_pt))
        finally:
            document.close()
    return pages


class _PageView(QLabel):
    """A page as a sheet of paper: white, thin border, told apart for screen readers."""

    def __init__(self, number: int, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet("QLabel { background: white; border: 1px solid #9a9a9a; }")
        self.setAccessibleName(f"Preview of page {number} of {count}")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)


class PdfPreview(QScrollArea):
    """Shows PDF bytes page by page, fitted to the width, re-rendered when resized."""

    rendered = Signal(int)
    """A new document is on screen; the argument is its page count."""

    failed = Signal(str)
    """The PDF could not be rendered (the message is for the status line)."""

    def __init__(self, tasks: TaskRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Letter preview")
        self.setWidgetResizable(True)
        # A steady viewport width: pages are fitted to it, so a scroll bar appearing after the
        # first render must not make them overflow sideways.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # scroll the pages from the keyboard
        self.setStyleSheet("QScrollArea { background: #e4e4e4; }")
        self._tasks = tasks or TaskRunner(name="tandem-preview", parent=self)
        self._pdf: bytes | None = None
        self._generation = 0
        self._pages: list[RenderedPage] = []
        self._views: list[_PageView] = []
        self._shown_width = 0
        self._inner = QWidget()
        self._inner.setStyleSheet("background: #e4e4e4;")
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self._layout.setSpacing(PAGE_MARGIN)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._message = QLabel("The preview appears here.")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._layout.addWidget(self._message)
        self.setWidget(self._inner)
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(150)
        self._resize_timer.timeout.connect(self._rerender_for_width)

    @property
    def page_count(self) -> int:
        """Pages of the document on screen (0 before the first render)."""
        return len(self._pages)

    def page_images(self) -> list[QImage]:
        """The images on screen, in page order (for tests and for looking at)."""
        return [page.image for page in self._pages]

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(520, 680)

    def _target_width(self) -> int:
        return max(self.viewport().width() - 2 * PAGE_MARGIN - 4, 120)

    def show_pdf(self, pdf: bytes) -> None:
        """Render `pdf` in the background and show it; an older pending render is dropped."""
        self._pdf = pdf
        self._render(self._target_width())

    def show_message(self, text: str) -> None:
        """Replace the pages with a sentence (e.g. why there is no preview)."""
        self._generation += 1
        self._clear_views()
        self._pages = []
        self._message.setText(text)
        self._message.show()

    def _render(self, width: int) -> None:
        if self._pdf is None:
            return
        self._generation += 1
        generation, pdf = self._generation, self._pdf
        done: Callable[[list[RenderedPage]], None] = lambda pages: self._show(  # noqa: E731
            generation, width, pages)
        self._tasks.run(lambda: render_pages(pdf, width), done,
                        lambda error: self._fail(generation, error), context=self)

    def _fail(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.show_message("The preview could not be drawn.")
        self.failed.emit(f"The preview could not be drawn ({type(error).__name__}).")

    def _show(self, generation: int, width: int, pages: list[RenderedPage]) -> None:
        if generation != self._generation:
            return  # a newer render is on its way
        self._message.hide()
        self._pages = pages
        self._shown_width = width
        scroll = self.verticalScrollBar().value()
        self._clear_views()
        for number, page in enumerate(pages, start=1):
            view = _PageView(number, len(pages), self._inner)
            pixmap = QPixmap.fromImage(page.image)
            view.setPixmap(pixmap)
            view.setFixedSize(pixmap.size() + QSize(2, 2))
            self._layout.addWidget(view)
            self._views.append(view)
        self.verticalScrollBar().setValue(scroll)  # typing must not jump the view to page 1
        self.rendered.emit(len(pages))

    def _clear_views(self) -> None:
        for view in self._views:
            self._layout.removeWidget(view)
            view.deleteLater()
        self._views = []

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        if self._pdf is not None and abs(self._target_width() - self._shown_width) > 8:
            self._resize_timer.start()

    def _rerender_for_width(self) -> None:
        self._render(self._target_width())

    def clear(self) -> None:
        """Forget the document (the vault is locking): pixels of a letter must not linger."""
        self._pdf = None
        self.show_message("The preview appears here.")
