"""The timeline's reads: per kind of event, a keyset query after the cursor; the small pages merged.

Each source fetches the next `PAGE_SIZE + 1` rows after the cursor through its
own (location, time, id) index, so a page costs one query per source whatever
the table sizes; the CSV export streams the same merge with server-side cursors.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation

from recovery.models import AnomalyFlag, Customer, Grant
from recovery.selectors import customer_matches, location_ids_for
from recovery.timeline.cursor import cursor_parse
from recovery.timeline.shapes import Source, TimelineEntry, TimelineQuery
from recovery.timeline.sources import SOURCES

PAGE_SIZE = 50
CUSTOMER_MATCH_LIMIT = 50


def customer_ids_matching(text: str) -> list[int]:
    """The customers a reviewer means by what they typed (as the counter's search finds them)."""
    return list(
        Customer.objects.filter(customer_matches(text.strip())).values_list("id", flat=True)[:CUSTOMER_MATCH_LIMIT]
    )


def _filtered(source: Source, query: TimelineQuery, *, visible: frozenset[int] | None, customer_ids) -> QuerySet | None:
    """This source's rows matching the filters, or None when a chosen filter does not apply to it."""
    if query.kinds and source.kind not in query.kinds:
        return None
    wanted = {
        "location": query.location_id,
        "employee": query.employee_id,
        "playbook": query.playbook_id,
        "category": query.category or None,
        "customer": customer_ids,
        "amount": (query.amount_min, query.amount_max)
        if (query.amount_min, query.amount_max) != (None, None)
        else None,
    }
    rows = source.queryset()
    for name, value in wanted.items():
        if value is None:
            continue
        path = source.paths.get(name)
        if path is None:
            return None
        if name == "customer":
            rows = rows.filter(**{f"{path}__in": value})
        elif name == "amount":
            low, high = value
            rows = rows.filter(**({f"{path}__gte": low} if low is not None else {}))
            rows = rows.filter(**({f"{path}__lte": high} if high is not None else {}))
        else:
            rows = rows.filter(**{path: value})
    if visible is not None and "location" in source.paths:  # policy changes concern every location
        rows = rows.filter(**{f"{source.paths['location']}__in": visible})
    if query.since is not None:
        rows = rows.filter(**{f"{source.at}__gte": query.since})
    if query.until is not None:
        rows = rows.filter(**{f"{source.at}__lt": query.until})
    if source.flagged_grant:
        rows = rows.annotate(flagged=Exists(AnomalyFlag.objects.filter(grant_id=OuterRef(source.flagged_grant))))
        if query.flagged_only:
            rows = rows.filter(flagged=True)
    elif query.flagged_only and not source.is_flag:
        return None
    return rows


def _plan(*, user, query: TimelineQuery) -> list[tuple[Source, QuerySet]]:
    """Each kind of event the filters allow, with its filtered rows (before the cursor)."""
    visible = location_ids_for(user)
    customer_ids = customer_ids_matching(query.customer) if query.customer.strip() else None
    plan = []
    for source in SOURCES:
        rows = _filtered(source, query, visible=visible, customer_ids=customer_ids)
        if rows is not None:
            plan.append((source, rows))
    return plan


def _after(source: Source, cursor: tuple[dt.datetime, int, int]) -> Q:
    """Rows that sort after the cursor in (time, rank, id) order, newest first."""
    when, rank, pk = cursor
    if source.rank < rank:
        return Q(**{f"{source.at}__lte": when})
    if source.rank > rank:
        return Q(**{f"{source.at}__lt": when})
    return Q(**{f"{source.at}__lt": when}) | Q(**{source.at: when, "pk__lt": pk})


def _before(source: Source, cursor: tuple[dt.datetime, int, int]) -> Q:
    """Rows that sort before the cursor in (time, rank, id) order, newest first: the newer ones."""
    when, rank, pk = cursor
    if source.rank > rank:
        return Q(**{f"{source.at}__gte": when})
    if source.rank < rank:
        return Q(**{f"{source.at}__gt": when})
    return Q(**{f"{source.at}__gt": when}) | Q(**{source.at: when, "pk__gt": pk})


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str  # "Older": the page after this one ("" on the last)
    newer_cursor: str = ""  # "Newer": the page before this one ("" on the first)


def timeline_page(
    *, user, query: TimelineQuery, cursor: str = "", size: int = PAGE_SIZE, before: str = ""
) -> TimelinePage:
    """One page of the timeline after `cursor` (older) or `before` (newer): one keyset query per kind of
    event, no OFFSET, no COUNT, so a page far down costs what the first does."""
    newer = cursor_parse(before) if before and not cursor else None
    if newer is not None:
        page = _newer_page(user=user, query=query, before=newer, size=size)
        if page.entries:
            return page
    after = cursor_parse(cursor) if cursor else None
    entries: list[TimelineEntry] = []
    for source, rows in _plan(user=user, query=query):
        if after is not None:
            rows = rows.filter(_after(source, after))
        for row in rows.order_by(f"-{source.at}", "-pk")[: size + 1]:
            entries.append(source.entry(row, getattr(row, "flagged", False)))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    newer_cursor = entries[0].cursor if after is not None and entries else ""
    if len(entries) <= size:
        return TimelinePage(entries=entries, next_cursor="", newer_cursor=newer_cursor)
    page = entries[:size]
    return TimelinePage(entries=page, next_cursor=page[-1].cursor, newer_cursor=newer_cursor)


def _newer_page(*, user, query: TimelineQuery, before: tuple[dt.datetime, int, int], size: int) -> TimelinePage:
    """The `size` entries just newer than `before`, newest first: each source read upwards from the cursor
    through the same index (oldest first, `size + 1` rows), the nearest kept."""
    entries: list[TimelineEntry] = []
    for source, rows in _plan(user=user, query=query):
        for row in rows.filter(_before(source, before)).order_by(source.at, "pk")[: size + 1]:
            entries.append(source.entry(row, getattr(row, "flagged", False)))
    entries.sort(key=lambda entry: entry.sort_key)
    more_newer = len(entries) > size
    page = list(reversed(entries[:size]))
    return TimelinePage(
        entries=page, next_cursor=page[-1].cursor if page else "", newer_cursor=page[0].cursor if more_newer else ""
    )


def _entries(source: Source, rows: QuerySet, chunk_size: int) -> Iterator[TimelineEntry]:
    for row in rows.order_by(f"-{source.at}", "-pk").iterator(chunk_size):
        # Worded in English whatever the reviewer's language: the export is a record, read next to
        # the journal and the grant CSV (also English). Per row, because a streamed response is
        # built after the view has returned.
        with translation.override("en"):
            entry = source.entry(row, getattr(row, "flagged", False))
        yield entry


def timeline_stream(*, user, query: TimelineQuery, chunk_size: int = 2000) -> Iterator[TimelineEntry]:
    """Every matching entry, newest first, in English (the CSV export), merged from server-side cursors:
    constant memory."""
    streams = [_entries(source, rows, chunk_size) for source, rows in _plan(user=user, query=query)]
    return heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)


def grants_for_export(*, user, query: TimelineQuery) -> QuerySet[Grant]:
    """The grants the same filters select, for the detailed grant CSV."""
    plan = _plan(user=user, query=replace(query, kinds=("grant.issued",)))
    return plan[0][1] if plan else Grant.objects.none()
