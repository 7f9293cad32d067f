"""Stream records and journal entries in keyset batches and compare them, both ways, in bounded memory.

Each batch is one short query (`pk > last ORDER BY pk LIMIT n`), never a
long-lived cursor: on PostgreSQL, `.iterator()` outside a transaction is a
WITH HOLD cursor that materialises the whole result first (RELIABILITY.md).
Pass one walks each kind's records and looks up their entries by subject
(indexed); pass two walks the journal once and looks up each entry's record,
so a deleted row is found. Only the first `keep` mismatches are held; all are counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from compensation.models import AuditEvent, Location
from recovery.audit_verify.coverages import COVERAGES
from recovery.audit_verify.shapes import ABSENT, Coverage
from recovery.audit_verify.totals import day_totals_mismatches, totals_mismatches

ENTRY_COLUMNS = ("id", "chain", "sequence", "kind", "subject_id", "actor_id", "location_id", "at", "payload")


@dataclass(frozen=True)
class Mismatch:
    """One disagreement: the entry (chain, sequence, id, kind) and the record (model, pk), and what differs."""

    entry: str
    record: str
    difference: str

    def __str__(self):
        return f"{self.entry} ↔ {self.record}: {self.difference}"


@dataclass
class Report:
    keep: int = 50
    mismatches: list[Mismatch] = field(default_factory=list)
    mismatch_count: int = 0
    records: Counter = field(default_factory=Counter)
    entries: Counter = field(default_factory=Counter)
    # (coverage, version, fact labels) → entries that predate those facts
    unjournaled: Counter = field(default_factory=Counter)

    def add(self, mismatch: Mismatch) -> None:
        self.mismatch_count += 1
        if len(self.mismatches) < self.keep:
            self.mismatches.append(mismatch)

    @property
    def ok(self) -> bool:
        return self.mismatch_count == 0

    def figures(self) -> list[str]:
        lines = [
            f"{coverage.name}: {self.records[coverage.name]:,} records, {self.entries[coverage.name]:,} entries"
            for coverage in COVERAGES
        ]
        if self.records["month totals"]:
            lines.append(f"month totals: {self.records['month totals']:,} locations checked against their grants")
        for (name, version, labels), count in sorted(self.unjournaled.items()):
            lines.append(f"{name}: {labels} not journaled before v{version} ({count:,} older entries, not compared)")
        return lines


def entry_name(entry: dict) -> str:
    return f"journal {entry['chain']} #{entry['sequence']} (id {entry['id']}, {entry['kind']})"


def _batches(queryset, columns, chunk):
    """Rows of `queryset` as dicts, in pk order, `chunk` per query."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page.values(*columns)[:chunk])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"] if "pk" in rows[-1] else rows[-1]["id"]


def _entries_about(coverage: Coverage, subject_ids) -> dict[int, list[dict]]:
    found = defaultdict(list)
    rows = (
        AuditEvent.objects.filter(
            subject_type=coverage.subject_type, kind__in=coverage.kinds, subject_id__in=subject_ids
        )
        .order_by("id")
        .values(*ENTRY_COLUMNS)
    )
    for row in rows:
        found[row["subject_id"]].append(row)
    return found


def _compare(coverage: Coverage, entry: dict, record: dict, report: Report) -> None:
    missing_by_version = defaultdict(list)
    said = set()  # one column compared twice (in the payload and on the entry) is reported once
    for fact in coverage.facts:
        journal = fact.journal_value(entry)
        if journal is ABSENT:
            version = (entry["payload"] or {}).get("v", 1) if isinstance(entry["payload"], dict) else 1
            if version < fact.since:
                missing_by_version[fact.since].append(fact.key)
                continue
            journal = "(missing)"
        recorded = fact.record_value(record)
        if not fact.same(journal, recorded) and fact.column not in said:
            said.add(fact.column)
            report.add(
                Mismatch(
                    entry_name(entry),
                    coverage.record_name(record["pk"], record[coverage.subject_column]),
                    f"{fact.label}: journal {fact.shown(journal)} vs record {fact.shown(recorded)}",
                )
            )
    for version, keys in missing_by_version.items():
        report.unjournaled[(coverage.name, version, ", ".join(dict.fromkeys(keys)))] += 1


