"""The day a customer joined when no one set their tenure: the day they were added, where they were added."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

# The journal's kind for a tenure set, and the chain those entries go on (a customer belongs to no one location).
TENURE_KIND = "customer.tenure_set"
# The journal's kind for a programme status set (Gold…; `recovery.services.customer_status`), on the same chain.
STATUS_KIND = "customer.status_set"
CUSTOMER_CHAIN = "customers"


def joined_on(created_at: datetime, zone_name: str | None) -> date:
    """`created_at` on the calendar of the location that added the customer (UTC without one).

    A walk-in's `customer_since` is this day and is not journalled; any other
    tenure must be (`recovery.services.tenure`), which `verify_audit` checks.
    """
    return created_at.astimezone(zoneinfo.ZoneInfo(zone_name) if zone_name else UTC).date()
