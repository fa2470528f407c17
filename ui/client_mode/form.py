"""What the client's screen is built from, and what it hands back: forms as data, no client data.

`RatingForm` is the small protocol the window needs; `app.measures.MeasureDefinition` satisfies it
as it is, and `SimpleForm` is a definition-like object for scales that have no definition file
(the exposure work's SUDS reading: `suds_form()`). `CompletedRating` is the one thing that leaves
the window. `ScreenMetrics` and `line_length` decide how long a line is on the chosen screen.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from PySide6.QtGui import QGuiApplication, QScreen

CM_PER_INCH = 2.54
LINE_CM = 10.0
SANE_DPI = (50.0, 600.0)
"""Physical DPI outside this range is a screen that does not know its size (TVs, projectors,
virtual displays): the line then falls back to a fraction of the window's width."""
FALLBACK_FRACTION = 0.45
MIN_LINE_PX = 120


class FormItem(Protocol):
    """One line of a form (`app.measures.MeasureItem` is one)."""

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def label(self) -> str: ...  # noqa: D102
    @property
    def description(self) -> str: ...  # noqa: D102
    @property
    def left_anchor(self) -> str: ...  # noqa: D102
    @property
    def right_anchor(self) -> str: ...  # noqa: D102


class RatingForm(Protocol):
    """What the client's screen shows (`app.measures.MeasureDefinition` is one)."""

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def hash(self) -> str: ...  # noqa: D102
    @property
    def instructions(self) -> str: ...  # noqa: D102
    @property
    def items(self) -> Sequence[FormItem]: ...  # noqa: D102
    @property
    def item_max_tenths(self) -> int: ...  # noqa: D102
    @property
    def copyright(self) -> str: ...  # noqa: D102


@dataclass(frozen=True)
class SimpleItem:
    """A line of a `SimpleForm`."""

    id: str
    label: str
    description: str = ""
    left_anchor: str = ""
    right_anchor: str = ""


@dataclass(frozen=True)
class SimpleForm:
    """A form given as data in code (SUDS), with a hash of its content like a definition's."""

    id: str
    instructions: str
    items: tuple[SimpleItem, ...]
    item_max_tenths: int = 100
    copyright: str = ""
    hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("A form needs at least one line.")
        if not self.hash:
            content = {"id": self.id, "instructions": self.instructions,
                       "items": [asdict(i) for i in self.items],
                       "item_max_tenths": self.item_max_tenths, "copyright": self.copyright}
            canonical = json.dumps(content, sort_keys=True, separators=(",", ":"),
                                   ensure_ascii=False)
            object.__setattr__(self, "hash", hashlib.sha256(canonical.encode()).hexdigest())


SUDS_MAX_TENTHS = 1000
"""SUDS runs 0–100: in tenths 0–1000, so a reading's tenths / 10 is the SUDS value."""


def suds_form(instructions: str = "Please mark on the line how you feel right now.",
              left_anchor: str = "No distress",
              right_anchor: str = "Worst distress imaginable",
              label: str = "How much distress do you feel?") -> SimpleForm:
    """One big 0–100 line for a SUDS reading (repeat it with `next_reading()`)."""
    return SimpleForm("suds", instructions,
                      (SimpleItem("suds", label, "", left_anchor, right_anchor),),
                      item_max_tenths=SUDS_MAX_TENTHS, copyright="")


def suds_value(rating: CompletedRating) -> int:
    """A SUDS reading (0–100, whole number) from a completed `suds_form()`."""
    return round(rating.items_tenths[0] / 10)


@dataclass(frozen=True)
class CompletedRating:
    """What the client's screen hands to the submit callback: scores and how they were captured.

    `capture` holds the raw mark positions (px along the line), the line's length (px), the
    screen's logical and physical DPI, its device pixel ratio, name and size: no timing, no names.
    """

    measure_id: str
    definition_hash: str
    items_tenths: tuple[int, ...]
    capture: Mapping[str, Any]


@dataclass(frozen=True)
class ScreenMetrics:
    """The facts about a screen the line's length depends on (injectable in tests)."""

    physical_dpi: float
    logical_dpi: float = 96.0
    device_pixel_ratio: float = 1.0
    screen_name: str = ""
    screen_size: tuple[int, int] = (0, 0)

    @classmethod
    def of(cls, screen: QScreen | None) -> ScreenMetrics:
        """The metrics of `screen` (the primary screen when None)."""
        screen = screen or QGuiApplication.primaryScreen()
        if screen is None:  # pragma: no cover - no screen at all: nothing sane to measure
            return cls(0.0)
        size = screen.size()
        return cls(float(screen.physicalDotsPerInch()), float(screen.logicalDotsPerInch()),
                   float(screen.devicePixelRatio()), screen.name(), (size.width(), size.height()))

    @property
    def physical_dpi_sane(self) -> bool:
        """True when the screen's reported size can be trusted for a 10 cm line."""
        return math.isfinite(self.physical_dpi) and \
            SANE_DPI[0] <= self.physical_dpi <= SANE_DPI[1]

    def capture(self) -> dict[str, Any]:
        """These metrics as the capture fields stored with a rating."""
        return {"logical_dpi": round(self.logical_dpi, 2),
                "physical_dpi": round(self.physical_dpi, 2),
                "device_pixel_ratio": round(self.device_pixel_ratio, 3),
                "screen_name": self.screen_name,
                "screen_size": list(self.screen_size)}


def line_length(metrics: ScreenMetrics, available_px: int, window_px: int) -> tuple[int, str]:
    """The line's length in device-independent px, and how it was decided.

    10 cm where the screen reports a sane physical DPI (Qt gives it in device-independent dots,
    so no device-pixel-ratio factor), else a fraction of the window's width; never longer than
    the room available. The score does not depend on it: only the mark's fraction does.
    """
    if metrics.physical_dpi_sane:
        wanted, basis = round(LINE_CM / CM_PER_INCH * metrics.physical_dpi), "10cm"
    else:
        wanted, basis = round(window_px * FALLBACK_FRACTION), "window_fraction"
    if wanted > available_px:
        return max(available_px, 1), "available_width"
    return max(wanted, min(MIN_LINE_PX, available_px), 1), basis
