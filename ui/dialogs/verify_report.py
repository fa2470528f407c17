"""What `Verify vault` found: each check on its own line, passed or failed in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from storage.vault import VerifyReport
from ui.widgets.common import MessageLabel, heading
from ui.widgets.style import em, scaled_font


def report_lines(report: VerifyReport) -> list[tuple[str, bool, str]]:
    """(check, passed, what was found) for each check the vault ran."""
    def found(problems: list[str]) -> str:
        if not problems:
            return "No problems found."
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return problems[0][:200] + more

    chain = report.audit_chain
    entries = "1 entry is" if chain.entries == 1 else f"All {chain.entries} entries are"
    chain_text = (f"{entries} linked and unaltered." if chain.intact
                  else f"Broken at entry {chain.first_broken_seq}: {chain.problem}.")
    return [
        ("Database structure (quick check)", not report.quick_check, found(report.quick_check)),
        ("Database structure (full check)", not report.integrity_check,
         found(report.integrity_check)),
        ("Encrypted pages authenticate", not report.cipher_integrity_check,
         found(report.cipher_integrity_check)),
        ("Audit trail chain", chain.intact, chain_text),
        ("Key file", not report.keyslots_problem,
         report.keyslots_problem or "Readable and valid."),
    ]


class VerifyReportDialog(QDialog):
    """Shows a VerifyReport."""

    def __init__(self, report: VerifyReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verify vault")
        self.setAccessibleName("Verification result")
        self.setMinimumWidth(em(self, 110))
        layout = QVBoxLayout(self)
        pad = em(self, 2.5)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(em(self, 1))
        layout.addWidget(heading("Verification result", 1.35))
        summary = MessageLabel("Notice" if report.ok else "Error")
        summary.show_message("Every check passed: the vault is intact." if report.ok else
                             "Some checks failed. Nothing was changed. Restore from a recent "
                             "backup, and keep this vault folder as it is for now.")
        layout.addWidget(summary)
        grid = QGridLayout()
        grid.setHorizontalSpacing(em(self, 2))
        grid.setVerticalSpacing(em(self, 0.8))
        self.rows: list[tuple[str, bool, str]] = report_lines(report)
        for row, (check, passed, text) in enumerate(self.rows):
            verdict = QLabel("✓ Passed" if passed else "✗ Failed")
            verdict.setFont(scaled_font(1.0, bold=True))
            verdict.setStyleSheet(f"color: {'#1b5e20' if passed else '#8f1d1d'};")
            name = QLabel(check)
            name.setFont(scaled_font(1.0, bold=True))
            detail = QLabel(text)
            detail.setObjectName("Muted")
            detail.setWordWrap(True)
            detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            verdict.setAccessibleName(f"{check}: {'passed' if passed else 'failed'}")
            detail.setAccessibleName(f"{check}: details")
            grid.addWidget(verdict, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(name, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(detail, row, 2)
        grid.setColumnStretch(2, 1)
        layout.addLayout(grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addStretch(1)
        layout.addWidget(buttons)
