"""The row locks every write takes, and the one order they are taken in.

The location row owns the location's budget and orders its audit chain (each
journal entry names the one before it), so every service that writes for a
location locks that row first, then the customer (owner of the rolling limits),
then the row it changes; one order everywhere means no deadlocks. A service
reads the row's state only after taking the locks, so two people acting at once
get one change and one clear refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from recovery.models import Customer, Location


def lock_location(location_id: int) -> None:
    """Lock the location row: it owns the budget and orders the location's audit chain.
    Taken first, before the customer row, always in that order (no deadlocks)."""
    list(Location.objects.select_for_update().filter(pk=location_id).values_list("pk"))


def lock_customer(customer_id: int) -> None:
    """Lock the customer row: it owns the rolling per-customer limits. Taken after the location."""
    list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk"))


def lock_location_and_customer(location_id: int, customer_id: int) -> None:
    """Both locks of a grant under customer limits in one statement (one round trip fewer), in the same order.

    PostgreSQL takes the row locks of `FOR UPDATE OF l, c` in the order the
    clause names the tables, row after row, waiting for each as `lock_location`
    then `lock_customer` would: location first, so the one lock order holds.
    SQLite has no row locks (its write transaction is the lock): a plain select.
    """
    location = connection.ops.quote_name(Location._meta.db_table)
    customer = connection.ops.quote_name(Customer._meta.db_table)
    sql = f"SELECT l.id, c.id FROM {location} l, {customer} c WHERE l.id = %s AND c.id = %s"
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF l, c"
    with connection.cursor() as cursor:
        cursor.execute(sql, [location_id, customer_id])
        cursor.fetchall()


def location_id_of(model, pk: int) -> int:
    """The location a row belongs to, read before any lock: the lock to take first is its location's."""
    return model.objects.values_list("location_id", flat=True).get(pk=pk)


@contextmanager
def location_locked(location_id: int) -> Iterator[None]:
    """A transaction that starts by locking the location: read the state to check inside it, then write.

    with location_locked(location_id):
        grant = Grant.objects.select_for_update().get(pk=grant_id)
        ...  # refuse if it changed meanwhile, else save and journal
    """
    with transaction.atomic():
        lock_location(location_id)
        yield
