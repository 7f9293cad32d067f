"""The insight dashboard: every figure of one page, in a fixed number of grouped queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from recovery.insights.recognition import LocationRecognition, recognition_for
from recovery.insights.repeats import RepeatCustomer, repeat_failure_buckets, top_repeat_customers
from recovery.insights.scope import InsightScope
from recovery.insights.spending import (
    CategoryLine,
    CountBucket,
    SpendLine,
    SpendTotals,
    WeekSpend,
    failures_by_category,
    spend_by_location,
    spend_by_playbook,
    window_figures,
)
from recovery.selectors import BudgetRow, budget_rows_for


def budget_use_for(*, user, scope: InsightScope, now: dt.datetime | None = None) -> list[BudgetRow]:
    """This month's budget use of the scope's locations (each location's own calendar month)."""
    rows = budget_rows_for(user=user, now=now)
    if scope.location_ids is None:
        return rows
    return [row for row in rows if row.location.pk in scope.location_ids]


@dataclass(frozen=True)
class Dashboard:
    scope: InsightScope
    totals: SpendTotals
    weeks: list[WeekSpend]
    playbooks: list[SpendLine]
    categories: list[CategoryLine]
    locations: list[SpendLine]
    repeat_buckets: list[CountBucket]
    repeat_customers: list[RepeatCustomer]
    resolution: list[CountBucket]
    recognition: list[LocationRecognition]
    budgets: list[BudgetRow]  # each in its location's currency (row.currency)
    currency: str  # the main currency: the charts plot it, lines are ordered by it
    currencies: tuple[str, ...] = ()  # every currency the window's grants were made in

    @property
    def several_currencies(self) -> bool:
        return len(self.currencies) > 1


def dashboard_for(*, user, scope: InsightScope) -> Dashboard:
    """Every figure of the insight dashboard: a fixed number of grouped queries."""
    figures = window_figures(scope=scope)
    currency = figures.main_currency(settings.RECOVERY_CURRENCY)
    return Dashboard(
        scope=scope,
        totals=figures.totals,
        weeks=figures.weeks,
        playbooks=spend_by_playbook(scope=scope, currency=currency),
        categories=failures_by_category(scope=scope),
        locations=spend_by_location(scope=scope, currency=currency),
        repeat_buckets=repeat_failure_buckets(scope=scope),
        repeat_customers=top_repeat_customers(scope=scope, currencies=figures.currencies),
        resolution=figures.resolution,
        recognition=recognition_for(scope=scope),
        budgets=budget_use_for(user=user, scope=scope),
        currency=currency,
        currencies=figures.currencies,
    )
