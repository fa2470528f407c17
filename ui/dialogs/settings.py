"""Settings (Ctrl+,): practice profile, security, backups and the outcome-measure licence.

Everything here is stored inside the encrypted vault and each change is audited by the store that
writes it (`settings_repo.put`, `profile_repo.save_profile` / `save_image`). Nothing is written
until OK or Apply; validation errors appear under the field concerned, on its tab.

What the dialog shows is read off the UI thread when it opens (settings, profile, images decoded
to previews, backup status and the folder's backup files). The lock settings are known at once
from the session's snapshot, so that tab works from the first instant; the other fields are
enabled when their values have arrived, and an OK pressed before then waits for them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import InvalidInput
from app.pin import validate_new_pin
from app.practice_profile import MAX_IMAGE_BYTES, PracticeProfile, check_image, validate_profile
from app.settings import VAULT_SETTINGS
from storage.backup_rotation import BackupFile
from storage.vault import Vault
from ui.backup_scheduler import (
    BackupScheduler,
    BackupStatus,
    age_text,
    default_backup_folder,
    read_status,
)
from ui.dialogs.emergency_kit import NewEmergencyKitDialog
from ui.dialogs.save_pdf import choose_pdf_path
from ui.paths import AppPaths
from ui.session import Session, describe
from ui.widgets.common import BusyRow, MessageLabel, heading, muted
from ui.widgets.style import em, scaled_font

IMAGE_KINDS = {"logo": "Logo", "signature": "Signature"}
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg);;All files (*)"
PROFILE_FIELDS = {
    "practitioner_name": "Your &name",
    "credentials": "&Credentials",
    "licence_number": "&Licence number",
    "practice_name": "&Practice name",
    "address": "&Address",
    "phone": "P&hone",
    "email": "&Email",
}
PROFILE_HINTS = {
    "practitioner_name": "As it appears under your signature",
    "credentials": "e.g. MSc, Registered Psychotherapist",
    "licence_number": "Your registration or licence number",
    "practice_name": "e.g. Riverside Counselling",
    "phone": "",
    "email": "name@example.org",
}
LOCK_KEYS = ("lock.after_minutes", "lock.on_suspend")
BACKUP_KEYS = ("backup.folder", "backup.on_close", "backup.daily", "backup.keep",
               "backup.warn_after_days")
LICENCE_KEY = "measures.licence"
NO_IMPROVEMENT_KEY = "measures.no_improvement_by"
CORS_RC_KEY = "measures.cors_reliable_change"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TAB_PROFILE, TAB_SECURITY, TAB_BACKUPS, TAB_MEASURES = range(4)


@dataclass(frozen=True)
class Preview:
    """An image as stored, and a scaled copy for the dialog (decoded off the UI thread)."""

    data: bytes
    image: QImage


@dataclass(frozen=True)
class LoadedSettings:
    """What the dialog shows when it opens."""

    values: dict[str, Any]
    profile: PracticeProfile
    images: dict[str, Preview | None]
    backup: BackupStatus
    vault_id: str
    vault_folder: Path


def _decode(data: bytes, box: QSize) -> QImage:
    image = QImage.fromData(data)
    if image.isNull():
        raise InvalidInput("The image could not be read; the file may be damaged.")
    if image.width() > box.width() or image.height() > box.height():
        image = image.scaled(box, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


def load_settings(vault: Vault, paths: AppPaths, preview_box: QSize) -> LoadedSettings:
    """Read everything the dialog shows (blocking: run it off the UI thread)."""
    from storage import profile_repo, settings_repo

    values = vault.call(settings_repo.read_all)
    profile = profile_repo.load_profile(vault).result()
    images: dict[str, Preview | None] = {}
    for kind in IMAGE_KINDS:
        stored = profile_repo.load_image(vault, kind).result()
        try:
            images[kind] = Preview(stored[1], _decode(stored[1], preview_box)) if stored else None
        except InvalidInput:
            images[kind] = None
    return LoadedSettings(values, profile, images, read_status(vault, paths), vault.vault_id,
                          vault.folder)


def read_image_file(path: Path, kind: str, preview_box: QSize) -> Preview:
    """Read and check a chosen logo or signature file (blocking: off the UI thread)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"The file could not be read: {exc.strerror or exc}.") from None
    check_image(data, kind)
    return Preview(data, _decode(data, preview_box))


def check_backup_folder(text: str, vault_folder: Path) -> str:
    """"" when `text` is a usable backup folder (or empty: the default), else the reason."""
    chosen = text.strip()
    if not chosen:
        return ""
    path = Path(chosen).expanduser()
    if not path.is_absolute():
        return ("Give the folder's full path (or choose it with Choose…); leave it empty for the "
                "default folder.")
    inside = os.path.normpath(str(path)) + os.sep
    vault = os.path.normpath(str(vault_folder)) + os.sep
    if inside.startswith(vault):
        return ("Backups cannot go inside the vault folder: if that folder is lost, its backups "
                "are lost with it. Choose another folder, ideally on another drive.")
    return ""


