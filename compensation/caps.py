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

1. percentage of the purchase value, or, when nothing was bought (a purchase
   value of 0: a two-hour wait, a missed flight), the playbook's base rule:
   a fixed base amount, its floor, or "not offered" (`nothing_bought_base`),
2. held between the playbook's floor and ceiling,
3. multiplied by the customer's tenure-tier multiplier,
4. limited by the granting employee's authority.

A cap is an "at most" amount, so every figure that comes from an upper bound
(a percentage of the purchase, a ceiling, the tier multiplier applied to them,
the authority) is rounded DOWN to the currency's minor unit (`at_most`): 150%
of 33.33 is 49.99, never 50.00, and 150% of 0.01 is 0.01, never 0.02. A floor
is an "at least" amount and rounds up, never past the ceiling. When rounding
changed a figure, the step shows both ("150% of 33.33 = 49.995 → 49.99"), so the
explanation's numbers are exactly the ones used. Rounding down is monotone, so
the cap still never falls when the purchase value (above 0) or tenure grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop

from compensation import wording
from compensation.money import ZERO, round_down, round_up
from compensation.texts import localized_text
from compensation.tiers import (  # noqa: F401 (re-exported: the engine's tier names are read here too)
    Standing,
    TierRule,
    TierSource,
    describe_tenure,
    programme_tier_rule,
    programme_tiers_problem,
    tier_applied,
    tier_reached,
    tier_reason,
    tiers_for,
)

MAX_PERCENT = Decimal("1000")


class NothingBought:
    """What a playbook gives when nothing was bought (a purchase value of 0); the policy document's values."""

    FLOOR = "floor"  # its floor (what a percentage of 0 always gave): the default, and every older document's
    FIXED = "fixed"  # a fixed base amount, at most the ceiling
    NOT_OFFERED = "not_offered"  # the playbook is not offered to a customer who bought nothing

    VALUES = (FLOOR, FIXED, NOT_OFFERED)


@dataclass(frozen=True)
class Rounded:
    """A figure before and after rounding to the currency's minor unit."""

    exact: Decimal
    rounded: Decimal

    @property
    def was_rounded(self) -> bool:
        return self.exact != self.rounded


def at_most(amount: Decimal, currency: str) -> Rounded:
    """An amount from an "at most" rule, rounded DOWN to the currency's unit: never above the rule's bound."""
    return Rounded(exact=amount, rounded=round_down(amount, currency))


def percent_of(purchase_value: Decimal, percent: Decimal, currency: str) -> Rounded:
    """ "At most `percent`% of the purchase": 150% of 33.33 = 49.995 → 49.99 (and 150% of 0.01 → 0.01)."""
    return at_most(purchase_value * percent / 100, currency)


@dataclass(frozen=True)
class PlaybookRule:
    """A playbook's cap rule. Tenure tiers ascend by months and never lower the multiplier;
    `programme_tiers` (status and spend tiers, `compensation.tiers`) are the policy's, the same for every playbook."""

    name: str
    percent: Decimal
    floor: Decimal
    ceiling: Decimal
    tiers: tuple[TierRule, ...]
    # When nothing was bought (purchase value 0): NothingBought.FLOOR, FIXED (`base_amount`) or NOT_OFFERED.
    nothing_bought: str = NothingBought.FLOOR
    base_amount: Decimal | None = None
    programme_tiers: tuple[TierRule, ...] = ()

    def __post_init__(self):
        if not ZERO <= self.percent <= MAX_PERCENT:
            raise ValueError("percent must be between 0 and 1000")
        if self.floor < ZERO:
            raise ValueError("floor must not be negative")
        if self.ceiling < self.floor:
            raise ValueError("ceiling must not be below the floor")
        if self.nothing_bought not in NothingBought.VALUES:
            raise ValueError("nothing bought must be one of floor, fixed, not_offered")
        if self.nothing_bought == NothingBought.FIXED:
            if self.base_amount is None:
                raise ValueError("a fixed base amount needs its amount")
            if self.base_amount < ZERO:
                raise ValueError("base amount must not be negative")
            if self.base_amount > self.ceiling:
                raise ValueError("base amount must not be above the ceiling")
        if not self.tiers or self.tiers[0].min_months != 0:
            raise ValueError("the first tier must start at 0 months")
        for lower, higher in zip(self.tiers, self.tiers[1:], strict=False):
            if higher.min_months <= lower.min_months:
                raise ValueError("tiers must ascend by months")
            if higher.multiplier < lower.multiplier:
                raise ValueError("a longer tenure must never earn a lower multiplier")
        if self.tiers[0].multiplier <= ZERO:
            raise ValueError("multipliers must be positive")
        problem = programme_tiers_problem(self.programme_tiers)
        if problem:
            raise ValueError(problem)

    @property
    def highest_multiplier(self) -> Decimal:
        return max([self.tiers[-1].multiplier, *(tier.multiplier for tier in self.programme_tiers)])

    def tier_for(self, tenure_months: int) -> TierRule:
        """The tenure tier reached (the tier of a customer with no status and no recorded spend)."""
        return tier_reached(self.tiers, tenure_months)


