"""Pricing a counter request: what the policy in force allows for it, before any limit is checked.

A grant and an escalation start from the same `GrantRequest` priced the same
way (`grant_request_price`), so the cap an escalation asks above and the cap
stored on the grant can never disagree, and a cap that changed since the
employee was shown it is refused rather than silently granted. The quote and policy values copied onto a grant or an
escalation are named once (`QUOTE_FIELDS`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.utils import translation
from django.utils.translation import gettext

from compensation import wording
from compensation.currencies import currency_refusal
from compensation.money import minor_unit, quantize
from compensation.policy import Policy
from compensation.texts import localized_text
from compensation.tiers import Standing
from recovery.domain.errors import RecoveryError
from recovery.domain.fingerprints import grant_request_fingerprint
from recovery.models import Customer, Location
from recovery.selectors.standing import standing_of


@dataclass(frozen=True)
class GrantRequest:
    """What the counter submits for one grant; `amount=None` means 'the full cap'."""

    customer: Customer
    location: Location
    category: str
    purchase_value: Decimal
    note: str
    playbook_id: int
    amount: Decimal | None
    token: uuid.UUID
    quoted_cap: Decimal | None = None
    # When the counter opened the case (signed by the resolve page), logged as the failure's time.
    # Not part of the fingerprint: a retry of the same form still replays its grant.
    opened_at: datetime | None = None
    # The case (service failure) this grant adds to; None: a new case. Its sum is bounded by the per-case authority.
    failure_id: int | None = None
    # Why the employee chose another playbook than an experiment's suggestion (not in the fingerprint either).
    experiment_reason: str = ""
    # The incident this grant is one customer's share of (`recovery.services.incidents`); not in the fingerprint.
    incident: object | None = None

    def fingerprint(self) -> str:
        """SHA-256 of the request's content, to tell a true retry from a reused token."""
        return grant_request_fingerprint(
            customer_id=self.customer.pk,
            location_id=self.location.pk,
            category=self.category,
            purchase_value=self.purchase_value,
            note=self.note,
            playbook_id=self.playbook_id,
            amount=self.amount,
            failure_id=self.failure_id,
        )


@dataclass(frozen=True)
class Priced:
    """A request priced under one policy version: the cap quote and the employee's authority."""

    policy: Policy
    playbook: object
    quote: object
    authority: object
    tenure_months: int
    currency: str  # the location's: the quote, the limits and the grant are all in it
    shown_steps: tuple[str, ...] = ()  # the quote's steps in the active language (`quote.steps` are English)
    standing: Standing | None = None  # tenure, status and lifetime spend the tier was chosen from
    employee_id: int | None = None  # who grants: their day's and month's grants bound the authority's periods


