"""Time the insight pages on the generated data (see bench/insights_data.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rd_insights_bench \
        .venv/bin/python -m bench.insights_timing --runs 15

Renders each page in-process through Django's test client (the whole view,
its queries and the template; no network, no gunicorn) as ops over every
location, as a manager of one location and as an auditor, and prints the
median and slowest time of each after one warm-up request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "insights-timing-" + "x" * 50)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from recovery.models import Grant, Location, StaffProfile  # noqa: E402


def _user(username: str, role: str, locations=()):
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.create(user=user).locations.add(*locations)
    return user


def _time(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    status = client.get(url, secure=True).status_code  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return statistics.median(times), max(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    location = Location.objects.filter(code="insight-01").first() or Location.objects.order_by("pk").first()
    users = {
        "ops (all locations)": _user("ops", "ops"),
        "auditor (all locations)": _user("insight-auditor", "auditor"),
        f"manager ({location.name})": _user("insight-manager", "manager", [location]),
    }
    last_month = (location.month_start() - timezone.timedelta(days=1)).strftime("%Y-%m")
    pages = {
        "dashboard, last 12 weeks": "/insights/",
        f"dashboard, last 12 weeks, {location.name}": f"/insights/?location={location.pk}",
        f"monthly report {last_month}, {location.name}": f"/insights/report/?location={location.pk}&month={last_month}",
    }
    print(f"{Grant.objects.count():,} grants; {args.runs} runs per page after one warm-up")
    print(f"{'who':<28} {'page':<52} {'median ms':>9} {'max ms':>8} status")
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for page, url in pages.items():
            median, slowest, status = _time(client, url, args.runs)
            print(f"{who:<28} {page:<52} {median:9.0f} {slowest:8.0f} {status}")


if __name__ == "__main__":
    main()
