"""Where the money went: spending per week, per playbook, per failure category and per location.

`window_figures` reads the window's grants once for the weekly chart, the
totals and the resolution-time buckets; the other figures are one grouped
query each, grouped by currency too, so amounts of different currencies are
never added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext

from compensation.money import Amounts
from recovery.domain.resolution import RESOLUTION_BUCKETS
from recovery.insights import daily
from recovery.insights.periods import local_date
from recovery.insights.rows import ACTIVE, VOIDED, row_amounts
from recovery.insights.scope import InsightScope
from recovery.models import ServiceFailure
from recovery.selectors.day_totals import resolution_bucket_case, resolution_time


@dataclass(frozen=True)
class WeekSpend:
    week: dt.date  # the Monday
    active: Amounts
    voided: Amounts
    grants: int
    voided_grants: int


@dataclass(frozen=True)
class SpendTotals:
    active: Amounts
    grants: int
    voided: Amounts
    voided_grants: int


@dataclass(frozen=True)
class CountBucket:
    label: str
    count: int


@dataclass(frozen=True)
class WindowFigures:
    """Spending per week, its totals, and how long failures took to be granted."""

    weeks: list[WeekSpend]  # every week of the window, oldest first, zeros included
    totals: SpendTotals
    resolution: list[CountBucket]  # grants per RESOLUTION_BUCKETS entry
    currencies: tuple[str, ...] = ()  # of the window's grants, most grants first

    def main_currency(self, default: str) -> str:
        """The currency most of the window's grants were made in (`default` without grants)."""
        return self.currencies[0] if self.currencies else default


def _resolution_bucket():
    return resolution_bucket_case()


BUCKET_SUMS = {f"bucket_{index}": (Sum, f"resolution_{index}") for index in range(len(RESOLUTION_BUCKETS))}


def _window_grant_rows(grants, tz):
    """The grants grouped by week (in `tz`), resolution bucket and currency: the figures read directly."""
    return (
        grants.alias(resolution=resolution_time())
        .annotate(week=TruncWeek("granted_at", tzinfo=tz), bucket=_resolution_bucket())
        .values("week", "bucket", "currency")
        .annotate(
            active=Sum("amount", filter=ACTIVE),
            voided=Sum("amount", filter=VOIDED),
            grants=Count("amount", filter=ACTIVE),
            voided_grants=Count("amount", filter=VOIDED),
        )
    )


def window_figures(*, scope: InsightScope, from_rollups: bool = True) -> WindowFigures:
    """Active and voided money per week, and grants per resolution-time bucket: one grouped query.

    Read from the daily rollups (a row per day and currency; a day's Monday is
    its week), and from the grants only for locations on another calendar than
    the scope's (`daily`); `from_rollups=False` reads every figure from the
    grants (the tests compare both). The weekly money, the totals and the
    bucket counts are sums of those few subtotals (exact decimals).
    """
    week_rows: dict[dt.date, list[dict]] = {}
    bucket_counts = [0] * len(RESOLUTION_BUCKETS)
    grants_by_currency: dict[str, int] = {}

    def count(row) -> None:
        grants_by_currency[row["currency"]] = (
            grants_by_currency.get(row["currency"], 0) + row["grants"] + row["voided_grants"]
        )

    grants = scope.grants()
    if from_rollups:
        figures = {
            "active": (Sum, "active_amount"),
            "voided": (Sum, "voided_amount"),
            "grants": (Sum, "active_grants"),
            "voided_grants": (Sum, "voided_grants"),
            **BUCKET_SUMS,
        }
        rows, zones = daily.rollup_rows(scope, (daily.DAY, "currency"), figures)
        for row in rows:
            daily.as_grant_sums(row, active="grants", voided="voided_grants")
            day = row[daily.DAY]
            week_rows.setdefault(day - dt.timedelta(days=day.weekday()), []).append(row)
            for index in range(len(RESOLUTION_BUCKETS)):
                bucket_counts[index] += row[f"bucket_{index}"]
            count(row)
        grants = daily.other_calendars(grants, zones) if zones else None
    if grants is not None:
        for row in _window_grant_rows(grants, scope.tz):
            week_rows.setdefault(local_date(row["week"], scope.tz), []).append(row)
            bucket_counts[row["bucket"]] += row["grants"] + row["voided_grants"]
            count(row)
    weeks = [
        WeekSpend(
            week=week,
            active=sum((row_amounts(row["active"], row["currency"]) for row in week_rows.get(week, [])), Amounts()),
            voided=sum((row_amounts(row["voided"], row["currency"]) for row in week_rows.get(week, [])), Amounts()),
            grants=sum(row["grants"] for row in week_rows.get(week, [])),
            voided_grants=sum(row["voided_grants"] for row in week_rows.get(week, [])),
        )
        for week in scope.weeks()
    ]
    totals = SpendTotals(
        active=sum((week.active for week in weeks), Amounts()),
        grants=sum(week.grants for week in weeks),
        voided=sum((week.voided for week in weeks), Amounts()),
        voided_grants=sum(week.voided_grants for week in weeks),
    )
    resolution = [
        CountBucket(label=gettext(label), count=count)
        for (label, _), count in zip(RESOLUTION_BUCKETS, bucket_counts, strict=True)
    ]
    currencies = tuple(sorted(grants_by_currency, key=lambda code: (-grants_by_currency[code], code)))
    return WindowFigures(weeks=weeks, totals=totals, resolution=resolution, currencies=currencies)


