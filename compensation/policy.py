"""Load the compensation policy in force, once per request, for the cap engine.

The counter needs every active playbook's cap at once; loading playbooks, tiers,
overrides and authorities in four queries keeps that cost constant however many
playbooks ops add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable

from django.conf import settings

from compensation.caps import Authority, CapQuote, PlaybookRule, TierRule, compute_cap, tier_reached
from compensation.models import Playbook, PlaybookTierMultiplier, RoleAuthority, TenureTier

NO_AUTHORITY = Authority(role="no role", limit=Decimal("0"))


def tenure_in_months(customer_since: date, today: date) -> int:
    """Whole months from `customer_since` to `today`; never negative."""
    months = (today.year - customer_since.year) * 12 + (today.month - customer_since.month)
    if today.day < customer_since.day:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Policy:
    """The playbooks, tiers and authority limits in force, ready for the cap engine."""

    playbooks: dict[int, Playbook]
    rules: dict[int, PlaybookRule]
    authorities: dict[str, Decimal]
    tiers: tuple[TierRule, ...]
    currency: str = field(default_factory=lambda: settings.RECOVERY_CURRENCY)

    def tier_for(self, tenure_months: int) -> TierRule:
        """The customer's tier by the tiers' default multipliers (for display)."""
        return tier_reached(self.tiers, tenure_months)

    def authority_for(self, roles: Iterable[str]) -> Authority:
        """The most generous authority among the employee's roles."""
        granted = [Authority(role=role, limit=self.authorities[role]) for role in roles if role in self.authorities]
        return max(granted, key=lambda authority: authority.limit, default=NO_AUTHORITY)

    def quote(self, playbook_id: int, *, purchase_value: Decimal, tenure_months: int, authority: Authority) -> CapQuote:
        return compute_cap(
            self.rules[playbook_id],
            purchase_value=purchase_value,
            tenure_months=tenure_months,
            authority=authority,
            currency=self.currency,
        )

    def snapshot(self, playbook_id: int, authority: Authority) -> dict:
        """The rule values a grant was made under, stored with it for the audit."""
        rule = self.rules[playbook_id]
        return {
            "playbook": rule.name,
            "percent": str(rule.percent),
            "floor": str(rule.floor),
            "ceiling": str(rule.ceiling),
            "tiers": [
                {"name": t.name, "min_months": t.min_months, "multiplier": str(t.multiplier)} for t in rule.tiers
            ],
            "authority": {"role": authority.role, "limit": str(authority.limit)},
            "currency": self.currency,
        }


def _tiers_in_force() -> list[TenureTier]:
    tiers = list(TenureTier.objects.order_by("min_months"))
    if not tiers or tiers[0].min_months != 0:
        # Every customer belongs to some tier; a missing base tier means "×1".
        tiers.insert(0, TenureTier(id=None, name="Base", min_months=0, multiplier=Decimal("1")))
    return tiers


def tier_rules_in_force() -> tuple[TierRule, ...]:
    """The tenure tiers with their default multipliers, in one query."""
    return tuple(TierRule(name=t.name, min_months=t.min_months, multiplier=t.multiplier) for t in _tiers_in_force())


def load_policy() -> Policy:
    """Read the active policy in four queries."""
    tiers = _tiers_in_force()
    overrides = {
        (row.playbook_id, row.tier_id): row.multiplier
        for row in PlaybookTierMultiplier.objects.filter(playbook__is_active=True)
    }
    playbooks = {playbook.id: playbook for playbook in Playbook.objects.filter(is_active=True)}
    rules = {}
    for playbook in playbooks.values():
        tier_rules = []
        highest = Decimal("0")
        for tier in tiers:
            # A longer tenure never earns a lower multiplier, even if an override says so.
            highest = max(highest, overrides.get((playbook.id, tier.id), tier.multiplier))
            tier_rules.append(TierRule(name=tier.name, min_months=tier.min_months, multiplier=highest))
        rules[playbook.id] = PlaybookRule(
            name=playbook.name,
            percent=playbook.percent,
            floor=playbook.floor,
            ceiling=playbook.ceiling,
            tiers=tuple(tier_rules),
        )
    authorities = {row.role: row.limit for row in RoleAuthority.objects.all()}
    default_tiers = tuple(TierRule(name=t.name, min_months=t.min_months, multiplier=t.multiplier) for t in tiers)
    return Policy(playbooks=playbooks, rules=rules, authorities=authorities, tiers=default_tiers)