def grant_request_price(*, actor, roles, request: GrantRequest, policy: Policy) -> Priced:
    """The request priced under `policy`: its playbook, the customer's tenure, the cap and the employee's authority.

    The policy is read as the request's location sees it (`Policy.at_location`): a playbook not offered
    there is refused, and one with the location's own values is priced with them.
    Refuses an unknown playbook, a purchase value finer than the currency, and a
    cap that changed since the employee was shown it (`quoted_cap`).
    """
    everywhere, policy = policy, policy.at_location(request.location)
    if policy.unstated_currency:
        # Never read the policy currency's amounts as the location's: nothing is granted until ops state them.
        raise RecoveryError(None, currency_refusal(policy, request.location))
    playbook = policy.playbooks.get(request.playbook_id)
    if playbook is None and request.playbook_id in everywhere.playbooks:
        raise RecoveryError(
            "playbook",
            gettext("“%(playbook)s” is not offered at %(location)s: choose another.")
            % {
                "playbook": localized_text(everywhere.playbooks[request.playbook_id], "name"),
                "location": request.location.name,
            },
        )
    if playbook is None:
        raise RecoveryError("playbook", gettext("This playbook is unknown or no longer active: choose another."))
    authority = policy.authority_for(roles, actor.pk)
    # The lifetime spend is summed only for a playbook whose programme tiers may read it.
    standing = standing_of(request.customer, request.location, spend=bool(policy.rules[playbook.id].programme_tiers))
    tenure_months = standing.tenure_months
    # The steps become the grant's audit snapshot (`cap_steps`, returned by the API): always
    # worded in English, so the record reads the same to every reviewer whatever the granting
    # employee's language. Only the counter's cards (selectors) word them in the page's language.
    currency = request.location.currency
    purchase_value_check(request.purchase_value, currency)
    quote_now = partial(
        policy.quote,
        playbook.id,
        purchase_value=request.purchase_value,
        tenure_months=tenure_months,
        authority=authority,
        currency=currency,
        status=standing.status,
        lifetime_spend=standing.lifetime_spend,
    )
    with translation.override("en"):
        quote = quote_now()
    if request.quoted_cap is not None and request.quoted_cap != quote.cap:
        money = partial(wording.amount, currency=currency)
        version = (
            gettext("version %(number)s") % {"number": policy.version.number}
            if policy.version
            else gettext("unpublished draft")
        )
        raise RecoveryError(
            "playbook",
            gettext(
                "The cap of “%(playbook)s” changed from %(before)s to %(now)s while you were deciding "
                "(%(version)s is now in force). Check the amount and grant again."
            )
            % {
                "playbook": localized_text(playbook, "name"),
                "before": money(request.quoted_cap),
                "now": money(quote.cap),
                "version": version,
            },
        )
    # The same steps in the employee's language, for a refusal shown to them now (pure: no query).
    steps = quote.steps if wording.language() == "en" else quote_now().steps
    return Priced(
        policy=policy,
        playbook=playbook,
        quote=quote,
        authority=authority,
        tenure_months=tenure_months,
        shown_steps=steps,
        currency=currency,
        standing=standing,
        employee_id=actor.pk,
    )


def purchase_value_check(purchase_value: Decimal, currency: str) -> None:
    """A purchase value finer than the location's currency allows (1000.5 yen) is a typing mistake:
    refused, rather than quietly rounded into a cap the customer cannot check."""
    if purchase_value != quantize(purchase_value, currency):
        raise RecoveryError(
            "purchase_value",
            gettext("Purchase value: %(currency)s has no smaller unit than %(unit)s.") % _smallest_unit(currency),
        )


def amount_checked(amount: Decimal, currency: str) -> Decimal:
    """`amount`, refused when finer than the currency allows (as `purchase_value_check`)."""
    if amount != quantize(amount, currency):
        raise RecoveryError(
            "amount", gettext("Amount: %(currency)s has no smaller unit than %(unit)s.") % _smallest_unit(currency)
        )
    return amount


def _smallest_unit(currency: str) -> dict:
    """The words of a refusal of a value finer than `currency` allows: the currency and its smallest unit."""
    return {"currency": currency, "unit": wording.amount(minor_unit(currency), currency)}


QUOTE_FIELDS = (
    "cap",
    "cap_steps",
    "tenure_months",
    "tenure_tier",
    "authority_role",
    "authority_limit",
    "policy_snapshot",
    "policy_version",
)


def quote_fields_of(priced: Priced) -> dict:
    """The quote and policy values (`QUOTE_FIELDS`) copied onto a grant or an escalation."""
    return {
        "cap": priced.quote.cap,
        "cap_steps": list(priced.quote.steps),
        "tenure_months": priced.tenure_months,
        "tenure_tier": priced.quote.tier.name,
        "authority_role": priced.authority.role,
        "authority_limit": priced.authority.limit,
        "policy_snapshot": priced.policy.snapshot(
            priced.playbook.id,
            priced.authority,
            priced.currency,
            status=priced.standing.status if priced.standing else "",
            lifetime_spend=priced.standing.lifetime_spend if priced.standing else None,
        ),
        "policy_version": priced.policy.version,
    }
