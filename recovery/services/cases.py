"""A case carrying several grants: a further grant names the case (service failure) it adds to.

The failure is logged once, with the first grant; a further grant (a voucher after a
refund) takes the case's own category, purchase value and note, so the journal's
facts about the failure stay the case's and `verify_audit` finds them on its row.
The sum of a case's active grants is bounded by the per-case authority
(`compensation.limits.authority_stops`), checked under the location's lock.
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext

from recovery.domain.errors import RecoveryError
from recovery.models import ServiceFailure
from recovery.services.pricing import GrantRequest


def case_of(*, customer, location, case_id: int) -> ServiceFailure:
    """The case `case_id` when a further grant may be added to it here, else a refusal naming why.

    A case is added to only at the location that opened it (its budget and authority are that
    location's) and only for its own customer; a case of this customer opened elsewhere says where,
    so the counter can send the customer there or open a new case here.
    """
    failure = ServiceFailure.objects.filter(pk=case_id, customer_id=customer.pk).select_related("location").first()
    if failure is None:
        raise RecoveryError(
            "case",  # as the API names it
            gettext("Case: case #%(case)s is not this customer's at this location; start a new case instead.")
            % {"case": case_id},
        )
    if failure.location_id != location.pk:
        raise RecoveryError(
            "case",
            gettext("Case: case #%(case)s was opened at %(location)s; add to it there, or start a new case here.")
            % {"case": case_id, "location": failure.location.name},
        )
    return failure


def case_request(request: GrantRequest) -> GrantRequest:
    """`request` with its case's facts when it adds to one; refused when the case is not this
    customer's at this location (a link copied to another counter, or a made-up number)."""
    if request.failure_id is None:
        return request
    failure = case_of(customer=request.customer, location=request.location, case_id=request.failure_id)
    return dataclasses.replace(
        request, category=failure.category, purchase_value=failure.purchase_value, note=failure.note
    )
