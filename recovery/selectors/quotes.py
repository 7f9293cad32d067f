"""Playbook caps for one customer: the counter's cards and the API's quotes (the policy prices, no query)."""

from __future__ import annotations

from dataclasses import dataclass

from compensation.policy import load_policy, tenure_in_months
from compensation.predicates import roles_of
from recovery.models import Customer, Location


@dataclass(frozen=True)
class PlaybookCap:
    """One active playbook and its cap for the customer (None until a purchase value is known)."""

    playbook: object
    quote: object | None


def playbook_caps(*, policy, authority, tenure_months: int, purchase_value, currency: str) -> list[PlaybookCap]:
    """Every active playbook of the version, in display order, priced for this customer in the
    location's `currency` (no query)."""
    return [
        PlaybookCap(
            playbook=playbook,
            quote=None
            if purchase_value is None
            else policy.quote(
                playbook_id,
                purchase_value=purchase_value,
                tenure_months=tenure_months,
                authority=authority,
                currency=currency,
            ),
        )
        for playbook_id, playbook in policy.playbooks.items()
    ]


@dataclass(frozen=True)
class CustomerQuote:
    """What every playbook may give this customer now, with the facts the caps rest on."""

    policy: object
    authority: object
    tenure_months: int
    tier: object
    caps: list[PlaybookCap]
    currency: str  # the location's: every cap is in it


def customer_quote_for(*, user, customer: Customer, location: Location, purchase_value) -> CustomerQuote:
    """The caps a grant by `user` at `location` would have now (one query: the version in force)."""
    policy = load_policy()
    authority = policy.authority_for(roles_of(user), user.pk)
    tenure_months = tenure_in_months(customer.customer_since, location.today())
    return CustomerQuote(
        policy=policy,
        authority=authority,
        tenure_months=tenure_months,
        tier=policy.tier_for(tenure_months),
        caps=playbook_caps(
            policy=policy,
            authority=authority,
            tenure_months=tenure_months,
            purchase_value=purchase_value,
            currency=location.currency,
        ),
        currency=location.currency,
    )
