"""Location budgets this month: what each location the user sees may spend, has spent and has left."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from compensation.limits import BudgetRule, budget_remaining, budget_state
from compensation.models import LocationBudget
from compensation.money import ZERO, quantize
from compensation.policy import load_policy
from recovery.models import Grant, Location
from recovery.selectors.scope import location_ids_for


@dataclass(frozen=True)
class BudgetRow:
    """One location's budget this month (its own calendar month), what is spent and what is left."""

    location: Location
    month_start: datetime
    budget: BudgetRule | None
    spent: Decimal  # the location's grants in its own currency (the budget's)

    @property
    def currency(self) -> str:
        return self.location.currency

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else budget_remaining(self.budget, self.spent)

    @property
    def state(self) -> str:
        return budget_state(self.budget, self.spent)

    @property
    def percent_used(self) -> int | None:
        if self.budget is None:
            return None
        if self.budget.monthly_amount <= ZERO:
            return 100
        share = self.spent * 100 / self.budget.monthly_amount
        return int(share.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def bar_percent(self) -> int:
        return min(self.percent_used or 0, 100)

    @property
    def when_exhausted(self) -> str:
        if self.budget is None:
            return ""
        mode = LocationBudget.WhenExhausted.ESCALATE if self.budget.escalate_when_exhausted else "warn"
        return LocationBudget.WhenExhausted(mode).label


def budget_rows_for(*, user, now: datetime | None = None) -> list[BudgetRow]:
    """This month's budget, spent and remaining for every location the user may see.

    Spending is one grouped query for all locations: each location's month
    starts at midnight on the 1st in its own time zone, so the locations are
    grouped by month start (few distinct ones: one per time zone offset) and
    each group is one `location in (...) and granted_at >= start` condition.
    """
    now = now or timezone.now()
    locations = Location.objects.filter(is_active=True).order_by("name")
    location_ids = location_ids_for(user)
    if location_ids is not None:
        locations = locations.filter(id__in=location_ids)
    locations = list(locations)
    policy = load_policy(now)
    starts = {location.id: location.month_start(now) for location in locations}
    spent: dict[int, Decimal] = {}
    if locations:
        by_start: dict[datetime, list[int]] = defaultdict(list)
        for location_id, start in starts.items():
            by_start[start].append(location_id)
        in_month = Q()
        for start, ids in by_start.items():
            in_month |= Q(location_id__in=ids, granted_at__gte=start)
        rows = (
            Grant.objects.filter(in_month, status=Grant.Status.ACTIVE, granted_at__lte=now)
            .order_by()
            .values("location_id", "currency")
            .annotate(spent=Sum("amount"))
        )
        # The budget is an amount of the location's currency: grants made before it changed currency
        # are in another one and are not added (one grouped row per location and currency).
        currencies = {location.id: location.currency for location in locations}
        spent = {
            row["location_id"]: quantize(row["spent"] or ZERO, row["currency"])
            for row in rows
            if row["currency"] == currencies[row["location_id"]]
        }
    return [
        BudgetRow(
            location=location,
            month_start=starts[location.id],
            budget=policy.budget_for(location.id),
            spent=spent.get(location.id, ZERO),
        )
        for location in locations
    ]
