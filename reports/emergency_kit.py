"""The Emergency Kit: one printed page with the vault's recovery key and what to do with it.

Made to be printed once and kept on paper, away from the computer. It carries the vault's name,
its creation date, the recovery key (large, in eight numbered groups of four, each character in
its own equal-width cell so nothing runs together) and plain instructions: what the key is,
where to keep it, how to use it on the unlock screen, and what happens if it is lost — nobody,
including Tandem's makers, can open the vault without the passphrase or this key. A box is left
to write by hand where the vault lives (a printed path could reveal more than the owner wants).

Nothing else secret is on the page, and the key never goes into the PDF's metadata (title,
subject, keywords): file managers, search indexers and print spoolers read those.

`write_emergency_kit` writes the file atomically (temp file, fsync, rename) with owner-only
permissions (0600) where the OS has them; the temp file's name carries nothing but random hex.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.errors import StorageFailure
from app.recovery_key import RecoveryKey

TITLE = "Tandem Emergency Kit"
NOT_IN_KEY = "There are no letters I, L, O or U in a key: 0 is always zero and 1 is always one."


def _key(recovery_key: RecoveryKey | str | Sequence[str]) -> RecoveryKey:
    """The key, checked: a mistyped or truncated key must never be printed as if it worked."""
    if isinstance(recovery_key, RecoveryKey):
        return recovery_key
    text = recovery_key if isinstance(recovery_key, str) else "".join(recovery_key)
    return RecoveryKey.parse(text)


def _created_text(created_at: datetime | date | str) -> str:
    if isinstance(created_at, str):
        created_at = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    if isinstance(created_at, datetime):
        created_at = created_at.astimezone().date() if created_at.tzinfo else created_at.date()
    return f"{created_at.day} {created_at:%B %Y}"


def instructions() -> list[tuple[str, str]]:
    """The page's sections: (heading, plain text)."""
    return [
        ("What this is",
         "Your recovery key is the only other way into this vault besides your passphrase. "
         "Anyone who has it and a copy of the vault can read your records, so treat it like "
         "the key to a filing cabinet."),
        ("Where to keep it",
         "Keep this page printed, on paper, offline: in a locked drawer, a safe or with your "
         "important documents at home. Not in the same bag as the laptop, not in e-mail, "
         "cloud storage or a photo on your phone. Delete the PDF file once it is printed."),
        ("How to use it",
         "On Tandem's unlock screen choose “Use recovery key instead”, type the 32 characters "
         "above and press Enter. Dashes, spaces and capital letters do not matter. The vault "
         "opens just as it does with your passphrase."),
        ("If it is lost",
         "If you lose both your passphrase and this key, nobody can open the vault — not you, "
         "not an IT helper, and not the makers of Tandem. There is no reset and no back door. "
         "If this page is lost or someone else may have seen it, issue a new recovery key in "
         "Tandem (it asks for your passphrase) and print a new Emergency Kit; the old key "
         "then stops working."),
    ]


class _KeyBox:
    """Builds the key's flowable lazily (reportlab is imported only when a kit is made)."""

    @staticmethod
    def make(groups: Sequence[str], width: float) -> Any:
        from reportlab.platypus import Flowable

        from app.recovery_key import ALPHABET
        from reports.document import FONT, FONT_BOLD, INK, QUIET, RULE, string_width

        char_size = 20.0
        # Every cell as wide as the widest letter the key can hold (W) plus air, so "MW" never
        # touches; at least 16 pt between groups for the dash.
        widest = max(string_width(ch, FONT_BOLD, char_size) for ch in ALPHABET)
        cell_width = min(widest + 2.5, (width - 5 * 16) / 16)

        class KeyGroups(Flowable):  # type: ignore[misc]
            """Eight numbered groups of four in two rows; one equal-width cell per character."""

            cell = cell_width
            row_height = 52.0

            def __init__(self) -> None:
                super().__init__()
                self.width = width
                self.height = 2 * self.row_height + 20

            def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
                return self.width, self.height

            def draw(self) -> None:
                c = self.canv
                c.setStrokeColor(INK)
                c.setLineWidth(1.2)
                c.roundRect(0, 0, self.width, self.height, 6, stroke=1, fill=0)
                per_row = 4
                group_width = 4 * self.cell
                gap = (self.width - per_row * group_width) / (per_row + 1)
                for index, group in enumerate(groups):
                    row, column = divmod(index, per_row)
                    x0 = gap + column * (group_width + gap)
                    baseline = self.height - 14 - (row + 1) * self.row_height + 22
                    c.setFillColor(INK)
                    c.setFont(FONT_BOLD, char_size)
                    for n, ch in enumerate(group):
                        c.drawCentredString(x0 + (n + 0.5) * self.cell, baseline, ch)
                    c.setStrokeColor(RULE)
                    c.setLineWidth(0.6)
                    c.line(x0, baseline - 6, x0 + group_width, baseline - 6)
                    c.setFillColor(QUIET)
                    c.setFont(FONT, 8)
                    c.drawCentredString(x0 + group_width / 2, baseline - 17,
                                        f"group {index + 1}")
                    if column < per_row - 1:  # the dash people may type, shown between groups
                        c.setFillColor(RULE)
                        c.setFont(FONT_BOLD, 16)
                        c.drawCentredString(x0 + group_width + gap / 2, baseline + 3, "–")

        return KeyGroups()