def format_size(size: int) -> str:
    """1.2 MB, 640 KB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def local_time(moment: datetime) -> str:
    """A moment in local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _scrolling(content: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    return scroll


def _field_caption(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    if not buddy.accessibleName():
        buddy.setAccessibleName(text.replace("&", ""))
    return label


class ImageField(QWidget):
    """A logo or signature: preview, Choose…, Remove, and an inline error."""

    changed = Signal()

    def __init__(self, kind: str, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._session = session
        self.label = IMAGE_KINDS[kind]
        self.pending: bytes | None = None
        self.dirty = False
        """True when the person chose or removed an image since the last save."""
        self.has_image = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em(self, 0.6))
        row = QHBoxLayout()
        row.setSpacing(em(self, 1.5))
        self.preview = QLabel(self)
        self.preview.setObjectName("ImagePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(self.preview_box() + QSize(12, 12))
        self.preview.setStyleSheet("QLabel#ImagePreview { background: #ffffff; "
                                   "border: 1px dashed #9aa6b2; border-radius: 6px; "
                                   "color: #4a5663; }")
        self.preview.setAccessibleName(f"{self.label} preview")
        row.addWidget(self.preview)
        buttons = QVBoxLayout()
        buttons.setSpacing(em(self, 0.6))
        self.choose_button = QPushButton(f"Choose {self.label.lower()}…", self)
        self.choose_button.setAccessibleName(f"Choose a {self.label.lower()} image")
        self.remove_button = QPushButton(f"Remove {self.label.lower()}", self)
        self.remove_button.setAccessibleName(f"Remove the {self.label.lower()}")
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        hint = muted("PNG or JPEG, at most 2 MB.")
        hint.setWordWrap(False)
        buttons.addWidget(hint)
        buttons.addStretch(1)
        row.addLayout(buttons)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = MessageLabel("Error", self)
        layout.addWidget(self.error)
        self.busy = BusyRow(self)
        layout.addWidget(self.busy)
        self.choose_button.clicked.connect(self.choose)
        self.remove_button.clicked.connect(self.remove)
        self._show(None)

    def preview_box(self) -> QSize:
        """The size previews are scaled into (follows the font)."""
        return QSize(em(self, 30), em(self, 10))

    def set_stored(self, preview: Preview | None) -> None:
        """Show the stored image (after loading or saving)."""
        self.pending = preview.data if preview else None
        self.dirty = False
        self._show(preview.image if preview else None)

    def _show(self, image: QImage | None) -> None:
        self.has_image = image is not None
        if image is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(f"No {self.label.lower()}")
            self.preview.setAccessibleDescription(f"No {self.label.lower()} chosen")
        else:
            self.preview.setText("")
            self.preview.setPixmap(QPixmap.fromImage(image))
            self.preview.setAccessibleDescription(
                f"{self.label} image, {image.width()} by {image.height()} pixels")
        self.remove_button.setEnabled(image is not None)

    def choose(self) -> None:
        """Pick a PNG or JPEG; it is checked and previewed off the UI thread."""
        self.error.clear_message()
        chosen = self._session.prompts.choose_file(
            self, f"Choose the {self.label.lower()} image (PNG or JPEG, at most 2 MB)",
            Path.home(), IMAGE_FILTER)
        if chosen is None or self._session.vault is None:
            return
        box = self.preview_box()
        self.busy.start("Reading the image…")
        self.choose_button.setEnabled(False)

        def done(preview: Preview) -> None:
            self.busy.stop()
            self.choose_button.setEnabled(True)
            self.pending = preview.data
            self.dirty = True
            self._show(preview.image)
            self.changed.emit()

        def failed(error: BaseException) -> None:
            self.busy.stop()
            self.choose_button.setEnabled(True)
            self.error.show_message(describe(error))

        self._session.tasks.run(lambda: read_image_file(chosen, self.kind, box), done, failed,
                                context=self)

    def remove(self) -> None:
        """Forget the image (removed from the vault on OK/Apply)."""
        self.error.clear_message()
        self.pending = None
        self.dirty = True
        self._show(None)
        self.changed.emit()


class SettingsDialog(QDialog):
    """Practice profile · Security · Backups · Outcome measures; OK, Apply, Cancel."""

    saved = Signal()
    """Every change was written (OK or Apply)."""

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 scheduler: BackupScheduler | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.choose_path = choose_pdf_path
        """Asks where to save a PDF (tests replace it)."""
        self._scheduler = scheduler or getattr(parent, "backup_scheduler", None)
        self._vault = session.vault
        self._loaded: LoadedSettings | None = None
        self._baseline: dict[str, Any] = {}
        self._baseline_profile = PracticeProfile()
        self._save_when_loaded: bool | None = None
        self._saving = False
        self._save_error = ""
        self._listed_folder: Path | None = None
        self._status: BackupStatus | None = None
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setSizeGripEnabled(True)
        layout = QVBoxLayout(self)
        pad = em(self, 2.2)
        layout.setContentsMargins(pad, em(self, 1.6), pad, em(self, 1.6))
        layout.setSpacing(em(self, 1))
        layout.addWidget(heading("Settings", 1.35))
        layout.addWidget(muted("Stored inside the encrypted vault: they travel with it and its "
                               "backups. Nothing changes until you press OK or Apply."))
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Settings sections")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(_scrolling(self._build_profile()), "Practice &profile")
        self.tabs.addTab(_scrolling(self._build_security()), "Sec&urity")
        self.tabs.addTab(_scrolling(self._build_backups()), "&Backups")
        self.tabs.addTab(_scrolling(self._build_measures()), "Outcome &measures")
        layout.addWidget(self.tabs, 1)

        self.error = MessageLabel("Error")
        layout.addWidget(self.error)
        self.notice = MessageLabel("Notice")
        layout.addWidget(self.notice)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Apply
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save settings and close")
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setAccessibleName("Apply settings")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(lambda: self.save(close=True))
        self.apply_button.clicked.connect(lambda: self.save(close=False))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._fit_size(parent)
        self._set_ready(False)
        session.keychain_changed.connect(self._show_keychain)
        self._show_keychain()
        self._load()

    def _fit_size(self, parent: QWidget | None) -> None:
        line = self.fontMetrics().lineSpacing()
        width, height = em(self, 130), line * 46
        if parent is not None:
            width = min(width, max(em(self, 70), parent.width() - em(self, 8)))
            height = min(height, max(line * 24, parent.height() - line * 3))
        self.resize(width, height)

    # -- building ---------------------------------------------------------------------------

    def _tab_body(self) -> tuple[QWidget, QVBoxLayout]:
        body = QWidget()
        column = QVBoxLayout(body)
        margin = em(self, 1.5)
        column.setContentsMargins(margin, margin, margin, margin)
        column.setSpacing(em(self, 1.0))
        return body, column

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(em(self, 2))
        form.setVerticalSpacing(em(self, 0.5))
        return form

    def _build_profile(self) -> QWidget:
        body, column = self._tab_body()
        column.addWidget(muted("Printed on letters and reports: the letterhead and the block "
                               "under your signature."))
        form = self._form()
        self.profile_edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.profile_errors: dict[str, MessageLabel] = {}
        for name, caption in PROFILE_FIELDS.items():
            edit: QLineEdit | QPlainTextEdit
            if name == "address":
                edit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + em(self, 2))
            else:
                edit = QLineEdit()
                edit.setPlaceholderText(PROFILE_HINTS.get(name, ""))
                edit.setMaxLength(200)
            edit.setMinimumWidth(em(self, 40))
            error = MessageLabel("Error")
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(em(self, 0.3))
            cell_layout.addWidget(edit)
            cell_layout.addWidget(error)
            form.addRow(_field_caption(caption + ":", edit), cell)
            self.profile_edits[name] = edit
            self.profile_errors[name] = error
        column.addLayout(form)
        self.image_fields: dict[str, ImageField] = {}
        for kind, label in IMAGE_KINDS.items():
            caption = QLabel(label)
            caption.setFont(scaled_font(1.05, bold=True))
            column.addWidget(caption)
            image = ImageField(kind, self._session)
            self.image_fields[kind] = image
            column.addWidget(image)
        column.addStretch(1)
        return body

    def _build_security(self) -> QWidget:
        body, column = self._tab_body()
        spec = VAULT_SETTINGS["lock.after_minutes"]
        self.minutes = QSpinBox()
        self.minutes.setRange(spec.minimum or 1, spec.maximum or 120)
        self.minutes.setSuffix(" minutes")
        self.minutes.setAccessibleName(spec.label)
        self.minutes.setMinimumWidth(em(self, 16))
        row = QHBoxLayout()
        caption = QLabel("&Lock after this long without activity:")
        caption.setBuddy(self.minutes)
        row.addWidget(caption)
        row.addWidget(self.minutes)
        row.addStretch(1)
        column.addLayout(row)
        self.on_suspend = QCheckBox("Lock when the computer goes to &sleep")
        self.on_suspend.setAccessibleName(VAULT_SETTINGS["lock.on_suspend"].label)
        column.addWidget(self.on_suspend)
        column.addWidget(muted("Locking closes the vault and clears every record from the "
                               "screen; Ctrl+L locks at once."))
        snapshot = self._session.snapshot
        self.minutes.setValue(snapshot.lock_after_minutes if snapshot else int(spec.default))
        self.on_suspend.setChecked(snapshot.lock_on_suspend if snapshot else True)

        keychain_caption = QLabel("Remembered on this computer")
        keychain_caption.setFont(scaled_font(1.05, bold=True))
        column.addWidget(keychain_caption)
        self.keychain_note = muted("")
        self.keychain_note.setAccessibleName("Remembered on this computer")
        column.addWidget(self.keychain_note)
        self.forget_button = QPushButton("&Forget on this computer")
        self.forget_button.setAccessibleName("Forget the vault key on this computer")
        self.forget_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.forget_button.clicked.connect(self._forget)
        column.addWidget(self.forget_button)

        kit_caption = QLabel("Emergency Kit")
        kit_caption.setFont(scaled_font(1.05, bold=True))
        column.addWidget(kit_caption)
        kit_text = muted("Lost the printed recovery key, or never printed it? A new Emergency "
                         "Kit comes with a new recovery key; the old one stops working.")
        kit_text.setWordWrap(True)
        column.addWidget(kit_text)
        self.kit_button = QPushButton("New &Emergency Kit…")
        self.kit_button.setAccessibleName("New Emergency Kit")
        self.kit_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.kit_button.clicked.connect(self.new_emergency_kit)
        column.addWidget(self.kit_button)
        self.kit_status = MessageLabel("Notice")
        self.kit_status.setAccessibleName("Emergency Kit")
        column.addWidget(self.kit_status)
        column.addStretch(1)
        return body

    def new_emergency_kit(self) -> NewEmergencyKitDialog | None:
        """Re-enter the passphrase, issue a new recovery key, save its Emergency Kit."""
        vault = self._session.vault
        if vault is None:
            return None
        dialog = NewEmergencyKitDialog(vault, self._session.tasks, choose_path=self.choose_path,
                                       parent=self)
        dialog.saved.connect(lambda path: self.kit_status.show_message(
            f"Emergency Kit saved to {path}. Print it; the previous recovery key no longer "
            "works."))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _build_backups(self) -> QWidget:
        body, column = self._tab_body()
        column.addWidget(muted("Backups are encrypted with this vault's key and open only with "
                               "its passphrase or recovery key. Keep a copy on another drive."))
        self.last_backup = QLabel("Last backup: …")
        self.last_backup.setFont(scaled_font(1.05, bold=True))
        self.last_backup.setAccessibleName("Last backup")
        self.last_backup.setWordWrap(True)
        column.addWidget(self.last_backup)
        self.backup_warning = MessageLabel("Warning")
        column.addWidget(self.backup_warning)

        form = self._form()
        self.backup_folder = QLineEdit()
        self.backup_folder.setAccessibleName("Backup folder")
        self.backup_folder.setPlaceholderText(str(default_backup_folder(self._session.paths)))
        self.backup_folder.setToolTip("Empty: the default folder, "
                                      f"{default_backup_folder(self._session.paths)}")
        self.choose_folder_button = QPushButton("C&hoose…")
        self.choose_folder_button.setAccessibleName("Choose the backup folder")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.backup_folder, 1)
        folder_row.addWidget(self.choose_folder_button)
        self.folder_error = MessageLabel("Error")
        folder_cell = QWidget()
        folder_layout = QVBoxLayout(folder_cell)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.setSpacing(em(self, 0.3))
        folder_layout.addLayout(folder_row)
        folder_layout.addWidget(self.folder_error)
        form.addRow(_field_caption("Backup &folder:", self.backup_folder), folder_cell)

        self.on_close_box = QCheckBox("Back up when Tandem &closes")
        self.on_close_box.setAccessibleName(VAULT_SETTINGS["backup.on_close"].label)
        self.daily_box = QCheckBox("Back up once a &day (in the background)")
        self.daily_box.setAccessibleName(VAULT_SETTINGS["backup.daily"].label)
        boxes = QVBoxLayout()
        boxes.addWidget(self.on_close_box)
        boxes.addWidget(self.daily_box)
        form.addRow(QLabel("Automatically:"), boxes)

        keep_spec = VAULT_SETTINGS["backup.keep"]
        self.keep_spin = QSpinBox()
        self.keep_spin.setRange(keep_spec.minimum or 1, keep_spec.maximum or 365)
        self.keep_spin.setSuffix(" backups")
        self.keep_spin.setMinimumWidth(em(self, 16))
        self.keep_spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.keep_spin.setAccessibleName(keep_spec.label)
        self.keep_spin.setToolTip("Older backups of this vault in the folder are deleted after "
                                  "each automatic backup.")
        form.addRow(_field_caption("&Keep the newest:", self.keep_spin), self.keep_spin)
        warn_spec = VAULT_SETTINGS["backup.warn_after_days"]
        self.warn_spin = QSpinBox()
        self.warn_spin.setRange(warn_spec.minimum or 1, warn_spec.maximum or 90)
        self.warn_spin.setSuffix(" days")
        self.warn_spin.setMinimumWidth(em(self, 16))
        self.warn_spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.warn_spin.setAccessibleName(warn_spec.label)
        form.addRow(_field_caption("&Warn when older than:", self.warn_spin), self.warn_spin)
        column.addLayout(form)

        now_row = QHBoxLayout()
        self.backup_now_button = QPushButton("Back &up now")
        self.backup_now_button.setAccessibleName("Back up now into the backup folder")
        now_row.addWidget(self.backup_now_button)
        self.backup_busy = BusyRow()
        now_row.addWidget(self.backup_busy, 1)
        now_row.addStretch(1)
        column.addLayout(now_row)
        self.backup_result = MessageLabel("Notice")
        column.addWidget(self.backup_result)

        list_caption = QLabel("This vault's backups in the folder")
        list_caption.setFont(scaled_font(1.05, bold=True))
        column.addWidget(list_caption)
        self.backup_table = QTableWidget(0, 3)
        self.backup_table.setHorizontalHeaderLabels(["Made", "Size", "File"])
        self.backup_table.setAccessibleName("Backups in the folder")
        self.backup_table.verticalHeader().hide()
        self.backup_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backup_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backup_table.setShowGrid(False)
        self.backup_table.setWordWrap(False)
        self.backup_table.setAlternatingRowColors(True)
        header = self.backup_table.horizontalHeader()
        header.setAccessibleName("Backup columns")
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.backup_table.setMinimumHeight(self.fontMetrics().lineSpacing() * 9)
        column.addWidget(self.backup_table, 1)

        self.choose_folder_button.clicked.connect(self._choose_folder)
        self.backup_folder.editingFinished.connect(self._folder_edited)
        self.warn_spin.valueChanged.connect(lambda _v: self._show_backup_age())
        self.backup_now_button.clicked.connect(self._back_up_now)
        return body

    def _build_measures(self) -> QWidget:
        body, column = self._tab_body()
        column.addWidget(muted(
            "The ORS and SRS are copyrighted by Scott D. Miller and Barry L. Duncan. Their free "
            "individual licence covers paper-and-pencil use; giving them on screen (electronic "
            "administration) needs the licensors' permission. Record your licence here — who "
            "holds it, its kind, number and date — so it is on file with the records."))
        self.licence_edit = QPlainTextEdit()
        self.licence_edit.setTabChangesFocus(True)
        self.licence_edit.setPlaceholderText(
            "e.g. Electronic administration licence for ORS/SRS, individual practitioner, "
            "no. …, valid from …")
        self.licence_edit.setAccessibleName(VAULT_SETTINGS[LICENCE_KEY].label)
        self.licence_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        column.addWidget(_field_caption("Outcome measure &licence:", self.licence_edit))
        column.addWidget(self.licence_edit)
        self.licence_error = MessageLabel("Error")
        column.addWidget(self.licence_error)

        rules = QLabel("Alerts")
        rules.setFont(scaled_font(1.05, bold=True))
        column.addWidget(rules)
        form = self._form()
        spec = VAULT_SETTINGS[NO_IMPROVEMENT_KEY]
        self.no_improvement_spin = QSpinBox()
        self.no_improvement_spin.setRange(spec.minimum or 2, spec.maximum or 30)
        self.no_improvement_spin.setPrefix("session ")
        self.no_improvement_spin.setAccessibleName(spec.label)
        form.addRow(_field_caption("Flag no reliable &improvement by:",
                                   self.no_improvement_spin), self.no_improvement_spin)
        self.cors_rc_spin = QDoubleSpinBox()
        self.cors_rc_spin.setRange(0.0, 40.0)
        self.cors_rc_spin.setDecimals(1)
        self.cors_rc_spin.setSingleStep(0.5)
        self.cors_rc_spin.setSpecialValueText("not set")
        self.cors_rc_spin.setAccessibleName("CORS reliable change (0 means not set)")
        form.addRow(_field_caption("&CORS reliable change:", self.cors_rc_spin),
                    self.cors_rc_spin)
        column.addLayout(form)
        column.addWidget(muted("No reliable-change value is established for the CORS; set one "
                               "only if your service uses one. The ORS uses 5.0."))

        pin_caption = QLabel("Therapist PIN for leaving client mode")
        pin_caption.setFont(scaled_font(1.05, bold=True))
        column.addWidget(pin_caption)
        self.pin_status = muted("Without a PIN, only the vault passphrase ends client mode.")
        self.pin_status.setAccessibleName("Therapist PIN status")
        column.addWidget(self.pin_status)
        pin_form = self._form()
        self.pin_edit = QLineEdit()
        self.pin_repeat = QLineEdit()
        for edit, name in ((self.pin_edit, "New PIN"), (self.pin_repeat, "New PIN again")):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(8)
            edit.setAccessibleName(name)
        pin_form.addRow(_field_caption("New &PIN (4–8 digits):", self.pin_edit), self.pin_edit)
        pin_form.addRow(_field_caption("PIN &again:", self.pin_repeat), self.pin_repeat)
        column.addLayout(pin_form)
        self.pin_remove = QCheckBox("&Remove the PIN (the passphrase ends client mode)")
        self.pin_remove.setAccessibleName("Remove the therapist PIN")
        column.addWidget(self.pin_remove)
        self.pin_error = MessageLabel("Error")
        column.addWidget(self.pin_error)
        column.addStretch(1)
        return body

    def _show_pin_status(self) -> None:
        """Say whether a PIN is set (read off the UI thread)."""
        vault = self._vault
        if vault is None:
            return
        from storage import pin_repo

        def shown(has_pin: bool) -> None:
            self.pin_status.setText(
                "A PIN is set: it ends client mode (three tries, then the passphrase)."
                if has_pin else "No PIN is set: only the vault passphrase ends client mode.")

        self._session.tasks.run(lambda: pin_repo.pin_hash(vault).result() is not None, shown,
                                lambda _e: None, context=self)

    # -- loading ----------------------------------------------------------------------------

    def _inputs(self) -> list[QWidget]:
        return [*self.profile_edits.values(),
                *(b for f in self.image_fields.values()
                  for b in (f.choose_button, f.remove_button)),
                self.backup_folder, self.choose_folder_button, self.on_close_box,
                self.daily_box, self.keep_spin, self.warn_spin, self.backup_now_button,
                self.licence_edit, self.no_improvement_spin, self.cors_rc_spin,
                self.pin_edit, self.pin_repeat, self.pin_remove]

    def _set_ready(self, ready: bool) -> None:
        for widget in self._inputs():
            widget.setEnabled(ready)
        if ready:
            for image in self.image_fields.values():
                image.remove_button.setEnabled(image.has_image)
        else:
            self.busy.start("Reading the settings…")

    def _load(self) -> None:
        vault = self._vault
        if vault is None:
            return
        paths = self._session.paths
        box = next(iter(self.image_fields.values())).preview_box()
        self._session.tasks.run(lambda: load_settings(vault, paths, box), self._on_loaded,
                                self._on_load_failed, context=self)

    @property
    def loaded(self) -> bool:
        """True once every tab shows the stored values."""
        return self._loaded is not None

    def _on_loaded(self, data: LoadedSettings) -> None:
        self.busy.stop()
        self._loaded = data
        self._baseline = dict(data.values)
        self._baseline_profile = data.profile
        for name, edit in self.profile_edits.items():
            value = getattr(data.profile, name)
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            else:
                edit.setText(value)
        for kind, image in self.image_fields.items():
            image.set_stored(data.images.get(kind))
        values = data.values
        self.backup_folder.setText(str(values["backup.folder"]))
        self.on_close_box.setChecked(bool(values["backup.on_close"]))
        self.daily_box.setChecked(bool(values["backup.daily"]))
        self.keep_spin.setValue(int(values["backup.keep"]))
        self.warn_spin.setValue(int(values["backup.warn_after_days"]))
        self.licence_edit.setPlainText(str(values[LICENCE_KEY]))
        self.no_improvement_spin.setValue(int(values[NO_IMPROVEMENT_KEY]))
        self.cors_rc_spin.setValue(int(values[CORS_RC_KEY]) / 10)
        self._show_pin_status()
        self._show_backup_status(data.backup)
        self._set_ready(True)
        pending = self._save_when_loaded
        self._save_when_loaded = None
        if pending is not None:
            self.save(close=pending)

    def _on_load_failed(self, error: BaseException) -> None:
        self.busy.stop()
        self.error.show_message("The settings could not be read: " + describe(error))

    # -- backups tab ------------------------------------------------------------------------

    def _now(self) -> datetime:
        if self._scheduler is not None:
            return self._scheduler.now()
        vault = self._session.vault
        from app.clock import SystemClock

        return vault.clock.now() if vault is not None else SystemClock().now()

    def _show_backup_status(self, status: BackupStatus) -> None:
        self._status = status
        self._show_backup_age()
        self._show_backup_files(status.policy.folder, list(status.backups))

    def _show_backup_age(self) -> None:
        status = self._status
        if status is None:
            return
        now = self._now()
        age = status.age(now)
        if status.last_backup_at is None:
            self.last_backup.setText("Last backup: never")
        else:
            self.last_backup.setText(f"Last backup: {local_time(status.last_backup_at)} "
                                     f"({age_text(age) if age is not None else ''})")
        self.last_backup.setAccessibleDescription(self.last_backup.text())
        days = self.warn_spin.value()
        if status.failure:
            self.backup_warning.show_message(
                f"The last automatic backup failed: {status.failure}")
        elif age is None:
            self.backup_warning.show_message(
                "There is no backup of this vault yet. If this computer is lost or its disk "
                "fails, the records are gone: back up now.")
        elif age.total_seconds() > days * 86400:
            self.backup_warning.show_message(
                f"The last backup is older than {days} day{'s' if days != 1 else ''}. "
                "Back up now, and keep a copy on another drive.")
        else:
            self.backup_warning.clear_message()

    def _show_backup_files(self, folder: Path, backups: list[BackupFile]) -> None:
        self._listed_folder = folder
        self.backup_table.setRowCount(len(backups))
        for row, backup in enumerate(backups):
            for column, text in enumerate((local_time(backup.created_at),
                                           format_size(backup.size), backup.path.name)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.backup_table.setItem(row, column, item)
        self.backup_table.setToolTip(f"In {folder}")
        self.backup_table.setAccessibleDescription(
            f"{len(backups)} backup{'s' if len(backups) != 1 else ''} in {folder}")

    def chosen_backup_folder(self) -> Path:
        """The folder the Backups tab names (the default when empty)."""
        text = self.backup_folder.text().strip()
        return Path(text).expanduser() if text else default_backup_folder(self._session.paths)

    def _choose_folder(self) -> None:
        chosen = self._session.prompts.choose_folder(self, "Choose the backup folder",
                                                     self.chosen_backup_folder())
        if chosen is None or self._session.vault is None:
            return
        self.backup_folder.setText(str(chosen))
        self._folder_edited()

    def _folder_edited(self) -> None:
        vault = self._vault
        if vault is None or self._loaded is None:
            return
        problem = check_backup_folder(self.backup_folder.text(), self._loaded.vault_folder)
        self.folder_error.show_message(problem)
        if problem:
            return
        self._refresh_backups()

    def _refresh_backups(self) -> None:
        vault = self._vault
        if vault is None or self._session.vault is not vault:
            return
        folder = self.chosen_backup_folder()
        paths = self._session.paths

        def run() -> tuple[BackupStatus, list[BackupFile]]:
            from storage.backup_rotation import backups_of

            status = read_status(vault, paths)
            try:
                files = backups_of(folder, vault.vault_id)
            except OSError:
                files = []
            return status, files

        def done(result: tuple[BackupStatus, list[BackupFile]]) -> None:
            status, files = result
            self._status = status
            self._show_backup_age()
            self._show_backup_files(folder, files)

        self._session.tasks.run(run, done, lambda _e: None, context=self)

    def _back_up_now(self) -> None:
        if self._loaded is None:
            return
        self.backup_result.clear_message()
        problem = check_backup_folder(self.backup_folder.text(), self._loaded.vault_folder)
        self.folder_error.show_message(problem)
        if problem:
            self.backup_folder.setFocus()
            return
        folder = self.chosen_backup_folder()
        self.backup_now_button.setEnabled(False)
        self.backup_busy.start("Backing up…")

        def done(path: Path) -> None:
            self.backup_busy.stop()
            self.backup_now_button.setEnabled(True)
            self.backup_result.show_message(f"Backup written and verified: {path.name}")
            self._refresh_backups()

        def failed(message: str) -> None:
            self.backup_busy.stop()
            self.backup_now_button.setEnabled(True)
            self.folder_error.show_message(message)

        started = (self._scheduler.back_up_now(folder, done, failed)
                   if self._scheduler is not None else
                   self._session.back_up(folder, done, failed, context=self))
        if not started:
            failed("A backup is already being made; try again in a moment.")

    # -- security tab -----------------------------------------------------------------------

    def _show_keychain(self) -> None:
        status = self._session.keychain_status
        remembered = bool(status is not None and status.has_key
                          and status.folder == self._session.folder)
        if status is None:
            text = "Checking this computer's keychain…"
        elif remembered:
            text = ("This computer remembers the vault's key, so it can be unlocked without the "
                    "passphrase. Forget it when others use this computer account. "
                    "(Takes effect at once.)")
        else:
            text = ("This computer does not remember the vault's key: the passphrase is asked "
                    "at every unlock. " + (status.description or ""))
        self.keychain_note.setText(text.strip())
        self.keychain_note.setAccessibleDescription(text.strip())
        self.forget_button.setVisible(remembered)

    def _forget(self) -> None:
        self._session.forget_on_this_computer()
        self.forget_button.setEnabled(False)

    # -- saving -----------------------------------------------------------------------------

    def _profile_from_fields(self) -> PracticeProfile:
        values = {}
        for name, edit in self.profile_edits.items():
            values[name] = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
        return PracticeProfile(**values)

    def _clear_errors(self) -> None:
        for label in (*self.profile_errors.values(), self.folder_error, self.licence_error,
                      self.error, self.notice):
            label.clear_message()

    def validate(self) -> list[tuple[int, QWidget, str]]:
        """Every problem as (tab, field, message), shown under its field; [] when all is well."""
        assert self._loaded is not None
        problems: list[tuple[int, QWidget, str]] = []
        profile = self._profile_from_fields()
        for f in fields(PracticeProfile):
            value = getattr(profile, f.name)
            message = ""
            try:
                validate_profile(PracticeProfile(**{f.name: value}))
            except InvalidInput as exc:
                message = exc.message
            if not message and f.name == "email" and value.strip() and \
                    not _EMAIL.fullmatch(value.strip()):
                message = "The email address does not look like one (name@example.org)."
            if message:
                self.profile_errors[f.name].show_message(message)
                problems.append((TAB_PROFILE, self.profile_edits[f.name], message))
        folder_problem = check_backup_folder(self.backup_folder.text(),
                                             self._loaded.vault_folder)
        if folder_problem:
            self.folder_error.show_message(folder_problem)
            problems.append((TAB_BACKUPS, self.backup_folder, folder_problem))
        try:
            VAULT_SETTINGS[LICENCE_KEY].validate(self.licence_edit.toPlainText())
        except InvalidInput as exc:
            self.licence_error.show_message(exc.message)
            problems.append((TAB_MEASURES, self.licence_edit, exc.message))
        pin, again = self.pin_edit.text(), self.pin_repeat.text()
        if pin or again:
            try:
                validate_new_pin(pin)
                if pin != again:
                    raise InvalidInput("The two PINs differ.")
            except InvalidInput as exc:
                self.pin_error.show_message(exc.message)
                problems.append((TAB_MEASURES, self.pin_edit, exc.message))
        return problems

    def _values(self) -> dict[str, Any]:
        return {
            "lock.after_minutes": self.minutes.value(),
            "lock.on_suspend": self.on_suspend.isChecked(),
            "backup.folder": self.backup_folder.text().strip(),
            "backup.on_close": self.on_close_box.isChecked(),
            "backup.daily": self.daily_box.isChecked(),
            "backup.keep": self.keep_spin.value(),
            "backup.warn_after_days": self.warn_spin.value(),
            LICENCE_KEY: VAULT_SETTINGS[LICENCE_KEY].validate(self.licence_edit.toPlainText()),
            NO_IMPROVEMENT_KEY: self.no_improvement_spin.value(),
            CORS_RC_KEY: round(self.cors_rc_spin.value() * 10),
        }

    def save(self, close: bool) -> None:
        """Validate, then write what changed (off the UI thread); OK also closes."""
        if self._saving:
            return
        if self._loaded is None:
            self._save_when_loaded = close  # OK pressed before the values arrived
            return
        self._clear_errors()
        problems = self.validate()
        if problems:
            tab, widget, _message = problems[0]
            self.tabs.setCurrentIndex(tab)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            self.error.show_message(
                "Nothing was saved: correct the field marked in red." if len(problems) == 1 else
                f"Nothing was saved: correct the {len(problems)} fields marked in red.")
            return
        vault = self._vault
        if vault is None or self._session.vault is not vault:
            self.error.show_message("The vault is locked; nothing was saved.")
            return
        values = self._values()
        changed = {k: v for k, v in values.items()
                   if k not in LOCK_KEYS and self._baseline.get(k) != v}
        profile = validate_profile(self._profile_from_fields())
        profile_changed = profile != self._baseline_profile
        images = {kind: f.pending for kind, f in self.image_fields.items() if f.dirty}
        new_pin = self.pin_edit.text() or None
        remove_pin = self.pin_remove.isChecked() and new_pin is None

        def work() -> None:
            from storage import pin_repo, profile_repo, settings_repo

            for key, value in changed.items():
                settings_repo.put(vault, key, value)
            if new_pin is not None or remove_pin:
                pin_repo.set_pin(vault, new_pin).result()
            if profile_changed:
                profile_repo.save_profile(vault, profile).result()
            for kind, data in images.items():
                profile_repo.save_image(vault, kind, data).result()

        self._saving = True
        self._save_error = ""
        self.busy.start("Saving…")
        self.save_button.setEnabled(False)
        self.apply_button.setEnabled(False)

        def rest_failed(error: BaseException) -> None:
            self._save_error = describe(error)

        def all_saved(_none: None) -> None:
            self._finish_save(close, values, profile, images)

        self._session.tasks.run(work, None, rest_failed, context=self)
        started = self._session.save_settings(values["lock.after_minutes"],
                                              values["lock.on_suspend"], all_saved,
                                              self._save_failed, context=self)
        if not started:
            self._save_failed("The vault is locked; nothing was saved.")

    def _finish_save(self, close: bool, values: dict[str, Any], profile: PracticeProfile,
                     images: dict[str, bytes | None]) -> None:
        self._saving = False
        self.busy.stop()
        self.save_button.setEnabled(True)
        self.apply_button.setEnabled(True)
        if self._save_error:
            self.error.show_message("Some settings were not saved: " + self._save_error)
            return
        self._baseline = dict(values)
        self._baseline_profile = profile
        for edit in (self.pin_edit, self.pin_repeat):
            edit.clear()
        self.pin_remove.setChecked(False)
        self._show_pin_status()
        for kind in images:
            self.image_fields[kind].dirty = False
        self.saved.emit()
        if close:
            self.accept()
        else:
            self.notice.show_message("Saved.")
            self._refresh_backups()

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self.busy.stop()
        self.save_button.setEnabled(True)
        self.apply_button.setEnabled(True)
        self.error.show_message(message)

    # -- locking ----------------------------------------------------------------------------

    def wipe(self) -> None:
        """Forget every value shown (the vault is locking)."""
        self._loaded = None
        self._vault = None
        for edit in self.profile_edits.values():
            edit.clear()
        for image in self.image_fields.values():
            image.set_stored(None)
        self.licence_edit.clear()
        self.backup_table.setRowCount(0)
        for label in self.findChildren(QLabel):
            if isinstance(label, MessageLabel):
                label.clear_message()

