"""Selectors: the reads behind each page, already restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from compensation.predicates import is_ops
from recovery.models import Customer, Grant, Location
from recovery.predicates import location_ids_of
from recovery.services import phone_normalize

RECENT_DAYS = 90
SEARCH_LIMIT = 20


def counter_locations_for(*, user) -> list[Location]:
    return list(Location.objects.filter(id__in=location_ids_of(user)).order_by("name"))


def counter_location_for(*, user, chosen_id: int | None) -> Location | None:
    """The location the employee is serving at: the one chosen this session, else their first."""
    locations = counter_locations_for(user=user)
    for location in locations:
        if location.id == chosen_id:
            return location
    return locations[0] if locations else None


def _recent_grants_filter(prefix: str = "") -> Q:
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return Q(**{f"{prefix}granted_at__gte": since, f"{prefix}status": Grant.Status.ACTIVE})


def customer_search(*, query: str) -> list[Customer]:
    """Customers matching a phone number, loyalty card, email or name, with their 90-day value."""
    query = query.strip()
    if not query:
        return []
    matches = Q(loyalty_card__iexact=query) | Q(email__iexact=query) | Q(name__icontains=query)
    try:
        phone = phone_normalize(query)
    except ValueError:
        phone = ""
    if phone:
        matches |= Q(phone=phone)
    recent = _recent_grants_filter("grants__")
    return list(
        Customer.objects.filter(matches)
        .annotate(
            recent_grant_count=Count("grants", filter=recent), recent_grant_total=Sum("grants__amount", filter=recent)
        )
        .order_by("name")[:SEARCH_LIMIT]
    )


@dataclass(frozen=True)
class CustomerValue:
    """What everyone facing the customer must see before choosing compensation."""

    recent_grants: list[Grant]
    recent_total: Decimal

    @property
    def recent_count(self) -> int:
        return len(self.recent_grants)


def customer_value(*, customer: Customer) -> CustomerValue:
    grants = list(
        Grant.objects.filter(_recent_grants_filter(), customer=customer)
        .select_related("location")
        .order_by("-granted_at")
    )
    return CustomerValue(recent_grants=grants, recent_total=sum((g.amount for g in grants), Decimal("0")))


def audit_locations_for(*, user) -> QuerySet[Location]:
    """Locations whose grants the user reviews: all for ops, their own for managers."""
    if is_ops(user):
        return Location.objects.all()
    return Location.objects.filter(id__in=location_ids_of(user))


def grant_list_for(*, user) -> QuerySet[Grant]:
    """Every grant the user may review: ops all, managers their locations' only."""
    grants = Grant.objects.select_related("customer", "location", "granted_by", "failure")
    if is_ops(user):
        return grants
    return grants.filter(location_id__in=location_ids_of(user))


def grant_recent_by(*, user, limit: int = 30) -> QuerySet[Grant]:
    return Grant.objects.filter(granted_by=user).select_related("customer", "location")[:limit]


def grant_detail_for(*, grant_id: int) -> Grant:
    return Grant.objects.select_related(
        "customer", "location", "granted_by", "voided_by", "failure", "failure__logged_by", "playbook"
    ).get(pk=grant_id)


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    kind: str
    reason: str
    changes: list


def history_of(record) -> list[HistoryEntry]:
    """The record's change history, newest first, each with its field-by-field diff."""
    records = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for historical in records:
        changes = historical.diff_against(previous).changes if previous is not None else []
        entries.append(
            HistoryEntry(
                when=historical.history_date,
                who=historical.history_user.get_username() if historical.history_user else "system",
                kind=historical.get_history_type_display(),
                reason=historical.history_change_reason or "",
                changes=changes,
            )
        )
        previous = historical
    return list(reversed(entries))
