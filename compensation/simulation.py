"""The simulator: what each playbook's cap would be under the draft, beside the version in force.

Pure (no database): it takes two `Policy` objects and plain values and returns
one row per playbook, so ops can see the effect of a draft before publishing it
and the arithmetic is tested without a request or a table. Each side is quoted
with its own policy's authority for the chosen role, because an authority
change is as much a part of a draft as a ceiling change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compensation.caps import Authority
from compensation.customer_limits import rule_words
from compensation.limits import bound_room, case_room_text
from compensation.money import ZERO
from compensation.policy import Policy
from compensation.tiers import Standing


class CapChange:
    """How a playbook's cap moves from the version in force to the draft."""

    HIGHER = "higher"
    LOWER = "lower"
    SAME = "same"
    NEW = "new"  # active in the draft only
    WITHDRAWN = "withdrawn"  # active in the version in force only

    LABELS = {
        HIGHER: "Higher in draft",
        LOWER: "Lower in draft",
        SAME: "Same",
        NEW: "New in draft",
        WITHDRAWN: "Withdrawn in draft",
    }


@dataclass(frozen=True)
class SimulatedCap:
    """One side of a row: the cap under one policy, with the steps that led to it."""

    cap: Decimal
    tier: str
    steps: tuple[str, ...]
    limited_by_authority: bool
    # What a grant could be on a case that already has grants: the cap within the per-case room.
    grantable: Decimal | None = None
    # The customer limits that would bound a grant of this playbook to this customer, worded
    # (`customer_limits.rule_words`): the playbook's own rules and the customer's tiers'.
    limits: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        return "; ".join(self.steps)


@dataclass(frozen=True)
class SimulatorRow:
    """One playbook: its cap in force and in the draft (None where it is not active)."""

    playbook_id: int
    name: str
    in_force: SimulatedCap | None
    draft: SimulatedCap | None

    @property
    def change(self) -> str:
        if self.in_force is None:
            return CapChange.NEW
        if self.draft is None:
            return CapChange.WITHDRAWN
        if self.draft.cap > self.in_force.cap:
            return CapChange.HIGHER
        if self.draft.cap < self.in_force.cap:
            return CapChange.LOWER
        return CapChange.SAME

    @property
    def change_label(self) -> str:
        return CapChange.LABELS[self.change]

    @property
    def difference(self) -> Decimal | None:
        """Draft cap minus cap in force; None when the playbook is on one side only."""
        if self.in_force is None or self.draft is None:
            return None
        return self.draft.cap - self.in_force.cap


@dataclass(frozen=True)
class Simulation:
    """All rows, plus the authority each side applied for the chosen role."""

    rows: tuple[SimulatorRow, ...]
    authority_in_force: Authority
    authority_draft: Authority
    currency: str
    # False when the policy sets no limit for the role: the counter would then allow 0.
    role_in_force_has_authority: bool = True
    role_in_draft_has_authority: bool = True
    # The case's active grants the simulation adds to (0: a new case), and its per-case room in words.
    case_granted: Decimal = ZERO
    case_room_in_force: str = ""
    case_room_draft: str = ""

    @property
    def changed(self) -> int:
        return sum(1 for row in self.rows if row.change != CapChange.SAME)


def _quote(
    policy: Policy,
    playbook_id: int,
    *,
    purchase_value,
    tenure_months,
    authority,
    currency,
    status,
    lifetime_spend,
    case_granted=ZERO,
) -> SimulatedCap | None:
    if playbook_id not in policy.rules:
        return None
    quote = policy.quote(
        playbook_id,
        purchase_value=purchase_value,
        tenure_months=tenure_months,
        authority=authority,
        currency=currency,
        status=status,
        lifetime_spend=lifetime_spend,
    )
    steps, grantable = quote.steps, None
    if case_granted > ZERO:
        # One more step: the cap is one grant's; the case's earlier grants leave only the per-case room.
        grantable = min(quote.cap, bound_room(authority.per_case, case_granted, currency))
        steps = (*steps, case_room_text(authority, case_granted, currency))
    standing = Standing(tenure_months=tenure_months, status=status, lifetime_spend=lifetime_spend)
    return SimulatedCap(
        cap=quote.cap,
        tier=quote.tier.name,
        steps=steps,
        limited_by_authority=quote.limited_by_authority,
        grantable=grantable,
        limits=tuple(rule_words(rule, currency) for rule in policy.limits_applying(playbook_id, standing)),
    )


def simulate(
    *,
    in_force: Policy,
    draft: Policy,
    purchase_value: Decimal,
    tenure_months: int,
    role: str,
    currency: str,
    status: str = "",
    lifetime_spend: Decimal = Decimal("0"),
    case_granted: Decimal | None = None,
) -> Simulation:
    """Quote every playbook active in either policy, in the draft's order, then the withdrawn ones.

    `currency` decides the rounding and the wording; both policies are given with their amounts
    already in it (`Policy.at_location` or `compensation.currencies.in_currency`).

    The authority is the role's limit in each policy (an employee's own limit
    is a per-person exception, not what a role would get). `case_granted`: the
    case already has this much granted, so each side also says its per-case room.
    """
    case_granted = case_granted or ZERO
    authority_in_force = in_force.authority_for([role])
    authority_draft = draft.authority_for([role])
    names = {playbook_id: playbook.name for playbook_id, playbook in in_force.playbooks.items()}
    names.update({playbook_id: playbook.name for playbook_id, playbook in draft.playbooks.items()})
    order = list(draft.playbooks) + [
        playbook_id for playbook_id in in_force.playbooks if playbook_id not in draft.rules
    ]
    rows = tuple(
        SimulatorRow(
            playbook_id=playbook_id,
            name=names[playbook_id],
            in_force=_quote(
                in_force,
                playbook_id,
                purchase_value=purchase_value,
                tenure_months=tenure_months,
                authority=authority_in_force,
                currency=currency,
                status=status,
                lifetime_spend=lifetime_spend,
                case_granted=case_granted,
            ),
            draft=_quote(
                draft,
                playbook_id,
                purchase_value=purchase_value,
                tenure_months=tenure_months,
                authority=authority_draft,
                currency=currency,
                status=status,
                lifetime_spend=lifetime_spend,
                case_granted=case_granted,
            ),
        )
        for playbook_id in order
    )
    return Simulation(
        rows=rows,
        authority_in_force=authority_in_force,
        authority_draft=authority_draft,
        currency=currency,
        role_in_force_has_authority=role in in_force.authorities,
        role_in_draft_has_authority=role in draft.authorities,
        case_granted=case_granted,
        case_room_in_force=case_room_text(authority_in_force, case_granted, currency) if case_granted else "",
        case_room_draft=case_room_text(authority_draft, case_granted, currency) if case_granted else "",
    )
