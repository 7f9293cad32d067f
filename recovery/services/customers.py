"""Customers met at the counter or sent by an integration: the only code that creates `Customer` rows.

A customer is found again by phone, email or loyalty card, so the services
refuse a second customer with the same identifier (the database's unique
constraints are the final guard when two counters add one at once). Tenure
counts from `customer_since`, which is why a walk-in starts at today; any
other tenure is journalled (`recovery.services.tenure`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext

from compensation.recording import save_with_history
from recovery.domain.errors import RecoveryError
from recovery.models import Customer, Location
from recovery.services.tenure import tenure_journal, tenure_needs_entry


class DuplicateCustomer(RecoveryError):
    """A walk-in with the phone, email or card of a customer already known: carries that customer."""

    def __init__(self, field: str, message: str, customer: Customer):
        super().__init__(field, message)
        self.customer = customer


DUPLICATE_MESSAGES = {
    "phone": lambda: gettext("Phone: %(name)s already has this phone number; open that customer instead."),
    "email": lambda: gettext("Email: %(name)s already has this email; open that customer instead."),
    "loyalty_card": lambda: gettext("Loyalty card: %(name)s already has this card; open that customer instead."),
}


def customer_add_walk_in(
    *, actor, location: Location, name: str, phone: str = "", email: str = "", loyalty_card: str = ""
) -> Customer:
    """Quick-add a customer met at the counter today: a walk-in has zero tenure."""
    lookups = {
        "phone": phone and Q(phone=phone),
        "email": email and Q(email__iexact=email),
        "loyalty_card": loyalty_card and Q(loyalty_card__iexact=loyalty_card),
    }
    for field, lookup in lookups.items():
        existing = Customer.objects.filter(lookup).first() if lookup else None
        if existing is not None:
            # Named and linked by the view, so the clerk opens the customer rather than retyping.
            raise DuplicateCustomer(field, DUPLICATE_MESSAGES[field]() % {"name": existing.name}, existing)
    customer = Customer(
        name=name,
        phone=phone,
        email=email.lower(),
        loyalty_card=loyalty_card.upper(),
        customer_since=location.today(),
        created_by=actor,
        created_at_location=location,
    )
    try:
        with transaction.atomic():
            save_with_history(customer, actor=actor)
    except IntegrityError as error:
        raise RecoveryError(None, gettext("This customer was just added by someone else: search for them.")) from error
    return customer


@dataclass(frozen=True)
class CustomerUpsert:
    """An integration's customer: the one found by phone, email or card (unchanged), or a new one."""

    customer: Customer
    created: bool
    # For a found customer: the fields the request gave other values for (changing them is for ops).
    differences: dict[str, str]


CUSTOMER_KEYS = ("phone", "email", "loyalty_card")


def customer_upsert(
    *, actor, location: Location, name: str, phone="", email="", loyalty_card="", customer_since=None
) -> CustomerUpsert:
    """Find the customer a point-of-sale or CRM sends by phone, email or loyalty card, or create them.

    Values arrive normalised (E.164 phone, lower-case email, upper-case card).
    A found customer is returned unchanged, with the fields the request would
    change: the rules let only ops change a customer. A new customer's tenure
    counts from `customer_since` (the CRM knows it), by default today (a walk-in).
    Identifiers that point at two different customers are refused.
    """
    given = {"phone": phone, "email": email, "loyalty_card": loyalty_card}
    lookups = {
        "phone": Q(phone=phone),
        "email": Q(email__iexact=email),
        "loyalty_card": Q(loyalty_card__iexact=loyalty_card),
    }
    matches = {}
    if any(given.values()):
        condition = Q()
        for field, value in given.items():
            if value:
                condition |= lookups[field]
        for customer in Customer.objects.filter(condition)[:4]:
            for field, value in given.items():
                if value and getattr(customer, field).lower() == value.lower():
                    matches[field] = customer
    found = {customer.pk: customer for customer in matches.values()}
    if len(found) > 1:
        which = ", ".join(
            gettext("%(field)s → customer #%(id)s") % {"field": field, "id": customer.pk}
            for field, customer in matches.items()
        )
        raise RecoveryError(
            None,
            gettext("These details belong to different customers (%(which)s): send one of them.") % {"which": which},
        )
    if found:
        customer = next(iter(found.values()))
        wanted = {**{field: value for field, value in given.items() if value}, "name": name}
        if customer_since is not None:
            wanted["customer_since"] = customer_since
        differences = {
            field: str(getattr(customer, field)) for field, value in wanted.items() if getattr(customer, field) != value
        }
        return CustomerUpsert(customer=customer, created=False, differences=differences)
    if not any(given.values()):
        raise RecoveryError(
            "phone", gettext("Send a phone number, email or loyalty card to find or add the customer by.")
        )
    since = customer_since or location.today()
    if since > location.today():
        raise RecoveryError("customer_since", gettext("Customer since: must not be in the future."))
    customer = Customer(
        name=name,
        phone=phone,
        email=email.lower(),
        loyalty_card=loyalty_card.upper(),
        customer_since=since,
        created_by=actor,
        created_at_location=location,
    )
    try:
        with transaction.atomic():
            save_with_history(customer, actor=actor)
            if tenure_needs_entry(customer):
                # A tenure other than today raises the customer's tier: journalled, as an ops change is.
                tenure_journal(
                    actor=actor, customer=customer, previous=None, reason="Customer since, as sent", location=location
                )
    except IntegrityError:
        # Added by someone else a moment ago: answer with that customer, as a retry would get.
        return customer_upsert(
            actor=actor,
            location=location,
            name=name,
            phone=phone,
            email=email,
            loyalty_card=loyalty_card,
            customer_since=customer_since,
        )
    return CustomerUpsert(customer=customer, created=True, differences={})
