"""The counter's limit hints before a grant: the location's budget and the customer's rolling windows."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from compensation import wording
from compensation.customer_limits import DAYS, CustomerLimitRule, playbook_words, rules_for_tiers, window_words
from compensation.limits import budget_remaining, budget_state
from recovery.models import Customer, Location
from recovery.selectors.usage import LimitUsage, authority_usage, limit_usage


@dataclass(frozen=True)
class WindowHeadroom:
    """One rolling-window limit as the customer stands against it now."""

    window_days: int
    grants_used: int
    max_grants: int | None
    total_used: Decimal
    max_total: Decimal | None
    currency: str
    rule: CustomerLimitRule | None = None  # its unit and playbook, for the words

    @property
    def total_left(self) -> Decimal | None:
        return None if self.max_total is None else max(self.max_total - self.total_used, Decimal("0"))

    @property
    def text(self) -> str:
        """'2 of 3 grants used in 30 days; 40.00 of 300.00 left', in the page's language."""
        if self.rule is not None and (self.rule.window_unit != DAYS or self.rule.playbook_id is not None):
            return self._scoped_text(self.rule)
        parts = []
        if self.max_grants is not None:
            parts.append(
                ngettext(
                    "%(used)s of %(max)s grant used in %(days)s days",
                    "%(used)s of %(max)s grants used in %(days)s days",
                    self.max_grants,
                )
                % {"used": self.grants_used, "max": self.max_grants, "days": self.window_days}
            )
        if self.max_total is not None:
            figures = {
                "left": wording.amount(self.total_left, self.currency),
                "max": wording.amount(self.max_total, self.currency),
                "days": self.window_days,
            }
            if self.max_grants is None:
                parts.append(gettext("%(left)s of %(max)s left in %(days)s days") % figures)
            else:
                parts.append(gettext("%(left)s of %(max)s left") % figures)
        return "; ".join(parts)

    def _scoped_text(self, rule: CustomerLimitRule) -> str:
        """'0 of 1 “Reimburse costs” grant used in 12 months': a rule of months, or of one playbook."""
        figures = {
            "used": self.grants_used,
            "max": self.max_grants,
            "window": window_words(rule),
            "of": f" (“{playbook_words(rule)}”)" if rule.playbook_id is not None else "",
        }
        parts = []
        if self.max_grants is not None:
            parts.append(
                ngettext(
                    "%(used)s of %(max)s grant used in %(window)s%(of)s",
                    "%(used)s of %(max)s grants used in %(window)s%(of)s",
                    self.max_grants,
                )
                % figures
            )
        if self.max_total is not None:
            figures |= {
                "left": wording.amount(self.total_left, self.currency),
                "max": wording.amount(self.max_total, self.currency),
            }
            if self.max_grants is None:
                parts.append(gettext("%(left)s of %(max)s left in %(window)s%(of)s") % figures)
            else:
                parts.append(gettext("%(left)s of %(max)s left") % figures)
        return "; ".join(parts)


@dataclass(frozen=True)
class CounterLimits:
    """What the counter shows before a grant: the location budget state and the customer's headroom."""

    budget_state: str  # 'none', 'ok', 'low', 'exhausted' (compensation.limits.budget_state)
    budget_remaining: Decimal | None
    budget_escalates: bool
    windows: list[WindowHeadroom]
    currency: str


def counter_usage_for(
    *, customer: Customer, location: Location, policy, authority=None, employee_id=None, failure_id=None
) -> LimitUsage:
    """The customer's rolling windows and the location's month as they stand now, in one query
    (none without limits): read once per page, for the hints and every card's "available now".
    With the employee's `authority`, also the case's grants (`failure_id`) and the employee's day and
    month, in one more query only when the case has an id or the authority sets a period."""
    now = timezone.now()
    usage = limit_usage(
        customer_id=customer.pk,
        rules=policy.customer_limits,
        location=location if policy.budget_for(location.pk) else None,
        now=now,
        currency=location.currency,
        zone=location.timezone,
    )
    if authority is None:
        return usage
    used = authority_usage(
        authority=authority,
        employee_id=employee_id,
        failure_id=failure_id,
        location=location,
        now=now,
        currency=location.currency,
    )
    return dataclasses.replace(usage, authority=used)


def counter_limits_for(
    *, customer: Customer, location: Location, policy, usage: LimitUsage | None = None, standing=None
) -> CounterLimits:
    """The budget and rolling-limit hints for the resolve page.

    One query for the budget and the rolling limits together (none without
    limits), whatever the customer's history, so the page's query count stays
    flat; none at all when the page already read `usage` (`counter_usage_for`).
    The rules shown are those of the customer's tiers (`standing`; without it, the
    every-tier ones): each playbook's own rules too, named.
    """
    currency = location.currency
    budget = policy.budget_for(location.pk)
    if usage is None:
        usage = counter_usage_for(customer=customer, location=location, policy=policy)
    spent = usage.budget_spent
    windows = [
        WindowHeadroom(
            window_days=rule.window_days,
            grants_used=usage.customer[rule.usage_key].grants,
            max_grants=rule.max_grants,
            total_used=usage.customer[rule.usage_key].total,
            max_total=rule.max_total,
            currency=currency,
            rule=rule,
        )
        for rule in rules_for_tiers(policy.customer_limits, policy.tiers_in(standing) if standing else frozenset())
    ]
    return CounterLimits(
        budget_state=budget_state(budget, spent),
        budget_remaining=budget_remaining(budget, spent) if budget else None,
        budget_escalates=bool(budget and budget.escalate_when_exhausted),
        windows=windows,
        currency=currency,
    )
