"""Playbook caps for one customer: the counter's cards and the API's quotes.

The policy prices the caps (no query); what each card can give now also needs
the customer's and the location's usage, read once by the caller
(`counter_usage_for`) and passed in, so the cards cost one query however many
playbooks there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from compensation import wording
from compensation.availability import Availability, available_now
from compensation.categories import fits
from compensation.limits import Stop, authority_stops
from compensation.money import ZERO
from compensation.policy import load_policy
from compensation.predicates import roles_of
from compensation.tiers import Standing
from recovery.models import Customer, Location, ServiceFailure
from recovery.selectors.limits import counter_usage_for
from recovery.selectors.standing import standing_of
from recovery.selectors.usage import LimitUsage


@dataclass(frozen=True)
class PlaybookCap:
    """One active playbook, its cap for the customer (None until a purchase value is known)
    and what can be granted with it now (None when no usage was read)."""

    playbook: object
    quote: object | None
    available: Availability | None = None
    fit: int = 1  # how well it suits the failure chosen (`compensation.categories.fits`)


def playbook_caps(
    *,
    policy,
    authority,
    tenure_months: int,
    purchase_value,
    currency: str,
    usage: LimitUsage | None = None,
    location_id: int | None = None,
    category: str | None = None,
    status: str = "",
    lifetime_spend=ZERO,
) -> list[PlaybookCap]:
    """Every active playbook of the version, in display order, priced for this customer in the
    location's `currency` (no query). With `usage` (and the granting `location_id`, for its
    budget), each also says what can be granted now and which limit decides it; with the
    failure's `category`, how well it suits it (`fit`). `status` and `lifetime_spend` reach
    the programme tiers (`compensation.tiers`)."""
    budget = policy.budget_for(location_id) if location_id is not None else None
    locale = wording.locale()
    # The authority's per-case and per-period sums: the same for every card (they bound the case, not a playbook).
    stops = authority_stops(authority, usage.authority, currency) if usage is not None else ()
    standing = Standing(tenure_months=tenure_months, status=status, lifetime_spend=lifetime_spend)
    cards = []
    for playbook_id, playbook in policy.playbooks.items():
        quote = (
            None
            if purchase_value is None
            else policy.quote(
                playbook_id,
                purchase_value=purchase_value,
                tenure_months=tenure_months,
                authority=authority,
                currency=currency,
                status=status,
                lifetime_spend=lifetime_spend,
            )
        )
        available = None
        if usage is not None:
            available = available_now(
                cap=None if quote is None else quote.cap,
                limited_by_authority=bool(quote and quote.limited_by_authority),
                authority_limit=authority.limit,
                # This playbook's rules and the customer's tiers', as the grant checks them.
                customer_rules=policy.limits_applying(playbook_id, standing),
                usage=usage.customer,
                budget=budget,
                budget_spent=usage.budget_spent,
                currency=currency,
                locale=locale,
                not_offered=bool(quote and not quote.offered),
                authority_stops=stops,
            )
        fit = fits(getattr(playbook, "categories", None), category)
        cards.append(PlaybookCap(playbook=playbook, quote=quote, available=available, fit=fit))
    return cards


def cards_by_fit(cards: list[PlaybookCap]) -> tuple[list[PlaybookCap], list[PlaybookCap]]:
    """The cards that suit the failure, best fit first (else display order), and the others.

    When none suits it (a category no playbook names), every card is shown as
    fitting: the counter never hides all its choices behind "other playbooks".
    """
    fitting = sorted((card for card in cards if card.fit), key=lambda card: -card.fit)
    if not fitting:
        return list(cards), []
    return fitting, [card for card in cards if not card.fit]


@dataclass(frozen=True)
class CustomerQuote:
    """What every playbook may give this customer now, with the facts the caps rest on."""

    policy: object
    authority: object
    tenure_months: int
    tier: object
    caps: list[PlaybookCap]
    currency: str  # the location's: every cap is in it
    standing: object = None  # compensation.tiers.Standing: tenure, status, lifetime spend
    authority_stops: tuple[Stop, ...] = ()  # per case (when a case is named) and per period, worded
    case_total: object = None  # the named case's active grants (None: a new case)


def customer_quote_for(
    *, user, customer: Customer, location: Location, purchase_value, failure_id: int | None = None
) -> CustomerQuote:
    """The caps a grant by `user` at `location` would have now, and what each can give now
    (three queries: the version in force, the customer's lifetime spend, and the customer's and
    location's usage; one more for a named case or an authority with a daily or monthly bound).
    With `failure_id`, a further grant on that case: its per-case room is explained and bounds what
    each card can give."""
    policy = load_policy().at_location(location)
    authority = policy.authority_for(roles_of(user), user.pk)
    standing = standing_of(customer, location)
    tenure_months = standing.tenure_months
    usage = counter_usage_for(
        customer=customer,
        location=location,
        policy=policy,
        authority=authority,
        employee_id=user.pk,
        failure_id=failure_id,
    )
    return CustomerQuote(
        policy=policy,
        authority=authority,
        tenure_months=tenure_months,
        tier=policy.tier_of(standing),
        standing=standing,
        caps=playbook_caps(
            policy=policy,
            authority=authority,
            tenure_months=tenure_months,
            status=standing.status,
            lifetime_spend=standing.lifetime_spend,
            purchase_value=purchase_value,
            currency=location.currency,
            usage=usage,
            location_id=location.pk,
        ),
        currency=location.currency,
        authority_stops=authority_stops(authority, usage.authority, location.currency),
        case_total=None if failure_id is None else usage.authority.case_total,
    )


def case_exists(*, customer: Customer, location: Location, case_id: int) -> bool:
    """Whether `case_id` is this customer's case at this location (a further grant may be quoted on it)."""
    return ServiceFailure.objects.filter(pk=case_id, customer_id=customer.pk, location_id=location.pk).exists()
