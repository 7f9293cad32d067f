"""Limits beyond the cap: per-customer rolling windows and the location's monthly budget.

Pure functions over plain values, like the cap engine: the grant service reads
the customer's usage and the location's spending once, inside the grant's
transaction, and asks `limits_check` how much may be granted now and which
limits stop more.

A limit never blocks silently. Each `Stop` names the limit, what it still
allows and why, so the counter can offer "grant up to the limit" or "ask a
manager" (an escalation).

Each reason is worded twice: `reason` in English, the record kept with a grant
(`limit_notes`) or an escalation (`stopped_by`) and returned by the API, so
every reviewer reads the same text; `shown` in the active language with its
figures written the language's way, for the employee at the counter now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext, ngettext

from compensation import wording
from compensation.caps import Authority, role_word
from compensation.customer_limits import (  # noqa: F401 (re-exported: the rules' callers read them here)
    CustomerLimitRule,
    WindowUsage,
    playbook_words,
    window_words,
)
from compensation.money import ZERO, round_down

BUDGET_LOW_SHARE = Decimal("0.10")


@dataclass(frozen=True)
class BudgetRule:
    monthly_amount: Decimal
    escalate_when_exhausted: bool


@dataclass(frozen=True)
class Stop:
    """One limit that allows less than the employee wants to grant."""

    # "cap", "customer_limit", "location_budget", "case_authority", "daily_authority", "monthly_authority"
    limit: str
    allows: Decimal
    reason: str  # in English: the record
    shown: str = ""  # in the employee's language, when it was worded in one

    @property
    def text(self) -> str:
        """The reason to show now: in the active language when it was worded in it, else the record."""
        return self.shown or self.reason


def worded(build: Callable[[], str]) -> tuple[str, str]:
    """`build()` in English (the record) and in the active language (to show), as (reason, shown)."""
    with translation.override("en"):
        english = build()
    return english, (english if wording.language() == "en" else build())


@dataclass(frozen=True)
class LimitCheck:
    """How much may be granted now (`headroom`), what stops more, and warnings that do not stop."""

    headroom: Decimal
    stops: tuple[Stop, ...]
    warn_only: tuple[Stop, ...] = ()

    def stops_for(self, amount: Decimal) -> tuple[Stop, ...]:
        """The limits an amount would break (empty: it may be granted at once)."""
        return tuple(stop for stop in self.stops if amount > stop.allows)

    def warnings_for(self, amount: Decimal) -> list[str]:
        """Limits the amount goes past that only warn (a budget set to warn): kept with the grant."""
        return [stop.reason for stop in self.warn_only if amount > stop.allows]


@dataclass(frozen=True)
class Room:
    """What one rolling rule leaves a customer: grants and amount (None where the rule sets no such bound).

    The one place that says "what is left": the grant's check, the counter's
    cards and the demo's printout all read it, so they cannot disagree.
    """

    rule: CustomerLimitRule
    grants_left: int | None
    total_left: Decimal | None

    @property
    def used_up(self) -> bool:
        """Nothing more may be granted under this rule: no grant left, or no amount left."""
        return self.grants_left == 0 or (self.total_left is not None and self.total_left <= ZERO)


def room_left(rule: CustomerLimitRule, usage: WindowUsage) -> Room:
    """What `rule` still allows after `usage`, never below zero."""
    grants_left = None if rule.max_grants is None else max(rule.max_grants - usage.grants, 0)
    total_left = None if rule.max_total is None else max(rule.max_total - usage.total, ZERO)
    return Room(rule=rule, grants_left=grants_left, total_left=total_left)


def customer_allowance(rule: CustomerLimitRule, usage: WindowUsage, currency: str) -> Stop | None:
    """What one rolling-window rule still allows this customer, or None if it does not bind.

    The reason names the rule: its window ("12 months") and, for a playbook's own
    rule, the playbook ("1 “Reimburse costs” grant"), so the counter knows which rule stopped it.
    """
    room = room_left(rule, usage)
    if room.grants_left == 0:

        def too_many() -> str:
            figures = {
                "count": usage.grants,
                "days": window_words(rule),
                "limit": rule.max_grants,
                "playbook": playbook_words(rule),
            }
            if rule.playbook_id is not None:
                return (
                    ngettext(
                        "The customer already had %(count)d “%(playbook)s” grant in the last %(days)s (limit %(limit)d).",
                        "The customer already had %(count)d “%(playbook)s” grants in the last %(days)s (limit %(limit)d).",
                        usage.grants,
                    )
                    % figures
                )
            return (
                ngettext(
                    "The customer already had %(count)d grant in the last %(days)s (limit %(limit)d).",
                    "The customer already had %(count)d grants in the last %(days)s (limit %(limit)d).",
                    usage.grants,
                )
                % figures
            )

        reason, shown = worded(too_many)
        return Stop(limit="customer_limit", allows=ZERO, reason=reason, shown=shown)
    if room.total_left is not None:
        left = room.total_left

        def too_much() -> str:
            figures = {
                "total": wording.amount(usage.total, currency),
                "days": window_words(rule),
                "limit": wording.amount(rule.max_total, currency),
                "left": wording.amount(left, currency),
                "playbook": playbook_words(rule),
            }
            if rule.playbook_id is not None:
                return (
                    gettext(
                        "The customer already received %(total)s of “%(playbook)s” in the last %(days)s "
                        "(limit %(limit)s): %(left)s left."
                    )
                    % figures
                )
            return (
                gettext(
                    "The customer already received %(total)s in the last %(days)s (limit %(limit)s): %(left)s left."
                )
                % figures
            )

        reason, shown = worded(too_much)
        return Stop(limit="customer_limit", allows=left, reason=reason, shown=shown)
    return None


@dataclass(frozen=True)
class AuthorityUsage:
    """What the authority's sums are measured against: the case's active grants, and what the employee
    granted within their own authority today and this month (grants a manager approved are the manager's)."""

    case_total: Decimal = ZERO
    day_total: Decimal = ZERO
    month_total: Decimal = ZERO


def bound_room(bound: Decimal, used: Decimal, currency: str) -> Decimal:
    """What an "at most `bound` in all" authority still allows after `used`: rounded down, never below zero."""
    return max(round_down(bound, currency) - used, ZERO)


def case_room_text(authority: Authority, case_total: Decimal, currency: str) -> str:
    """ "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left." (active language)

    The simulator, the API quote and a refusal all say it in these words, so they cannot disagree.
    """
    return gettext("This case has %(granted)s granted; %(role)s per-case authority %(limit)s → %(left)s left.") % {
        "granted": wording.amount(case_total, currency),
        "role": role_word(authority.role),
        "limit": wording.amount(round_down(authority.per_case, currency), currency),
        "left": wording.amount(bound_room(authority.per_case, case_total, currency), currency),
    }


def authority_stops(authority: Authority, usage: AuthorityUsage, currency: str) -> tuple[Stop, ...]:
    """The authority's sums that bound a further grant: per case (when the case already has grants, or
    its bound is below the per-grant one), per day and per month (when set). Each says what it leaves.

    Why beyond the cap: the cap bounds one grant, so without these an employee could give 2 × 1,500
    on one case under a 2,000 authority, or any amount in a day one grant at a time.
    """
    stops = []
    if usage.case_total > ZERO or authority.per_case < authority.limit:
        reason, shown = worded(lambda: case_room_text(authority, usage.case_total, currency))
        stops.append(
            Stop(
                limit="case_authority",
                allows=bound_room(authority.per_case, usage.case_total, currency),
                reason=reason,
                shown=shown,
            )
        )
    periods = (
        (
            "daily_authority",
            authority.daily_limit,
            usage.day_total,
            lambda: gettext("You granted %(granted)s today; %(role)s daily authority %(limit)s → %(left)s left."),
        ),
        (
            "monthly_authority",
            authority.monthly_limit,
            usage.month_total,
            lambda: gettext(
                "You granted %(granted)s this month; %(role)s monthly authority %(limit)s → %(left)s left."
            ),
        ),
    )
    for limit, bound, used, template in periods:
        if bound is None:
            continue

        def text(bound=bound, used=used, template=template) -> str:
            return template() % {
                "granted": wording.amount(used, currency),
                "role": role_word(authority.role),
                "limit": wording.amount(round_down(bound, currency), currency),
                "left": wording.amount(bound_room(bound, used, currency), currency),
            }

        reason, shown = worded(text)
        stops.append(Stop(limit=limit, allows=bound_room(bound, used, currency), reason=reason, shown=shown))
    return tuple(stops)


def budget_remaining(budget: BudgetRule, spent: Decimal) -> Decimal:
    return max(budget.monthly_amount - spent, ZERO)


def budget_state(budget: BudgetRule | None, spent: Decimal) -> str:
    """'none', 'ok', 'low' (under 10% left) or 'exhausted': the hint counter staff see."""
    if budget is None:
        return "none"
    remaining = budget_remaining(budget, spent)
    if remaining <= ZERO:
        return "exhausted"
    if remaining < budget.monthly_amount * BUDGET_LOW_SHARE:
        return "low"
    return "ok"


def limits_check(
    *,
    cap: Decimal,
    cap_reason: str,
    cap_shown: str = "",
    customer_rules: tuple[CustomerLimitRule, ...],
    usage: dict[int, WindowUsage],
    budget: BudgetRule | None,
    budget_spent: Decimal,
    currency: str,
    authority: Authority | None = None,
    authority_usage: AuthorityUsage | None = None,
) -> LimitCheck:
    """Combine the cap, the customer's rolling limits and the location budget.

    `customer_rules` are the rules that apply to this grant (`customer_limits.rules_applying`:
    its playbook, the customer's tiers); `usage` maps each rule's `usage_key` (the
    window in days, for an every-playbook day rule) to the customer's usage in it. A
    budget that only warns never lowers the headroom; its warning is kept with
    the grant so a manager sees it in the audit. `cap_reason` is the cap's
    reason in English, `cap_shown` the same in the active language. With an
    `authority`, its per-case and per-period sums (`authority_stops`) bound too.
    """
    stops = [Stop(limit="cap", allows=cap, reason=cap_reason, shown=cap_shown)]
    if authority is not None:
        stops.extend(authority_stops(authority, authority_usage or AuthorityUsage(), currency))
    for rule in customer_rules:
        stop = customer_allowance(rule, usage.get(rule.usage_key, WindowUsage()), currency)
        if stop is not None:
            stops.append(stop)
    warn_only = []
    if budget is not None:
        remaining = budget_remaining(budget, budget_spent)

        def budget_left() -> str:
            return gettext("This location has %(left)s left of its monthly budget of %(budget)s.") % {
                "left": wording.amount(remaining, currency),
                "budget": wording.amount(budget.monthly_amount, currency),
            }

        reason, shown = worded(budget_left)
        stop = Stop(limit="location_budget", allows=remaining, reason=reason, shown=shown)
        (stops if budget.escalate_when_exhausted else warn_only).append(stop)
    headroom = min(stop.allows for stop in stops)
    return LimitCheck(headroom=headroom, stops=tuple(stops), warn_only=tuple(warn_only))
