"""What a customer and a location have used of their limits: one aggregate read.

The policy says what the limits are (`compensation.limits`, pure); this read measures the usage
they are checked against. The counter's cards read it to show what can be granted now; the
grant service reads it again under the location and customer locks before it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from compensation.limits import CustomerLimitRule, WindowUsage
from compensation.money import ZERO, quantize
from recovery.models import Grant, Location


@dataclass(frozen=True)
class LimitUsage:
    """What the limits are measured against: the customer's rolling windows and the location's month."""

    customer: dict[int, WindowUsage]  # window (days) -> the customer's active grants in it, all locations
    budget_spent: Decimal  # the location's active grants this calendar month


def limit_usage(
    *, customer_id: int | None, rules: tuple[CustomerLimitRule, ...], location: Location | None, now, currency: str
) -> LimitUsage:
    """The customer's usage per rolling window and the location's spending this month, in one query.

    Either part is left out (and costs nothing) when there is no rule for it:
    no `rules`, or no `location` (pass the location only when it has a budget).
    No upper time bound: a grant another counter committed a moment after our
    `now` (while we waited for the lock) must still count. The location's own
    wall clock decides its month.

    `currency` is the new grant's (its location's). Grants are counted in every
    currency, but amounts are only ever added within one: a customer's window
    total and a location's spending sum the grants in `currency` only (yen and
    euros do not add up, and there are no exchange rates).
    """
    starts = {rule.window_days: now - timedelta(days=rule.window_days) for rule in rules} if customer_id else {}
    aggregates, rows = {}, Q()
    if starts:
        customers = Q(customer_id=customer_id)
        for days, start in starts.items():
            aggregates[f"grants_{days}"] = Count("id", filter=customers & Q(granted_at__gt=start))
            aggregates[f"total_{days}"] = Sum("amount", filter=customers & Q(granted_at__gt=start, currency=currency))
        rows |= customers & Q(granted_at__gt=min(starts.values()))
    if location is not None:
        this_month = Q(location_id=location.pk, granted_at__gte=location.month_start(now), currency=currency)
        aggregates["budget_spent"] = Sum("amount", filter=this_month)
        rows |= this_month
    row = Grant.objects.filter(rows, status=Grant.Status.ACTIVE).aggregate(**aggregates) if aggregates else {}
    return LimitUsage(
        customer={
            days: WindowUsage(grants=row[f"grants_{days}"], total=quantize(row[f"total_{days}"] or ZERO, currency))
            for days in starts
        },
        budget_spent=quantize(row.get("budget_spent") or ZERO, currency),
    )


def customer_usage(*, customer_id: int, rules: tuple[CustomerLimitRule, ...], now, currency: str) -> dict:
    """The customer's active grants per rolling window (all locations), in one query."""
    return limit_usage(customer_id=customer_id, rules=rules, location=None, now=now, currency=currency).customer


def budget_spent(*, location: Location, now, currency: str) -> Decimal:
    """This calendar month's active grants at the location (its own wall clock decides the month)."""
    return limit_usage(customer_id=None, rules=(), location=location, now=now, currency=currency).budget_spent
