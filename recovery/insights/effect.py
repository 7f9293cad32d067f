"""The monthly report's "What recovery bought": return rates against the baseline, value for money, root causes.

The month's cost is the report's own totals; this adds what that money bought.
A 90-day return rate needs 90 days, so the figures are every case the
location has had up to the end of the report's month, each counted once its
90 days have passed by then (the month's own cases join a later report): the
effect "as known at the end of this month". The failure categories that cost
most in the month are the root causes operations can fix, so recovery is
needed less.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from recovery.domain.effect import MIN_CUSTOMERS, value_for_money_extremes
from recovery.insights.periods import local_date
from recovery.insights.scope import InsightScope
from recovery.insights.spending import CategoryLine
from recovery.selectors.effect import EffectRow, effect_rows_for

COSTLY_CATEGORIES = 3


@dataclass(frozen=True)
class CostlyCategory:
    line: CategoryLine
    percent: int  # of the month's compensation (in the report's currency), whole percent


@dataclass(frozen=True)
class RecoveryBought:
    as_of: dt.date  # the last day the figures have seen (the month's last day, or today in the current month)
    playbooks: list[EffectRow]  # by name
    best: EffectRow | None  # most return-rate points per 100 granted; None with fewer than two to compare
    worst: EffectRow | None
    costly_categories: list[CostlyCategory]  # the month's categories with the most compensation, most first
    minimum: int = MIN_CUSTOMERS
    per: Decimal = Decimal("100")  # value for money is counted per this much granted (see GroupEffect.points_per_100)


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


def recovery_bought_for(*, user, scope: InsightScope, currency: str, categories: list[CategoryLine]) -> RecoveryBought:
    """The report's section: two queries (the location's grants up to the month's end, and its visits)."""
    as_of = local_date(scope.end, scope.tz) - dt.timedelta(days=1)
    rows = effect_rows_for(
        user=user,
        dimension="playbook",
        as_of=as_of,
        location_ids=scope.location_ids,
        currency=currency,
        logged_before=scope.end,
    )
    extremes = value_for_money_extremes(row.effect for row in rows)
    by_effect = {id(row.effect): row for row in rows}
    best, worst = (by_effect[id(extremes[0])], by_effect[id(extremes[1])]) if extremes else (None, None)
    return RecoveryBought(
        as_of=as_of,
        playbooks=rows,
        best=best,
        worst=worst,
        costly_categories=costly_categories(categories, currency=currency),
    )
