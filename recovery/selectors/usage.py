"""What a customer and a location have used of their limits: one read.

The policy says what the limits are (`compensation.limits`, pure); this read measures the usage
they are checked against. The counter's cards read it to show what can be granted now; the
grant service reads it again under the location and customer locks before it writes.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DateTimeField, IntegerField, Q, Sum, Value
from django.db.models.functions import TruncMonth

from compensation.caps import Authority
from compensation.customer_limits import counts_toward, window_starts
from compensation.limits import AuthorityUsage, CustomerLimitRule, WindowUsage
from compensation.money import ZERO, quantize
from recovery.models import Grant, Location, LocationMonthTotal


@dataclass(frozen=True)
class LimitUsage:
    """What the limits are measured against: the customer's rolling windows and the location's month."""

    # Each rule's `usage_key` (the window in days, for an every-playbook day rule) -> the customer's
    # active grants in its window and scope, all locations.
    customer: dict
    budget_spent: Decimal  # the location's active grants this calendar month
    # The case's grants and the employee's day and month, when the caller asked (`authority_usage`).
    authority: AuthorityUsage = AuthorityUsage()


def limit_usage(
    *,
    customer_id: int | None,
    rules: tuple[CustomerLimitRule, ...],
    location: Location | None,
    now,
    currency: str,
    budget_spent: Decimal | None = None,
    zone: str = "UTC",
) -> LimitUsage:
    """The customer's usage per rolling window and the location's spending this month, in one query.

    Either part is left out (and costs nothing) when there is no rule for it:
    no `rules`, or no `location` (pass the location only when it has a budget).
    The location's month is its running total (`LocationMonthTotal`), one row
    whatever the month holds; a caller that has just read it under the lock
    (the grant's own upsert) passes it as `budget_spent` and the total is not read again.
    The customer's windows are their active grants since the widest window's start:
    a customer's own few rows, fetched and added in Decimal here. No upper time bound:
    a grant another counter committed a moment after our `now` (while we waited
    for the lock) must still count. The location's own wall clock decides its month.

    `currency` is the new grant's (its location's). Grants are counted in every
    currency, but amounts are only ever added within one: a customer's window
    total and a location's spending sum the grants in `currency` only (yen and
    euros do not add up, and there are no exchange rates).

    Each rule counts the grants in its own window and scope (`customer_limits`): a
    calendar-month window starts in `zone`'s calendar (the granting location's), a
    playbook's rule counts that playbook's grants only, an every-playbook rule all of them.
    """
    starts = window_starts(rules, now, zone) if customer_id else {}
    parts = []
    if starts:
        parts.append(
            Grant.objects.filter(
                customer_id=customer_id, granted_at__gt=min(starts.values()), status=Grant.Status.ACTIVE
            )
            .order_by()
            .values_list("granted_at", "amount", "currency", "playbook_id")
        )
    if location is not None and budget_spent is None:
        parts.append(
            LocationMonthTotal.objects.filter(
                location_id=location.pk, month=location.month_start(now).date(), currency=currency
            )
            .order_by()
            .values_list(
                Value(None, output_field=DateTimeField()),
                "amount",
                "currency",
                Value(None, output_field=IntegerField()),
            )
        )
    rows = list(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]) if parts else []
    spent = ZERO if budget_spent is None else budget_spent
    grants = []
    for granted_at, amount, row_currency, playbook_id in rows:
        if granted_at is None:  # the location's month total
            spent += amount
        else:
            grants.append((granted_at, amount, row_currency, playbook_id))
    return LimitUsage(
        customer=windows_used(grants, rules, starts, currency) if starts else {},
        budget_spent=quantize(spent, currency),
    )


def windows_used(grants, rules, starts: dict, currency: str) -> dict:
    """Each rule's usage (`usage_key` -> `WindowUsage`) from a customer's active grants, given as
    (granted_at, amount, currency, playbook id): the grants after its window's start (`starts`) that it
    counts (`counts_toward`), amounts added within `currency` only. Pure: the one way usage is counted."""
    # One count per window and scope: a tier's rule shares its every-tier rule's (only the bounds differ).
    scopes = {rule.usage_key: rule for rule in rules}
    windows = {key: [0, ZERO] for key in scopes}
    for granted_at, amount, row_currency, playbook_id in grants:
        for key, rule in scopes.items():
            if granted_at > starts[key] and counts_toward(rule, playbook_id):
                window = windows[key]
                window[0] += 1
                if row_currency == currency:
                    window[1] += amount
    return {key: WindowUsage(grants=count, total=quantize(total, currency)) for key, (count, total) in windows.items()}


def authority_usage(
    *, authority: Authority, employee_id: int | None, failure_id: int | None, location: Location, now, currency: str
) -> AuthorityUsage:
    """What the authority's sums are measured against, in one query: the case's active grants (all of
    them, whoever granted: the bound is the case's), and what the employee granted within their own
    authority today and this calendar month (the location's wall clock decides both; a grant a manager
    approved counts on the manager's approval, not here). Amounts in `currency` only.

    Nothing is read for a bound the authority does not set, nor for a new case (it has no grants).
    """
    month_start = location.month_start(now)
    reads_periods = employee_id is not None and (
        authority.daily_limit is not None or authority.monthly_limit is not None
    )
    if failure_id is None and not reads_periods:
        return AuthorityUsage()
    day_start = now.astimezone(zoneinfo.ZoneInfo(location.timezone)).replace(hour=0, minute=0, second=0, microsecond=0)
    since = min(day_start, month_start) if authority.monthly_limit is not None else day_start
    condition = Q(failure_id=failure_id) if failure_id is not None else Q(pk__in=[])
    if reads_periods:
        condition |= Q(granted_by_id=employee_id, approved_by__isnull=True, granted_at__gte=since)
    case = day = month = ZERO
    rows = Grant.objects.filter(condition, status=Grant.Status.ACTIVE, currency=currency).order_by()
    for row_failure, row_employee, approved, granted_at, amount in rows.values_list(
        "failure_id", "granted_by_id", "approved_by_id", "granted_at", "amount"
    ):
        if failure_id is not None and row_failure == failure_id:
            case += amount
        if reads_periods and row_employee == employee_id and approved is None:
            if granted_at >= day_start:
                day += amount
            if granted_at >= month_start:
                month += amount
    return AuthorityUsage(
        case_total=quantize(case, currency), day_total=quantize(day, currency), month_total=quantize(month, currency)
    )


def customer_usage(
    *, customer_id: int, rules: tuple[CustomerLimitRule, ...], now, currency: str, zone: str = "UTC"
) -> dict:
    """The customer's active grants per rolling window (all locations), in one query."""
    return limit_usage(
        customer_id=customer_id, rules=rules, location=None, now=now, currency=currency, zone=zone
    ).customer


def budget_spent(*, location: Location, now, currency: str) -> Decimal:
    """This calendar month's active grants at the location (its own wall clock decides the month)."""
    return limit_usage(customer_id=None, rules=(), location=location, now=now, currency=currency).budget_spent


def month_totals_computed(location: Location) -> dict[tuple, tuple[Decimal, int]]:
    """The totals as the grants say they should be: (month, currency) -> (amount, grants), active grants only."""
    rows = (
        Grant.objects.filter(location_id=location.pk, status=Grant.Status.ACTIVE)
        .annotate(month=TruncMonth("granted_at", tzinfo=zoneinfo.ZoneInfo(location.timezone)))
        .order_by()
        .values("month", "currency")
        .annotate(amount=Sum("amount"), grants=Count("id"))
    )
    return {
        (_as_date(row["month"]), row["currency"]): (quantize(row["amount"], row["currency"]), row["grants"])
        for row in rows
    }


def _as_date(month):
    return month.date() if hasattr(month, "date") else month
