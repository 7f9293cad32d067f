"""The daily rollups as the grants say they should be, and the resolution-time expressions the insights share.

`day_totals_computed` is the grouped read that `rebuild_rollups` writes back
into `LocationDayTotal` (and that the equality tests compare the kept rows
with); the insight pages use the same `resolution_bucket_case` when they read
grants directly, so a grant's bucket is decided the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncDate

from recovery.domain.resolution import RESOLUTION_BUCKETS
from recovery.models import Grant, Location

ACTIVE = Q(status=Grant.Status.ACTIVE)
VOIDED = Q(status=Grant.Status.VOIDED)


def resolution_time():
    """Failure logged → grant made (a duration the database computes from the grant's own row)."""
    return ExpressionWrapper(F("granted_at") - F("failure_logged_at"), output_field=DurationField())


def resolution_bucket_case() -> Case:
    """The index in RESOLUTION_BUCKETS of a grant's resolution time (needs `resolution` aliased)."""
    whens = [
        When(resolution__lt=upper, then=Value(index))
        for index, (_, upper) in enumerate(RESOLUTION_BUCKETS)
        if upper is not None
    ]
    return Case(*whens, default=Value(len(RESOLUTION_BUCKETS) - 1), output_field=IntegerField())


def local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def day_totals_computed(location: Location, *, first: dt.date | None = None, until: dt.date | None = None):
    """Grouped rows (day, site day, playbook, name, category, currency, figures) of the location's grants.

    Days are the location's own calendar days; `first`..`until` (until
    exclusive, both optional) limit the days read, so a rebuild can go a few
    weeks at a time. One grouped query; the values are what the rollup row holds.
    """
    tz = zoneinfo.ZoneInfo(location.timezone)
    grants = Grant.objects.filter(location_id=location.pk).order_by()
    if first is not None:
        grants = grants.filter(granted_at__gte=local_midnight(first, tz))
    if until is not None:
        grants = grants.filter(granted_at__lt=local_midnight(until, tz))
    buckets = {f"resolution_{index}": Count("id", filter=Q(bucket=index)) for index in range(len(RESOLUTION_BUCKETS))}
    return (
        grants.alias(resolution=resolution_time())
        .alias(bucket=resolution_bucket_case())
        .annotate(
            day=TruncDate("granted_at", tzinfo=tz),
            site_day=TruncDate("granted_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)),
        )
        .values("day", "site_day", "playbook_id", "playbook_name", "category", "currency")
        .annotate(
            active_amount=Sum("amount", filter=ACTIVE),
            active_grants=Count("id", filter=ACTIVE),
            voided_amount=Sum("amount", filter=VOIDED),
            voided_grants=Count("id", filter=VOIDED),
            **buckets,
        )
    )
