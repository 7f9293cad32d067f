"""The audit's CSV downloads (grants, the whole timeline): streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from config.db_router import reads_from_replica, streamed_from_replica
from recovery import selectors, timeline
from recovery.views.access import plain_refusal
from recovery.views.audit import timeline_filter

CSV_ROWS_PER_CHUNK = 500


def _csv_chunks(rows):
    """The rows as CSV text in chunks of a few hundred rows: streamed (constant memory), but not one
    write to the socket per row (a hundred thousand rows were a hundred thousand sends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value):
    """Plain text for spreadsheets: times in ISO UTC, and no cell a spreadsheet would run as a formula."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _csv_chunks(streamed_from_replica(selectors.read_in_one_transaction(rows))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


def _invalid_filters() -> HttpResponse:
    return plain_refusal(gettext("The filters are not valid: fix them on the audit page."))


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
@reads_from_replica
def audit_export(request):
    """The filtered grants with every detail as CSV, streamed: a million rows never sit in memory."""
    audit_filter = timeline_filter(request)
    if audit_filter.is_bound and not audit_filter.is_valid():
        return _invalid_filters()
    grants = timeline.grants_for_export(user=request.user, query=audit_filter.query())
    return _csv_response(selectors.grant_export_rows(grants), "grants")


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
@reads_from_replica
def audit_timeline_export(request):
    """The filtered timeline (every kind of event) as CSV, streamed."""
    audit_filter = timeline_filter(request)
    if audit_filter.is_bound and not audit_filter.is_valid():
        return _invalid_filters()
    entries = timeline.timeline_stream(user=request.user, query=audit_filter.query())
    return _csv_response(selectors.timeline_export_rows(entries), "timeline")
