"""The replay's caps: the policy's cap for many grants, quoted as rarely as the engine allows, and a
case's running total for the per-case authority."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compensation.caps import Authority, Standing, tier_applied, tiers_for
from compensation.limits import bound_room
from compensation.money import ZERO, minor_unit
from compensation.policy import Policy

MAX_PURCHASE_VALUE = Decimal("9999999999.99")  # the largest value a grant can record


class DraftCaps:
    """The policy's cap for many grants, asking the engine as rarely as its monotonicity allows.

    A quote formats an explanation (tens of microseconds), which adds up to
    seconds over 100k grants. The cap never falls as the purchase value grows
    (a property of the engine, above 0: nothing bought has its own rule and is
    quoted apart), so within one group (playbook, tier reached,
    authority limit) every value at or above one known to reach the group's
    highest cap has that cap too, and every value at or below one known to
    give the lowest cap has that one. Most grants sit at a floor or a ceiling,
    so most are answered without quoting; the rest are quoted (and memoised).
    """

    def __init__(self, policy: Policy):
        self.policy = policy
        self.bands: dict[tuple, list] = {}  # group -> [lowest cap, up to value, highest cap, from value]
        self.quoted: dict[tuple, Decimal] = {}

    def _quote(
        self,
        policy: Policy,
        playbook_id: int,
        purchase_value: Decimal,
        standing: Standing,
        authority: Authority,
        currency: str,
    ) -> Decimal:
        return policy.quote(
            playbook_id,
            purchase_value=purchase_value,
            tenure_months=standing.tenure_months,
            authority=authority,
            currency=currency,
            status=standing.status,
            lifetime_spend=standing.lifetime_spend,
        ).cap

    def cap(
        self,
        playbook_id: int,
        *,
        purchase_value: Decimal,
        authority: Authority,
        currency: str,
        tenure_months: int = 0,
        standing: Standing | None = None,
        policy: Policy | None = None,
    ) -> Decimal:
        """The cap for a customer of `standing` (or of `tenure_months` with no status and no spend);
        `policy`: the policy as the grant's location sees it (`Policy.at_location`), default the whole one."""
        standing = standing or Standing(tenure_months)
        policy = policy or self.policy
        rule = policy.rules[playbook_id]
        # The cap depends on the tenure, status and spend only through the tier applied, and on the
        # role only in its wording; the currency decides the rounding. Locations whose values are the
        # playbook's own share one rule, and so one band.
        tier = tier_applied(tiers_for(rule.tiers, rule.programme_tiers, standing))
        group = (playbook_id, rule, tier.source, tier.name, authority.limit, currency)
        band = self.bands.get(group)
        key = (*group, purchase_value)
        if purchase_value == ZERO:
            # Nothing bought: the playbook's own base rule (a fixed base amount may be above what
            # the smallest purchase gets), so outside the monotone bands; quoted once per group.
            cap = self.quoted.get(key)
            if cap is None:
                cap = self.quoted[key] = self._quote(policy, playbook_id, ZERO, standing, authority, currency)
            return cap
        if band is None:
            smallest = minor_unit(currency)
            lowest = self._quote(policy, playbook_id, smallest, standing, authority, currency)
            highest = self._quote(policy, playbook_id, MAX_PURCHASE_VALUE, standing, authority, currency)
            band = self.bands[group] = [lowest, smallest, highest, MAX_PURCHASE_VALUE]
        lowest, low_until, highest, high_from = band
        if purchase_value <= low_until:
            return lowest
        if purchase_value >= high_from:
            return highest
        cap = self.quoted.get(key)
        if cap is None:
            cap = self.quoted[key] = self._quote(policy, playbook_id, purchase_value, standing, authority, currency)
        if cap == lowest:
            band[1] = purchase_value
        if cap == highest:
            band[3] = purchase_value
        return cap


@dataclass(frozen=True)
class Place:
    """A grant row's location, as `Policy.at_location` reads one."""

    code: str
    kind: str


@dataclass
class CaseTotals:
    """The running total of one case's grants under one policy, as the rows stream in case order."""

    case: int | None = None
    total: Decimal = ZERO

    def bounded(self, row: dict, amount: Decimal, authority: Authority | None) -> tuple[Decimal, bool]:
        """`amount` within what `authority`'s per-case bound leaves on the row's case, and whether it
        cut it; the amount then counts towards the case. A manager's approval is kept as it was."""
        case = row.get("failure_id")
        if case is None or case != self.case:
            self.case, self.total = case, ZERO
        cut = False
        if authority is not None and row.get("approved_by_id") is None:
            room = bound_room(authority.per_case, self.total, row["currency"])
            cut = amount > room
            amount = min(amount, room)
        self.total += amount
        return amount, cut
