"""Today's customers at this counter: those granted here since the location's midnight, or found at its counter.

Finding a customer at the counter records their visit of the day (`visit_record_at_counter`, the
return rates' input): the same row says they were here today, so the counter writes once, not twice.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

from django.db.models import DateTimeField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from recovery.models import Customer, Grant, Location, Visit

TODAY_LIMIT = 8  # a short list under the search: the counter's last few customers, not a report


def location_day_start(location: Location, now: datetime | None = None) -> datetime:
    """Midnight today at `location`, in its own time zone (an aware datetime)."""
    zone = zoneinfo.ZoneInfo(location.timezone)
    local_day = timezone.localtime(now or timezone.now(), zone).date()
    return datetime.combine(local_day, time.min, tzinfo=zone)


def counter_customers_today(*, location: Location, limit: int = TODAY_LIMIT) -> list[Customer]:
    """The customers granted or found at `location` today (its local day), the latest first.

    One query whatever the day's traffic: the day's counter visits and grants
    here pick the customers (each on an index by location and day or time), and
    two correlated subqueries give each one's visit (when the counter first found
    them today) and last grant. Each customer carries `seen_at`, the later of the two.
    """
    since = location_day_start(location)
    visits_today = Visit.objects.filter(location=location, source=Visit.Source.COUNTER, visited_on=since.date())
    found = visits_today.filter(customer=OuterRef("pk")).values("recorded_at")[:1]
    granted = (
        Grant.objects.filter(customer=OuterRef("pk"), location=location, granted_at__gte=since)
        .values("customer")
        .annotate(last=Max("granted_at"))
        .values("last")
    )
    granted_today = Grant.objects.filter(location=location, granted_at__gte=since).values("customer_id")
    return list(
        Customer.objects.filter(Q(pk__in=visits_today.values("customer_id")) | Q(pk__in=granted_today))
        .annotate(
            opened_at=Subquery(found, output_field=DateTimeField()),
            granted_at=Subquery(granted, output_field=DateTimeField()),
        )
        .annotate(seen_at=Greatest(Coalesce("opened_at", "granted_at"), Coalesce("granted_at", "opened_at")))
        .order_by(F("seen_at").desc(), "name")[:limit]
    )
