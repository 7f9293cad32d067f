"""What a playbook can give this customer now, before the employee taps anything.

A pure function over plain values, like the cap engine and `limits.limits_check`:
the counter's cards (and the API's quotes) read the customer's usage and the
location's spending once, then ask `available_now` for every playbook. The
grant service still checks every limit again under its locks; this only makes
sure a card never promises more than the grant would allow.

The lowest of these bounds is what can be granted now, and the card names it:

- the playbook's cap for this customer (`cap`) or, when lower, the employee's
  authority (`authority`),
- each per-customer rolling rule: a count used up (`customer_grants`) allows
  nothing; an amount rule allows what is left of it (`customer_total`),
- the location's monthly budget when it escalates once used up
  (`location_budget`); a budget that only warns never stops a grant.

Bounds are rounded down to the currency's minor unit: an amount shown is
never above a bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext, ngettext

from compensation.customer_limits import DAYS, playbook_words, window_words
from compensation.limits import BudgetRule, CustomerLimitRule, Stop, WindowUsage, budget_remaining, room_left
from compensation.money import ZERO, format_money, minor_unit

# What each bound is called in the API (`limited_by`) and on the card (`line`).
LIMITS = (
    "cap",
    "authority",
    "customer_grants",
    "customer_total",
    "location_budget",
    "case_authority",
    "daily_authority",
    "monthly_authority",
)


@dataclass(frozen=True)
class Availability:
    """What can be granted now with one playbook, and the limit that decides it.

    `amount` is None while the purchase value (and so the cap) is not known and
    nothing else already stops the playbook; `line` is then empty too.
    """

    amount: Decimal | None
    limited_by: str  # one of LIMITS, "" when `amount` is None
    line: str  # "Limited by: …" in the active language

    @property
    def blocked(self) -> bool:
        """Nothing at all can be granted now: the card is shown disabled, with 'Ask a manager'."""
        return self.amount is not None and self.amount <= ZERO


@dataclass(frozen=True)
class _Bound:
    limit: str
    allows: Decimal
    words: Callable[[], str]


def _down(amount: Decimal, currency: str) -> Decimal:
    """Never rounded past a bound: down to the currency's minor unit, never below zero."""
    return max(amount, ZERO).quantize(minor_unit(currency), rounding=ROUND_DOWN)


def available_now(
    *,
    cap: Decimal | None,
    limited_by_authority: bool,
    authority_limit: Decimal,
    customer_rules: tuple[CustomerLimitRule, ...],
    usage: dict[int, WindowUsage],
    budget: BudgetRule | None,
    budget_spent: Decimal,
    currency: str,
    locale: str = "en",
    not_offered: bool = False,
    authority_stops: tuple[Stop, ...] = (),
) -> Availability:
    """The lowest of the cap, the authority, the customer's rolling allowance and the location budget.

    `cap` is the playbook's quote for this customer (the authority already
    applied, `limited_by_authority` saying whether it bound), or None before a
    purchase value is typed: then only a bound that already allows nothing is
    reported. On a tie the limit outside the playbook is named (the card shows
    the cap anyway): a used-up count first, then the customer's amount, the
    budget, the authority, the cap. `locale` writes the amounts (the page's).
    `not_offered`: nothing was bought and the playbook is not offered then (its
    cap is 0, and the card says why rather than naming a cap of 0). `authority_stops`:
    the authority's per-case and per-period sums (`compensation.limits.authority_stops`).
    """

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, locale=locale)

    bounds: list[_Bound] = []
    rooms = [room_left(rule, usage.get(rule.usage_key, WindowUsage())) for rule in customer_rules]
    for room in rooms:
        if room.grants_left == 0:
            bounds.append(_Bound("customer_grants", ZERO, _grants_left(room.rule)))
    for room in rooms:
        if room.total_left is not None:
            left = _down(room.total_left, currency)
            bounds.append(_Bound("customer_total", left, _total_left(left, room.rule, money)))
    if budget is not None and budget.escalate_when_exhausted:
        left = _down(budget_remaining(budget, budget_spent), currency)
        bounds.append(
            _Bound(
                "location_budget",
                left,
                lambda: gettext("Limited by: location budget %(left)s left this month") % {"left": money(left)},
            )
        )
    for stop in authority_stops:
        bounds.append(_Bound(stop.limit, _down(stop.allows, currency), _stop_words(stop)))
    authority = _down(authority_limit, currency)
    if cap is None or limited_by_authority:
        allows = authority if cap is None else cap
        bounds.append(
            _Bound(
                "authority",
                allows,
                lambda: gettext("Limited by: your authority %(limit)s") % {"limit": money(authority)},
            )
        )
    elif not_offered:
        bounds.append(_Bound("cap", ZERO, lambda: gettext("Not offered when nothing was bought")))
    else:
        bounds.append(
            _Bound(
                "cap",
                cap,
                lambda: gettext("Limited by: this playbook's cap for this customer %(cap)s") % {"cap": money(cap)},
            )
        )
    tightest = min(bounds, key=lambda bound: bound.allows)  # the first of equals: the order above
    if cap is None and tightest.allows > ZERO:
        return Availability(amount=None, limited_by="", line="")
    return Availability(amount=tightest.allows, limited_by=tightest.limit, line=tightest.words())


def _stop_words(stop: Stop) -> Callable[[], str]:
    def words() -> str:
        return gettext("Limited by: %(reason)s") % {"reason": stop.text}

    return words


def _plain(rule: CustomerLimitRule) -> bool:
    """An every-playbook rule in days: worded as before units and playbook rules existed."""
    return rule.window_unit == DAYS and rule.playbook_id is None


def _grants_left(rule: CustomerLimitRule) -> Callable[[], str]:
    def words() -> str:
        if not _plain(rule):
            return ngettext(
                "Limited by: 0 of %(max)d grant left in %(window)s%(of)s",
                "Limited by: 0 of %(max)d grants left in %(window)s%(of)s",
                rule.max_grants or 0,
            ) % {"max": rule.max_grants, "window": window_words(rule), "of": _of(rule)}
        return ngettext(
            "Limited by: 0 of %(max)d grant left in %(days)d days",
            "Limited by: 0 of %(max)d grants left in %(days)d days",
            rule.max_grants or 0,
        ) % {"max": rule.max_grants, "days": rule.window_days}

    return words


def _of(rule: CustomerLimitRule) -> str:
    """ " (“Reimburse costs”)" for a playbook's own rule, "" for every playbook."""
    return f" (“{playbook_words(rule)}”)" if rule.playbook_id is not None else ""


def _total_left(left: Decimal, rule: CustomerLimitRule, money: Callable[[Decimal], str]) -> Callable[[], str]:
    def words() -> str:
        if not _plain(rule):
            return gettext("Limited by: %(left)s left for this customer in %(window)s%(of)s") % {
                "left": money(left),
                "window": window_words(rule),
                "of": _of(rule),
            }
        return gettext("Limited by: %(left)s left for this customer in %(days)d days") % {
            "left": money(left),
            "days": rule.window_days,
        }

    return words
