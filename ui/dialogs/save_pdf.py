"""Where to save a PDF: Qt's own file dialog, so no operating-system "recent files" list records it.

A letter's or a kit's file name can name the client or reveal what the file is; the platform
dialogs (GTK, Windows' common dialog) add every saved file to the desktop's recent-files list,
outside the vault. Qt's dialog remembers only folders, in its own settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget


def choose_pdf_path(parent: QWidget | None, title: str, folder: Path, name: str) -> Path | None:
    """Ask where to save a PDF (suggesting `folder`/`name`); None when cancelled."""
    dialog = QFileDialog(parent, title, str(folder / name), "PDF documents (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("pdf")
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    chosen = Path(dialog.selectedFiles()[0])
    return chosen if chosen.suffix.lower() == ".pdf" else chosen.with_suffix(".pdf")
