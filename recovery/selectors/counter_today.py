"""Today's customers at this counter: those granted or opened here since the location's midnight."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

from django.db.models import DateTimeField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from recovery.models import CounterLookup, Customer, Grant, Location

TODAY_LIMIT = 8  # a short list under the search: the counter's last few customers, not a report


def location_day_start(location: Location, now: datetime | None = None) -> datetime:
    """Midnight today at `location`, in its own time zone (an aware datetime)."""
    zone = zoneinfo.ZoneInfo(location.timezone)
    local_day = timezone.localtime(now or timezone.now(), zone).date()
    return datetime.combine(local_day, time.min, tzinfo=zone)


def counter_customers_today(*, location: Location, limit: int = TODAY_LIMIT) -> list[Customer]:
    """The customers granted or opened at `location` today (its local day), the latest first.

    One query whatever the day's traffic: the day's opens and grants here pick
    the customers (each on an index by location and time), and two correlated
    subqueries give each one's last open and last grant. Each customer carries
    `seen_at`, the later of the two.
    """
    since = location_day_start(location)
    opened = CounterLookup.objects.filter(customer=OuterRef("pk"), location=location, looked_up_at__gte=since).values(
        "looked_up_at"
    )[:1]
    granted = (
        Grant.objects.filter(customer=OuterRef("pk"), location=location, granted_at__gte=since)
        .values("customer")
        .annotate(last=Max("granted_at"))
        .values("last")
    )
    opened_today = CounterLookup.objects.filter(location=location, looked_up_at__gte=since).values("customer_id")
    granted_today = Grant.objects.filter(location=location, granted_at__gte=since).values("customer_id")
    return list(
        Customer.objects.filter(Q(pk__in=opened_today) | Q(pk__in=granted_today))
        .annotate(
            opened_at=Subquery(opened, output_field=DateTimeField()),
            granted_at=Subquery(granted, output_field=DateTimeField()),
        )
        .annotate(seen_at=Greatest(Coalesce("opened_at", "granted_at"), Coalesce("granted_at", "opened_at")))
        .order_by(F("seen_at").desc(), "name")[:limit]
    )