def _records_to_entries(coverage: Coverage, report: Report) -> None:
    for rows in _batches(coverage.records(), coverage.columns, coverage.chunk):
        entries = _entries_about(coverage, [row[coverage.subject_column] for row in rows])
        for record in rows:
            report.records[coverage.name] += 1
            found = entries.get(record[coverage.subject_column], [])
            if coverage.latest_only:
                found = found[-1:]
            if not found:
                problem = (
                    coverage.without_entry(record)
                    if coverage.without_entry
                    else f"no {'/'.join(coverage.kinds)} entry in the journal"
                )
                if problem:
                    report.add(
                        Mismatch(
                            f"journal (no {coverage.kinds[0]})",
                            coverage.record_name(record["pk"], record[coverage.subject_column]),
                            problem,
                        )
                    )
                continue
            for extra in found[1:]:
                report.add(
                    Mismatch(
                        entry_name(extra),
                        coverage.record_name(record["pk"], record[coverage.subject_column]),
                        f"a second entry for one {coverage.state} record (the first is #{found[0]['sequence']})",
                    )
                )
            _compare(coverage, found[0], record, report)


def _entries_to_records(coverages, report: Report) -> None:
    """One pass over the whole journal (pk order): each batch's entries, by kind, looked up in their tables."""
    by_kind = defaultdict(list)  # a kind is proved by its record and by its history row
    for coverage in coverages:
        for kind in coverage.kinds:
            by_kind[(coverage.subject_type, kind)].append(coverage)
    kinds = {kind for _subject_type, kind in by_kind}
    entries = AuditEvent.objects.filter(kind__in=kinds)
    columns = ("id", "chain", "sequence", "kind", "subject_type", "subject_id")
    for rows in _batches(entries, columns, 5000):
        grouped = defaultdict(list)  # by coverage name (a coverage holds dicts: not hashable)
        for row in rows:
            # A kind journalled on another subject is no record of these coverages.
            for coverage in by_kind.get((row["subject_type"], row["kind"]), ()):
                grouped[coverage.name].append(row)
        for coverage in coverages:
            if grouped.get(coverage.name):
                _entries_have_records(coverage, grouped[coverage.name], report)


def _entries_have_records(coverage: Coverage, rows: list[dict], report: Report) -> None:
    subject_ids = {row["subject_id"] for row in rows}
    lookup = {f"{coverage.subject_column}__in": subject_ids}
    present = set(coverage.records().filter(**lookup).values_list(coverage.subject_column, flat=True))
    absent = subject_ids - present
    existing = set()
    if absent and coverage.must_have:
        existing = set(
            coverage.model.objects.filter(**{f"{coverage.subject_column}__in": absent}).values_list(
                coverage.subject_column, flat=True
            )
        )
    for entry in rows:
        report.entries[coverage.name] += 1
        subject = entry["subject_id"]
        if subject in present:
            continue
        if coverage.history:
            where = coverage.record_name(None, subject)
        elif coverage.subject_column == "id":
            where = f"{coverage.model._meta.label} #{subject}"
        else:
            where = f"{coverage.model._meta.label} ({coverage.subject_column} {subject})"
        if subject in existing:
            report.add(Mismatch(entry_name(entry), where, f"the journal says {coverage.state}, the record is not"))
        else:
            report.add(Mismatch(entry_name(entry), where, "the record is missing (deleted?)"))


def records_verify(*, coverages=COVERAGES, keep: int = 50) -> Report:
    """Compare every covered record with its journal entry and every entry with its record."""
    report = Report(keep=keep)
    for coverage in coverages:
        _records_to_entries(coverage, report)
    _entries_to_records(coverages, report)
    _totals_to_grants(report)
    return report


def _totals_to_grants(report: Report) -> None:
    """Each location's running month totals and daily rollups against its grants (`totals`)."""
    for location in Location.objects.order_by("pk"):
        report.records["month totals"] += 1
        for problem in totals_mismatches(location):
            report.add(Mismatch("month totals", f"location #{location.pk} {location.code}", problem))
        report.records["day totals"] += 1
        for problem in day_totals_mismatches(location):
            report.add(Mismatch("day totals", f"location #{location.pk} {location.code}", problem))
