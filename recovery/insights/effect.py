"""The monthly report's "What recovery bought": return rates against the baseline, value for money, root causes.

The month's cost is the report's own totals; this adds what that money bought.
A 90-day return rate needs 90 days, so the figures are every case the
location has had up to the end of the report's month, each counted once its
90 days have passed by then (the month's own cases join a later report): the
effect "as known at the end of this month". The failure categories that cost
most in the month are the root causes operations can fix, so recovery is
needed less.

The playbook figures read the location's whole grant history, so the report
request never computes them: they are the background job's
(`recovery.services.effect_figures`, on a `ReportCut`), asked for when missing
or older than an hour; the report shows the last ones meanwhile and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from recovery.domain.effect import MIN_CUSTOMERS, value_for_money_extremes
from recovery.insights.periods import local_date
from recovery.insights.scope import InsightScope, month_scope_for
from recovery.insights.spending import CategoryLine
from recovery.selectors.effect import EffectRow
from recovery.selectors.effect_figures import REPORT_DIMENSION, ReportCut, report_figures_for
from recovery.services.effect_figures import effect_figures_request, effect_figures_stale

COSTLY_CATEGORIES = 3


@dataclass(frozen=True)
class CostlyCategory:
    line: CategoryLine
    percent: int  # of the month's compensation (in the report's currency), whole percent


@dataclass(frozen=True)
class RecoveryBought:
    as_of: dt.date  # the last day the figures have seen (the month's last day, or today in the current month)
    playbooks: list[EffectRow] | None  # by name; None while the job has not computed them yet
    best: EffectRow | None  # most return-rate points per 100 granted; None with fewer than two to compare
    worst: EffectRow | None
    costly_categories: list[CostlyCategory]  # the month's categories with the most compensation, most first
    minimum: int = MIN_CUSTOMERS
    per: Decimal = Decimal("100")  # value for money is counted per this much granted (see GroupEffect.points_per_100)
    computed_at: dt.datetime | None = None  # when the job computed the playbook figures
    computing: bool = False  # fresh figures are asked for: the page polls until they are in


def costly_categories(
    lines: list[CategoryLine], *, currency: str, limit: int = COSTLY_CATEGORIES
) -> list[CostlyCategory]:
    """The categories that cost most (in the report's currency), most first, with their share of the month's cost.

    Categories that cost nothing are left out: a root cause worth fixing first is one that costs money.
    """
    total = sum((line.active.get(currency) for line in lines), Decimal("0"))
    costly = sorted(
        (line for line in lines if line.active.get(currency) > 0),
        key=lambda line: (-line.active.get(currency), line.key),
    )
    return [CostlyCategory(line, round(100 * line.active.get(currency) / total)) for line in costly[:limit]]


def report_cut(scope: InsightScope, currency: str) -> ReportCut:
    """The report's cut of the effect figures: its currency, failures logged before the month's end, as known on
    its last day (today in the current month)."""
    return ReportCut(
        as_of=local_date(scope.end, scope.tz) - dt.timedelta(days=1), currency=currency, logged_before=scope.end
    )


def recovery_bought_for(*, scope: InsightScope, currency: str, categories: list[CategoryLine]) -> RecoveryBought:
    """The report's section: the playbook figures the job last computed for this location and month (asked for
    again when missing or stale: with the cluster in sync mode they are computed here), and the month's costly
    categories from the rollups. One or two reads of the stored figures, never the grant history."""
    cut = report_cut(scope, currency)
    figures = report_figures_for(location_ids=scope.location_ids, report=cut)
    computing = effect_figures_stale(figures)
    if computing:
        effect_figures_request(location_ids=scope.location_ids, dimension=REPORT_DIMENSION, report=cut)
        figures = report_figures_for(location_ids=scope.location_ids, report=cut) or figures
        computing = effect_figures_stale(figures)
    rows = None if figures is None or figures.computed_at is None else figures.rows
    extremes = value_for_money_extremes(row.effect for row in rows or [])
    by_effect = {id(row.effect): row for row in rows or []}
    best, worst = (by_effect[id(extremes[0])], by_effect[id(extremes[1])]) if extremes else (None, None)
    return RecoveryBought(
        as_of=cut.as_of,
        playbooks=rows,
        best=best,
        worst=worst,
        costly_categories=costly_categories(categories, currency=currency),
        computed_at=None if figures is None else figures.computed_at,
        computing=computing,
    )


def recovery_bought_compute_again(*, user, location, month: dt.date) -> None:
    """ "Compute again" on a report: queue fresh playbook figures for its location and month, whatever their age."""
    scope = month_scope_for(user=user, location=location, month=month)
    cut = report_cut(scope, location.currency)
    effect_figures_request(location_ids=scope.location_ids, dimension=REPORT_DIMENSION, report=cut, force=True)
