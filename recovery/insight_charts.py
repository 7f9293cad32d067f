"""Kept for compatibility: the insight charts now live in `recovery.insights.charts` and
`recovery.insights.svg_bars`; `from recovery.insight_charts import …` keeps working."""

from recovery.insights.charts import dashboard_chart_data, report_charts
from recovery.insights.svg_bars import (
    BAR_AREA,
    BAR_HEIGHT,
    LABEL_CHARACTERS,
    LABEL_WIDTH,
    ROW_HEIGHT,
    VALUE_GAP,
    WIDTH,
    SvgBar,
    SvgBarChart,
    svg_bar_chart,
)

__all__ = [
    "BAR_AREA",
    "BAR_HEIGHT",
    "LABEL_CHARACTERS",
    "LABEL_WIDTH",
    "ROW_HEIGHT",
    "VALUE_GAP",
    "WIDTH",
    "SvgBar",
    "SvgBarChart",
    "dashboard_chart_data",
    "report_charts",
    "svg_bar_chart",
]
