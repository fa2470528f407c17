"""The live preview shows the real PDF's pages, newest request only, and says when it can't."""

from __future__ import annotations

import io

from PySide6.QtGui import QColor

from ui.letters.preview import PdfPreview, render_pages


def _pdf(*labels: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for label in labels:
        pdf.setFont("Helvetica-Bold", 64)
        pdf.drawString(72, 600, label)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _dark_pixels(image: object) -> int:
    from PySide6.QtGui import QImage

    assert isinstance(image, QImage)
    dark = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            if QColor(image.pixel(x, y)).lightness() < 100:
                dark += 1
    return dark


def test_every_page_is_rendered_at_the_asked_width() -> None:
    pages = render_pages(_pdf("One", "Two", "Three"), 300)
    assert len(pages) == 3
    assert all(page.image.width() == 300 for page in pages)
    # A4/Letter portrait: taller than wide, and the text is really drawn
    assert pages[0].image.height() > 300
    assert _dark_pixels(pages[0].image) > 20


def test_preview_shows_pages_and_names_them(qtbot) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.resize(500, 700)
    preview.show()
    with qtbot.waitSignal(preview.rendered, timeout=5000) as signal:
        preview.show_pdf(_pdf("One", "Two"))
    assert signal.args == [2]
    names = [view.accessibleName() for view in preview._views]
    assert names == ["Preview of page 1 of 2", "Preview of page 2 of 2"]
    # fitted to the viewport: no sideways scrolling needed
    assert preview.page_images()[0].width() <= preview.viewport().width()


def test_only_the_newest_document_is_shown(qtbot) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.resize(500, 700)
    preview.show()
    preview.show_pdf(_pdf("Old", "Old", "Old"))
    with qtbot.waitSignal(preview.rendered, timeout=5000) as signal:
        preview.show_pdf(_pdf("New"))
    qtbot.wait(100)  # the stale render, had it been shown, would have arrived by now
    assert signal.args == [1]
    assert preview.page_count == 1


def test_a_damaged_pdf_gives_a_sentence_not_a_crash(qtbot) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.failed, timeout=5000):
        preview.show_pdf(b"%PDF-1.7 this is not a real document")
    assert preview.page_count == 0
    assert "could not be drawn" in preview._message.text()


def test_clear_forgets_the_pages(qtbot) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.rendered, timeout=5000):
        preview.show_pdf(_pdf("Private"))
    preview.clear()
    assert preview.page_count == 0 and preview.page_images() == []
