"""Calendar and time-span arithmetic for the insight pages (pure: no database, no settings).

Why apart: which weeks a window touches, where a local day or month begins and
ends, and how a resolution time is said are the parts of the insight figures
most likely to go wrong at month, week and time-zone boundaries, so they are
plain functions of dates, datetimes and zones, unit-tested without a database.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils.translation import gettext

DEFAULT_WEEKS = 12
MAX_WINDOW_DAYS = 366


def local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def weeks_touching(start: dt.datetime, end: dt.datetime, tz: zoneinfo.ZoneInfo) -> list[dt.date]:
    """The Mondays (local dates in `tz`) of every week `start`..`end` (end exclusive) touches, oldest first."""
    first = start.astimezone(tz).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def month_days(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the calendar month that `month` falls in."""
    first = month.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    return first, next_first - dt.timedelta(days=1)


def default_window(today: dt.date, weeks: int = DEFAULT_WEEKS) -> tuple[dt.date, dt.date]:
    """The last `weeks` whole weeks including this one: from a Monday to today."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(weeks=weeks - 1), today


def local_date(value, tz) -> dt.date:
    """TruncWeek gives an aware datetime (or a date on some backends): its local calendar date."""
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    return value


def duration_text(value: dt.timedelta | None) -> str:
    """A resolution time as people say it: '45 s', '3 min 20 s', '1 h 05 min'."""
    if value is None:
        return "—"
    seconds = max(int(round(value.total_seconds())), 0)
    if seconds < 60:
        return gettext("%(seconds)s s") % {"seconds": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return gettext("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": f"{seconds:02d}"}
    hours, minutes = divmod(minutes, 60)
    return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}
