"""The grant's cost and the review pages' times at one location's scale (issue 20: 100k vs 1M grants).

    DATABASE_URL=postgres://…/rd_scale python -m bench.scale [--runs 10] [--grants 300] [--deep 40] [--explain]

Run against a PostgreSQL database filled by `generate_grants --locations 1` (all the grants at gen-01;
`bench/scale.sh` makes them). In this process, through Django's test client (the whole middleware
stack, DEBUG off):

- **grant POST**: `--grants` sequential grant POSTs by gen-01's counter (fresh token each, a customer
  with a history): wall ms per grant (median, p95) and the CPU each cost, app (this process,
  `time.process_time`) and database (the PostgreSQL backend serving this connection,
  `/proc/<pid>/stat`: needs the database on this machine);
- **pages**, `--runs` timed requests after two warm-ups: the ops dashboard (every location, the site's
  calendar), gen-01's dashboard, the monthly report (`--report-runs` times: its "What recovery bought"
  reads every grant of the location up to the month's end, issue 18's, not a rollup), the audit timeline's first page and `--deep`
  pages down (following the "Older" link), and the grant CSV's time to first byte;
- for each page, the number of queries, the slowest query's time, and with `--explain`
  EXPLAIN (ANALYZE, BUFFERS) of that query (the page's main query).

The load average is printed before every step: other engineers' work shares the cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from html import unescape

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.pages import NEXT_PAGE, client_for, consume, explain, grant_form, p95  # sets Django up
from bench.synthetic import PREFIX
from compensation.models import Playbook
from recovery.models import Customer, Grant, Location

TICKS = os.sysconf("SC_CLK_TCK")


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def backend_cpu_seconds() -> float:
    """User + system CPU of the PostgreSQL backend serving this connection, from /proc."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def grant_cost(location: Location, count: int) -> dict:
    frontline = get_user_model().objects.filter(username__startswith=f"{PREFIX}frontline").order_by("username")[0]
    counter = Client()
    counter.force_login(frontline)
    regular = Customer.objects.get(pk=Grant.objects.filter(location=location).values("customer")[:1][0]["customer"])
    url = f"/counter/customers/{regular.pk}/resolve/"
    drinks = Playbook.objects.get(code="free-drinks").pk
    for _ in range(3):  # warm-up: the policy, the session
        counter.post(url, grant_form(drinks))
    walls = []
    app_before, db_before = time.process_time(), backend_cpu_seconds()
    for _ in range(count):
        started = time.perf_counter()
        response = counter.post(url, grant_form(drinks))
        walls.append(1000 * (time.perf_counter() - started))
        if response.status_code != 302:
            raise RuntimeError(f"grant POST answered {response.status_code}")
    app, db = time.process_time() - app_before, backend_cpu_seconds() - db_before
    with CaptureQueriesContext(connection) as captured:
        counter.post(url, {**grant_form(drinks), "token": str(uuid.uuid4())})
    return {
        "median": statistics.median(walls),
        "p95": p95(walls),
        "app": 1000 * app / count,
        "db": 1000 * db / count,
        "queries": len(captured),
    }


def page_times(client: Client, url: str, runs: int) -> tuple[list[float], list[dict]]:
    times = []
    for index in range(runs + 2):
        started = time.perf_counter()
        response = client.get(url)
        consume(response)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if index >= 2:
            times.append(1000 * (time.perf_counter() - started))
    with CaptureQueriesContext(connection) as captured:
        consume(client.get(url))
    return times, captured.captured_queries


def first_byte_times(client: Client, url: str, runs: int) -> tuple[list[float], list[dict]]:
    """Time to the first chunk of a streamed download; the download is then closed (a client that hangs
    up: the server-side cursor and its read transaction end with it)."""
    times = []
    for index in range(runs + 1):
        started = time.perf_counter()
        response = client.get(url)
        next(iter(response.streaming_content))
        if index >= 1:
            times.append(1000 * (time.perf_counter() - started))
        response.close()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        next(iter(response.streaming_content))
        response.close()
    return times, captured.captured_queries


