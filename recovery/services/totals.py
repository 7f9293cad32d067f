"""Keeping the running month totals (`LocationMonthTotal`) in step with the grants, in their own transactions.

Every grant adds itself and every void takes itself back, in the same
transaction and under the location lock the write already holds, so a total is
always the sum of its month's active grants and a concurrent grant waits for
the total it checks against. One statement per change: an upsert that adds in
the database and returns the new figure (`INSERT … ON CONFLICT … DO UPDATE …
RETURNING`, PostgreSQL and SQLite ≥ 3.35), never a read-modify-write in Python.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction

from compensation.money import quantize
from recovery.models import Location, LocationMonthTotal
from recovery.selectors.usage import month_totals_computed


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
