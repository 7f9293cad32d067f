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

from django.db import transaction

from recovery.models import Customer, Location


def lock_location(location_id: int) -> None:
    """Lock the location row: it owns the budget and orders the location's audit chain.
    Taken first, before the customer row, always in that order (no deadlocks)."""
    list(Location.objects.select_for_update().filter(pk=location_id).values_list("pk"))


def lock_customer(customer_id: int) -> None:
    """Lock the customer row: it owns the rolling per-customer limits. Taken after the location."""
    list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk"))


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
