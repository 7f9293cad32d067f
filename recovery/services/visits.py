"""Recording visits: the only code that writes `Visit` rows (API batches, ops CSV imports, the counter).

A batch is checked line by line: a line that names no customer, a date in
the future or a negative amount is refused on its own, with the field and the
reason, and the other lines are stored. A line whose external id its source
already stored at that location is reported as a duplicate and stored again
never, so a batch sent twice stores nothing twice (the unique constraint is
the last guard when two batches race). Lines are handled in chunks (one
customer lookup, one duplicate lookup and one insert per chunk), so an
import of any length runs in bounded memory and a steady number of queries.
"""

from __future__ import annotations

import datetime
import itertools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from recovery.domain.visits import LineCheck, visit_line_check
from recovery.models import Customer, Location, Visit
from recovery.selectors.visits import customer_index_for, locations_by_code, visit_external_ids_stored

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# The pure check runs before the line's location is known; its own "today" is checked right after.
_ANY_DAY = datetime.date.max


class LineStatus:
    STORED = "stored"
    WOULD_STORE = "would_store"  # a dry run: the line is fine and new
    DUPLICATE = "duplicate"
    REFUSED = "refused"


@dataclass
class LineOutcome:
    """What became of one line: stored (with its visit), a duplicate, or refused with reasons per field."""

    number: int
    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    customer_id: int | None = None
    visit_id: int | None = None
    external_id: str = ""


def _location_of(check: LineCheck, fixed: Location | None, by_code: dict[str, Location]) -> Location | None:
    if fixed is not None:
        return fixed
    code = check.fields.location_code.lower() if check.fields else ""
    if not code:
        check.refuse("location", gettext("Required: the location's code."))
        return None
    location = by_code.get(code)
    if location is None:
        check.refuse("location", gettext("No open location has this code."))
    return location


def _chunk_outcomes(
    *, actor, source: str, chunk, fixed: Location | None, by_code, seen: set, dry_run: bool
) -> list[LineOutcome]:
    checks: list[tuple[LineCheck, Location | None]] = []
    for number, raw in chunk:
        # The line's "today" is its location's: checked once the location is known.
        check = visit_line_check(raw, number=number, today=_ANY_DAY)
        location = _location_of(check, fixed, by_code) if check.fields is not None else None
        if check.fields is not None and location is not None and check.fields.visited_on > location.today():
            check.refuse("visited_on", gettext("In the future: a visit is recorded after it happened."))
            check.fields = None
        checks.append((check, location))
    good = [check.fields for check, _ in checks if check.fields is not None]
    index = customer_index_for(good)
    stored = visit_external_ids_stored(
        source=source,
        keys=((location.pk, check.fields.external_id) for check, location in checks if check.fields and location),
    )
    outcomes, rows = [], []
    for check, location in checks:
        fields = check.fields
        if fields is None or location is None:
            outcomes.append(LineOutcome(check.number, LineStatus.REFUSED, check.errors))
            continue
        customer, errors = index.match(fields)
        if customer is None:
            outcomes.append(LineOutcome(check.number, LineStatus.REFUSED, errors, external_id=fields.external_id))
            continue
        key = (location.pk, fields.external_id)
        if fields.external_id and (key in stored or key in seen):
            outcomes.append(
                LineOutcome(check.number, LineStatus.DUPLICATE, customer_id=customer.pk, external_id=fields.external_id)
            )
            continue
        if fields.external_id:
            seen.add(key)
        status = LineStatus.WOULD_STORE if dry_run else LineStatus.STORED
        outcome = LineOutcome(check.number, status, customer_id=customer.pk, external_id=fields.external_id)
        outcomes.append(outcome)
        rows.append(
            (
                outcome,
                Visit(
                    customer=customer,
                    location=location,
                    visited_on=fields.visited_on,
                    amount=fields.amount,
                    currency=location.currency,
                    source=source,
                    external_id=fields.external_id,
                    recorded_by=actor,
                ),
            )
        )
    if rows and not dry_run:
        with transaction.atomic():
            created = Visit.objects.bulk_create([visit for _, visit in rows])
        for (outcome, _), visit in zip(rows, created, strict=True):
            outcome.visit_id = visit.pk
    return outcomes


def visits_record(
    *,
    actor,
    source: str,
    lines: Iterable[tuple[int, dict]],
    location: Location | None = None,
    dry_run: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[LineOutcome]:
    """Record `(line number, raw values)` lines, yielding each line's outcome as its chunk is done.

    `location` fixes where every visit happened (an API token's location);
    without it each line names its location by code (a CSV of several shops).
    A dry run checks and matches every line and stores nothing. Each chunk is
    one transaction: an interrupted import keeps what it stored, and running it
    again skips those lines as duplicates (by their external ids).
    """
    by_code = {} if location is not None else locations_by_code()
    seen: set[tuple[int, str]] = set()
    iterator = iter(lines)
    while chunk := list(itertools.islice(iterator, chunk_size)):
        before = set(seen)
        try:
            outcomes = _chunk_outcomes(
                actor=actor, source=source, chunk=chunk, fixed=location, by_code=by_code, seen=seen, dry_run=dry_run
            )
        except IntegrityError:
            # Another batch stored some of these external ids meanwhile: read them again, once.
            seen = before
            outcomes = _chunk_outcomes(
                actor=actor, source=source, chunk=chunk, fixed=location, by_code=by_code, seen=seen, dry_run=dry_run
            )
        stored = sum(outcome.status == LineStatus.STORED for outcome in outcomes)
        if stored:
            logger.info("visits recorded", extra={"source": source, "stored": stored, "lines": len(outcomes)})
        yield from outcomes


def visit_record_at_counter(*, actor, customer: Customer, location: Location) -> None:
    """The counter found the customer: one visit (amount 0) per customer, location and local day.

    One statement whatever happened before (INSERT … ON CONFLICT DO NOTHING on the
    once-a-day constraint), so opening the customer again costs the counter one
    query and a second counter at the same moment never raises.
    """
    Visit.objects.bulk_create(
        [
            Visit(
                customer=customer,
                location=location,
                visited_on=location.today(),
                amount=Decimal("0.00"),
                currency=location.currency,
                source=Visit.Source.COUNTER,
                recorded_by=actor,
            )
        ],
        ignore_conflicts=True,
    )


REPORT_LINES = 200


@dataclass
class ImportReport:
    """An import's totals, and its first refused lines for a page (the rest are counted, not kept)."""

    dry_run: bool
    total: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    problems: list[LineOutcome] = field(default_factory=list)

    @property
    def problems_left_out(self) -> int:
        return self.refused - len(self.problems)


def visits_import_report(outcomes: Iterable[LineOutcome], *, dry_run: bool, keep: int = REPORT_LINES) -> ImportReport:
    """Consume an import's outcomes into its report, keeping at most `keep` refused lines (memory stays small)."""
    report = ImportReport(dry_run=dry_run)
    for outcome in outcomes:
        report.total += 1
        if outcome.status in (LineStatus.STORED, LineStatus.WOULD_STORE):
            report.stored += 1
        elif outcome.status == LineStatus.DUPLICATE:
            report.duplicates += 1
        else:
            report.refused += 1
            if len(report.problems) < keep:
                report.problems.append(outcome)
    return report
