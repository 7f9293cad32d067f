"""The timeline's shapes: what a reviewer asks for, one entry in words, one kind of event's source.

Plain frozen dataclasses with no query of their own: `sources` describes each
kind of event with a `Source`, `words` builds `TimelineEntry` values, and
`queries` reads the rows a `TimelineQuery` selects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from recovery.timeline.cursor import cursor_text


@dataclass(frozen=True)
class TimelineQuery:
    """The filters a reviewer chose; None or empty means 'any'."""

    location_id: int | None = None
    employee_id: int | None = None
    playbook_id: int | None = None
    category: str = ""
    customer: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # exclusive
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    flagged_only: bool = False
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline, already in words; `url` opens the whole story.

    `label` and `summary` are worded when the entry is built, from the row's fields,
    in the active language: the page shows them in the reviewer's language, the CSV
    export (`timeline_stream`) builds them in English, as a record.
    """

    kind: str
    label: str
    at: dt.datetime
    rank: int
    pk: int
    summary: str
    url: str
    location: str = ""
    zone: str = "UTC"
    actor: str = ""
    customer: str = ""
    playbook: str = ""
    category: str = ""
    amount: Decimal | None = None
    currency: str = ""
    flagged: bool = False

    @property
    def sort_key(self):
        return (self.at, self.rank, self.pk)

    @property
    def cursor(self) -> str:
        return cursor_text(self.at, self.rank, self.pk)


@dataclass(frozen=True)
class Source:
    """One kind of event: its table, time column, and where each filter looks in it.

    A filter with no path here does not apply to this kind of event, so setting it
    leaves this kind out (a policy change has no customer or amount).
    """

    kind: str
    label: str
    rank: int  # orders events that share a timestamp (a grant after its failure)
    queryset: Callable[[], QuerySet]
    at: str
    paths: dict[str, str]
    entry: Callable[[object, bool], TimelineEntry]
    flagged_grant: str = ""  # path to the grant id, for "flagged only"
    is_flag: bool = False  # the rows are flags themselves, so "flagged only" keeps them
