"""The limits a grant must stay within: the customer's rolling windows and the location's monthly budget.

The policy says what the limits are (`compensation.limits`, pure); this module
measures the usage they are checked against, in one query, and does so under
the location and customer locks when a grant is about to be written, so two
counters granting at once cannot both pass a limit that has room for one.
`limit_usage` and its two shortcuts are reads (the counter's cards use them
too); they live here until the selectors are split.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.db.models import Count, Q, Sum
from django.utils import translation
from django.utils.translation import gettext

from compensation import wording
from compensation.limits import CustomerLimitRule, LimitCheck, WindowUsage, limits_check
from compensation.money import ZERO, quantize
from compensation.texts import localized_text
from recovery.domain.errors import LimitExceeded
from recovery.models import Grant, Location
from recovery.services.locking import lock_customer, lock_location
from recovery.services.pricing import GrantRequest, Priced


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


def limits_for(*, priced: Priced, request: GrantRequest, now, lock: bool) -> LimitCheck:
    """The cap, the customer's rolling limits and the location budget, read once.

    With `lock`, the rows that own the limits are locked first (location, then
    customer: always this order), so two counters granting at once cannot both
    pass a limit that has room for one.
    """
    policy = priced.policy
    budget = policy.budget_for(request.location.pk)
    if lock:
        # Always: the location row also orders its audit chain.
        lock_location(request.location.pk)
    if lock and policy.customer_limits:
        lock_customer(request.customer.pk)
    usage = limit_usage(
        customer_id=request.customer.pk,
        rules=policy.customer_limits,
        location=request.location if budget else None,
        now=now,
        currency=priced.currency,
    )

    def cap_reason(steps) -> str:
        return gettext("The cap of “%(playbook)s” for this customer is %(cap)s (%(steps)s).") % {
            "playbook": localized_text(priced.playbook, "name"),  # English under override("en"): the record
            "cap": wording.amount(priced.quote.cap, priced.currency),
            "steps": "; ".join(steps),
        }

    with translation.override("en"):
        reason = cap_reason(priced.quote.steps)
    return limits_check(
        cap=priced.quote.cap,
        cap_reason=reason,
        cap_shown=cap_reason(priced.shown_steps or priced.quote.steps),
        customer_rules=policy.customer_limits,
        usage=usage.customer,
        budget=budget,
        budget_spent=usage.budget_spent,
        currency=priced.currency,
    )


def limit_exceeded(amount: Decimal, check: LimitCheck, currency: str) -> LimitExceeded:
    """The refusal of `amount`: which limits stop it, and the two ways on (grant the headroom, or ask a manager)."""
    stops = check.stops_for(amount)
    money = partial(wording.amount, currency=currency)
    what = " ".join(stop.text for stop in stops)
    if check.headroom > 0:
        offer = gettext("You can grant up to %(allowed)s now, or ask a manager to approve %(amount)s.") % {
            "allowed": money(check.headroom),
            "amount": money(amount),
        }
    else:
        offer = gettext("Nothing more can be granted without approval: ask a manager to approve %(amount)s.") % {
            "amount": money(amount)
        }
    above = gettext("%(amount)s is above what you can grant now.") % {"amount": money(amount)}
    return LimitExceeded(
        f"{above} {what} {offer}",
        allowed=check.headroom,
        stops=stops,
        requested=amount,
    )
