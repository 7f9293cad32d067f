"""The cap engine: how much a playbook may give this customer, and why.

A pure function over plain values (no database; Django only for gettext), so
that the rule every counter relies on can be checked against thousands of
generated cases. The caller loads the playbook, tiers and authority once and
passes them in.

The steps are worded in the active language (the counter's cards show them to
a Russian employee in Russian). A grant stores its steps as an audit snapshot:
recovery.services prices grants with English active, so every stored snapshot
(and the API that returns it) is English, whatever the employee's language,
and snapshots already stored are never rewritten.

The cap is computed in four steps, each written into the explanation that is
stored with every grant so that a manager can redo the arithmetic by hand:

1. percentage of the purchase value,
2. held between the playbook's floor and ceiling,
3. multiplied by the customer's tenure-tier multiplier,
4. limited by the granting employee's authority.

Each shown step is rounded half-up to the currency's minor unit, so the
explanation's numbers are exactly the ones used (rounding is monotone, so the
cap still never falls when the purchase value or tenure grows).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext, gettext_noop, ngettext

from compensation import wording
from compensation.money import ZERO, minor_unit, quantize
from compensation.texts import localized_text

MAX_PERCENT = Decimal("1000")


@dataclass(frozen=True)
class TierRule:
    """A tenure tier as the engine sees it: from `min_months` on, × `multiplier`."""

    name: str
    min_months: int
    multiplier: Decimal
    # What a Russian or Romanian reader sees; blank: `name` (see compensation.texts).
    name_ru: str = ""
    name_ro: str = ""


def tier_reached(tiers: tuple[TierRule, ...], tenure_months: int) -> TierRule:
    """The highest tier (tiers ascend by months, the first at 0) the tenure has reached."""
    return [tier for tier in tiers if tier.min_months <= tenure_months][-1]


@dataclass(frozen=True)
class PlaybookRule:
    """A playbook's cap rule. Tiers ascend by months and never lower the multiplier."""

    name: str
    percent: Decimal
    floor: Decimal
    ceiling: Decimal
    tiers: tuple[TierRule, ...]

    def __post_init__(self):
        if not ZERO <= self.percent <= MAX_PERCENT:
            raise ValueError("percent must be between 0 and 1000")
        if self.floor < ZERO:
            raise ValueError("floor must not be negative")
        if self.ceiling < self.floor:
            raise ValueError("ceiling must not be below the floor")
        if not self.tiers or self.tiers[0].min_months != 0:
            raise ValueError("the first tier must start at 0 months")
        for lower, higher in zip(self.tiers, self.tiers[1:], strict=False):
            if higher.min_months <= lower.min_months:
                raise ValueError("tiers must ascend by months")
            if higher.multiplier < lower.multiplier:
                raise ValueError("a longer tenure must never earn a lower multiplier")
        if self.tiers[0].multiplier <= ZERO:
            raise ValueError("multipliers must be positive")

    @property
    def highest_multiplier(self) -> Decimal:
        return self.tiers[-1].multiplier

    def tier_for(self, tenure_months: int) -> TierRule:
        return tier_reached(self.tiers, tenure_months)


@dataclass(frozen=True)
class Authority:
    """How much one granting role may give without anyone's approval."""

    role: str
    limit: Decimal


@dataclass(frozen=True)
class CapQuote:
    """The result: the cap, the tier applied, and the steps that led to it."""

    cap: Decimal
    tier: TierRule
    steps: tuple[str, ...]
    limited_by_authority: bool

    @property
    def explanation(self) -> str:
        return "; ".join(self.steps)


# The authority roles' names as the steps show them (translated when the step is worded).
ROLE_WORDS = {
    "frontline": gettext_noop("frontline"),
    "manager": gettext_noop("manager"),
    "ops": gettext_noop("ops"),
    "own limit": gettext_noop("own limit"),
    "no role": gettext_noop("no role"),
}


def role_word(role: str) -> str:
    """An authority role as the reader says it (the active language); a role the engine does not name, as stored."""
    return gettext(ROLE_WORDS[role]) if role in ROLE_WORDS else role


def describe_tenure(months: int) -> str:
    """'3 years', '1 year 2 months', '5 months', 'new customer' (in the active language, its plural forms)."""
    if months <= 0:
        return gettext("new customer")
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(ngettext("%(count)d year", "%(count)d years", years) % {"count": years})
    if rest:
        parts.append(ngettext("%(count)d month", "%(count)d months", rest) % {"count": rest})
    return " ".join(parts)


