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
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, IntegerField, Max, Sum, Value, When
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext, gettext_noop

from compensation.money import Amounts
from recovery.insights.periods import local_date
from recovery.insights.rows import ACTIVE, VOIDED, row_amounts
from recovery.insights.scope import InsightScope
from recovery.models import ServiceFailure

# Failure logged → grant. On-the-spot grants count from the moment the resolve page was opened.
# Labels are worded when a page is built (gettext_noop marks them for the catalogue).
RESOLUTION_BUCKETS: tuple[tuple[str, dt.timedelta | None], ...] = (
    (gettext_noop("Under 1 minute"), dt.timedelta(minutes=1)),
    (gettext_noop("1–5 minutes"), dt.timedelta(minutes=5)),
    (gettext_noop("5–15 minutes"), dt.timedelta(minutes=15)),
    (gettext_noop("15–60 minutes"), dt.timedelta(hours=1)),
    (gettext_noop("1–4 hours"), dt.timedelta(hours=4)),
    (gettext_noop("Over 4 hours"), None),
)


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


def resolution_time():
    """Failure logged → grant made (a duration the database computes from the grant's own row)."""
    return ExpressionWrapper(F("granted_at") - F("failure_logged_at"), output_field=DurationField())


def _resolution_bucket() -> Case:
    """The index in RESOLUTION_BUCKETS of a grant's resolution time (the first bound it is under)."""
    whens = [
        When(resolution__lt=upper, then=Value(index))
        for index, (_, upper) in enumerate(RESOLUTION_BUCKETS)
        if upper is not None
    ]
    return Case(*whens, default=Value(len(RESOLUTION_BUCKETS) - 1), output_field=IntegerField())


def window_figures(*, scope: InsightScope) -> WindowFigures:
    """Active and voided money per week, and grants per resolution-time bucket: one grouped query.

    The grants of the window are read once for three charts: grouped by week
    and resolution bucket, at most six rows a week. The weekly money, the
    totals and the bucket counts are sums of those few subtotals (exact
    decimals, never the grants themselves).
    """
    rows = (
        scope.grants()
        .alias(resolution=resolution_time())
        .annotate(week=TruncWeek("granted_at", tzinfo=scope.tz), bucket=_resolution_bucket())
        .values("week", "bucket", "currency")
        .annotate(
            active=Sum("amount", filter=ACTIVE),
            voided=Sum("amount", filter=VOIDED),
            grants=Count("amount", filter=ACTIVE),
            voided_grants=Count("amount", filter=VOIDED),
        )
    )
    week_rows: dict[dt.date, list[dict]] = {}
    bucket_counts = [0] * len(RESOLUTION_BUCKETS)
    grants_by_currency: dict[str, int] = {}
    for row in rows:
        week_rows.setdefault(local_date(row["week"], scope.tz), []).append(row)
        bucket_counts[row["bucket"]] += row["grants"] + row["voided_grants"]
        grants_by_currency[row["currency"]] = (
            grants_by_currency.get(row["currency"], 0) + row["grants"] + row["voided_grants"]
        )
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


def spend_by_playbook(*, scope: InsightScope, currency: str | None = None, limit: int | None = None) -> list[SpendLine]:
    """Per playbook, most spent (in `currency`, the page's main one) first; other currencies beside it.

    The name is the one grants recorded (the latest of them).
    """
    currency = currency or settings.RECOVERY_CURRENCY
    rows = scope.grants().values("playbook_id", "currency").annotate(name=Max("playbook_name"), **_spend_totals())
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


def failures_by_category(*, scope: InsightScope) -> list[CategoryLine]:
    """Per failure category, most frequent first.

    Every failure is logged with its grant (an escalation's when approved), so
    a failure is counted in the window its grant was made, voided or not; the
    money is the active grants. The category is the grant's copy of it (no join).
    """
    rows = (
        scope.grants().values("category", "currency").annotate(failures=Count("*"), active=Sum("amount", filter=ACTIVE))
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


def spend_by_location(*, scope: InsightScope, currency: str | None = None) -> list[SpendLine]:
    """Per location, most spent first (a location's grants are in its own currency)."""
    currency = currency or settings.RECOVERY_CURRENCY
    rows = scope.grants().values("location_id", "location__name", "currency").annotate(**_spend_totals())
    return _spend_lines(
        rows, key="location_id", label="location__name", currency=currency, tiebreak=lambda line: line.label
    )
