"""Per location and employee: grants, total and how many at the cap, in one grouped query.

Two detectors (above peers, at the cap) compare employees on the same
figures; a run reads them once (`Scan.employee_stats`) and both use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum

from compensation.money import quantize
from recovery.anomalies.window import Window
from recovery.models import Grant


@dataclass(frozen=True)
class EmployeeStats:
    """One employee's grants at one location in the window (every grant made, voided ones too)."""

    location_id: int
    employee_id: int
    username: str
    grants: int
    total: Decimal
    at_cap: int
    last_grant_id: int

    @property
    def average(self) -> Decimal:
        return self.total / self.grants


def employee_stats(window: Window) -> list[EmployeeStats]:
    """Per location and employee: grants, total and how many at exactly the cap, in one grouped query.

    Only grants in the location's own currency: one made before the location
    changed currency would add yen to euros (the join costs no extra query).
    """
    rows = (
        Grant.objects.filter(granted_at__gte=window.since, granted_at__lte=window.now, currency=F("location__currency"))
        .order_by()
        .values("location_id", "granted_by_id")
        .annotate(
            grants=Count("id"),
            total=Sum("amount"),
            at_cap=Count("id", filter=Q(amount=F("cap"))),
            last=Max("id"),
            username=Max("granted_by_username"),
        )
    )
    return [
        EmployeeStats(
            location_id=row["location_id"],
            employee_id=row["granted_by_id"],
            username=row["username"],
            grants=row["grants"],
            total=quantize(Decimal(row["total"]), window.currency_of(row["location_id"])),
            at_cap=row["at_cap"],
            last_grant_id=row["last"],
        )
        for row in rows
    ]
