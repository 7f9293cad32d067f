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


def case_request(request: GrantRequest) -> GrantRequest:
    """`request` with its case's facts when it adds to one; refused when the case is not this
    customer's at this location (a link copied to another counter, or a made-up number)."""
    if request.failure_id is None:
        return request
    failure = ServiceFailure.objects.filter(
        pk=request.failure_id, customer_id=request.customer.pk, location_id=request.location.pk
    ).first()
    if failure is None:
        raise RecoveryError(
            "case",  # as the API names it
            gettext("Case: case #%(case)s is not this customer's at this location; start a new case instead.")
            % {"case": request.failure_id},
        )
    return dataclasses.replace(
        request, category=failure.category, purchase_value=failure.purchase_value, note=failure.note
    )
