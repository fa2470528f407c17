"""Every control is named for screen readers and reachable by keyboard; no fixed pixel fonts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QLineEdit,
    QWidget,
)

from tests.conftest import PASSPHRASE
from tests.ui.conftest import UI, ClosedVault
from ui.dialogs.change_passphrase import ChangePassphraseDialog
from ui.dialogs.vault_settings import VaultSettingsDialog
from ui.pages.create_vault import CreateVaultPage
from ui.pages.recovery_key import RecoveryKeyPage
from ui.pages.unlock import UnlockPage
from ui.pages.workspace import WorkspacePage
from ui.widgets.style import STYLE_SHEET

CONTROLS = (QAbstractButton, QLineEdit, QAbstractSpinBox, QAbstractItemView)


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(root):
            continue
        if type(widget).__name__ in {"QScrollBar"} or widget.parent().inherits("QAbstractSpinBox"):
            continue
        if widget.objectName().startswith("qt_"):
            continue
        # Qt names a button after its visible text when no name is set (QDialogButtonBox).
        implicit = widget.text().replace("&", "") if isinstance(widget, QAbstractButton) else ""
        if not widget.accessibleName() and not implicit:
            missing.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}")
    return missing


def focus_chain(root: QWidget, start: QWidget, steps: int = 40) -> list[QWidget]:
    chain = []
    widget = start
    for _ in range(steps):
        widget = widget.nextInFocusChain()
        if widget is start:
            break
        if widget.isVisibleTo(root) and widget.isEnabled() and \
                widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(widget)
    return chain


def test_create_page_controls_are_named_and_in_order(ui: UI) -> None:
    ui.session.start()
    page = ui.wait_for_page(CreateVaultPage)
    assert unnamed_controls(page) == []
    chain = focus_chain(page, page.location_edit)
    order = [page.browse_button, page.name_edit, page.passphrase_edit, page.repeat_edit]
    assert [w for w in chain if w in order] == order


def test_unlock_page_controls_are_named_and_in_order(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(lambda: page.keychain_checked)
    assert unnamed_controls(page) == []
    chain = focus_chain(page, page.secret_edit)
    order = [page.mode_link, page.remember_box, page.unlock_button, page.open_link,
             page.create_link]
    assert [w for w in chain if w in order] == order


def test_recovery_and_workspace_and_dialogs_are_named(ui: UI, tmp_path: Path) -> None:
    ui.session.create_vault(tmp_path / "A.tandem", "A", PASSPHRASE, lambda m: None)
    page = ui.wait_for_page(RecoveryKeyPage)
    assert unnamed_controls(page) == []
    ui.session.confirm_recovery_key()
    workspace = ui.wait_for_page(WorkspacePage)
    assert unnamed_controls(workspace) == []
    ui.window.passphrase_action.trigger()
    assert unnamed_controls(ui.window.findChild(ChangePassphraseDialog)) == []
    ui.window.lock_action.trigger()
    ui.unlock()
    ui.window.settings_action.trigger()
    assert unnamed_controls(ui.window.findChild(VaultSettingsDialog)) == []


def test_unlock_by_keyboard_alone(ui: UI, closed_vault: ClosedVault) -> None:
    ui.session.show_vault(closed_vault.folder)
    page = ui.wait_for_page(UnlockPage)
    ui.qtbot.waitUntil(page.secret_edit.hasFocus)  # the field has the cursor from the start
    ui.unlock()


def test_no_fixed_pixel_font_sizes() -> None:
    assert "font-size" not in STYLE_SHEET
    for path in (Path(__file__).resolve().parents[2] / "ui").rglob("*.py"):
        source = path.read_text("utf-8")
        assert "setPixelSize(" not in source.replace("font.setPixelSize(max(1, round(", "") \
            or path.name == "style.py", path
        assert "setPointSize(" not in source, path
