"""Charts for the insight pages, from the selectors' figures (no database access here).

The dashboard draws with Chart.js in the browser: `dashboard_chart_data` is the
JSON the page hands to `static/js/insights.js` through `json_script` (money as
exact decimal strings). The printed monthly report uses small bar charts drawn
here as SVG geometry, so paper gets crisp vector bars without any script.
Every chart also has its figures in a table on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from compensation import wording
from compensation.money import Amounts, quantize
from recovery.insights import Dashboard, MonthlyReport
from recovery.templatetags.desk import money


def _series(key: str, label: str, values, *, money: bool = False) -> dict:
    """One data series: `key` is for the script (the colour of voided money), `label` for the reader."""
    return {"key": key, "label": label, "values": [str(value) for value in values], "money": money}


def _in(amounts: Amounts, currency: str) -> Decimal:
    """The part of a figure in `currency`: a chart plots one currency, never a sum of several."""
    return quantize(amounts.get(currency), currency)


def dashboard_chart_data(dashboard: Dashboard) -> dict:
    """What each `<canvas data-chart="…">` of the dashboard draws (money in the main currency only)."""
    main = dashboard.currency
    budgets = [row for row in dashboard.budgets if row.budget is not None]
    active, voided = gettext("Active"), gettext("Voided")
    return {
        "currency": dashboard.currency,
        "charts": {
            "weekly": {
                "kind": "stacked",
                "labels": [wording.day_month(week.week) for week in dashboard.weeks],
                "series": [
                    _series("active", active, [_in(week.active, main) for week in dashboard.weeks], money=True),
                    _series("voided", voided, [_in(week.voided, main) for week in dashboard.weeks], money=True),
                ],
            },
            "playbooks": {
                "kind": "horizontal",
                "labels": [line.label for line in dashboard.playbooks],
                "series": [
                    _series("active", active, [_in(line.active, main) for line in dashboard.playbooks], money=True)
                ],
            },
            "categories": {
                "kind": "horizontal",
                "labels": [line.label for line in dashboard.categories],
                "series": [
                    _series("active", active, [_in(line.active, main) for line in dashboard.categories], money=True)
                ],
            },
            "locations": {
                "kind": "horizontal",
                "labels": [line.label for line in dashboard.locations],
                "series": [
                    _series("active", active, [_in(line.active, main) for line in dashboard.locations], money=True)
                ],
            },
            "repeat": {
                "kind": "bar",
                "labels": [bucket.label for bucket in dashboard.repeat_buckets],
                "series": [
                    _series("customers", gettext("Customers"), [bucket.count for bucket in dashboard.repeat_buckets])
                ],
            },
            "resolution": {
                "kind": "bar",
                "labels": [bucket.label for bucket in dashboard.resolution],
                "series": [_series("grants", gettext("Grants"), [bucket.count for bucket in dashboard.resolution])],
            },
            "budgets": {
                "kind": "percent",
                "labels": [row.location.name for row in budgets],
                "series": [_series("budget", gettext("Budget used (%)"), [row.percent_used for row in budgets])],
            },
        },
    }


# --- SVG bars for the printed report ------------------------------------------------------------

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


def report_charts(report: MonthlyReport) -> dict[str, SvgBarChart]:
    """The report's bars: lengths in the location's currency, labels with every currency's figure."""
    main = report.currency

    def amount(value: Amounts) -> str:
        return money(value, main)

    return {
        "weeks": svg_bar_chart(
            [
                (
                    gettext("Week of %(day)s") % {"day": wording.day_month(week.week)},
                    _in(week.active, main),
                    amount(week.active),
                )
                for week in report.weeks
            ]
        ),
        "categories": svg_bar_chart(
            [(line.label, line.failures, f"{line.failures} · {amount(line.active)}") for line in report.categories]
        ),
        "playbooks": svg_bar_chart(
            [(line.label, _in(line.active, main), amount(line.active)) for line in report.top_playbooks]
        ),
        "resolution": svg_bar_chart([(bucket.label, bucket.count, str(bucket.count)) for bucket in report.resolution]),
    }
