"""The counter's reads: where the employee serves, whom they mean, and the customer's 90-day value."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Q, Sum, Value
from django.utils import timezone

from compensation.money import ZERO
from compensation.predicates import remember_role_names
from recovery.domain.phones import PHONE_TAIL_MIN, phone_digits, phone_normalize
from recovery.models import Customer, Grant, Location
from recovery.predicates import locations_of, remember_location_ids

RECENT_DAYS = 90
SEARCH_LIMIT = 20


# Every field a counter request reads of its location (the kind: which playbooks are offered there).
LOCATION_COLUMNS = ("id", "code", "name", "timezone", "currency", "kind", "is_active")


def counter_locations_for(*, user) -> list[Location]:
    """The employee's active locations, by name, in one query (which also caches their ids for `rules`).

    Cached on the user for the request. When the user's roles are not read yet
    (a counter page, before its permission check), the same query brings their
    group names too (`UNION ALL`), so the check costs no query of its own.
    """
    if not user.is_authenticated:
        return []
    if hasattr(user, "_counter_locations_cache"):
        return user._counter_locations_cache
    with_roles = not hasattr(user, "_role_names_cache")
    sql, params = _locations_sql(connection.vendor, with_roles)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if value == _ANY_USER_ID else value for value in params])
        rows = cursor.fetchall()
    roles, locations = [], []
    for *values, kind in rows:
        if kind == "role":
            roles.append(values[2])
        else:
            values[-1] = bool(values[-1])  # is_active (SQLite answers 1)
            locations.append(Location.from_db("default", LOCATION_COLUMNS, values))
    if with_roles:
        remember_role_names(user, roles)
    # By name, as the locations menu lists them (a handful of rows: sorted here, not in the union).
    locations.sort(key=lambda location: (location.name, location.pk))
    remember_location_ids(user, (location.id for location in locations))
    user._counter_locations_cache = locations
    return locations


# The user id the statement is compiled with, replaced by the employee's at each call.
_ANY_USER_ID = -2_000_000_020


@cache
def _locations_sql(vendor: str, with_roles: bool) -> tuple[str, tuple]:
    """The statement of `counter_locations_for`, compiled by the ORM once per process (and database vendor).

    Every counter request runs it: composing and compiling the union on each was ~1.5 ms of CPU, more than
    running it (issue #20). The ORM still writes it; only the user's id changes between calls.
    """
    anyone = get_user_model()(pk=_ANY_USER_ID)
    rows = locations_of(anyone).order_by().values_list(*LOCATION_COLUMNS, Value("location"))
    if with_roles:
        roles = (
            Group.objects.filter(user=anyone)
            .order_by()
            .values_list(Value(0), Value(""), "name", Value(""), Value(""), Value(""), Value(False), Value("role"))
        )
        rows = rows.union(roles, all=True)
    sql, params = rows.query.sql_with_params()
    if params.count(_ANY_USER_ID) != (2 if with_roles else 1):
        raise AssertionError("the user id must appear once per branch of the locations query")
    return sql, tuple(params)


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


def customer_matches(query: str) -> Q:
    """Whom staff mean by what they typed: the exact phone (any format), card or email, or part of the name."""
    matches = Q(loyalty_card__iexact=query) | Q(email__iexact=query) | Q(name__icontains=query)
    try:
        phone = phone_normalize(query)
    except ValueError:
        phone = ""
    if phone:
        matches |= Q(phone=phone)
    return matches


def customer_search(*, query: str, currency: str | None = None) -> list[Customer]:
    """Customers matching a phone number, loyalty card, email or name, with their 90-day value.

    Digits alone (four or more) also find every customer whose phone ends with
    them: the counter asks for "the last four digits" when a customer does not
    know their card. One query, at most `SEARCH_LIMIT` rows. The count covers
    every grant; the total only those in `currency` (the counter location's,
    default the deployment's): amounts of different currencies never add up.
    """
    query = query.strip()
    if not query:
        return []
    matches = customer_matches(query)
    digits = phone_digits(query)
    if digits and len(digits) >= PHONE_TAIL_MIN:
        matches |= Q(phone__endswith=digits)
    recent = _recent_grants_filter("grants__")
    in_currency = recent & Q(grants__currency=currency or settings.RECOVERY_CURRENCY)
    return list(
        Customer.objects.filter(matches)
        .annotate(
            recent_grant_count=Count("grants", filter=recent),
            recent_grant_total=Sum("grants__amount", filter=in_currency),
        )
        .order_by("name")[:SEARCH_LIMIT]
    )


@dataclass(frozen=True)
class CustomerValue:
    """What everyone facing the customer must see before choosing compensation."""

    recent_grants: list[Grant]

    @property
    def recent_count(self) -> int:
        return len(self.recent_grants)

    @property
    def recent_totals(self) -> list[tuple[str, Decimal]]:
        """The 90-day total per currency, by currency code (grants at locations of different currencies
        are never added together)."""
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for grant in self.recent_grants:
            totals[grant.currency] += grant.amount
        return sorted(totals.items())


def customer_value(*, customer: Customer) -> CustomerValue:
    grants = list(
        Grant.objects.filter(_recent_grants_filter(), customer=customer)
        .select_related("location")
        .order_by("-granted_at")
    )
    return CustomerValue(recent_grants=grants)