def summed_figures(user, location: Location | None, runs: int) -> dict[str, float]:
    """The four summed insight figures of a 12-week dashboard, in process: median ms from the rollups and
    from the grants (what every request read before the rollups)."""
    import zoneinfo

    from django.utils import timezone

    from recovery import insights

    tz = zoneinfo.ZoneInfo(location.timezone) if location else timezone.get_current_timezone()
    start, end = insights.default_window(timezone.localdate(timezone=tz))
    scope = insights.insight_scope_for(user=user, start=start, end=end, location=location, tz=tz)
    medians = {}
    for from_rollups in (True, False):
        times = []
        for index in range(runs + 1):
            started = time.perf_counter()
            insights.window_figures(scope=scope, from_rollups=from_rollups)
            insights.spend_by_playbook(scope=scope, from_rollups=from_rollups)
            insights.failures_by_category(scope=scope, from_rollups=from_rollups)
            insights.spend_by_location(scope=scope, from_rollups=from_rollups)
            if index:
                times.append(1000 * (time.perf_counter() - started))
        medians["rollups" if from_rollups else "grants"] = statistics.median(times)
    return medians


def deep_url(client: Client, url: str, pages: int) -> str:
    """`pages` pages down the timeline from `url`, following each page's 'Older' link."""
    for _ in range(pages):
        found = NEXT_PAGE.search(client.get(url).content.decode())
        if not found:
            raise RuntimeError(f"fewer than {pages} pages behind {url}")
        url = "/audit/?" + unescape(found.group(1))
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--grants", type=int, default=300, help="sequential grant POSTs timed")
    parser.add_argument("--deep", type=int, default=40)
    parser.add_argument(
        "--report-runs", type=int, default=3, help="timed requests of the monthly report (its effect section is slow)"
    )
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    location = Location.objects.get(code=f"{PREFIX}01")
    total = Grant.objects.filter(location=location).count()
    print(f"{total:,} grants at {location.code} ({location.timezone}); load average {load()}", flush=True)
    ops, manager = client_for(f"{PREFIX}ops"), client_for(f"{PREFIX}manager-01")
    pages = [
        ("ops insights (every location)", ops, "/insights/", page_times),
        (f"insights, {location.code}", ops, f"/insights/?location={location.pk}", page_times),
        ("monthly report", manager, f"/insights/report/?location={location.pk}", page_times),
        ("audit: first page", ops, "/audit/", page_times),
        (f"audit: {args.deep} pages deep", ops, None, page_times),
        ("grant CSV export: first byte", ops, "/audit/export.csv", first_byte_times),
    ]
    rows = []
    explained = []
    for name, client, url, timer in pages:
        if url is None:
            url = deep_url(client, "/audit/", args.deep)
        before = load()
        times, queries = timer(client, url, args.report_runs if "report" in url else args.runs)
        slowest = max(queries, key=lambda query: float(query["time"]), default={"time": 0})
        rows.append((name, statistics.median(times), p95(times), len(queries), 1000 * float(slowest["time"]), before))
        explained.append((name, queries))
        print(f"  {name}: median {statistics.median(times):.0f} ms (load before {before})", flush=True)
    summed = []
    ops_user = get_user_model().objects.get(username=f"{PREFIX}ops")
    for scope_name, scope_location in (("every location", None), (location.code, location)):
        before = load()
        medians = summed_figures(ops_user, scope_location, args.runs)
        summed.append((scope_name, medians, before))
        print(f"  summed figures, {scope_name}: {medians} (load before {before})", flush=True)
    before = load()
    cost = grant_cost(location, args.grants)
    print(f"  grant POST: {cost} (load before {before})", flush=True)

    print()
    print(f"{total:,} grants at one location")
    print()
    print("| step | median ms | p95 ms | queries | slowest query ms | load avg before (1/5/15) |")
    print("|---|---|---|---|---|---|")
    for name, median, high, count, slow, before_step in rows:
        print(f"| {name} | {median:.0f} | {high:.0f} | {count} | {slow:.1f} | {before_step} |")
    print(
        f"| grant POST ×{args.grants} (CPU ms/grant app + db: {cost['app']:.1f} + {cost['db']:.1f}) "
        f"| {cost['median']:.0f} | {cost['p95']:.0f} | {cost['queries']} | | {before} |"
    )
    print()
    print(
        "| the four summed insight figures, 12 weeks | from the rollups, median ms | from the grants, median ms | load avg before |"
    )
    print("|---|---|---|---|")
    for scope_name, medians, before_step in summed:
        print(f"| {scope_name} | {medians['rollups']:.1f} | {medians['grants']:.1f} | {before_step} |")
    if args.explain:
        for name, queries in explained:
            print(f"\n== {name}")
            explain(queries)


if __name__ == "__main__":
    main()
