"""Synthetic data at scale, for benchmarks and load tests: grants with their whole paper trail.

`generate_grants` makes what a chain of shops would have after a year or two of
counters: customers of every tenure, failures in every category, grants across
the playbooks (at or below the cap), about 3% voided, a few escalations
(approved, declined, pending), the simple-history rows of every record (as the
services write them: a creation row, and a change row for each void or
decision) and the hash-chained journal entries, so `verify_audit` passes.

Speed: nothing goes through the services (a million grants one by one would
take hours). Rows are built in Python from the same pieces the services use
(the cap engine, `Policy.snapshot`, `GrantRequest.fingerprint`'s canonical form,
the journal's `entry_hash`), ids are reserved up front, and each table gets one COPY
(PostgreSQL) or one `executemany` (SQLite) per batch. Each batch is one
transaction holding the generated locations' row locks, like a grant: an
interrupted run leaves complete batches behind, and the journal verifies.

Every grant is priced by the version in force now (caps, tiers, frontline
authority); its per-customer limits and location budgets are not applied, so a
frequent customer may be past a limit. Run it on a database where nobody is
granting at the generated locations (it holds their locks one batch at a time).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import JSONField
from django.utils import timezone

from compensation.journal import GENESIS, _content, entry_hash, location_chain
from compensation.models import AuditEvent
from compensation.money import minor_unit, quantize
from compensation.policy import Policy, load_policy, tenure_in_months
from compensation.predicates import FRONTLINE, MANAGER, OPS
from recovery.models import Customer, Escalation, Grant, Location, ServiceFailure, StaffProfile
from recovery.services import VOUCHER_ALPHABET, VOUCHER_HALF_LENGTH

PREFIX = "gen-"
PHONE_PREFIX = "+44771"  # the demo's customers use +447700…: never the same numbers
PASSWORD = "recover-2026"  # as the demo: the generated staff can log in to look around
TIME_ZONES = ("Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", "Asia/Tokyo")
CITIES = ("Leeds", "Lyon", "Leipzig", "Boston", "Osaka", "Bristol", "Nantes", "Bremen", "Denver", "Kobe")
FIRST_NAMES = (
    "Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Leo Grace Oscar Freya Harry Lily Jack Sofia Theo Ella Finn "
    "Chloe Adam Aisha Omar Mateo Lucia Hugo Ines Yuki Kenji Ana Luca Zara Ravi Nina Tom Emma Jonas Lea Farid"
).split()
LAST_NAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker White "
    "Roberts Green Hall Wood Jackson Clarke Moreau Rossi Weber Kim Okafor Haddad Duarte Lindqvist Volkov Tanaka"
).split()
# category, playbook code, notes, purchase value range: what typically goes wrong, and what is given for it
CASES = (
    ("waiting", "free-drinks", ("Order 25 minutes late", "Kitchen backed up", ""), (8, 80)),
    ("waiting", "late-table", ("Booked 19:00, seated 19:35", "Table not ready", ""), (40, 220)),
    ("order_wrong", "free-drinks", ("Wrong dish served", "Missing side order", ""), (10, 90)),
    ("product_defective", "replace-spoiled", ("Half the berries mouldy", "Cracked on opening", ""), (5, 60)),
    ("repeat_repair", "repeat-repair", ("Same brake noise after last repair", "Fault came back", ""), (150, 900)),
    ("billing", "free-month", ("Charged twice", "Service down for two days", ""), (20, 80)),
    ("appointment_moved", "wait-consultation", ("Waited 40 minutes past appointment", ""), (50, 220)),
    ("appointment_moved", "moved-appointment-massage", ("Clinic moved the appointment", ""), (60, 160)),
    ("missed_promise", "out-of-pocket", ("Shuttle never came; paid a taxi", "Delivery missed"), (20, 90)),
    ("staff_behaviour", "free-drinks", ("Rude answer at the till", ""), (10, 60)),
    ("other", "free-drinks", ("", "See the manager's note"), (5, 50)),
)
VOID_REASONS = (
    "Customer had already been compensated for this visit.",
    "Entered at the wrong location.",
    "Duplicate of an earlier grant.",
    "Customer declined the compensation.",
)
ESCALATION_REASONS = ("Loyal customer, whole evening spoiled", "Third failure this month", "Family of five waited")
DECLINE_NOTES = ("Already compensated last week", "The playbook's cap is fair here", "Offer a voucher instead")
VOID_SHARE = 0.03
ESCALATION_SHARE = 0.003  # of grants: two in three approved (these are grants), one declined
AT_CAP_SHARE = 0.7


class GeneratedDataExists(Exception):
    """Generated grants are already there and the caller did not ask to append."""


@dataclass(frozen=True)
class Options:
    count: int
    locations: int = 8
    employees: int = 64
    customers: int = 100_000
    weeks: int = 104
    seed: int = 1
    batch_size: int = 5000
    append: bool = False


@dataclass
class Cast:
    """Who and where: the generated locations, their staff, and the customers."""

    locations: list[Location]
    frontline: dict[int, list]  # location id -> employees
    managers: dict[int, object]  # location id -> its manager
    customers: list[tuple[int, date]]  # (id, customer_since)
    weights: list[int] = field(default_factory=list)  # some locations are busier than others


# --- writing many rows fast ------------------------------------------------------------------


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


# --- the cast: locations, staff, customers ------------------------------------------------------


def _staff(username: str, role: str, locations, password: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"password": password})
    if created:
        user.groups.add(Group.objects.get(name=role))
        profile = StaffProfile.objects.create(user=user)
        profile.locations.set(locations)
    return user


def cast_prepare(options: Options, rng: random.Random, *, window_start: datetime, log) -> Cast:
    """The generated locations, staff and customers, created if missing (a second run reuses them)."""
    password = make_password(PASSWORD)  # one PBKDF2 for every generated employee
    locations = []
    for number in range(1, options.locations + 1):
        location, _ = Location.objects.get_or_create(
            code=f"{PREFIX}{number:02d}",
            defaults={
                "name": f"{CITIES[(number - 1) % len(CITIES)]} {number:02d}",
                "timezone": TIME_ZONES[(number - 1) % len(TIME_ZONES)],
            },
        )
        locations.append(location)
    frontline = {location.id: [] for location in locations}
    for number in range(1, options.employees + 1):
        location = locations[(number - 1) % len(locations)]
        frontline[location.id].append(_staff(f"{PREFIX}frontline-{number:03d}", FRONTLINE, [location], password))
    managers = {
        location.id: _staff(f"{PREFIX}manager-{index:02d}", MANAGER, [location], password)
        for index, location in enumerate(locations, start=1)
    }
    _staff(f"{PREFIX}ops", OPS, [], password)

    existing = list(
        Customer.objects.filter(phone__startswith=PHONE_PREFIX).order_by("id").values_list("id", "customer_since")
    )
    missing = options.customers - len(existing)
    if missing > 0:
        log(f"Customers: {len(existing):,} there, adding {missing:,}…")
        existing += _customers_create(missing, start_number=len(existing), rng=rng, before=window_start.date())
    return Cast(
        locations=locations,
        frontline=frontline,
        managers=managers,
        customers=existing,
        weights=[1 + index % 3 for index in range(len(locations))],
    )


def _customers_create(count: int, *, start_number: int, rng: random.Random, before: date) -> list[tuple[int, date]]:
    """`count` customers who all joined before the generated period: tenure from weeks to about 15 years."""
    made = []
    for offset in range(0, count, 10_000):
        with transaction.atomic():
            ids = reserve_ids(Customer, min(10_000, count - offset))
            rows, history = TableWriter(Customer), HistoryWriter(Customer)
            for pk in ids:
                number = start_number + len(made) + 1
                since = before - timedelta(days=int(5400 * rng.random() ** 1.8))
                customer = Customer(
                    id=pk,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    phone=f"{PHONE_PREFIX}{number:07d}",
                    email=f"customer{number}@example.net" if rng.random() < 0.6 else "",
                    loyalty_card=f"GEN-{number:07d}" if rng.random() < 0.4 else "",
                    customer_since=since,
                    created_at=datetime(since.year, since.month, since.day, 12, tzinfo=UTC),
                )
                rows.add_instance(customer)
                history.record(customer, kind="+", at=customer.created_at, user_id=None)
                made.append((pk, since))
            rows.flush()
            history.flush()
    return made


# --- grants ------------------------------------------------------------------------------------


def _voucher_code(grant_id: int, salt: int) -> str:
    """A code unique per grant id (a bijection of the id), that reads like the counter's random ones."""
    alphabet, size = VOUCHER_ALPHABET, len(VOUCHER_ALPHABET)
    space = size ** (2 * VOUCHER_HALF_LENGTH)
    number = (grant_id * 7_777_777_777 + salt) % space  # 7,777,777,777 shares no factor with 30**10
    chars = []
    for _ in range(2 * VOUCHER_HALF_LENGTH):
        number, digit = divmod(number, size)
        chars.append(alphabet[digit])
    return f"{''.join(chars[:VOUCHER_HALF_LENGTH])}-{''.join(chars[VOUCHER_HALF_LENGTH:])}"


