"""The insight figures that only sum and count grants, read from the daily rollups (`LocationDayTotal`).

Why: a 12-week dashboard over a busy location read every grant of the window
(a grouped scan growing with the data); the rollups hold one row per location,
day, playbook, category and currency, so the same figures read a few thousand
rows whatever the number of grants.

A rollup row knows its grants' day on two calendars: the location's own
(`day`) and the site's (`site_day`, settings.TIME_ZONE). A page on the site's
calendar (every location, no location chosen) groups by `site_day`; a page on
a location's calendar (its monthly report, its dashboard) by `day`, exactly.
Only a page whose calendar is neither (a location on another calendar than the
scope's, which the forms never make today) has that location's figures read
from its grants as before, in the same grouped shape, and the two are added:
the figures are the same either way (tests/recovery/test_rollups.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q, Sum

from recovery.insights.scope import InsightScope
from recovery.models import LocationDayTotal

# Two calendars are never more than 26 hours apart: a location on another calendar with a grant in the
# window has a rollup row within two days of it, which is how it is noticed.
SLACK = dt.timedelta(days=2)
DAY = "on_day"  # the name the grouped rows give the day, whichever calendar it is on


def scope_days(scope: InsightScope) -> tuple[dt.date, dt.date]:
    """The window as the scope's calendar days: first, and the day after the last."""
    return scope.start.astimezone(scope.tz).date(), scope.end.astimezone(scope.tz).date()


def rollup_rows(scope: InsightScope, fields: tuple[str, ...], figures: dict) -> tuple[list[dict], tuple[str, ...]]:
    """Rollup rows of the window grouped by `fields`, and the time zones whose locations must read grants.

    `fields` may name the day as `DAY`. `figures` maps a name to an aggregate
    class and its column or expression, e.g. `{"active": (Sum, "active_amount")}`;
    each is limited to the window's days. One grouped query. The rows returned
    have at least one grant in the window; the zones returned are the calendars
    of locations the rollups cannot answer for (none on the site's calendar).
    """
    first, until = scope_days(scope)
    zone = str(scope.tz)
    site = zone == settings.TIME_ZONE
    column = "site_day" if site else "day"
    rows = LocationDayTotal.objects.filter(**{f"{column}__gte": first - SLACK, f"{column}__lt": until + SLACK})
    rows = rows.order_by()
    if scope.location_ids is not None:
        rows = rows.filter(location_id__in=scope.location_ids)
    window = Q(**{f"{column}__gte": first, f"{column}__lt": until})
    annotations = {name: aggregate(source, filter=window) for name, (aggregate, source) in figures.items()}
    group = [name for name in fields if name != DAY]
    named = {DAY: F(column)} if DAY in fields else {}
    grouped = rows.values(*group, "location__timezone", **named).annotate(
        in_window=Sum(F("active_grants") + F("voided_grants"), filter=window), **annotations
    )
    kept, others = [], set()
    for row in grouped:
        row_zone = row.pop("location__timezone")
        if not site and row_zone != zone:
            others.add(row_zone)
        elif row["in_window"]:
            kept.append(row)
    return kept, tuple(sorted(others))


def other_calendars(grants, zones: tuple[str, ...]):
    """The scope's grants at the locations on the other calendars (`zones`): read directly."""
    return grants.filter(location__timezone__in=zones)


def as_grant_sums(row: dict, **money_counts: str) -> dict:
    """A rollup row's money as the grants' grouped SUM gives it: None, not 0, when no grant was summed.

    `money_counts` maps each money key to the count key that says how many
    grants it summed (a voided sum is empty when no grant was voided).
    """
    for money, count in money_counts.items():
        if not row.get(count):
            row[money] = None
    return row
