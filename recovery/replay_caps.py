"""The replay's caps: the policy's cap for many grants, quoted as rarely as the engine allows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compensation.caps import Authority
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
        tenure_months: int,
        authority: Authority,
        currency: str,
    ) -> Decimal:
        return policy.quote(
            playbook_id,
            purchase_value=purchase_value,
            tenure_months=tenure_months,
            authority=authority,
            currency=currency,
        ).cap

    def cap(
        self,
        playbook_id: int,
        *,
        purchase_value: Decimal,
        tenure_months: int,
        authority: Authority,
        currency: str,
        policy: Policy | None = None,
    ) -> Decimal:
        """`policy`: the policy as the grant's location sees it (`Policy.at_location`), default the whole one."""
        policy = policy or self.policy
        rule = policy.rules[playbook_id]
        # The cap depends on the tenure only through the tier, and on the role only in its wording;
        # the currency decides the rounding. Locations whose values are the playbook's own share a rule.
        group = (playbook_id, rule, rule.tier_for(tenure_months).min_months, authority.limit, currency)
        band = self.bands.get(group)
        key = (*group, purchase_value)
        if purchase_value == ZERO:
            # Nothing bought: the playbook's own base rule (a fixed base amount may be above what
            # the smallest purchase gets), so outside the monotone bands; quoted once per group.
            cap = self.quoted.get(key)
            if cap is None:
                cap = self.quoted[key] = self._quote(policy, playbook_id, ZERO, tenure_months, authority, currency)
            return cap
        if band is None:
            smallest = minor_unit(currency)
            lowest = self._quote(policy, playbook_id, smallest, tenure_months, authority, currency)
            highest = self._quote(policy, playbook_id, MAX_PURCHASE_VALUE, tenure_months, authority, currency)
            band = self.bands[group] = [lowest, smallest, highest, MAX_PURCHASE_VALUE]
        lowest, low_until, highest, high_from = band
        if purchase_value <= low_until:
            return lowest
        if purchase_value >= high_from:
            return highest
        cap = self.quoted.get(key)
        if cap is None:
            cap = self.quoted[key] = self._quote(
                policy, playbook_id, purchase_value, tenure_months, authority, currency
            )
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