class _WriteIn:
    """A box with ruled lines to fill in by hand."""

    @staticmethod
    def make(labels: Sequence[str], width: float) -> Any:
        from reportlab.platypus import Flowable

        from reports.document import FONT, QUIET, RULE

        class WriteIn(Flowable):  # type: ignore[misc]
            line_gap = 27.0

            def __init__(self) -> None:
                super().__init__()
                self.width = width
                self.height = len(labels) * self.line_gap + 10

            def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
                return self.width, self.height

            def draw(self) -> None:
                c = self.canv
                c.setStrokeColor(QUIET)
                c.setLineWidth(0.8)
                c.rect(0, 0, self.width, self.height, stroke=1, fill=0)
                y = self.height - self.line_gap + 2
                for label in labels:
                    c.setFillColor(QUIET)
                    c.setFont(FONT, 8.5)
                    c.drawString(10, y + 3, label)
                    c.setStrokeColor(RULE)
                    c.setLineWidth(0.6)
                    c.line(150, y, self.width - 10, y)
                    y -= self.line_gap

        return WriteIn()


def render_emergency_kit(vault_name: str, created_at: datetime | date | str,
                         recovery_key: RecoveryKey | str | Sequence[str]) -> bytes:
    """The Emergency Kit as one A4 page of PDF bytes (nothing is written to disk).

    `recovery_key` may be the key itself, its printed form or its groups; it is checked, so a
    key with a typo is refused (RecoveryKeyTypo) rather than printed.
    """
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import KeepInFrame, Spacer, Table, TableStyle

    from reports.document import (
        FONT,
        MARGIN,
        PAGE_SIZE,
        QUIET,
        DocumentInfo,
        PageDecor,
        build_pdf,
        frame_width,
        para,
        styles,
    )

    key = _key(recovery_key)
    width = frame_width()
    s = styles()
    lead = ParagraphStyle("kit_lead", parent=s.body, fontSize=10.5, leading=14.5)
    label = ParagraphStyle("kit_label", parent=s.small, textColor=QUIET)
    value = ParagraphStyle("kit_value", parent=s.body, fontName=s.heading.fontName,
                           fontSize=11.5, leading=15, spaceAfter=0)
    facts = Table([[para("Vault", label), para("Created", label)],
                   [para(vault_name or "—", value), para(_created_text(created_at), value)]],
                  colWidths=[width * 0.62, width * 0.38], hAlign="LEFT")
    facts.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 10),  # else a stray Helvetica
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Any] = [
        para(TITLE, s.title),
        para("Keep this page somewhere safe. If you ever forget your passphrase, the recovery "
             "key below is the only way to open your vault.", lead),
        Spacer(1, 6), facts, Spacer(1, 12),
        para("Recovery key", s.heading),
        _KeyBox.make(key.groups, width),
        Spacer(1, 4),
        para("32 characters in 8 groups of 4. " + NOT_IN_KEY, s.quiet),
        Spacer(1, 6),
    ]
    for heading, text in instructions():
        story += [para(heading, s.heading), para(text, s.body)]
    story += [
        Spacer(1, 6),
        para("Where this vault lives (write it in by hand)", s.heading),
        _WriteIn.make(("Computer", "Folder of the vault", "Backups are kept on",
                       "Printed on"), width),
    ]
    info = DocumentInfo(title=TITLE, author="", subject="Recovery-key printout for one Tandem "
                        "vault; keep it on paper, offline", keywords="Tandem; Emergency Kit")
    decor = PageDecor(footer="Tandem Emergency Kit · keep on paper, away from the computer")
    # One page, always: a very long vault name shrinks the page's content instead of pushing
    # the end of the instructions onto a second sheet that could get separated from the key.
    page = KeepInFrame(width, PAGE_SIZE[1] - 2 * MARGIN - 1, story, mode="shrink")
    return build_pdf([page], info, decor)


def write_private_file(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically, readable by its owner only where the OS allows.

    A temp file with a random name is created next to the target with mode 0600 (POSIX; on
    Windows the file inherits the folder's access list), written and fsynced, then renamed over
    the target, so a crash leaves either the old file or the whole new one.
    """
    target = Path(target)
    tmp = target.with_name(f".{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise StorageFailure(f"Could not write to {target.parent}: {exc.strerror}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name != "nt":
            tmp.chmod(0o600)  # in case the umask or the filesystem widened it
        tmp.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageFailure(f"Could not write {target.name}: {exc.strerror}.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if os.name != "nt":
        with contextlib.suppress(OSError):
            folder = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)


def write_emergency_kit(target: Path, vault_name: str, created_at: datetime | date | str,
                        recovery_key: RecoveryKey | str | Sequence[str]) -> Path:
    """Render the kit and write it to `target` (atomic, owner-only); returns the path."""
    write_private_file(Path(target), render_emergency_kit(vault_name, created_at, recovery_key))
    return Path(target)