@dataclass(frozen=True)
class SpendLine:
    """Active grants of one playbook, category or location in the window."""

    key: str
    label: str
    active: Amounts
    grants: int
    voided: Amounts = field(default_factory=Amounts)


def _spend_totals() -> dict:
    """Active spend, active grant count and voided spend of a group of grants (one aggregate each)."""
    return {
        "active": Sum("amount", filter=ACTIVE),
        "grants": Count("amount", filter=ACTIVE),
        "voided": Sum("amount", filter=VOIDED),
    }


SPEND_SUMS = {
    "active": (Sum, "active_amount"),
    "grants": (Sum, "active_grants"),
    "voided": (Sum, "voided_amount"),
    "voided_grants": (Sum, "voided_grants"),
}


def _grouped(scope: InsightScope, fields, *, figures, grant_rows, from_rollups: bool, money_counts) -> list[dict]:
    """Grouped rows of the window: from the rollups (`daily`), and from the grants where the rollups cannot say.

    `grant_rows` groups a queryset of grants the same way (the locations on
    another calendar, or everything when `from_rollups` is False).
    """
    rows: list[dict] = []
    grants = scope.grants()
    if from_rollups:
        kept, zones = daily.rollup_rows(scope, fields, figures)
        rows.extend(daily.as_grant_sums(row, **money_counts) for row in kept)
        grants = daily.other_calendars(grants, zones) if zones else None
    if grants is not None:
        rows.extend(grant_rows(grants))
    return rows


def _spend_lines(rows, *, key: str, label: str, currency: str, tiebreak, limit: int | None = None) -> list[SpendLine]:
    """One line per `key` from rows grouped by key and currency, most spent (in `currency`) first."""
    lines: dict[str, SpendLine] = {}
    for row in rows:
        line = lines.get(str(row[key]))
        lines[str(row[key])] = SpendLine(
            key=str(row[key]),
            label=row[label] if line is None else max(line.label, row[label]),
            active=(line.active if line else Amounts()) + row_amounts(row["active"], row["currency"]),
            grants=(line.grants if line else 0) + row["grants"],
            voided=(line.voided if line else Amounts()) + row_amounts(row["voided"], row["currency"]),
        )
    ordered = sorted(lines.values(), key=lambda line: (-line.active.get(currency), tiebreak(line)))
    return ordered[:limit] if limit is not None else ordered


def spend_by_playbook(
    *, scope: InsightScope, currency: str | None = None, limit: int | None = None, from_rollups: bool = True
) -> list[SpendLine]:
    """Per playbook, most spent (in `currency`, the page's main one) first; other currencies beside it.

    The name is the one grants recorded (the latest of them).
    """
    currency = currency or settings.RECOVERY_CURRENCY
    rows = _grouped(
        scope,
        ("playbook_id", "currency"),
        figures={"name": (Max, "playbook_name"), **SPEND_SUMS},
        grant_rows=lambda grants: grants.values("playbook_id", "currency").annotate(
            name=Max("playbook_name"), **_spend_totals()
        ),
        from_rollups=from_rollups,
        money_counts={"active": "grants", "voided": "voided_grants"},
    )
    return _spend_lines(
        rows, key="playbook_id", label="name", currency=currency, tiebreak=lambda line: int(line.key), limit=limit
    )


@dataclass(frozen=True)
class CategoryLine:
    """Failures of one category (the touchpoint that failed) and the active compensation for them."""

    key: str
    label: str
    failures: int
    active: Amounts


def failures_by_category(*, scope: InsightScope, from_rollups: bool = True) -> list[CategoryLine]:
    """Per failure category, most frequent first.

    Every failure is logged with its grant (an escalation's when approved), so
    a failure is counted in the window its grant was made, voided or not; the
    money is the active grants. The category is the grant's copy of it (no join).
    """
    rows = _grouped(
        scope,
        ("category", "currency"),
        figures={
            "failures": (Sum, F("active_grants") + F("voided_grants")),
            "active": (Sum, "active_amount"),
            "grants": (Sum, "active_grants"),
        },
        grant_rows=lambda grants: grants.values("category", "currency").annotate(
            failures=Count("*"), active=Sum("amount", filter=ACTIVE)
        ),
        from_rollups=from_rollups,
        money_counts={"active": "grants"},
    )
    labels = dict(ServiceFailure.Category.choices)
    lines: dict[str, CategoryLine] = {}
    for row in rows:
        line = lines.get(row["category"])
        lines[row["category"]] = CategoryLine(
            key=row["category"],
            label=labels.get(row["category"], row["category"]),
            failures=(line.failures if line else 0) + row["failures"],
            active=(line.active if line else Amounts()) + row_amounts(row["active"], row["currency"]),
        )
    return sorted(lines.values(), key=lambda line: (-line.failures, line.key))


def spend_by_location(
    *, scope: InsightScope, currency: str | None = None, from_rollups: bool = True
) -> list[SpendLine]:
    """Per location, most spent first (a location's grants are in its own currency)."""
    currency = currency or settings.RECOVERY_CURRENCY
    rows = _grouped(
        scope,
        ("location_id", "location__name", "currency"),
        figures=SPEND_SUMS,
        grant_rows=lambda grants: grants.values("location_id", "location__name", "currency").annotate(
            **_spend_totals()
        ),
        from_rollups=from_rollups,
        money_counts={"active": "grants", "voided": "voided_grants"},
    )
    return _spend_lines(
        rows, key="location_id", label="location__name", currency=currency, tiebreak=lambda line: line.label
    )
