"""The live passphrase strength meter: a bar, a word and advice (never colour alone)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.passphrase_strength import Strength, estimate
from ui.widgets.style import em, scaled_font

SEGMENTS = 5
SCORE_COLOURS = ("#b42318", "#c4320a", "#a15c07", "#2e7d32", "#1b5e20")
EMPTY_COLOUR = "#dfe4e9"


class StrengthMeter(QWidget):
    """Shows how hard a passphrase is to guess, and whether Tandem accepts it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Passphrase strength")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em(self, 0.5))
        bar = QHBoxLayout()
        bar.setSpacing(em(self, 0.4))
        self._segments: list[QFrame] = []
        for _ in range(SEGMENTS):
            segment = QFrame(self)
            segment.setFixedHeight(max(6, self.fontMetrics().height() // 3))
            segment.setMinimumWidth(em(self, 3))
            self._segments.append(segment)
            bar.addWidget(segment)
        layout.addLayout(bar)
        self.verdict = QLabel(self)
        self.verdict.setFont(scaled_font(1.0, bold=True))
        self.verdict.setAccessibleName("Strength verdict")
        self.advice = QLabel(self)
        self.advice.setObjectName("Muted")
        self.advice.setWordWrap(True)
        self.advice.setAccessibleName("Strength advice")
        layout.addWidget(self.verdict)
        layout.addWidget(self.advice)
        self.strength: Strength = estimate("")
        self.update_for("")

    def update_for(self, passphrase: str) -> Strength:
        """Re-estimate for `passphrase` and show the result."""
        strength = estimate(passphrase)
        self.strength = strength
        filled = 0 if not passphrase else strength.score + 1
        colour = SCORE_COLOURS[min(strength.score, len(SCORE_COLOURS) - 1)]
        for i, segment in enumerate(self._segments):
            fill = colour if i < filled else EMPTY_COLOUR
            segment.setStyleSheet(f"background: {fill}; border-radius: 2px;")
        if not passphrase:
            verdict = "Strength: not entered yet"
        elif strength.acceptable:
            verdict = f"Strength: {strength.label} — strong enough"
        else:
            verdict = f"Strength: {strength.label} — not strong enough yet"
        self.verdict.setText(verdict)
        self.advice.setText(strength.advice)
        self.setAccessibleDescription(f"{verdict}. {strength.advice}")
        return strength
