"""Prepare a freshly migrated and seeded database for the grant benchmark.

Run after `manage.py seed_demo`:  python -m bench.prepare OUT.json

- 8 locations (the demo's two plus six more) and 32 counter users `bench-counter-01..32`
  (frontline role, password of the demo), four per location: grants at one location
  serialise on that location's row lock and audit chain, as in production.
- 2,000 extra customers, so the per-customer rolling sums stay realistic.
- The limits stay in force (the same code path and row locks run) but are set far
  above what a 20-second run can reach: customer limits 1,000,000 grants / 9,999,999,999.99,
  every location a budget of 9,999,999,999.99 that only warns. Published as a policy version.
Writes what the load script needs (customer ids, playbook id) to OUT.json.
"""

import json
import os
import sys
from datetime import date, timedelta
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402

from compensation.models import CustomerLimit, LocationBudget, Playbook  # noqa: E402
from compensation.services import policy_publish  # noqa: E402
from recovery.models import Customer, Location, StaffProfile  # noqa: E402

N_LOCATIONS = 8
N_COUNTERS = 32
N_CUSTOMERS = 2000
PASSWORD = "recover-2026"
HUGE = Decimal("9999999999.99")


@transaction.atomic
def main(out_path: str) -> None:
    User = get_user_model()
    locations = list(Location.objects.order_by("pk"))
    for i in range(len(locations), N_LOCATIONS):
        locations.append(Location.objects.create(code=f"bench-{i + 1}", name=f"Bench Store {i + 1}", timezone="UTC"))
    CustomerLimit.objects.update(max_grants=1_000_000, max_total=HUGE)
    for location in locations:
        LocationBudget.objects.update_or_create(
            location=location, defaults={"monthly_amount": HUGE, "when_exhausted": LocationBudget.WhenExhausted.WARN}
        )
    ops = User.objects.get(username="ops")
    policy_publish(actor=ops, reason="Benchmark: limits and budgets far above what a run can reach.")

    frontline = Group.objects.get(name="frontline")
    password = make_password(PASSWORD)  # hash once, share it: 32 PBKDF2 runs would only slow the setup
    for i in range(N_COUNTERS):
        user, _ = User.objects.get_or_create(username=f"bench-counter-{i + 1:02d}", defaults={"password": password})
        user.groups.add(frontline)
        profile, _ = StaffProfile.objects.get_or_create(user=user)
        profile.locations.set([locations[i % N_LOCATIONS]])

    today = date.today()
    Customer.objects.bulk_create(
        Customer(name=f"Bench Customer {i:05d}", customer_since=today - timedelta(days=(i * 37) % 3000))
        for i in range(N_CUSTOMERS)
    )
    customers = list(Customer.objects.filter(name__startswith="Bench Customer").values_list("pk", flat=True))
    playbook = Playbook.objects.get(code="free-drinks")
    with open(out_path, "w") as out:
        json.dump(
            {
                "users": [f"bench-counter-{i + 1:02d}" for i in range(N_COUNTERS)],
                "password": PASSWORD,
                "customers": customers,
                "playbook": playbook.pk,
                "category": "waiting",
                "purchase_value": "40.00",
            },
            out,
        )
    print(f"bench: {len(locations)} locations, {N_COUNTERS} counter users, {len(customers)} customers -> {out_path}")


if __name__ == "__main__":
    main(sys.argv[1])
