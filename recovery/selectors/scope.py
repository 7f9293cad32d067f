"""Which locations a user's reads reach: every one for ops and auditors, their own for managers.

The other selector modules start from these two functions, so the rule of who
sees which location's rows is written once.
"""

from __future__ import annotations

from django.db.models import QuerySet

from compensation.predicates import sees_every_location
from recovery.models import Location
from recovery.predicates import location_ids_of


def location_ids_for(user) -> frozenset[int] | None:
    """None for ops (every location); a manager's own locations otherwise."""
    return None if sees_every_location(user) else location_ids_of(user)


def audit_locations_for(*, user) -> QuerySet[Location]:
    """Locations whose grants the user reviews: all for ops, their own for managers."""
    if sees_every_location(user):
        return Location.objects.all()
    return Location.objects.filter(id__in=location_ids_of(user))
