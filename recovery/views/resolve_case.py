"""The resolve page adding to an existing case: which case the page was opened for, and its room left.

"Add another compensation to this case" (the granted page, the customer's recent grants)
opens screen 2 with `?case=<id>`; the form then carries the case as a hidden field, so the
grant lands on that case (`services.case_request`) and the cards are bounded by the
per-case authority the employee has left on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from compensation.limits import bound_room
from recovery import services
from recovery.models import ServiceFailure

# An id the database can hold: anything else is no case of ours.
MAX_CASE_ID = 2**63 - 1


@dataclass(frozen=True)
class CaseShown:
    """The case a further grant adds to, as the resolve page shows it."""

    failure: ServiceFailure
    granted: Decimal  # its active grants together, in the location's currency
    room: Decimal  # what the employee's per-case authority still allows on it ("€500.00 left on this case")


def case_asked(raw) -> int | None | str:
    """The case id the page was sent with: None when none was asked, the id, or "bad" when it is no id."""
    raw = str(raw or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_CASE_ID:
        return "bad"
    return int(raw)


def case_for_page(request, customer, raw) -> tuple[ServiceFailure | None, str]:
    """The case named by `raw` when a further grant may be added to it at this counter, else
    (None, the refusal naming the field and the reason); (None, "") when no case was asked."""
    asked = case_asked(raw)
    if asked is None:
        return None, ""
    if asked == "bad":
        return None, gettext("Case: “%(case)s” is not a case number; start a new case instead.") % {
            "case": str(raw)[:40]
        }
    try:
        return services.case_of(customer=customer, location=request.counter_location, case_id=asked), ""
    except services.RecoveryError as error:
        return None, str(error.message)


def case_shown(failure: ServiceFailure, authority, usage, currency: str) -> CaseShown:
    """The case with what is granted on it and what the employee's per-case authority leaves."""
    granted = usage.authority.case_total
    return CaseShown(failure=failure, granted=granted, room=bound_room(authority.per_case, granted, currency))
