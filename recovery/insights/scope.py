"""The scope of an insight page: its window (local dates in a time zone) and the locations it may read.

Every insight query reads through an `InsightScope`, made by `insight_scope_for`
(a dashboard) or `month_scope_for` (a monthly report), already limited to the
locations the user may see (`location_ids_for`): a manager's scope can never
reach another location's rows.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from recovery.insights.periods import local_midnight, month_days, weeks_touching
from recovery.models import Grant, Location
from recovery.selectors import location_ids_for


@dataclass(frozen=True)
class InsightScope:
    """The window and locations every insight query of one page is limited to.

    `location_ids` None means every location (ops and auditors without a
    location filter); otherwise exactly these, all of them visible to the user.
    """

    start: dt.datetime  # aware, inclusive
    end: dt.datetime  # aware, exclusive
    tz: zoneinfo.ZoneInfo
    location_ids: frozenset[int] | None

    def grants(self) -> QuerySet[Grant]:
        return self._located(Grant.objects.filter(granted_at__gte=self.start, granted_at__lt=self.end))

    def _located(self, queryset):
        queryset = queryset.order_by()  # no default ordering in a GROUP BY
        return queryset if self.location_ids is None else queryset.filter(location_id__in=self.location_ids)

    def weeks(self) -> list[dt.date]:
        """The Mondays (local dates) of every week the window touches, oldest first."""
        return weeks_touching(self.start, self.end, self.tz)


def insight_scope_for(*, user, start: dt.date, end: dt.date, location: Location | None, tz) -> InsightScope:
    """The scope of a dashboard or report: `start`..`end` (local dates, both included).

    Raises PermissionError if `location` is not one the user may see (the forms
    only offer visible ones; this is the selector's own guard).
    """
    visible = location_ids_for(user)
    if location is not None:
        if visible is not None and location.pk not in visible:
            raise PermissionError("This location is not one of yours.")
        location_ids = frozenset({location.pk})
    else:
        location_ids = visible
    return InsightScope(
        start=local_midnight(start, tz),
        end=local_midnight(end + dt.timedelta(days=1), tz),
        tz=tz,
        location_ids=location_ids,
    )


def month_scope_for(*, user, location: Location, month: dt.date) -> InsightScope:
    """The calendar month `month` at `location`, midnight to midnight in its own time zone.

    The current month ends with today there: weeks that have not happened yet are not shown as
    0.00 (a committee reading "0.00" reads "nothing was spent", not "not yet").
    """
    tz = zoneinfo.ZoneInfo(location.timezone)
    first, last = month_days(month)
    end = min(last, timezone.localdate(timezone=tz))
    return insight_scope_for(user=user, start=first, end=max(end, first), location=location, tz=tz)
