"""The timeline's page cursor, `<time>_<rank>_<id>`, written and read back (pure: no database).

Kept apart so the parsing of what arrives in a URL can be tested on its own:
a damaged cursor must mean "from the newest", never an error.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def cursor_text(at: dt.datetime, rank: int, pk: int) -> str:
    """The cursor after an entry at `at` with this rank and id."""
    return f"{at.isoformat()}_{rank}_{pk}"


def cursor_parse(cursor: str) -> tuple[dt.datetime, int, int] | None:
    """'<time>_<rank>_<id>' back into its parts; anything damaged means 'from the newest'."""
    stamp, _, rest = cursor.partition("_")
    rank, _, pk = rest.partition("_")
    try:
        when = parse_datetime(stamp)
    except (ValueError, OverflowError):
        return None
    numbers_ok = all(part.isascii() and part.isdigit() and len(part) <= 18 for part in (rank, pk))
    if when is None or not numbers_ok:
        return None
    try:
        when = (timezone.make_aware(when, dt.UTC) if timezone.is_naive(when) else when).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return when, int(rank), int(pk)
