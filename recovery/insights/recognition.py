"""Recognition: per location, the employees who recovered most customers and the fastest ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Avg, Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber

from recovery.insights.periods import duration_text
from recovery.insights.rows import ACTIVE
from recovery.insights.scope import InsightScope
from recovery.insights.spending import resolution_time
from recovery.models import Location

RECOGNISED_PER_LOCATION = 3
# Fewer grants than this and an average resolution time is luck, not a habit worth recognising.
FASTEST_MIN_GRANTS = 5


@dataclass(frozen=True)
class Recognised:
    """One employee's place on a location's recognition panel."""

    rank: int
    name: str
    customers: int = 0  # distinct customers recovered (active grants)
    grants: int = 0
    average_resolution: dt.timedelta | None = None

    @property
    def average_text(self) -> str:
        return duration_text(self.average_resolution)


@dataclass(frozen=True)
class LocationRecognition:
    location_id: int
    location_name: str
    most_recovered: list[Recognised] = field(default_factory=list)
    fastest: list[Recognised] = field(default_factory=list)


def _employee_name(row) -> str:
    return f"{row['first_name']} {row['last_name']}".strip() or row["username"]


def recognition_for(*, scope: InsightScope) -> list[LocationRecognition]:
    """Per location, the three employees who recovered most customers and the three fastest.

    One query: active grants grouped by location and employee id, ranked twice
    within their location by window functions, so the database returns only
    the employees on a panel; their names are looked up for those few rows.
    "Fastest" is the average time from failure to grant, and only over at
    least `FASTEST_MIN_GRANTS` grants: the employees below that rank after
    everyone who qualifies and are never shown.
    """
    employee = get_user_model().objects.filter(pk=OuterRef("granted_by_id")).order_by()
    qualifies = Case(When(grants__gte=FASTEST_MIN_GRANTS, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = (
        scope.grants()
        .filter(ACTIVE)
        .values("location_id", "granted_by_id")
        .annotate(customers=Count("customer_id", distinct=True), grants=Count("*"), average=Avg(resolution_time()))
        .annotate(
            recovered_rank=Window(
                RowNumber(),
                partition_by=F("location_id"),
                order_by=(F("customers").desc(), F("grants").desc(), F("granted_by_id").asc()),
            ),
            fastest_rank=Window(
                RowNumber(),
                partition_by=F("location_id"),
                order_by=(qualifies.asc(), F("average").asc(), F("grants").desc(), F("granted_by_id").asc()),
            ),
        )
        .filter(Q(recovered_rank__lte=RECOGNISED_PER_LOCATION) | Q(fastest_rank__lte=RECOGNISED_PER_LOCATION))
        .annotate(
            location_name=Subquery(Location.objects.filter(pk=OuterRef("location_id")).order_by().values("name")[:1]),
            username=Subquery(employee.values("username")[:1]),
            first_name=Subquery(employee.values("first_name")[:1]),
            last_name=Subquery(employee.values("last_name")[:1]),
        )
    )
    panels: dict[int, LocationRecognition] = {}
    for row in rows:
        if row["location_id"] not in panels:
            panels[row["location_id"]] = LocationRecognition(
                location_id=row["location_id"], location_name=row["location_name"]
            )
        panel = panels[row["location_id"]]
        name = _employee_name(row)
        if row["recovered_rank"] <= RECOGNISED_PER_LOCATION:
            panel.most_recovered.append(
                Recognised(rank=row["recovered_rank"], name=name, customers=row["customers"], grants=row["grants"])
            )
        if row["fastest_rank"] <= RECOGNISED_PER_LOCATION and row["grants"] >= FASTEST_MIN_GRANTS:
            panel.fastest.append(
                Recognised(rank=row["fastest_rank"], name=name, grants=row["grants"], average_resolution=row["average"])
            )
    for panel in panels.values():
        panel.most_recovered.sort(key=lambda entry: entry.rank)
        panel.fastest.sort(key=lambda entry: entry.rank)
    return sorted(panels.values(), key=lambda panel: (panel.location_name, panel.location_id))
