"""Writing many rows fast: one COPY (PostgreSQL) or one `executemany` (SQLite) per table and batch.

Nothing here knows what a grant is: a `TableWriter` takes rows of any
model, a `HistoryWriter` the simple-history rows of one, `reserve_ids` takes
primary keys up front so rows can point at each other before they are
written, and `Journal` chains a batch's audit entries with the journal's
own code (`compensation.journal.journal_entry`), so `verify_audit` accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import JSONField

from compensation.journal import chain_head, journal_entry, location_chain
from compensation.models import AuditEvent
from recovery.models import Escalation, Grant, ServiceFailure


def _as_is(value):
    """A value psycopg adapts itself; a choice (an Enum) as its stored value, as the ORM writes it."""
    return value.value if isinstance(value, Enum) else value


class TableWriter:
    """Rows for one table, written in one statement per flush (COPY on PostgreSQL, executemany elsewhere).

    Values go through each field's `get_db_prep_save`, so what lands in the
    database is exactly what the ORM would write; on PostgreSQL that is the
    Python value itself for every field but JSON (psycopg adapts them), so only
    JSON values and choices are prepared there. `with_pk=False` leaves the id
    to the database (tables nobody points at: history rows, journal entries).
    """

    def __init__(self, model, *, with_pk: bool = True):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.rows: list[list] = []
        self.written = 0
        # The connection itself, not the `django.db.connection` proxy: a lookup per value adds up to minutes.
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.prepare = [self._preparer(f) for f in self.fields]

    def _preparer(self, field):
        if self.connection.vendor == "postgresql" and not isinstance(field, JSONField):
            return _as_is
        return partial(field.get_db_prep_save, connection=self.connection)

    def add(self, values: dict) -> None:
        """One row from a dict of attribute names (`customer_id`, not `customer`) to Python values."""
        self.rows.append([prepare(values[f.attname]) for f, prepare in zip(self.fields, self.prepare, strict=True)])

    def add_instance(self, obj) -> None:
        self.add({f.attname: getattr(obj, f.attname) for f in self.fields})

    def flush(self) -> None:
        if not self.rows:
            return
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", self.rows)
        self.written += len(self.rows)
        self.rows = []


class HistoryWriter(TableWriter):
    """simple-history rows, as `HistoricalRecords` writes them on save."""

    def __init__(self, model):
        super().__init__(model.history.model, with_pk=False)
        self.tracked = [f.attname for f in self.model.tracked_fields]

    def record(self, obj, *, kind: str, at: datetime, user_id: int | None, reason: str | None = None, **state):
        """One history row for `obj` ('+' created, '~' changed); `state` overrides fields (the state at `at`)."""
        values = {name: getattr(obj, name) for name in self.tracked}
        values.update(state)
        values.update(history_date=at, history_change_reason=reason, history_type=kind, history_user_id=user_id)
        self.add(values)


class IdPool:
    """Primary keys reserved ahead for one model; takes more when it runs out."""

    def __init__(self, model, expected: int):
        self.model, self.expected = model, max(expected, 16)
        self.free: list[int] = []
        self.last = 0

    def take(self) -> int:
        if not self.free:
            self.free = reserve_ids(self.model, self.expected, after=self.last)[::-1]
            self.last = self.free[0]
        return self.free.pop()


def reserve_ids(model, count: int, *, after: int = 0) -> list[int]:
    """`count` fresh primary keys for `model`, taken from its sequence (PostgreSQL) or past its largest id
    and past `after` (ids reserved earlier in this transaction and not written yet)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: one writer at a time (the batch's transaction holds the write lock).
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        largest = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        start = max(largest, cursor.fetchone()[0], after) + 1
    return list(range(start, start + count))


class Journal:
    """The batch's journal entries per location chain, chained on from each chain's head."""

    def __init__(self, locations):
        chains = [location_chain(location.id) for location in locations]
        self.heads = {chain: chain_head(chain) for chain in chains}
        self.pending: dict[str, list] = {chain: [] for chain in chains}

    def add(self, *, order=0, **entry):
        """One entry (`journal_entry`'s fields: location_id, at, kind, subject…, actor, payload); `order` breaks
        ties between entries at the same moment (a grant before its void)."""
        self.pending[location_chain(entry["location_id"])].append((entry["at"], order, entry))

    def write(self, writer: TableWriter) -> None:
        """Append the batch's entries to each chain in time order, each hashed on the one before."""
        for chain, entries in self.pending.items():
            head = self.heads[chain]
            entries.sort(key=lambda entry: (entry[0], entry[1]))
            for _, _, entry in entries:
                event = journal_entry(head=head, chain=chain, **entry)
                writer.add_instance(event)
                head = (event.sequence, event.hash)
            self.heads[chain] = head
            entries.clear()


@dataclass
class Batch:
    """The rows of one batch, table by table."""

    failures: TableWriter = field(default_factory=lambda: TableWriter(ServiceFailure))
    grants: TableWriter = field(default_factory=lambda: TableWriter(Grant))
    escalations: TableWriter = field(default_factory=lambda: TableWriter(Escalation))
    failure_history: HistoryWriter = field(default_factory=lambda: HistoryWriter(ServiceFailure))
    grant_history: HistoryWriter = field(default_factory=lambda: HistoryWriter(Grant))
    escalation_history: HistoryWriter = field(default_factory=lambda: HistoryWriter(Escalation))
    events: TableWriter = field(default_factory=lambda: TableWriter(AuditEvent, with_pk=False))

    def flush(self) -> None:
        for writer in (
            self.failures,
            self.grants,
            self.escalations,
            self.failure_history,
            self.grant_history,
            self.escalation_history,
            self.events,
        ):
            writer.flush()
