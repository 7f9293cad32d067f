"""The limits a grant must stay within: the customer's rolling windows and the location's monthly budget.

The policy says what the limits are (`compensation.limits`, pure); this module
measures the usage they are checked against, in one query, and does so under
the location and customer locks when a grant is about to be written, so two
counters granting at once cannot both pass a limit that has room for one.
The usage itself is a read (`recovery.selectors.usage`), shared with the counter's cards.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.utils import translation
from django.utils.translation import gettext

from compensation import wording
from compensation.limits import LimitCheck, limits_check
from compensation.texts import localized_text
from recovery.domain.errors import LimitExceeded
from recovery.selectors.usage import authority_usage, limit_usage
from recovery.services.locking import lock_location, lock_location_and_customer
from recovery.services.pricing import GrantRequest, Priced
from recovery.services.totals import month_total_add


def limits_for(*, priced: Priced, request: GrantRequest, now, lock: bool, reserve: Decimal | None = None) -> LimitCheck:
    """The cap, the authority's per-case and per-period sums, the customer's rolling limits and the
    location budget, read once.

    With `lock`, the rows that own the limits are locked first (location, then
    customer: always this order), so two counters granting at once cannot both
    pass a limit that has room for one. With `reserve` (only under the lock),
    that amount is added to the location's month total right away, and the
    total before it is what the budget is checked against: one statement both
    counts the grant and reads the month. The caller's transaction must roll
    back if the check then stops the amount (`grant_issue` does).
    """
    policy = priced.policy
    budget = policy.budget_for(request.location.pk)
    if lock and policy.customer_limits:
        lock_location_and_customer(request.location.pk, request.customer.pk)
    elif lock:
        # Always: the location row also orders its audit chain.
        lock_location(request.location.pk)
    spent = None
    if reserve is not None:
        if not lock:
            raise ValueError("limits_for: reserve an amount only under the lock")
        after = month_total_add(location=request.location, at=now, currency=priced.currency, amount=reserve, grants=1)
        spent = after - reserve
    # The rules of this playbook and the customer's tiers (`customer_limits.rules_applying`).
    rules = policy.limits_applying(priced.playbook.id, priced.standing)
    usage = limit_usage(
        customer_id=request.customer.pk,
        rules=rules,
        location=request.location if budget else None,
        now=now,
        currency=priced.currency,
        budget_spent=spent,
        zone=request.location.timezone,
    )

    # The case's grants and the employee's day and month: read after the lock, so a simultaneous
    # grant on the same case (the same location, so the same lock) is counted before this one.
    used = authority_usage(
        authority=priced.authority,
        employee_id=priced.employee_id,
        failure_id=request.failure_id,
        location=request.location,
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
        customer_rules=rules,
        usage=usage.customer,
        budget=budget,
        budget_spent=usage.budget_spent,
        currency=priced.currency,
        authority=priced.authority,
        authority_usage=used,
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