def compute_cap(
    rule: PlaybookRule,
    *,
    purchase_value: Decimal,
    tenure_months: int,
    authority: Authority,
    currency: str,
) -> CapQuote:
    """Compute the most this playbook may grant, with a step-by-step explanation."""
    if purchase_value < ZERO:
        raise ValueError("purchase value must not be negative")
    if authority.limit < ZERO:
        raise ValueError("authority limit must not be negative")
    tenure_months = max(tenure_months, 0)

    def money(amount: Decimal) -> str:
        # The active language's separators: 80.00 in English (and in every stored step), 80,00 in Russian.
        return wording.amount(amount, currency)

    by_percent = quantize(purchase_value * rule.percent / 100, currency)
    steps = [
        gettext("%(percent)s%% of %(value)s = %(result)s")
        % {"percent": wording.number(rule.percent), "value": money(purchase_value), "result": money(by_percent)}
    ]

    bounded = min(max(by_percent, rule.floor), rule.ceiling)
    if by_percent < rule.floor:
        steps.append(gettext("raised to floor %(floor)s") % {"floor": money(rule.floor)})
    elif by_percent > rule.ceiling:
        steps.append(gettext("limited to ceiling %(ceiling)s") % {"ceiling": money(rule.ceiling)})
    else:
        steps.append(
            gettext("within floor %(floor)s and ceiling %(ceiling)s")
            % {"floor": money(rule.floor), "ceiling": money(rule.ceiling)}
        )

    tier = rule.tier_for(tenure_months)
    with_tenure = quantize(bounded * tier.multiplier, currency)
    steps.append(
        gettext("%(tier)s tier (%(tenure)s) ×%(multiplier)s = %(result)s")
        % {
            "tier": localized_text(tier, "name"),
            "tenure": describe_tenure(tenure_months),
            "multiplier": wording.number(tier.multiplier),
            "result": money(with_tenure),
        }
    )

    # Rounded down: an authority of 1,000.50 in a currency without cents is 1,000.
    limit = authority.limit.quantize(minor_unit(currency), rounding=ROUND_DOWN)
    limited_by_authority = limit < with_tenure
    cap = min(with_tenure, limit)
    role = role_word(authority.role)
    template = (
        gettext("%(role)s authority %(limit)s applies → cap %(cap)s")
        if limited_by_authority
        else gettext("%(role)s authority %(limit)s not reached → cap %(cap)s")
    )
    steps.append(template % {"role": role, "limit": money(limit), "cap": money(cap)})
    return CapQuote(cap=cap, tier=tier, steps=tuple(steps), limited_by_authority=limited_by_authority)


def steps_from_snapshot(
    snapshot: dict, *, purchase_value: Decimal, tenure_months: int, cap: Decimal, tier: str = ""
) -> tuple[str, ...] | None:
    """A stored grant's cap steps worded again in the active language, from its policy snapshot.

    The stored steps are English (the record); a page shows them in its
    reader's language by running the same engine on the same stored values
    (pure, no query). None when the snapshot is incomplete or does not give back
    the stored cap and tier (an older or hand-made record): the caller then
    shows the stored text rather than steps that would disagree with it.
    """
    try:
        rule = PlaybookRule(
            name=snapshot["playbook"],
            percent=Decimal(snapshot["percent"]),
            floor=Decimal(snapshot["floor"]),
            ceiling=Decimal(snapshot["ceiling"]),
            tiers=tuple(
                TierRule(
                    name=row["name"],
                    min_months=int(row["min_months"]),
                    multiplier=Decimal(row["multiplier"]),
                    name_ru=row.get("name_ru") or "",
                    name_ro=row.get("name_ro") or "",
                )
                for row in snapshot["tiers"]
            ),
        )
        authority = Authority(role=snapshot["authority"]["role"], limit=Decimal(snapshot["authority"]["limit"]))
        quote = compute_cap(
            rule,
            purchase_value=Decimal(purchase_value),
            tenure_months=int(tenure_months),
            authority=authority,
            currency=snapshot["currency"],
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if quote.cap != cap or (tier and quote.tier.name != tier):
        return None
    return quote.steps