def _fingerprint(customer_id, location_id, category, purchase_value, note, playbook_id, amount) -> str:
    """As `GrantRequest.fingerprint`: the same request again replays its grant."""
    canonical = json.dumps(
        [
            customer_id,
            location_id,
            category,
            str(purchase_value),
            note,
            playbook_id,
            None if amount is None else str(amount),
        ]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Journal:
    """The batch's journal entries per location chain, chained on from each chain's head."""

    def __init__(self, locations):
        chains = [location_chain(location.id) for location in locations]
        self.heads = {chain: (0, GENESIS) for chain in chains}
        for chain in chains:
            head = AuditEvent.objects.filter(chain=chain).order_by("-sequence").values_list("sequence", "hash").first()
            if head:
                self.heads[chain] = head
        self.pending: dict[str, list] = {chain: [] for chain in chains}

    def add(self, *, location_id, at, kind, subject_type, subject_id, actor, payload, order=0):
        self.pending[location_chain(location_id)].append(
            (at, order, kind, subject_type, subject_id, location_id, actor, payload)
        )

    def write(self, writer: TableWriter) -> None:
        """Append the batch's entries to each chain in time order, hashing each on the one before."""
        for chain, entries in self.pending.items():
            sequence, prev_hash = self.heads[chain]
            entries.sort(key=lambda entry: (entry[0], entry[1]))
            for at, _, kind, subject_type, subject_id, location_id, actor, payload in entries:
                sequence += 1
                event = AuditEvent(
                    chain=chain,
                    sequence=sequence,
                    kind=kind,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    location_id=location_id,
                    actor_id=actor.pk,
                    actor_username=actor.get_username(),
                    at=at,
                    payload=payload,
                    prev_hash=prev_hash,
                )
                event.hash = prev_hash = entry_hash(prev_hash=prev_hash, content=_content(event))
                writer.add_instance(event)
            self.heads[chain] = (sequence, prev_hash)
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


class GrantFactory:
    """Builds one case at a time (failure, grant, maybe an escalation or a void) into a batch."""

    def __init__(self, *, cast: Cast, policy: Policy, rng: random.Random, salt: int, pending_after: datetime):
        self.cast, self.policy, self.rng, self.salt = cast, policy, rng, salt
        by_code = {playbook.code: playbook for playbook in policy.playbooks.values()}
        self.cases = [case for case in CASES if case[1] in by_code]
        if not self.cases:
            raise ValueError("The policy in force has none of the usual playbooks active: nothing to grant.")
        self.playbooks = {case[1]: by_code[case[1]] for case in self.cases}
        self.manager_limit = policy.authority_for([MANAGER]).limit
        self.escalations_made = 0
        self.pending_after = pending_after
        self.frontline_authority = policy.authority_for([FRONTLINE])
        # Prices are whole quarters and tenures whole months: the same quotes come back often.
        self.quotes: dict[tuple, object] = {}
        self.snapshots: dict[tuple, dict] = {}  # (playbook, currency) -> the policy snapshot

    def snapshot(self, playbook_id: int, currency: str) -> dict:
        key = (playbook_id, currency)
        if key not in self.snapshots:
            self.snapshots[key] = self.policy.snapshot(playbook_id, self.frontline_authority, currency)
        return self.snapshots[key]

    def quote(self, playbook_id: int, purchase_value: Decimal, tenure_months: int, currency: str):
        """The frontline cap at a location of `currency` (each location grants in its own)."""
        key = (playbook_id, purchase_value, tenure_months, currency)
        if key not in self.quotes:
            self.quotes[key] = self.policy.quote(
                playbook_id,
                purchase_value=purchase_value,
                tenure_months=tenure_months,
                authority=self.frontline_authority,
                currency=currency,
            )
        return self.quotes[key]

    def case(self, *, batch: Batch, journal: Journal, ids: dict, at: datetime, until: datetime) -> None:
        rng = self.rng
        location = rng.choices(self.cast.locations, weights=self.cast.weights)[0]
        employee = rng.choice(self.cast.frontline[location.id])
        customer_id, since = self.cast.customers[int(len(self.cast.customers) * rng.random() ** 2)]
        category, code, notes, (low, high) = rng.choice(self.cases)
        playbook = self.playbooks[code]
        currency = location.currency
        purchase_value = quantize(  # whole quarters: realistic prices, few quotes (whole units in yen)
            Decimal(rng.randint(low * 4, high * 4)) / 4, currency
        )
        tenure = tenure_in_months(since, at.date())
        quote = self.quote(playbook.id, purchase_value, tenure, currency)
        if quote.cap <= 0:
            return
        note = rng.choice(notes)
        escalated = rng.random() < ESCALATION_SHARE and quote.cap < self.manager_limit
        fields = {
            "cap": quote.cap,
            "cap_steps": list(quote.steps),
            "tenure_months": tenure,
            "tenure_tier": quote.tier.name,
            "authority_role": self.frontline_authority.role,
            "authority_limit": self.frontline_authority.limit,
            "policy_snapshot": self.snapshot(playbook.id, currency),
            "policy_version_id": self.policy.version.pk,
        }
        case = dict(location=location, employee=employee, customer_id=customer_id, category=category, note=note)
        case.update(playbook=playbook, purchase_value=purchase_value, fields=fields, at=at)
        if escalated:
            self._escalation(batch, journal, ids, case, until=until)
            return
        at_cap = rng.random() < AT_CAP_SHARE
        amount = quote.cap
        if not at_cap:
            amount = max(quantize(quote.cap * Decimal(rng.uniform(0.3, 0.95)), currency), minor_unit(currency))
        void = None
        if rng.random() < VOID_SHARE:
            # A manager voids it later the same day (within the batch, so each batch is complete).
            voided_at = min(at + timedelta(minutes=rng.randint(5, 480)), until)
            void = (self.cast.managers[location.id], voided_at, rng.choice(VOID_REASONS))
        self._grant(batch, journal, ids, case, amount=amount, asked=None if at_cap else amount, void=void)

    def _grant(
        self, batch, journal, ids, case, *, amount, asked, approved_by=None, logged_at=None, token=None, void=None
    ):
        """The failure and its grant, their history rows and journal entries; `void`: (manager, when, reason)."""
        rng, location, employee, at = self.rng, case["location"], case["employee"], case["at"]
        history_user = approved_by or employee
        # The case opens at the counter a few minutes before the grant (escalations: when asked).
        logged_at = logged_at or at - timedelta(seconds=rng.randint(20, 360))
        failure = ServiceFailure(
            id=ids["failure"].take(),
            customer_id=case["customer_id"],
            location_id=location.id,
            category=case["category"],
            purchase_value=case["purchase_value"],
            note=case["note"],
            logged_by_id=employee.pk,
            logged_at=logged_at,
        )
        batch.failures.add_instance(failure)
        batch.failure_history.record(failure, kind="+", at=at, user_id=history_user.pk)
        playbook = case["playbook"]
        grant = Grant(
            id=ids["grant"].take(),
            failure_id=failure.id,
            customer_id=case["customer_id"],
            location_id=location.id,
            playbook_id=playbook.id,
            playbook_name=playbook.name,
            playbook_kind=playbook.kind,
            currency=location.currency,
            amount=amount,
            purchase_value=case["purchase_value"],
            category=case["category"],
            failure_logged_at=logged_at,
            approved_by_id=approved_by.pk if approved_by else None,
            granted_by_id=employee.pk,
            granted_by_username=employee.get_username(),
            granted_at=at,
            token=token or uuid.UUID(int=rng.getrandbits(128), version=4),
            request_fingerprint=_fingerprint(
                case["customer_id"],
                location.id,
                case["category"],
                case["purchase_value"],
                case["note"],
                playbook.id,
                asked,
            ),
            **case["fields"],
        )
        if playbook.issues_voucher:
            grant.voucher_code = _voucher_code(grant.id, self.salt)
            valid_days = grant.policy_snapshot.get("voucher_valid_days") or playbook.voucher_valid_days
            grant.voucher_expires_on = at.date() + timedelta(days=valid_days)
        batch.grant_history.record(grant, kind="+", at=at, user_id=history_user.pk)
        journal.add(
            location_id=location.id,
            at=at,
            order=1,
            kind="grant.issued",
            subject_type="grant",
            subject_id=grant.id,
            actor=history_user,
            payload={
                **grant.journal_facts(),
                "currency": grant.currency,
                "token": str(grant.token),
                "policy_version": self.policy.version.number,
                "approved_by_id": grant.approved_by_id,
                "failure_id": failure.id,
            },
        )
        if void is not None:
            manager, voided_at, reason = void
            grant.status, grant.voided_at, grant.voided_by_id, grant.void_reason = (
                "voided",
                voided_at,
                manager.pk,
                reason,
            )
            batch.grant_history.record(grant, kind="~", at=voided_at, user_id=manager.pk, reason=reason)
            journal.add(
                location_id=grant.location_id,
                at=voided_at,
                order=2,
                kind="grant.voided",
                subject_type="grant",
                subject_id=grant.id,
                actor=manager,
                payload={"reason": reason, "voided_by_id": manager.pk},
            )
        batch.grants.add_instance(grant)  # as it is now; its history shows each state
        return grant

    def _escalation(self, batch, journal, ids, case, *, until):
        """Above the cap: ask a manager, who approves (the grant) or declines with a note."""
        rng, location, employee, at = self.rng, case["location"], case["employee"], case["at"]
        manager = self.cast.managers[location.id]
        fields = case["fields"]
        requested = min(quantize(fields["cap"] * Decimal("1.5") + 5, location.currency), self.manager_limit)
        requested_at = at - timedelta(minutes=rng.randint(2, 30))
        self.escalations_made += 1
        # Two in three approved, one declined; in the last two days some still wait for a manager.
        pending = at > self.pending_after and self.escalations_made % 2 == 0
        approve = not pending and self.escalations_made % 3 != 0
        note = "" if approve or pending else rng.choice(DECLINE_NOTES)
        escalation = Escalation(
            id=ids["escalation"].take(),
            location_id=location.id,
            customer_id=case["customer_id"],
            playbook_id=case["playbook"].id,
            category=case["category"],
            purchase_value=case["purchase_value"],
            failure_note=case["note"],
            requested_amount=requested,
            allowed_amount=fields["cap"],
            reason=rng.choice(ESCALATION_REASONS),
            stopped_by=[{"limit": "cap", "allows": str(fields["cap"]), "reason": "; ".join(fields["cap_steps"])}],
            requested_by_id=employee.pk,
            requested_at=requested_at,
            token=uuid.UUID(int=rng.getrandbits(128), version=4),
            **fields,
        )
        batch.escalation_history.record(escalation, kind="+", at=requested_at, user_id=employee.pk)
        self._journal_escalation(journal, escalation, "escalation.requested", employee, requested_at, order=0)
        if pending:
            batch.escalations.add_instance(escalation)
            return
        if approve:
            stopped = " ".join(stop["reason"] for stop in escalation.stopped_by)
            approval = f"Approved above the limits by {manager.get_username()}: {stopped}"
            approved_case = {**case, "fields": {**fields, "cap_steps": [*fields["cap_steps"], approval]}}
            grant = self._grant(
                batch,
                journal,
                ids,
                approved_case,
                amount=requested,
                asked=requested,
                approved_by=manager,
                logged_at=requested_at,
                token=escalation.token,
            )
            escalation.grant_id = grant.id
        escalation.status = Escalation.Status.APPROVED if approve else Escalation.Status.DECLINED
        escalation.decided_by_id, escalation.decided_at, escalation.decision_note = manager.pk, at, note
        batch.escalations.add_instance(escalation)
        batch.escalation_history.record(
            escalation, kind="~", at=at, user_id=manager.pk, reason=note or escalation.get_status_display()
        )
        self._journal_escalation(journal, escalation, f"escalation.{escalation.status}", manager, at, order=3)

    @staticmethod
    def _journal_escalation(journal, escalation, kind, actor, at, *, order):
        journal.add(
            location_id=escalation.location_id,
            at=at,
            order=order,
            kind=kind,
            subject_type="escalation",
            subject_id=escalation.id,
            actor=actor,
            payload={
                "customer_id": escalation.customer_id,
                "playbook_id": escalation.playbook_id,
                "requested_amount": str(escalation.requested_amount),
                "reason": escalation.reason,
                "requested_by_id": escalation.requested_by_id,
                "decision_note": escalation.decision_note if kind != "escalation.requested" else "",
                "grant_id": escalation.grant_id if kind != "escalation.requested" else None,
            },
        )


def generated_grant_count() -> int:
    return Grant.objects.filter(location__code__startswith=PREFIX).count()


def generate_grants(options: Options, *, log=print) -> dict:
    """Generate `options.count` cases (about that many grants) at the generated locations. Returns counts."""
    already = generated_grant_count()
    if already and not options.append:
        raise GeneratedDataExists(f"{already:,} generated grants are already there: pass --append to add more.")
    policy = load_policy()
    if policy.version is None:
        raise ValueError("No policy version is in force: publish one first.")
    # Repeatable for a seed; an appending run draws other tokens and codes than the runs before it.
    rng = random.Random(f"{options.seed}:{already}")
    started = time.perf_counter()
    end = timezone.now() - timedelta(minutes=1)
    start = end - timedelta(weeks=options.weeks)
    cast = cast_prepare(options, rng, window_start=start, log=log)
    factory = GrantFactory(
        cast=cast, policy=policy, rng=rng, salt=rng.randrange(30**10), pending_after=end - timedelta(days=2)
    )
    step = (end - start) / options.count
    done = 0
    totals = {"grants": 0, "failures": 0, "escalations": 0, "events": 0}
    while done < options.count:
        size = min(options.batch_size, options.count - done)
        first_at = start + step * done
        until = start + step * (done + size)
        with transaction.atomic():
            # The location rows order their journal chains: hold them, as a grant does.
            list(Location.objects.select_for_update().filter(id__in=[loc.id for loc in cast.locations]).order_by("id"))
            ids = {
                "failure": IdPool(ServiceFailure, size),
                "grant": IdPool(Grant, size),
                "escalation": IdPool(Escalation, int(size * ESCALATION_SHARE * 2)),
            }
            batch, journal = Batch(), Journal(cast.locations)
            for index in range(size):
                at = first_at + step * (index + rng.random())
                factory.case(batch=batch, journal=journal, ids=ids, at=min(at, until), until=until)
            journal.write(batch.events)
            counts = {
                "grants": len(batch.grants.rows),
                "failures": len(batch.failures.rows),
                "escalations": len(batch.escalations.rows),
                "events": len(batch.events.rows),
            }
            batch.flush()
        for name, value in counts.items():
            totals[name] += value
        done += size
        elapsed = time.perf_counter() - started
        log(
            f"  {done:,} / {options.count:,} cases, {totals['grants']:,} grants, {elapsed:,.0f} s ({totals['grants'] / elapsed:,.0f} grants/s)"
        )
    totals["seconds"] = time.perf_counter() - started
    return totals
