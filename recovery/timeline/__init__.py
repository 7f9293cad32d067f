"""The audit timeline: everything that happened at the user's locations, newest first.

Failures, grants, voids, escalations, policy versions, voucher redemptions and
anomaly flags each live in their own table. A UNION paged with OFFSET would
count its way through a million rows on every deep page; instead each source
fetches the next `PAGE_SIZE + 1` rows after the cursor through its own
(location, time, id) index, and the small pages are merged. A page therefore
costs one query per source, whatever the table sizes, and the CSV export
streams the same merge with server-side cursors.

- `shapes`: `TimelineQuery` (the filters), `TimelineEntry` (one line), `Source` (one kind of event)
- `words`: the wording of each kind's entries
- `sources`: the kinds of event (`SOURCES`, `KINDS`)
- `cursor`: the page cursor written and read back (pure)
- `queries`: the keyset queries, the page and the export stream

Every name callers used is re-exported here (`from recovery.timeline import TimelineQuery`).
"""

from recovery.timeline.cursor import cursor_parse, cursor_text
from recovery.timeline.queries import (
    CUSTOMER_MATCH_LIMIT,
    PAGE_SIZE,
    TimelinePage,
    customer_ids_matching,
    grants_for_export,
    timeline_page,
    timeline_stream,
)
from recovery.timeline.shapes import Source, TimelineEntry, TimelineQuery
from recovery.timeline.sources import KINDS, SOURCES

__all__ = [
    "CUSTOMER_MATCH_LIMIT",
    "KINDS",
    "PAGE_SIZE",
    "SOURCES",
    "Source",
    "TimelineEntry",
    "TimelinePage",
    "TimelineQuery",
    "cursor_parse",
    "cursor_text",
    "customer_ids_matching",
    "grants_for_export",
    "timeline_page",
    "timeline_stream",
]
