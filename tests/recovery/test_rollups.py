"""The daily rollups (`LocationDayTotal`): kept by grants and voids, rebuilt from the grants, and read by the
insight pages with the same figures as the grants give.

Every figure of the insights that only sums and counts grants is computed both ways on the same data —
from the rollups (`from_rollups=True`, what the pages do) and from the grant table — and compared, for a
scope on the site's calendar (every location), on a location's calendar (one location, a monthly report)
and on a third calendar (where locations fall back to their grants).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery import insights, services
from recovery.domain.resolution import RESOLUTION_BUCKETS, resolution_bucket
from recovery.models import LocationDayTotal
from recovery.selectors.day_totals import day_totals_computed
from recovery.services.totals import DAY_FIGURES, DAY_KEY, day_totals_rebuild
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def grant_at(actor, location, customer, when, *, amount, code="replace-spoiled", category="product_defective", **kw):
    request = services.GrantRequest(
        customer=customer,
        location=location,
        category=category,
        purchase_value=Decimal("200.00"),
        note="",
        playbook_id=factories.playbook(code).pk,
        amount=Decimal(amount),
        token=uuid.uuid4(),
        opened_at=when - kw.get("opened_before", dt.timedelta(seconds=0)),
    )
    return services.grant_issue(
        actor=actor, roles=roles_of(actor), request=request, policy=load_policy(), at=when
    ).grant


def kept_rows(location) -> set[tuple]:
    """The rollup rows as kept, without their ids (zero rows are nothing)."""
    names = ("day", "site_day", "playbook_id", "playbook_name", "category", "currency", *DAY_FIGURES)
    return {
        tuple(row)
        for row in LocationDayTotal.objects.filter(location=location).values_list(*names)
        if any(row[len(names) - len(DAY_FIGURES) :])
    }


def computed_rows(location) -> set[tuple]:
    """The rollup rows as the grants say they should be."""
    return {
        tuple(row[name] for name in DAY_KEY if name != "location_id")
        + tuple(
            Decimal(str(row[name] or 0)).quantize(Decimal("0.01")) if "amount" in name else row[name]
            for name in DAY_FIGURES
        )
        for row in day_totals_computed(location)
    }


@pytest.fixture
def tokyo(db):
    return factories.make_location("tokyo", "Tokyo Counter", timezone="Asia/Tokyo")


@pytest.fixture
def cases(clock, central, airport, tokyo, frontline, frontline_airport, manager, manager_airport):
    """Eight weeks of grants at three locations on two calendars: near midnight on both, voided ones,
    every resolution bucket, and a grant outside the window."""
    clock.move_to(dt.datetime(2026, 5, 28, 10, 0, tzinfo=dt.UTC))
    frank_tokyo = factories.make_user("taro", "frontline", [tokyo])
    manager_tokyo = factories.make_user("tomo", "manager", [tokyo])
    customers = [factories.make_customer(f"Customer {i}", phone=f"+4477009003{i:02d}") for i in range(6)]
    made = []
    start = dt.datetime(2026, 3, 30, 0, 0, tzinfo=dt.UTC)  # a Monday, more than 8 weeks back
    openings = [dt.timedelta(seconds=s) for s in (0, 59, 60, 299, 600, 3599, 3600, 20000)]
    for day in range(0, 59, 3):
        base = start + dt.timedelta(days=day)
        for index, (who, where, hour) in enumerate(
            ((frontline, central, 23.5), (frontline_airport, airport, 0.25), (frank_tokyo, tokyo, 15.5))
        ):
            when = base + dt.timedelta(hours=hour)
            clock.move_to(when)
            made.append(
                grant_at(
                    who,
                    where,
                    customers[(day + index) % 6],
                    when,
                    amount=f"{(day % 7) + index + 1}.{day:02d}",
                    code=("replace-spoiled", "free-drinks", "late-table")[(day + index) % 3],
                    category=("product_defective", "waiting")[day % 2],
                    opened_before=openings[(day + index) % len(openings)],
                )
            )
    for grant, by in ((made[1], manager_airport), (made[5], manager_tokyo), (made[9], manager), (made[30], manager)):
        services.grant_void(actor=by, grant_id=grant.pk, reason="Test void", at=grant.granted_at)
    clock.move_to(dt.datetime(2026, 5, 28, 10, 0, tzinfo=dt.UTC))
    return made


def figures_both_ways(scope, currency="GBP"):
    both = []
    for from_rollups in (True, False):
        window = insights.window_figures(scope=scope, from_rollups=from_rollups)
        both.append(
            {
                "weeks": window.weeks,
                "totals": window.totals,
                "resolution": window.resolution,
                "currencies": window.currencies,
                "playbooks": insights.spend_by_playbook(scope=scope, currency=currency, from_rollups=from_rollups),
                "categories": insights.failures_by_category(scope=scope, from_rollups=from_rollups),
                "locations": insights.spend_by_location(scope=scope, currency=currency, from_rollups=from_rollups),
            }
        )
    return both


def test_kept_rollups_are_what_the_grants_say(cases, central, airport, tokyo):
    for location in (central, airport, tokyo):
        assert kept_rows(location) == computed_rows(location)
        assert kept_rows(location)


@pytest.mark.parametrize(
    "tz, location_code, window",
    [
        (dt.UTC, None, (dt.date(2026, 4, 6), dt.date(2026, 5, 28))),  # the site's calendar, every location
        (LONDON, "central", (dt.date(2026, 4, 6), dt.date(2026, 5, 28))),  # one location on its own calendar
        (TOKYO, "tokyo", (dt.date(2026, 4, 1), dt.date(2026, 5, 3))),
        (PARIS, None, (dt.date(2026, 4, 6), dt.date(2026, 5, 28))),  # a third calendar: every location reads grants
    ],
)
def test_every_figure_is_the_same_from_the_rollups_and_from_the_grants(cases, ops, tz, location_code, window):
    from recovery.models import Location

    location = Location.objects.get(code=location_code) if location_code else None
    scope = insights.insight_scope_for(user=ops, start=window[0], end=window[1], location=location, tz=tz)
    rollups, grants = figures_both_ways(scope)
    assert rollups == grants
    assert rollups["totals"].grants + rollups["totals"].voided_grants > 10


def test_the_monthly_report_figures_are_the_same_both_ways(cases, ops, central, tokyo):
    for location in (central, tokyo):
        scope = insights.month_scope_for(user=ops, location=location, month=dt.date(2026, 4, 1))
        rollups, grants = figures_both_ways(scope, currency=location.currency)
        assert rollups == grants
        assert rollups["totals"].grants > 0


def test_the_rollups_are_read_instead_of_the_grants(cases, ops, django_assert_num_queries):
    scope = insights.insight_scope_for(
        user=ops, start=dt.date(2026, 4, 6), end=dt.date(2026, 5, 28), location=None, tz=dt.UTC
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        insights.window_figures(scope=scope)
        insights.spend_by_playbook(scope=scope)
        insights.failures_by_category(scope=scope)
        insights.spend_by_location(scope=scope)
    assert len(queries) == 4
    assert all('"recovery_grant"' not in query["sql"] for query in queries)


def test_a_void_moves_its_grant_from_active_to_voided_on_its_day(clock, frontline, manager, central, customer):
    clock.move_to(dt.datetime(2026, 5, 28, 23, 30, tzinfo=dt.UTC))  # 00:30 on the 29th in London
    grant = grant_at(frontline, central, customer, timezone.now(), amount="12.50")
    row = LocationDayTotal.objects.get(location=central)
    assert (row.day, row.site_day) == (dt.date(2026, 5, 29), dt.date(2026, 5, 28))
    assert (row.active_amount, row.active_grants, row.voided_grants, row.resolution_0) == (
        Decimal("12.50"),
        1,
        0,
        1,
    )
    services.grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    row.refresh_from_db()
    assert (row.active_amount, row.active_grants, row.voided_amount, row.voided_grants, row.resolution_0) == (
        Decimal("0.00"),
        0,
        Decimal("12.50"),
        1,
        1,
    )


def test_the_rebuild_is_idempotent_and_repairs_changed_rows(cases, central, airport, tokyo):
    before = {location.pk: kept_rows(location) for location in (central, airport, tokyo)}
    LocationDayTotal.objects.filter(location=central).order_by("day").first().delete()
    LocationDayTotal.objects.filter(location=airport).update(active_grants=99)
    written = day_totals_rebuild(chunk_days=5)
    assert written == LocationDayTotal.objects.count()
    assert {location.pk: kept_rows(location) for location in (central, airport, tokyo)} == before
    assert day_totals_rebuild() == written  # a second run writes the same rows
    assert {location.pk: kept_rows(location) for location in (central, airport, tokyo)} == before


def test_the_rebuild_command(cases, central, capsys):
    LocationDayTotal.objects.all().delete()
    call_command("rebuild_rollups", "--location", str(central.pk), "--chunk-days", "7")
    assert "Daily rollups rebuilt" in capsys.readouterr().out
    assert kept_rows(central) == computed_rows(central)
    assert not LocationDayTotal.objects.exclude(location=central).exists()
    with pytest.raises(CommandError, match="--chunk-days"):
        call_command("rebuild_rollups", "--chunk-days", "0")
    with pytest.raises(CommandError, match="No location with id 999999"):
        call_command("rebuild_rollups", "--location", "999999")


@pytest.mark.parametrize(
    "took, bucket",
    [
        (dt.timedelta(seconds=-5), 0),
        (dt.timedelta(0), 0),
        (dt.timedelta(seconds=59, microseconds=999999), 0),
        (dt.timedelta(minutes=1), 1),
        (dt.timedelta(minutes=15), 3),
        (dt.timedelta(hours=4) - dt.timedelta(microseconds=1), 4),
        (dt.timedelta(hours=4), 5),
        (None, len(RESOLUTION_BUCKETS) - 1),
    ],
)
def test_a_resolution_time_on_a_bound_goes_to_the_next_bucket(took, bucket):
    assert resolution_bucket(took) == bucket
