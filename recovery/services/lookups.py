"""The counter remembers whom it opened today (for "Today's customers at this counter")."""

from __future__ import annotations

from django.utils import timezone

from recovery.models import CounterLookup, Customer, Location


def counter_lookup_record(*, actor, location: Location, customer: Customer) -> None:
    """Note that `actor` opened `customer` at `location` now.

    One statement (an upsert on the location and customer), so opening a
    customer costs one query however often they come back, and two employees
    opening the same customer at once both succeed: the later time wins.
    No journal entry: it records no decision, only saves a search.
    """
    CounterLookup.objects.bulk_create(
        [CounterLookup(location=location, customer=customer, looked_up_at=timezone.now(), looked_up_by=actor)],
        update_conflicts=True,
        unique_fields=["location", "customer"],
        update_fields=["looked_up_at", "looked_up_by"],
    )
