"""Reads for recording visits: the customers a chunk of lines names, the lines already stored.

Matching is the counter's (a phone in any format, a loyalty card, an email),
but exact only: a visit line never falls back to a part of a name, since a
visit credited to the wrong customer would bend every effect figure quietly.
A chunk of lines is matched in three queries, whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.functions import Lower, Upper
from django.utils.translation import gettext

from recovery.domain.visits import VisitFields
from recovery.models import Customer, Location, Visit


@dataclass(frozen=True)
class CustomerIndex:
    """The customers a chunk's identifiers name, by normalised phone, lower-case email and upper-case card."""

    by_phone: dict[str, Customer]
    by_email: dict[str, Customer]
    by_card: dict[str, Customer]

    def match(self, fields: VisitFields) -> tuple[Customer | None, dict[str, list[str]]]:
        """The one customer every identifier on the line names, or the reasons per field it names none."""
        found: dict[str, Customer | None] = {}
        if fields.phone:
            found["phone"] = self.by_phone.get(fields.phone)
        if fields.email:
            found["email"] = self.by_email.get(fields.email)
        if fields.card:
            found["card"] = self.by_card.get(fields.card)
        unknown = {name: [NOBODY[name]()] for name, c in found.items() if c is None}
        if unknown:
            return None, unknown
        customers = {customer.pk: customer for customer in found.values() if customer is not None}
        if len(customers) > 1:
            reason = gettext("These identifiers name different customers: send one customer's.")
            return None, {name: [reason] for name in found}
        return next(iter(customers.values())), {}


# Whole sentences, one per field (a sentence built from parts cannot be translated).
NOBODY = {
    "phone": lambda: gettext("No customer has this phone number."),
    "email": lambda: gettext("No customer has this email address."),
    "card": lambda: gettext("No customer has this loyalty card."),
}


def customer_index_for(lines: Iterable[VisitFields]) -> CustomerIndex:
    """The customers named by the lines' phones, emails and cards (three queries at most)."""
    lines = list(lines)
    phones = {line.phone for line in lines if line.phone}
    emails = {line.email for line in lines if line.email}
    cards = {line.card for line in lines if line.card}
    by_phone = {c.phone: c for c in Customer.objects.filter(phone__in=phones)} if phones else {}
    by_email = (
        {c.email_lower: c for c in Customer.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)}
        if emails
        else {}
    )
    by_card = (
        {
            c.card_upper: c
            for c in Customer.objects.annotate(card_upper=Upper("loyalty_card")).filter(card_upper__in=cards)
        }
        if cards
        else {}
    )
    return CustomerIndex(by_phone=by_phone, by_email=by_email, by_card=by_card)


def visit_external_ids_stored(*, source: str, keys: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which `(location_id, external_id)` of a chunk this source already stored (one query)."""
    keys = {key for key in keys if key[1]}
    if not keys:
        return set()
    ids = {external_id for _, external_id in keys}
    stored = Visit.objects.filter(source=source, external_id__in=ids).values_list("location_id", "external_id")
    return set(stored) & keys


def locations_by_code() -> dict[str, Location]:
    """Active locations by their code (a CSV line names its location by code)."""
    return {location.code.lower(): location for location in Location.objects.filter(is_active=True)}
