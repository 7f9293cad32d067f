"""The cast of generated data: locations, their staff and the customers, created once and reused."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from bench.synthetic.options import PASSWORD, PHONE_PREFIX, PREFIX, Options
from bench.synthetic.writers import HistoryWriter, TableWriter, reserve_ids
from compensation.predicates import FRONTLINE, MANAGER, OPS
from recovery.models import Customer, Location, StaffProfile

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


@dataclass
class Cast:
    """Who and where: the generated locations, their staff, and the customers."""

    locations: list[Location]
    frontline: dict[int, list]  # location id -> employees
    managers: dict[int, object]  # location id -> its manager
    customers: list[tuple[int, date]]  # (id, customer_since)
    weights: list[int] = field(default_factory=list)  # some locations are busier than others


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