@dataclass(frozen=True)
class Authority:
    """How much one granting role may give without anyone's approval.

    `limit` bounds one grant (the cap engine's last step). A case may carry
    several grants, so `case_limit` bounds their sum (None: the per-grant limit,
    as every policy before it existed), and `daily_limit` / `monthly_limit` bound
    what one employee grants in a day or a calendar month (None: no such bound).
    These are checked with the other limits (`compensation.limits.authority_stops`).
    """

    role: str
    limit: Decimal
    case_limit: Decimal | None = None
    daily_limit: Decimal | None = None
    monthly_limit: Decimal | None = None

    @property
    def per_case(self) -> Decimal:
        """The most all active grants on one case may add up to: the per-grant limit when none is set."""
        return self.limit if self.case_limit is None else self.case_limit


@dataclass(frozen=True)
class CapQuote:
    """The result: the cap, the tier applied, and the steps that led to it."""

    cap: Decimal
    tier: TierRule
    steps: tuple[str, ...]
    limited_by_authority: bool
    offered: bool = True  # False: nothing was bought and the playbook is not offered then (cap 0)

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


def compute_cap(
    rule: PlaybookRule,
    *,
    purchase_value: Decimal,
    tenure_months: int,
    authority: Authority,
    currency: str,
    status: str = "",
    lifetime_spend: Decimal = ZERO,
) -> CapQuote:
    """Compute the most this playbook may grant, with a step-by-step explanation.

    `status` (the status the customer holds, "" none) and `lifetime_spend` (recorded in the
    desk, in `currency`) reach the rule's programme tiers; the highest multiplier of every
    tier reached applies (`compensation.tiers`), and the step names its source.
    """
    if purchase_value < ZERO:
        raise ValueError("purchase value must not be negative")
    if authority.limit < ZERO:
        raise ValueError("authority limit must not be negative")
    tenure_months = max(tenure_months, 0)

    def money(amount: Decimal) -> str:
        # The active language's separators: 80.00 in English (and in every stored step), 80,00 in Russian.
        return wording.amount(amount, currency)

    ceiling = round_down(rule.ceiling, currency)  # an upper bound: never rounded past
    floor = min(round_up(rule.floor, currency), ceiling)  # a lower bound, still within the ceiling
    standing = Standing(tenure_months=tenure_months, status=status or "", lifetime_spend=max(lifetime_spend, ZERO))
    reached = tiers_for(rule.tiers, rule.programme_tiers, standing)
    tier = tier_applied(reached)
    if purchase_value == ZERO:
        base = nothing_bought_base(rule, currency)
        if base is None:
            steps = [gettext("Nothing bought: not offered by this playbook → cap %(cap)s") % {"cap": money(ZERO)}]
            return CapQuote(cap=ZERO, tier=tier, steps=tuple(steps), limited_by_authority=False, offered=False)
        bounded = base
        steps = [
            gettext("Nothing bought: base amount %(amount)s") % {"amount": money(base)}
            if rule.nothing_bought == NothingBought.FIXED
            else gettext("Nothing bought: floor %(floor)s") % {"floor": money(base)}
        ]
    else:
        by_percent = percent_of(purchase_value, rule.percent, currency)
        words = {
            "percent": wording.number(rule.percent),
            "value": money(purchase_value),
            "exact": wording.exact_amount(by_percent.exact, currency),
            "result": money(by_percent.rounded),
        }
        steps = [
            gettext("%(percent)s%% of %(value)s = %(exact)s → %(result)s") % words
            if by_percent.was_rounded
            else gettext("%(percent)s%% of %(value)s = %(result)s") % words
        ]
        bounded = min(max(by_percent.rounded, floor), ceiling)
        if by_percent.rounded < floor:
            steps.append(gettext("raised to floor %(floor)s") % {"floor": money(floor)})
        elif by_percent.rounded > ceiling:
            steps.append(gettext("limited to ceiling %(ceiling)s") % {"ceiling": money(ceiling)})
        else:
            steps.append(
                gettext("within floor %(floor)s and ceiling %(ceiling)s")
                % {"floor": money(floor), "ceiling": money(ceiling)}
            )

    if len(reached) > 1:
        # Several sources gave a tier: say which, and that the highest multiplier wins.
        listed = ", ".join(
            gettext("%(tier)s (%(reason)s) ×%(multiplier)s")
            % {
                "tier": localized_text(other, "name"),
                "reason": tier_reason(other, standing, currency),
                "multiplier": wording.number(other.multiplier),
            }
            for other in reached
        )
        steps.append(gettext("Tiers reached: %(tiers)s; the highest multiplier applies") % {"tiers": listed})
    # The multiplier scales an "at most" amount: the product is one too, rounded down.
    scaled = at_most(bounded * tier.multiplier, currency)
    with_tenure = scaled.rounded
    words = {
        "tier": localized_text(tier, "name"),
        "tenure": tier_reason(tier, standing, currency),
        "multiplier": wording.number(tier.multiplier),
        "exact": wording.exact_amount(scaled.exact, currency),
        "result": money(with_tenure),
    }
    steps.append(
        gettext("%(tier)s tier (%(tenure)s) ×%(multiplier)s = %(exact)s → %(result)s") % words
        if scaled.was_rounded
        else gettext("%(tier)s tier (%(tenure)s) ×%(multiplier)s = %(result)s") % words
    )

    # Rounded down: an authority of 1,000.50 in a currency without cents is 1,000.
    limit = round_down(authority.limit, currency)
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


