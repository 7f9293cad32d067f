"""A customer's tenure (`customer_since`): it raises their tier and their caps, so every change is journalled.

A walk-in starts today and needs no entry: `verify_audit` expects the day
they were added. Any other tenure (a CRM's date on create, an ops correction)
is a "customer.tenure_set" entry on the customers' chain, so a tenure changed
behind the application's back disagrees with the journal. Who may set one is
the `recovery.set_customer_tenure` permission (ops, or an API token allowed to).

The customers' chain has no row whose lock orders it (a customer belongs to no
one location), so an append that loses a race for the next sequence (the
`(chain, sequence)` unique constraint) is retried on the new head, in a savepoint.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from compensation.journal import journal_append
from compensation.models import AuditEvent
from compensation.recording import save_with_history
from recovery.domain.errors import RecoveryError
from recovery.domain.tenure import CUSTOMER_CHAIN, TENURE_KIND, joined_on
from recovery.models import Customer

TENURE_JOURNAL_VERSION = 2
APPEND_ATTEMPTS = 5


def tenure_journal(*, actor, customer: Customer, previous: date | None, reason: str, location=None) -> AuditEvent:
    """Journal `customer`'s tenure as it now is (call inside the transaction that saved it)."""
    payload = {
        "v": TENURE_JOURNAL_VERSION,
        "customer_id": customer.pk,
        "customer_since": customer.customer_since.isoformat(),
        "previous": previous.isoformat() if previous else None,
        "reason": reason,
    }
    return customers_chain_append(kind=TENURE_KIND, actor=actor, customer=customer, payload=payload, location=location)


def customers_chain_append(*, kind: str, actor, customer: Customer, payload: dict, location=None) -> AuditEvent:
    """Append an entry about `customer` to the customers' chain, retried on a lost race (see the module)."""
    for attempt in range(APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                return journal_append(
                    chain=CUSTOMER_CHAIN,
                    kind=kind,
                    subject_type="customer",
                    subject_id=customer.pk,
                    actor=actor,
                    location_id=location.pk if location else None,
                    payload=payload,
                )
        except IntegrityError:
            if attempt == APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def tenure_needs_entry(customer: Customer) -> bool:
    """True when the tenure is not the day the customer was added (a walk-in's, which needs no entry)."""
    location = customer.created_at_location
    return customer.customer_since != joined_on(customer.created_at, location.timezone if location else None)


def customer_tenure_set(*, actor, customer_id: int, customer_since: date, reason: str, location=None) -> Customer:
    """Change a customer's tenure (ops' correction), with history and a journal entry naming who and why.

    The permission is the caller's check (`recovery.set_customer_tenure`).
    A date in the future is refused; setting the same date changes nothing.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RecoveryError("reason", gettext("Say why the tenure changes: the reason is kept in the audit."))
    if customer_since > (location.today() if location is not None else timezone.localdate()):
        raise RecoveryError("customer_since", gettext("Customer since: must not be in the future."))
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        previous = customer.customer_since
        if previous == customer_since:
            return customer
        customer.customer_since = customer_since
        save_with_history(customer, actor=actor, reason=reason)
        tenure_journal(actor=actor, customer=customer, previous=previous, reason=reason, location=location)
    return customer
