"""Tier sources: which tier a customer is in, and why (pure: no database; Django only for gettext).

A tier multiplies every playbook's cap. Until programmes existed a tier came
only from tenure (months a customer has been with the chain). A programme
tier names another SOURCE:

- ``tenure``: from ``min_months`` of tenure on (today's behaviour, and the
  source of every tier in a document from before sources existed),
- ``status``: the customer holds the named ``status`` (an airline's Silver,
  Gold, Platinum), set by ops or a trusted CRM,
- ``spend``: the customer's lifetime spend recorded in the desk reached
  ``min_spend`` (a retailer's "spent 10,000 with us").

A customer can reach a tier from several sources at once (a long tenure and a
Gold status). The rule: **the highest multiplier wins**; on a tie, tenure
before status before spend (so a customer a programme gives nothing extra
keeps the tenure wording every older grant has). The cap's explanation names
the source that applied and, when more than one gave a tier, every tier
reached, so a manager sees why the others did not count.

Within one source the tiers never fall: a longer tenure or a larger spend
never earns a lower multiplier (checked when a rule is built), and status
tiers are ranked by their multiplier (a higher status is one that multiplies
more), so a cap never falls when the tenure, the spend or the status rank rises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext, ngettext

from compensation import wording
from compensation.money import ZERO


class TierSource:
    """Where a tier comes from: the policy document's values."""

    TENURE = "tenure"  # every tier of a document from before sources existed
    STATUS = "status"
    SPEND = "spend"

    VALUES = (TENURE, STATUS, SPEND)
    PROGRAMME = (STATUS, SPEND)  # the sources of `programme_tiers`


@dataclass(frozen=True)
class TierRule:
    """A tier as the engine sees it: from `min_months` of tenure (or the `status`, or `min_spend`) on, × `multiplier`."""

    name: str
    min_months: int
    multiplier: Decimal
    # What a Russian or Romanian reader sees; blank: `name` (see compensation.texts).
    name_ru: str = ""
    name_ro: str = ""
    source: str = TierSource.TENURE
    status: str = ""  # a status tier's status name
    min_spend: Decimal | None = None  # a spend tier's threshold
    # How a customer limit names the tier ("tenure:3", "programme:5"; `customer_limits.tier_key`), "" unnamed.
    key: str = field(default="", compare=False)


@dataclass(frozen=True)
class Standing:
    """What the customer brings to the tiers: tenure in months, the status held ("" none), lifetime spend."""

    tenure_months: int
    status: str = ""
    lifetime_spend: Decimal = ZERO


def tier_reached(tiers: tuple[TierRule, ...], tenure_months: int) -> TierRule:
    """The highest tier (tiers ascend by months, the first at 0) the tenure has reached."""
    return [tier for tier in tiers if tier.min_months <= tenure_months][-1]


def programme_tiers_problem(tiers: tuple[TierRule, ...]) -> str:
    """Why programme tiers cannot be built (a programmer's English, as the cap engine's own), or ""."""
    statuses: set[str] = set()
    spend = [tier for tier in tiers if tier.source == TierSource.SPEND]
    for tier in tiers:
        if tier.source not in TierSource.PROGRAMME:
            return "a programme tier's source must be status or spend"
        if tier.multiplier <= ZERO:
            return "multipliers must be positive"
        if tier.source == TierSource.STATUS:
            if not tier.status:
                return "a status tier needs its status"
            if tier.status.casefold() in statuses:
                return "a status can give one tier only"
            statuses.add(tier.status.casefold())
        elif tier.min_spend is None or tier.min_spend < ZERO:
            return "a spend tier needs a threshold of 0 or more"
    for lower, higher in zip(spend, spend[1:], strict=False):
        if higher.min_spend is None or lower.min_spend is None or higher.min_spend <= lower.min_spend:
            return "spend tiers must ascend by threshold"
        if higher.multiplier < lower.multiplier:
            return "a larger spend must never earn a lower multiplier"
    return ""


def status_rank(tiers: tuple[TierRule, ...]) -> list[str]:
    """The statuses the tiers name, lowest first: ranked by multiplier (then as listed)."""
    named = [tier for tier in tiers if tier.source == TierSource.STATUS]
    return [tier.status for tier in sorted(named, key=lambda tier: tier.multiplier)]


def tiers_for(
    tenure_tiers: tuple[TierRule, ...], programme: tuple[TierRule, ...], standing: Standing
) -> list[TierRule]:
    """Every tier the customer reaches, one per source at most: tenure first, then status, then spend."""
    reached = [tier_reached(tenure_tiers, max(standing.tenure_months, 0))]
    wanted = standing.status.strip().casefold()
    if wanted:
        reached += [t for t in programme if t.source == TierSource.STATUS and t.status.casefold() == wanted][:1]
    spent = [
        t
        for t in programme
        if t.source == TierSource.SPEND and t.min_spend is not None and t.min_spend <= standing.lifetime_spend
    ]
    if spent:
        reached.append(max(spent, key=lambda tier: (tier.min_spend, tier.multiplier)))
    return reached


def tier_applied(reached: list[TierRule]) -> TierRule:
    """The highest multiplier wins; on a tie the first reached (tenure, then status, then spend)."""
    best = reached[0]
    for tier in reached[1:]:
        if tier.multiplier > best.multiplier:
            best = tier
    return best


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


def tier_reason(tier: TierRule, standing: Standing, currency: str) -> str:
    """Why the customer is in `tier`, in the active language: '2 years', 'Gold status',
    'lifetime spend 12,000.00 ≥ 10,000.00'."""
    if tier.source == TierSource.STATUS:
        return gettext("%(status)s status") % {"status": tier.status}
    if tier.source == TierSource.SPEND:
        return gettext("lifetime spend %(spend)s ≥ %(threshold)s") % {
            "spend": wording.amount(standing.lifetime_spend, currency),
            "threshold": wording.amount(tier.min_spend or ZERO, currency),
        }
    return describe_tenure(standing.tenure_months)


def programme_tier_rule(entry: dict) -> TierRule:
    """A programme tier of a policy document (or a grant's snapshot) as the engine's rule.

    A missing `source` is a tenure tier's (documents from before sources existed),
    which is not a programme tier: `programme_tiers_problem` refuses it.
    """
    min_spend = entry.get("min_spend")
    return TierRule(
        name=entry["name"],
        min_months=0,
        multiplier=Decimal(entry["multiplier"]),
        name_ru=entry.get("name_ru") or "",
        name_ro=entry.get("name_ro") or "",
        source=entry.get("source") or TierSource.TENURE,
        status=(entry.get("status") or "").strip(),
        min_spend=None if min_spend in (None, "") else Decimal(min_spend),
        key="" if entry.get("id") is None else f"programme:{entry['id']}",
    )


def programme_tier_entry(tier: TierRule) -> dict:
    """A programme tier as a grant's snapshot stores it (the inverse of `programme_tier_rule`)."""
    return {
        "name": tier.name,
        "name_ru": tier.name_ru,
        "name_ro": tier.name_ro,
        "source": tier.source,
        "status": tier.status,
        "min_spend": None if tier.min_spend is None else str(tier.min_spend),
        "multiplier": str(tier.multiplier),
    }