def nothing_bought_base(rule: PlaybookRule, currency: str) -> Decimal | None:
    """What `rule` gives when nothing was bought, before the tier and the authority; None: not offered.

    The floor rounds up (an "at least" amount) and the base amount down (an
    "at most" one); neither is ever above the ceiling rounded down.
    """
    ceiling = round_down(rule.ceiling, currency)
    if rule.nothing_bought == NothingBought.NOT_OFFERED:
        return None
    if rule.nothing_bought == NothingBought.FIXED and rule.base_amount is not None:
        return min(round_down(rule.base_amount, currency), ceiling)
    return min(round_up(rule.floor, currency), ceiling)


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
            # Snapshots from before base amounts existed have neither: the floor, as then.
            nothing_bought=snapshot.get("nothing_bought") or NothingBought.FLOOR,
            base_amount=None if snapshot.get("base_amount") is None else Decimal(snapshot["base_amount"]),
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
            # Snapshots from before programme tiers have none: tenure only, as then.
            programme_tiers=tuple(programme_tier_rule(row) for row in snapshot.get("programme_tiers") or ()),
        )
        authority = Authority(role=snapshot["authority"]["role"], limit=Decimal(snapshot["authority"]["limit"]))
        quote = compute_cap(
            rule,
            purchase_value=Decimal(purchase_value),
            tenure_months=int(tenure_months),
            authority=authority,
            currency=snapshot["currency"],
            status=snapshot.get("customer_status") or "",
            lifetime_spend=Decimal(snapshot.get("lifetime_spend") or "0"),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if quote.cap != cap or (tier and quote.tier.name != tier):
        return None
    return quote.steps
