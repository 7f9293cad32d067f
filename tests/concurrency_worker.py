"""One OS process granting against a shared SQLite file, for tests/test_concurrency.py.

    python tests/concurrency_worker.py DB_PATH --actor ID --location ID --customers 1,2 --grants 10 --amount 5

Configures Django on DB_PATH (the real settings, so IMMEDIATE + WAL + busy
timeout as in production), prints "ready", waits for "go" on stdin (the test's
barrier across processes), then issues the grants through the real service,
cycling through the customers, and prints one JSON line with every outcome.
Any exception is recorded as an outcome, never raised: the test decides.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db_path")
    parser.add_argument("--actor", type=int, required=True)
    parser.add_argument("--location", type=int, required=True)
    parser.add_argument("--customers", required=True, help="comma-separated customer ids")
    parser.add_argument("--grants", type=int, required=True)
    parser.add_argument("--amount", default="5")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection

    from compensation.predicates import roles_of
    from recovery.models import Customer, Location
    from recovery.services import grant_issue
    from tests.factories import grant_request

    actor = get_user_model().objects.get(pk=args.actor)
    roles = roles_of(actor)
    location = Location.objects.get(pk=args.location)
    customers = [Customer.objects.get(pk=int(pk)) for pk in args.customers.split(",")]
    connection.close()  # start the race with a fresh connection, like a new request

    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 2

    outcomes = []
    for number in range(args.grants):
        customer = customers[number % len(customers)]
        try:
            request = grant_request(customer, location, amount=args.amount)
            grant = grant_issue(actor=actor, roles=roles, request=request).grant
            outcomes.append({"customer": customer.pk, "grant": grant.pk})
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on the unexpected ones
            outcomes.append({"customer": customer.pk, "error": type(error).__name__, "message": str(error)})
    connection.close()
    print(json.dumps({"pid": os.getpid(), "outcomes": outcomes}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
