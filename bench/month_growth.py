"""Does a grant cost more as the location's month fills? Grants at a quiet location vs a busy one, alternated.

Run on a migrated, seeded and prepared database (`bench/run.sh` steps 1, or by hand):
    python -m bench.month_growth [BUSY_GRANTS]   # default 5,000
Location 1 gets BUSY_GRANTS grants this month first (through `grant_issue`, as the counter does);
location 2 keeps few. Then rounds of 50 grants at each, alternating, one at a time, in process:
wall ms and process CPU ms per grant (app side only), with the load average before each round.
The budget is in force at both (prepare.py: huge, warns only), so the budget check runs every time.
"""

import os
import random
import sys
import time
import uuid
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402

from compensation.models import Playbook  # noqa: E402
from compensation.predicates import roles_of  # noqa: E402
from recovery.models import Customer, Grant, Location  # noqa: E402
from recovery.services import GrantRequest, grant_issue  # noqa: E402

ROUND = 50


def grant(user, location, customers, playbook):
    request = GrantRequest(
        customer=random.choice(customers),
        location=location,
        category="long_wait",
        purchase_value=Decimal("100"),
        note="",
        playbook_id=playbook.pk,
        amount=Decimal("1"),
        token=uuid.uuid4(),
    )
    grant_issue(actor=user, roles=roles_of(user), request=request)


def staff_at(location):
    return get_user_model().objects.filter(staff_profile__locations=location, groups__name="frontline").first()


def main(busy: int) -> None:
    quiet_location, busy_location = list(Location.objects.order_by("pk")[:2])[::-1]
    customers = list(Customer.objects.order_by("?")[:500])
    playbook = Playbook.objects.filter(kind="apology_gift").first() or Playbook.objects.first()
    users = {busy_location.pk: staff_at(busy_location), quiet_location.pk: staff_at(quiet_location)}
    month = busy_location.month_start()
    have = Grant.objects.filter(location=busy_location, granted_at__gte=month).count()
    for _ in range(max(busy - have, 0)):
        grant(users[busy_location.pk], busy_location, customers, playbook)
    for location in (quiet_location, busy_location):
        n = Grant.objects.filter(location=location, granted_at__gte=location.month_start()).count()
        print(f"{location.code}: {n:,} grants this month")
    print("round | location | grants this month | load 1m | wall ms/grant | app CPU ms/grant | statements/grant")
    for r in range(3):
        for location in (quiet_location, busy_location):
            n = Grant.objects.filter(location=location, granted_at__gte=location.month_start()).count()
            load = os.getloadavg()[0]
            connection.force_debug_cursor = True
            reset_queries()
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(ROUND):
                grant(users[location.pk], location, customers, playbook)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            statements = len(connection.queries) / ROUND
            connection.force_debug_cursor = False
            print(
                f"{r + 1} | {location.code} | {n:,} | {load:.1f} | {wall * 1000 / ROUND:.1f} | "
                f"{cpu * 1000 / ROUND:.1f} | {statements:.0f}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
