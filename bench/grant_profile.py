"""CPU and statements of one grant POST, in process: the measuring tool behind "Issue 20: the grant's cost".

Run on a migrated, seeded and prepared database (the first steps of `bench/ab.sh`, or by hand):
    DATABASE_URL=postgres://…/db python -m bench.grant_profile DATA.json [N] [--profile[-out=PATH]] [--queries]
N grant POSTs (default 300) through Django's test client with the real middleware stack, one at a
time, logged in as the first benchmark counter (a session, no PBKDF2 in the loop). Prints the
process CPU (`time.process_time`) and wall time per grant, the load average, with `--queries`
the statements of one POST (CaptureQueriesContext), with `--profile` the cProfile (CPU clock)
functions by cumulative time.
"""

import cProfile
import json
import os
import pstats
import random
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def grant_post(client, data):
    form = {
        "category": data["category"],
        "purchase_value": data["purchase_value"],
        "note": "Order 25 minutes late",
        "playbook": str(data["playbook"]),
        "amount": "",
        "token": str(uuid.uuid4()),
    }
    response = client.post(f"/counter/customers/{random.choice(data['customers'])}/resolve/", form, secure=True)
    if response.status_code != 302 or "/counter/grants/" not in response.headers.get("Location", ""):
        raise RuntimeError(f"grant POST answered {response.status_code}")


def main(argv) -> None:
    setup_test_environment()
    data = json.load(open(argv[0]))
    count = int(next((a for a in argv[1:] if a.isdigit()), 300))
    client = Client()
    client.force_login(get_user_model().objects.get(username=data["users"][0]))
    for _ in range(5):  # warm-up: imports, URL resolver, translations, the policy in force
        grant_post(client, data)
    if "--queries" in argv:
        with CaptureQueriesContext(connection) as queries:
            grant_post(client, data)
        print(f"{len(queries)} statements")
        for q in queries:
            print("  ", q["sql"][:160])
    profile = cProfile.Profile(time.process_time) if any(a.startswith("--profile") for a in argv) else None
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    for _ in range(count):
        grant_post(client, data)
    if profile:
        profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{count} grants, load {load:.1f}: CPU {cpu * 1000 / count:.2f} ms/grant, wall {wall * 1000 / count:.2f} ms")
    if profile:
        stats = pstats.Stats(profile)
        out = next((a.split("=", 1)[1] for a in argv if a.startswith("--profile-out=")), "")
        if out:
            stats.dump_stats(out)
        stats.sort_stats("cumulative").print_stats(70)


if __name__ == "__main__":
    main(sys.argv[1:])
