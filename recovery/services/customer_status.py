"""A customer's programme status (Silver, Gold…): it reaches a status tier and raises their caps,
so, like a tenure, every change is saved with history and journalled on the customers' chain.

Who may set one is the `recovery.set_customer_status` permission (ops, or an
API token ops trusted with it: a CRM); the caller checks it. Only a status the
policy in force names is accepted: a status no tier names would multiply
nothing today and could silently start to once a later version names it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from compensation.policy import load_policy
from compensation.recording import save_with_history
from recovery.domain.errors import RecoveryError
from recovery.domain.tenure import STATUS_KIND
from recovery.models import Customer
from recovery.services.tenure import customers_chain_append

STATUS_JOURNAL_VERSION = 1


def status_checked(status: str) -> str:
    """`status` as the policy in force spells it ("" clears it); refused, naming the field, when no tier names it."""
    status = (status or "").strip()
    if not status:
        return ""
    known = load_policy().statuses
    for name in known:
        if name.casefold() == status.casefold():
            return name
    if not known:
        raise RecoveryError(
            "status",
            gettext("Status: the policy in force names no status, so “%(status)s” cannot be held; leave it empty.")
            % {"status": status},
        )
    raise RecoveryError(
        "status",
        gettext("Status: “%(status)s” is not a status the policy in force names (it names: %(known)s).")
        % {"status": status, "known": ", ".join(known)},
    )


def customer_status_set(*, actor, customer_id: int, status: str, reason: str, location=None) -> Customer:
    """Set (or clear, with "") a customer's status, with history and a journal entry naming who and why.

    Setting the status the customer already holds changes nothing and writes no entry.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RecoveryError("reason", gettext("Say why the status changes: the reason is kept in the audit."))
    status = status_checked(status)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        previous = customer.status
        if previous == status:
            return customer
        customer.status = status
        save_with_history(customer, actor=actor, reason=reason)
        customers_chain_append(
            kind=STATUS_KIND,
            actor=actor,
            customer=customer,
            location=location,
            payload={
                "v": STATUS_JOURNAL_VERSION,
                "customer_id": customer.pk,
                "status": status,
                "previous": previous,
                "reason": reason,
            },
        )
    return customer
