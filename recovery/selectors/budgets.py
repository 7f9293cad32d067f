"""Location budgets this month: what each location the user sees may spend, has spent and has left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from compensation.limits import BudgetRule, budget_remaining, budget_state
from compensation.models import LocationBudget
from compensation.money import ZERO, quantize
from compensation.policy import load_policy
from recovery.models import Location, LocationMonthTotal
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

    Spending is one query for all locations: each location's running total
    (`LocationMonthTotal`) for its own current month (midnight on the 1st in its
    own time zone) and its own currency, whatever the month holds.
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
        # The budget is an amount of the location's currency: grants made before it changed currency
        # are in another one and are not added.
        this_month = Q()
        for location in locations:
            this_month |= Q(location_id=location.id, month=starts[location.id].date(), currency=location.currency)
        rows = LocationMonthTotal.objects.filter(this_month).values_list("location_id", "amount", "currency")
        spent = {location_id: quantize(amount, currency) for location_id, amount, currency in rows}
    return [
        BudgetRow(
            location=location,
            month_start=starts[location.id],
            budget=policy.budget_for(location.id),
            spent=spent.get(location.id, ZERO),
        )
        for location in locations
    ]
