"""Time to the first byte of the grant CSV export, with and without the read transaction (PostgreSQL).

    DATABASE_URL=postgres://…/db python -m bench.export_ttfb [--runs 5]

On a database filled by `manage.py generate_grants`, as `gen-ops` (every location):

- `before`: the rows iterated outside any transaction, as the export did before
  `read_in_one_transaction`. Django then declares the server-side cursor `WITH HOLD`
  and PostgreSQL computes the whole result before the first row.
- `after (rows in the transaction)`: the same rows through `read_in_one_transaction`.
- `after (the view)`: the export view itself through Django's test client (the whole middleware
  stack, the read transaction), first chunk of the streamed response.

Each: time to the first chunk (header + 499 rows, the first thing a client
receives) and to the last byte, alternating before/after, median of the runs.
The load average is printed with the figures: other work on the machine moves them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from recovery import selectors, timeline  # noqa: E402
from recovery.timeline import TimelineQuery  # noqa: E402
from recovery.views.exports import _csv_chunks  # noqa: E402


def _timed(chunks) -> tuple[float, float, int]:
    """(seconds to the first chunk, seconds to the end, bytes) of an iterator of chunks."""
    start = time.perf_counter()
    first, size = None, 0
    for chunk in chunks:
        if first is None:
            first = time.perf_counter() - start
        size += len(chunk)
    return first or 0.0, time.perf_counter() - start, size


def before(user):
    """The old path: the export's rows iterated outside a transaction (a WITH HOLD cursor)."""
    grants = timeline.grants_for_export(user=user, query=TimelineQuery())
    return _timed(_csv_chunks(selectors.grant_export_rows(grants)))


def after_selector(user):
    """The new path without HTTP: the same rows inside `read_in_one_transaction`."""
    grants = timeline.grants_for_export(user=user, query=TimelineQuery())
    return _timed(_csv_chunks(selectors.read_in_one_transaction(selectors.grant_export_rows(grants))))


def after(client):
    response = client.get(reverse("audit_export"))
    assert response.status_code == 200, response.status_code
    return _timed(chunk.decode() for chunk in response.streaming_content)


def grow_to(target: int) -> int:
    """Copy the generated grants (and their failures, new ids) until there are `target` grants.

    For this timing only: generating 200,000 grants through the services takes most of an hour on a
    loaded machine, and the export reads only these two tables' columns. The copies have new ids and
    tokens, no voucher code, and no history rows or journal entries (`verify_audit` fails on such a
    database: use a throw-away one).
    """
    from django.db import connection, transaction

    from recovery.models import Grant, ServiceFailure

    with transaction.atomic(), connection.cursor() as cursor:
        have = Grant.objects.count()
        top = max(
            Grant.objects.order_by("-id").values_list("id", flat=True).first() or 0,
            ServiceFailure.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        )
        failure_columns = [f.column for f in ServiceFailure._meta.concrete_fields if f.column != "id"]
        grant_columns = [
            f.column
            for f in Grant._meta.concrete_fields
            if f.column not in ("id", "failure_id", "token", "voucher_code")
        ]
        copy = 0
        while have < target:
            copy += 1
            offset = copy * (top + 1)
            limit = target - have
            cursor.execute(
                f"""INSERT INTO recovery_servicefailure (id, {", ".join(failure_columns)})
                SELECT f.id + %s, {", ".join("f." + c for c in failure_columns)}
                FROM recovery_servicefailure f JOIN recovery_grant g ON g.failure_id = f.id
                WHERE g.id <= %s ORDER BY g.id LIMIT %s""",
                [offset, top, limit],
            )
            cursor.execute(
                f"""INSERT INTO recovery_grant (id, failure_id, token, voucher_code, {", ".join(grant_columns)})
                SELECT id + %s, failure_id + %s, gen_random_uuid(), NULL, {", ".join(grant_columns)}
                FROM recovery_grant WHERE id <= %s ORDER BY id LIMIT %s""",
                [offset, offset, top, limit],
            )
            have += cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE recovery_grant")
        cursor.execute("VACUUM ANALYZE recovery_servicefailure")
    return have


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--user", default="gen-ops")
    parser.add_argument("--grow-to", type=int, default=0, help="first copy grants until there are this many")
    args = parser.parse_args()
    if args.grow_to:
        print(f"grants now: {grow_to(args.grow_to)}")
    user = get_user_model().objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    results = {"before": [], "after (rows in the transaction)": [], "after (the view, test client)": []}
    loads = []
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        results["before"].append(before(user))
        loads.append(os.getloadavg()[0])
        results["after (rows in the transaction)"].append(after_selector(user))
        loads.append(os.getloadavg()[0])
        results["after (the view, test client)"].append(after(client))
    for name, runs in results.items():
        first = statistics.median(r[0] for r in runs) * 1000
        total = statistics.median(r[1] for r in runs) * 1000
        print(
            f"{name}: first byte {first:.0f} ms (runs: {', '.join(f'{r[0] * 1000:.0f}' for r in runs)}), "
            f"last byte {total:.0f} ms, {runs[0][2] / 1e6:.1f} MB"
        )
    print(f"load average (1 min) before each request: {min(loads):.1f}-{max(loads):.1f}")


if __name__ == "__main__":
    main()
