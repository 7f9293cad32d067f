"""What a coverage is made of: the facts compared, and how a journal value and a column value are judged equal.

Journal payloads are plain JSON (`compensation.journal._plain`): money and
moments are strings, ids sometimes strings (`journal_fact`). Each fact names
how to compare, so "50.00" equals Decimal("50") and an ISO string equals the
aware datetime it was made from, but 900.00 never equals 50.00.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q

# Where a fact lives on the entry itself rather than in its payload.
ENTRY_AT, ENTRY_ACTOR, ENTRY_LOCATION, ENTRY_KIND = "@at", "@actor", "@location", "@kind"
ABSENT = object()


def _money(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def _moment(value):
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _text(value):
    return None if value is None else str(value)


def _json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


NORMALISE: dict[str, Callable] = {
    "money": lambda v: None if v is None else _money(v),
    "time": lambda v: None if v is None else _moment(v),
    "id": _text,  # `journal_fact` keeps ids as text, other payloads as numbers
    "text": _text,
    "date": lambda v: v.isoformat() if isinstance(v, date) else _text(v),
    "json": _json,
}


def document_sha256(document) -> str:
    """The policy document's hash exactly as `policy_publish` journals it."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Fact:
    """One fact compared: `key` in the entry (a payload key, or `ENTRY_*`), `column` on the record.

    `since` is the journal version that started recording `key`: an older
    entry without it is counted as "not journaled before v<since>", never
    silently skipped; from that version on, a missing key is a mismatch.
    """

    key: str
    column: str
    compare: str = "text"
    since: int = 1
    transform: Callable | None = None  # applied to the record's value first (the document → its hash)

    @property
    def label(self) -> str:
        return self.column.replace("__", ".")

    def journal_value(self, entry: dict):
        if self.key == ENTRY_AT:
            return entry["at"]
        if self.key == ENTRY_ACTOR:
            return entry["actor_id"]
        if self.key == ENTRY_LOCATION:
            return entry["location_id"]
        if self.key == ENTRY_KIND:
            return entry["kind"]
        return entry["payload"].get(self.key, ABSENT) if isinstance(entry["payload"], dict) else ABSENT

    def record_value(self, record: dict):
        value = record[self.column]
        return self.transform(value) if self.transform else value

    def shown(self, value) -> str:
        """A value as a mismatch line shows it: money with its two decimals, so "50" reads 50.00."""
        if self.compare == "money" and value is not None:
            amount = _money(value)
            return f"{amount:.2f}" if isinstance(amount, Decimal) else str(value)
        return str(value)

    def same(self, journal, record) -> bool:
        normalise = NORMALISE[self.compare]
        return normalise(journal) == normalise(record)


@dataclass(frozen=True)
class Coverage:
    """One kind of record and the journal entries that must prove it.

    Records matching `must_have` each need one entry of `kinds` about them
    (subject `subject_type` #`record[subject_column]`), equal on every fact;
    every entry of `kinds` needs a record matching `must_have`. `latest_only`:
    a record may have many entries (tenure set again), the newest one counts;
    `without_entry` then judges a record that has none (None: it is fine).
    """

    name: str
    model: type
    kinds: tuple[str, ...]
    subject_type: str
    facts: tuple[Fact, ...]
    state: str  # what `must_have` means, for "the record is not …"
    must_have: Q = field(default_factory=Q)
    subject_column: str = "id"
    annotations: dict = field(default_factory=dict)
    extra_columns: tuple[str, ...] = ()
    latest_only: bool = False
    without_entry: Callable[[dict], str | None] | None = None
    chunk: int = 1000
    history: bool = False  # rows of a simple-history table: named by their own id and their record's

    @property
    def columns(self) -> list[str]:
        wanted = ["pk", self.subject_column, *self.extra_columns, *(fact.column for fact in self.facts)]
        return list(dict.fromkeys(wanted))

    def records(self):
        return self.model.objects.annotate(**self.annotations).filter(self.must_have)

    def record_name(self, pk, subject=None) -> str:
        if self.history:
            of = f"the history of {self.subject_type} #{subject}"
            return f"{self.model._meta.label} #{pk} ({of})" if pk is not None else f"{self.model._meta.label} ({of})"
        return f"{self.model._meta.label} #{pk}"
