"""Horizontal SVG bar geometry for the printed monthly report (pure: no database, no Django).

Why apart: the lengths, positions and shortened labels are plain arithmetic on
(label, value, text) rows, tested without a database or a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ROW_HEIGHT = 26
BAR_HEIGHT = 16
LABEL_WIDTH = 250
BAR_AREA = 220
VALUE_GAP = 8
WIDTH = 600
LABEL_CHARACTERS = 32  # about what 13px text fits in LABEL_WIDTH


@dataclass(frozen=True)
class SvgBar:
    label: str  # shortened to fit; `title` has it in full
    title: str
    value_text: str
    y: int
    text_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class SvgBarChart:
    bars: list[SvgBar]
    width: int
    height: int
    bar_x: int
    bar_height: int


def svg_bar_chart(rows: Sequence[tuple[str, Decimal | int, str]]) -> SvgBarChart:
    """Horizontal bars for (label, value, value as text) rows, scaled to the largest value."""
    largest = max((value for _, value, _ in rows), default=0)
    bars = []
    for index, (label, value, text) in enumerate(rows):
        width = int(BAR_AREA * value / largest) if largest > 0 else 0
        if value > 0:
            width = max(width, 1)  # a small but real figure stays visible
        shown = label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        bars.append(
            SvgBar(
                label=shown,
                title=f"{label}: {text}",
                value_text=text,
                y=y,
                text_y=y + BAR_HEIGHT - 3,
                width=width,
                value_x=LABEL_WIDTH + width + VALUE_GAP,
            )
        )
    return SvgBarChart(
        bars=bars, width=WIDTH, height=max(len(rows), 1) * ROW_HEIGHT, bar_x=LABEL_WIDTH, bar_height=BAR_HEIGHT
    )
