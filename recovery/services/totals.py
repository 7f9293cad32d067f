"""Keeping the running month totals (`LocationMonthTotal`) in step with the grants, in their own transactions.

Every grant adds itself and every void takes itself back, in the same
transaction and under the location lock the write already holds, so a total is
always the sum of its month's active grants and a concurrent grant waits for
the total it checks against. One statement per change: an upsert that adds in
the database and returns the new figure (`INSERT … ON CONFLICT … DO UPDATE …
RETURNING`, PostgreSQL and SQLite ≥ 3.35), never a read-modify-write in Python.

The daily rollups (`LocationDayTotal`, what the insight pages read) are kept
the same way, by the same grant and void, with the same kind of upsert; and
rebuilt from the grants by `day_totals_rebuild` (`manage.py rebuild_rollups`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from compensation.money import quantize
from recovery.domain.resolution import resolution_bucket
from recovery.models import Grant, Location, LocationDayTotal, LocationMonthTotal
from recovery.models.totals import RESOLUTION_FIELDS
from recovery.selectors.day_totals import day_totals_computed
from recovery.selectors.usage import month_totals_computed

DAY_KEY = ("location_id", "day", "site_day", "playbook_id", "playbook_name", "category", "currency")
DAY_FIGURES = ("active_amount", "active_grants", "voided_amount", "voided_grants", *RESOLUTION_FIELDS)
REBUILD_CHUNK_DAYS = 28


def _upsert_sql() -> str:
    table = connection.ops.quote_name(LocationMonthTotal._meta.db_table)
    return (
        f"INSERT INTO {table} (location_id, month, currency, amount, grants) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (location_id, month, currency) DO UPDATE SET "
        f"amount = {table}.amount + excluded.amount, grants = {table}.grants + excluded.grants "
        f"RETURNING amount"
    )


def month_total_add(*, location: Location, at, currency: str, amount: Decimal, grants: int) -> Decimal:
    """Add `amount` and `grants` (negative to take back) to the location's month of `at`; the month's new amount.

    Call it inside the transaction that writes the grant or void, after locking
    the location: the lock is what makes the figure returned exact for the caller.
    """
    month = location.month_start(at).date()
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [location.pk, month, currency, amount, grants])
        (total,) = cursor.fetchone()
    # SQLite hands back a float for a NUMERIC column: back to the currency's cents, as the ORM would.
    return quantize(Decimal(str(total)), currency)


def month_totals_rebuild(*, location_ids=None) -> int:
    """Recompute the totals from the grants (after a location's time zone changed, or a restore). Rows written."""
    locations = Location.objects.order_by("pk")
    if location_ids is not None:
        locations = locations.filter(pk__in=location_ids)
    written = 0
    for location in locations:
        with transaction.atomic():
            list(Location.objects.select_for_update().filter(pk=location.pk).values_list("pk"))
            LocationMonthTotal.objects.filter(location_id=location.pk).delete()
            rows = [
                LocationMonthTotal(location_id=location.pk, month=month, currency=currency, amount=amount, grants=n)
                for (month, currency), (amount, n) in month_totals_computed(location).items()
            ]
            LocationMonthTotal.objects.bulk_create(rows)
            written += len(rows)
    return written


def _day_upsert_sql() -> str:
    table = connection.ops.quote_name(LocationDayTotal._meta.db_table)
    columns = ", ".join((*DAY_KEY, *DAY_FIGURES))
    places = ", ".join(["%s"] * (len(DAY_KEY) + len(DAY_FIGURES)))
    adds = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in DAY_FIGURES)
    return f"INSERT INTO {table} ({columns}) VALUES ({places}) ON CONFLICT ({', '.join(DAY_KEY)}) DO UPDATE SET {adds}"


def day_total_add(grant: Grant, *, location: Location, voided: bool = False) -> None:
    """Count a new grant in its day's rollup row, or (`voided`) move it from active to voided there.

    One upsert that adds in the database, in the caller's transaction (the grant's or
    the void's): concurrent grants of the same day and playbook both land, on SQLite
    and PostgreSQL. The day is the location's calendar day of `granted_at` (and the site's); the bucket
    is decided by `resolution_bucket`, the same bounds the database uses on a rebuild.
    """
    day = timezone.localdate(grant.granted_at, zoneinfo.ZoneInfo(location.timezone))
    figures = dict.fromkeys(DAY_FIGURES, 0)
    if voided:
        figures.update(active_amount=-grant.amount, active_grants=-1, voided_amount=grant.amount, voided_grants=1)
    else:
        figures.update(active_amount=grant.amount, active_grants=1)
        figures[RESOLUTION_FIELDS[resolution_bucket(grant.granted_at - grant.failure_logged_at)]] = 1
    site_day = timezone.localdate(grant.granted_at, zoneinfo.ZoneInfo(settings.TIME_ZONE))
    key = [location.pk, day, site_day, grant.playbook_id, grant.playbook_name, grant.category, grant.currency]
    with connection.cursor() as cursor:
        cursor.execute(_day_upsert_sql(), key + [figures[name] for name in DAY_FIGURES])


def _day_chunks(location: Location, chunk_days: int):
    """The location's days that hold grants, `chunk_days` at a time: (first, until) with until exclusive."""
    span = Grant.objects.filter(location_id=location.pk).aggregate(first=Min("granted_at"), last=Max("granted_at"))
    if span["first"] is None:
        return
    tz = zoneinfo.ZoneInfo(location.timezone)
    first, last = timezone.localdate(span["first"], tz), timezone.localdate(span["last"], tz)
    while first <= last:
        yield first, first + dt.timedelta(days=chunk_days)
        first += dt.timedelta(days=chunk_days)


def day_totals_rebuild(*, location_ids=None, chunk_days: int = REBUILD_CHUNK_DAYS, log=None) -> int:
    """Recompute the daily rollups from the grants (existing data, after a restore). Rows written.

    Idempotent: each location's rows are replaced `chunk_days` at a time, each chunk
    in one transaction under the location's lock (a grant or void of that location
    waits for the chunk, so none is counted twice or lost); rows of days outside the
    grants' span (left by a deleted grant) are removed first. A chunk reads its days'
    grants through the (location, granted_at) index, so a rebuild's memory and
    transactions stay small at any size.
    """
    locations = Location.objects.order_by("pk")
    if location_ids is not None:
        locations = locations.filter(pk__in=location_ids)
    written = 0
    for location in locations:
        chunks = list(_day_chunks(location, chunk_days))
        with transaction.atomic():
            list(Location.objects.select_for_update().filter(pk=location.pk).values_list("pk"))
            stale = LocationDayTotal.objects.filter(location_id=location.pk)
            if chunks:
                stale = stale.exclude(day__gte=chunks[0][0], day__lt=chunks[-1][1])
            stale.delete()
        for first, until in chunks:
            with transaction.atomic():
                list(Location.objects.select_for_update().filter(pk=location.pk).values_list("pk"))
                LocationDayTotal.objects.filter(location_id=location.pk, day__gte=first, day__lt=until).delete()
                rows = [
                    LocationDayTotal(
                        location_id=location.pk,
                        **{name: row[name] for name in DAY_KEY if name != "location_id"},
                        **{name: row[name] or 0 for name in DAY_FIGURES},
                    )
                    for row in day_totals_computed(location, first=first, until=until)
                ]
                LocationDayTotal.objects.bulk_create(rows, batch_size=1000)
                written += len(rows)
        if log is not None:
            log(f"  {location.code}: {written:,} rows so far")
    return written
