"""How long a failure took to be granted, in the buckets the insight pages count (pure: no database).

Why here and not with the insight queries: the bucket of a grant is decided
twice — by the database when the daily rollups are rebuilt or an insight page
falls back to the raw grants, and by Python when a grant adds itself to its
day's rollup row. Both read these bounds, so the two can never disagree about
which bucket a grant is in (a grant exactly on a bound goes to the next bucket:
"under 1 minute" means strictly under).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

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


def resolution_bucket(took: dt.timedelta | None) -> int:
    """The index in RESOLUTION_BUCKETS of a resolution time: the first bound it is strictly under.

    A time the database cannot compute (None) lands in the last bucket, as SQL's
    CASE with no matching WHEN does.
    """
    if took is not None:
        for index, (_, upper) in enumerate(RESOLUTION_BUCKETS):
            if upper is not None and took < upper:
                return index
    return len(RESOLUTION_BUCKETS) - 1
