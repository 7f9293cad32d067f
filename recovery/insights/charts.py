"""Charts for the insight pages, from the insight figures (no database access here).

The dashboard draws with Chart.js in the browser: `dashboard_chart_data` is the
JSON the page hands to `static/js/insights.js` through `json_script` (money as
exact decimal strings). The printed monthly report uses small bar charts drawn
as SVG (`svg_bars`), so paper gets crisp vector bars without any script.
Every chart also has its figures in a table on the page.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext

from compensation import wording
from compensation.money import Amounts, quantize
from recovery.insights.dashboard import Dashboard
from recovery.insights.report import MonthlyReport
from recovery.insights.svg_bars import SvgBarChart, svg_bar_chart
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
