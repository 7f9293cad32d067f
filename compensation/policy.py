"""The policy as the counter uses it: a published version, turned into engine rules.

Ops edit the policy tables (playbooks, tiers, authorities, customer limits,
budgets) as a *draft*. Publishing copies the draft into a `PolicyVersion`
document with an effective date. The counter reads the one version in force at
the moment of the grant (one small query; each version's document is built
into engine rules once per process), so:

- a draft edit never reaches a customer before it is published,
- a change scheduled for tomorrow does not apply today,
- each grant names the version it was made under, and past grants never change.

The document is plain JSON (amounts as strings, so Decimals survive exactly);
`policy_from_document` turns it into the frozen `Policy` the cap engine and the
limit checks take.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Iterable

from django.utils import timezone

from compensation.caps import (
    Authority,
    CapQuote,
    NothingBought,
    PlaybookRule,
    TierRule,
    compute_cap,
    tier_reached,
)
from compensation.currencies import in_currency, policy_currency
from compensation.customer_limits import TENURE_TIER, customer_limit_rules, rules_applying, tier_key
from compensation.documents import (  # noqa: F401 (re-exported: callers read the document's shape here too)
    AUTHORITY_BOUNDS,
    ELIGIBILITY_DEFAULTS,
    NOTHING_BOUGHT_DEFAULTS,
    PLAYBOOK_FIELDS,
    TRANSLATED_TEXT_FIELDS,
    TRANSLATED_TIER_FIELDS,
    bounds_read,
    draft_document,
    money_or_none,
    playbook_categories,
    tier_translations,
    with_blank_translations,
)
from compensation.eligibility import EVERYWHERE, Eligibility, eligibility_from_entry
from compensation.limits import BudgetRule, CustomerLimitRule
from compensation.models import (
    LocationBudget,
    Playbook,
    PolicyVersion,
)
from compensation.models.fields import default_currency
from compensation.money import ZERO
from compensation.snapshots import grant_snapshot
from compensation.tiers import (
    Standing,
    programme_tier_rule,
    status_rank,
    tier_applied,
    tiers_for,
)

NO_AUTHORITY = Authority(role="no role", limit=Decimal("0"))
BASE_TIER = {"id": None, "name": "Base", "min_months": 0, "multiplier": "1"}


def tenure_in_months(customer_since: date, today: date) -> int:
    """Whole months from `customer_since` to `today`; never negative."""
    months = (today.year - customer_since.year) * 12 + (today.month - customer_since.month)
    if today.day < customer_since.day:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Policy:
    """The playbooks, tiers and limits of one version, ready for the cap engine and limit checks."""

    playbooks: dict[int, Playbook]  # active ones, in display order; unsaved instances built from the document
    rules: dict[int, PlaybookRule]
    authorities: dict[str, Decimal]
    tiers: tuple[TierRule, ...]
    employee_authorities: dict[int, Decimal] = field(default_factory=dict)
    # Per case, per day, per month (`AUTHORITY_BOUNDS`), by role and by employee; missing: none set.
    role_bounds: dict[str, dict] = field(default_factory=dict)
    employee_bounds: dict[int, dict] = field(default_factory=dict)
    customer_limits: tuple[CustomerLimitRule, ...] = ()
    budgets: dict[int, BudgetRule] = field(default_factory=dict)
    version: PolicyVersion | None = None
    # Where each playbook is offered and its per-location values; a playbook missing here is offered everywhere.
    eligibility: dict[int, Eligibility] = field(default_factory=dict)
    # `at_location`'s answers, per (code, kind): a built policy lives for the process, and so do these.
    _at: dict[tuple[str, str], Policy] = field(default_factory=dict, compare=False, repr=False)

    def at_location(self, location) -> Policy:
        """This policy as one location sees it: its amounts in the location's currency
        (`compensation.currencies`; a currency the policy does not state offers nothing), and only the
        playbooks offered there, each with the location's own percent, floor and ceiling
        (`compensation.eligibility`, which win over the currency's). Everything that prices a case at a
        location (the counter's cards, the grant, the API's quotes, the replay) asks this first, so a
        card never shows a playbook the grant would refuse, or another amount."""
        code, kind = location.code, getattr(location, "kind", "") or ""
        currency = getattr(location, "currency", "") or self.currency
        seen = self._at.get((code, kind, currency))
        if seen is not None:
            return seen
        priced = in_currency(self, currency)
        offered = {
            playbook_id: playbook
            for playbook_id, playbook in priced.playbooks.items()
            if self.eligibility.get(playbook_id, EVERYWHERE).applies(code, kind)
        }
        local = replace(
            priced,
            playbooks=offered,
            rules={
                playbook_id: self.eligibility.get(playbook_id, EVERYWHERE).rule_at(priced.rules[playbook_id], code)
                for playbook_id in offered
            },
            _at={},
        )
        self._at[(code, kind, currency)] = local
        return local

    programme_tiers: tuple[TierRule, ...] = ()  # status and spend tiers (`compensation.tiers`)
    # The currency its own amounts are in, and each other currency's statement of them (`compensation.currencies`).
    currency: str = ""
    currency_amounts: dict[str, dict] = field(default_factory=dict)
    # Set on a policy as a location sees it when the location's currency is not stated: it offers nothing.
    unstated_currency: str = ""

    @property
    def statuses(self) -> list[str]:
        """The statuses this version names, lowest rank first: the only ones a customer may hold."""
        return status_rank(self.programme_tiers)

    def tier_for(self, tenure_months: int) -> TierRule:
        """The customer's tier by the tiers' default multipliers (for display)."""
        return tier_reached(self.tiers, tenure_months)

    def tier_of(self, standing: Standing) -> TierRule:
        """The customer's tier by the tiers' default multipliers (for display), every source counted:
        the highest multiplier wins (`compensation.tiers`)."""
        return tier_applied(tiers_for(self.tiers, self.programme_tiers, standing))

    def tiers_in(self, standing: Standing) -> frozenset[str]:
        """The tiers (`customer_limits.tier_key`) a customer of `standing` is in: one per source at most."""
        return frozenset(tier.key for tier in tiers_for(self.tiers, self.programme_tiers, standing) if tier.key)

    def limits_applying(self, playbook_id: int | None, standing: Standing | None) -> tuple[CustomerLimitRule, ...]:
        """The customer limits that bound a grant of `playbook_id` to a customer of `standing`
        (`customer_limits.rules_applying`); without a standing, the every-tier rules only."""
        tiers = self.tiers_in(standing) if standing is not None else frozenset()
        return rules_applying(self.customer_limits, playbook_id, tiers)

    def authority_for(self, roles: Iterable[str], user_id: int | None = None) -> Authority:
        """The employee's own limit if ops set one, else the most generous of their roles'."""
        if user_id in self.employee_authorities:
            return Authority(
                role="own limit", limit=self.employee_authorities[user_id], **self.employee_bounds.get(user_id, {})
            )
        granted = [
            Authority(role=role, limit=self.authorities[role], **self.role_bounds.get(role, {}))
            for role in roles
            if role in self.authorities
        ]
        return max(granted, key=lambda authority: (authority.limit, authority.per_case), default=NO_AUTHORITY)

    def quote(
        self,
        playbook_id: int,
        *,
        purchase_value: Decimal,
        tenure_months: int,
        authority: Authority,
        currency: str,
        status: str = "",
        lifetime_spend: Decimal = ZERO,
    ) -> CapQuote:
        """The cap in `currency`, the currency of the location granting, for a customer of
        `tenure_months` holding `status` ("" none) with `lifetime_spend` recorded (in `currency`).

        Ask it of the policy as the location sees it (`at_location`): its amounts are then those
        stated for the location's currency (no exchange rates), never another currency's.
        """
        return compute_cap(
            self.rules[playbook_id],
            purchase_value=purchase_value,
            tenure_months=tenure_months,
            authority=authority,
            currency=currency,
            status=status,
            lifetime_spend=lifetime_spend,
        )

    def budget_for(self, location_id: int) -> BudgetRule | None:
        return self.budgets.get(location_id)

    @property
    def version_label(self) -> str:
        return f"version {self.version.number}" if self.version else "unpublished draft"

    def snapshot(
        self, playbook_id: int, authority: Authority, currency: str, *, status: str = "", lifetime_spend=None
    ) -> dict:
        """The rule values a grant was made under, stored with it for the audit (`compensation.snapshots`)."""
        return grant_snapshot(self, playbook_id, authority, currency, status=status, lifetime_spend=lifetime_spend)


# --- from document to engine rules -----------------------------------------------------


def _playbook_instance(entry: dict) -> Playbook:
    values = {name: entry.get(name) for name in PLAYBOOK_FIELDS}
    for name in TRANSLATED_TEXT_FIELDS:
        # A document published before translations existed has none: blank, so English is shown.
        values[name] = values[name] or ""
    for name in ("percent", "floor", "ceiling"):
        values[name] = Decimal(values[name])
    values["categories"] = playbook_categories(entry)
    values["nothing_bought"] = values["nothing_bought"] or NothingBought.FLOOR
    values["base_amount"] = None if values["base_amount"] in (None, "") else Decimal(values["base_amount"])
    for name, default in ELIGIBILITY_DEFAULTS.items():
        values[name] = values[name] or default
    return Playbook(id=entry["id"], **values)


def policy_from_document(document: dict, version: PolicyVersion | None = None) -> Policy:
    """Build the engine's rules from a version document (no database access)."""
    tiers = list(document.get("tiers", []))
    if not tiers or tiers[0]["min_months"] != 0:
        # Every customer belongs to some tier; a missing base tier means "×1".
        tiers.insert(0, BASE_TIER)
    default_tiers = tuple(
        TierRule(
            name=t["name"],
            min_months=t["min_months"],
            multiplier=Decimal(t["multiplier"]),
            **tier_translations(t),
            key="" if t.get("id") is None else tier_key(TENURE_TIER, t["id"]),
        )
        for t in tiers
    )
    programme = tuple(
        sorted(
            (programme_tier_rule(entry) for entry in document.get("programme_tiers") or ()),
            key=lambda tier: (tier.source, tier.min_spend or 0, tier.multiplier),
        )
    )
    playbooks: dict[int, Playbook] = {}
    rules: dict[int, PlaybookRule] = {}
    eligibility: dict[int, Eligibility] = {}
    for entry in document.get("playbooks", []):
        if not entry.get("is_active"):
            continue
        playbook = _playbook_instance(entry)
        if (offered := eligibility_from_entry(entry)) is not EVERYWHERE:
            eligibility[playbook.id] = offered
        overrides = entry.get("multipliers", {})
        tier_rules = []
        highest = Decimal("0")
        for tier in tiers:
            # A longer tenure never earns a lower multiplier, even if an override says so.
            highest = max(highest, Decimal(overrides.get(str(tier["id"]), tier["multiplier"])))
            tier_rules.append(
                TierRule(
                    name=tier["name"],
                    min_months=tier["min_months"],
                    multiplier=highest,
                    **tier_translations(tier),
                )
            )
        playbooks[playbook.id] = playbook
        rules[playbook.id] = PlaybookRule(
            name=playbook.name,
            percent=playbook.percent,
            floor=playbook.floor,
            ceiling=playbook.ceiling,
            tiers=tuple(tier_rules),
            nothing_bought=playbook.nothing_bought,
            base_amount=playbook.base_amount,
            programme_tiers=programme,
        )
    return Policy(
        playbooks=playbooks,
        rules=rules,
        authorities={role: Decimal(limit) for role, limit in document.get("role_authorities", {}).items()},
        tiers=default_tiers,
        employee_authorities={
            int(user_id): Decimal(entry["limit"]) for user_id, entry in document.get("employee_authorities", {}).items()
        },
        role_bounds={
            role: {name: value for name, value in bounds_read(entry).items() if value is not None}
            for role, entry in document.get("role_authority_bounds", {}).items()
        },
        employee_bounds={
            int(user_id): {name: value for name, value in bounds_read(entry).items() if value is not None}
            for user_id, entry in document.get("employee_authorities", {}).items()
        },
        customer_limits=customer_limit_rules(document),
        budgets={
            int(location_id): BudgetRule(
                monthly_amount=Decimal(entry["monthly_amount"]),
                escalate_when_exhausted=entry["when_exhausted"] == LocationBudget.WhenExhausted.ESCALATE,
            )
            for location_id, entry in document.get("location_budgets", {}).items()
        },
        version=version,
        eligibility=eligibility,
        programme_tiers=programme,
        currency=policy_currency(document, default_currency()),
        currency_amounts=document.get("currency_amounts") or {},
    )


def version_in_force(at=None) -> PolicyVersion | None:
    """The published version in force at `at` (default now): the latest that has taken effect."""
    return (
        PolicyVersion.objects.filter(effective_at__lte=at or timezone.now())
        .order_by("-effective_at", "-number")
        .first()
    )


# Built policies by version, per process. A version never changes once published
# (only `policy_publish` creates them, nothing updates them), so its built rules
# can be reused; which version is in force is still asked of the database on
# every call, so a scheduled version takes over exactly at its time and a new
# publish is seen at once by every process. Keyed by more than the id so that a
# reused id (a rolled-back publish on SQLite) can never return another document.
_BUILT_POLICIES: dict[tuple, Policy] = {}
_BUILT_POLICIES_MAX = 16


def load_policy(at=None) -> Policy:
    """The policy in force at `at` (default now).

    One small query (which version is in force, without its document); the
    document is fetched and turned into engine rules once per process and version.
    """
    key = (
        PolicyVersion.objects.filter(effective_at__lte=at or timezone.now())
        .order_by("-effective_at", "-number")
        .values_list("id", "number", "effective_at", "published_at")
        .first()
    )
    if key is None:
        return policy_from_document({}, None)
    policy = _BUILT_POLICIES.get(key)
    if policy is None:
        version = PolicyVersion.objects.get(pk=key[0])
        policy = policy_from_document(version.document, version)
        if len(_BUILT_POLICIES) >= _BUILT_POLICIES_MAX:
            _BUILT_POLICIES.clear()
        _BUILT_POLICIES[key] = policy
    return policy


def draft_policy(*, caps_only: bool = False, customer_limits: bool = False) -> Policy:
    """The policy as it would be if the draft were published now (simulator and replay).

    With `caps_only` it has no customer limits (unless `customer_limits`) and no budgets (see `draft_document`).
    """
    return policy_from_document(draft_document(caps_only=caps_only, customer_limits=customer_limits), None)


def tier_rules_in_force() -> tuple[TierRule, ...]:
    """The tenure tiers with their default multipliers, in one query."""
    return load_policy().tiers


def built_policies_forget() -> None:
    """Forget the built policies. For tests: a rolled-back test's version can come back with the same
    id, number and times under a pinned clock, which must not find the previous test's rules."""
    _BUILT_POLICIES.clear()
