"""What recovery buys by dimension: playbook, location, failure category, policy version; value for money."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recovery.domain.effect import Case, VisitDay, group_effect, value_for_money_extremes
from recovery.models import Grant, Visit
from recovery.selectors.effect import effect_rows_for
from recovery.services import grant_void
from tests import factories
from tests.conftest import client_for
from tests.recovery.test_effect import AS_OF, planted

# --- pure --------------------------------------------------------------------------------------------


def test_any_hashable_key_groups_the_cases_the_same_way():
    cases, visits = planted(0.7, 0.4)
    by_number = group_effect(1, cases, visits, as_of=AS_OF)
    renamed = [Case(c.customer_id, c.day, c.tier, c.amount, {1: "waiting", 2: "billing"}.get(c.group)) for c in cases]
    by_code = group_effect("waiting", renamed, visits, as_of=AS_OF)
    assert by_code.returns == by_number.returns and by_code.baseline == by_number.baseline
    assert by_code.customers == 400 and by_code.mean_amount == Decimal("20.00")


def test_points_per_100_is_the_lift_over_the_baseline_per_100_granted():
    cases, visits = planted(0.7, 0.4)
    effect = group_effect(1, cases, visits, as_of=AS_OF)
    # 70 % against 40 %: 30 points for 20.00 a customer → 150 points per 100 granted.
    assert effect.points_per_100() == Decimal("150.0")


def test_points_per_100_is_none_with_too_few_customers():
    cases, visits = planted(0.7, 0.4, n=10)
    assert group_effect(1, cases, visits, as_of=AS_OF).points_per_100() is None


def test_best_and_worst_by_value_for_money():
    day = dt.date(2027, 1, 4)
    cases, visits = [], {}
    # Group "cheap" (10.00) and group "dear" (40.00) both lift returns from 0 % to 100 %.
    for n in range(60):
        group, amount = ("cheap", Decimal("10")) if n < 20 else ("dear", Decimal("40")) if n < 40 else (None, 0)
        cases.append(Case(n, day, "Regular", Decimal(amount), group))
        if group:
            visits[n] = [VisitDay(day + dt.timedelta(days=5), Decimal("1"))]
    effects = [group_effect(key, cases, visits, as_of=AS_OF) for key in ("cheap", "dear")]
    best, worst = value_for_money_extremes(effects)
    assert (best.group, best.points_per_100()) == ("cheap", Decimal("1000.0"))
    # "dear"'s baseline holds the cheap customers too (granted less): 100 % against 50 %, 50 points for 40.00.
    assert (worst.group, worst.points_per_100()) == ("dear", Decimal("125.0"))
    assert value_for_money_extremes(effects[:1]) is None  # one figure: nothing to rank


# --- the selector and the page -----------------------------------------------------------------------

CATEGORIES = ("waiting", "order_wrong", "billing", "staff_behaviour")


def _grants(frontline, location, n, categories, start=0):
    for index in range(n):
        customer = factories.make_customer(f"Dim {start + index}", phone=f"+4477008{start + index:05d}")
        factories.grant_for(frontline, location, customer, category=categories[index % len(categories)])
        Visit.objects.create(
            customer=customer,
            location=location,
            visited_on=dt.date(2027, 1, 20),
            amount="5",
            currency=location.currency,
            source="api",
        )


@pytest.mark.django_db
def test_three_queries_whatever_the_number_of_groups(clock, ops, frontline, central):
    clock.move_to("2027-01-04T10:00:00+00:00")
    _grants(frontline, central, 2, CATEGORIES[:1])
    clock.move_to("2027-06-01T10:00:00+00:00")
    effect_rows_for(user=ops)  # the reader's roles are read once and kept: not the selector's queries
    with CaptureQueriesContext(connection) as one_group:
        assert len(effect_rows_for(user=ops, dimension="category")) == 1
    clock.move_to("2027-01-05T10:00:00+00:00")
    _grants(frontline, central, 8, CATEGORIES, start=100)
    clock.move_to("2027-06-01T10:00:00+00:00")
    with CaptureQueriesContext(connection) as four_groups:
        rows = effect_rows_for(user=ops, dimension="category")
    assert len(rows) == 4
    assert len(one_group) == len(four_groups) == 3  # grants, visits, the follow-up answers


@pytest.mark.django_db
def test_the_page_groups_by_category_and_location_and_version(
    clock, ops, frontline, frontline_airport, manager_airport, central, airport
):
    clock.move_to("2027-01-04T10:00:00+00:00")
    _grants(frontline, central, 3, CATEGORIES[:2])
    _grants(frontline_airport, airport, 2, ("billing",), start=50)
    voided = Grant.objects.filter(location=airport).first()
    grant_void(actor=manager_airport, grant_id=voided.pk, reason="Test: granted by mistake")
    clock.move_to("2027-06-01T10:00:00+00:00")
    client = client_for(ops)

    by_category = client.get(reverse("recovery_effect"), {"by": "category"})
    assert by_category.status_code == 200
    assert [(row.name, row.effect.customers) for row in by_category.context["rows"]] == [
        ("Billing error", 1),  # the voided one is nobody's group: it is a baseline case
        ("Order wrong or incomplete", 1),
        ("Waiting or delay", 2),
    ]
    page = by_category.content.decode()
    assert '<th scope="col">Failure category</th>' in page and "Too few customers (2)" in page

    by_location = client.get(reverse("recovery_effect"), {"by": "location"}).context["rows"]
    assert [(row.name, row.effect.customers) for row in by_location] == [("Airport Desk", 1), ("Central Store", 3)]
    by_version = client.get(reverse("recovery_effect"), {"by": "version"}).context["rows"]
    assert [row.name for row in by_version] == [f"Policy version {central.grants.first().policy_version.number}"]
    default = client.get(reverse("recovery_effect")).context["rows"]
    assert [row.name for row in default] == ["Free drinks while you wait"]


@pytest.mark.django_db
def test_a_manager_sees_only_their_locations_groups(clock, manager, frontline, frontline_airport, central, airport):
    clock.move_to("2027-01-04T10:00:00+00:00")
    _grants(frontline, central, 1, ("waiting",))
    _grants(frontline_airport, airport, 1, ("billing",), start=50)
    clock.move_to("2027-06-01T10:00:00+00:00")
    rows = client_for(manager).get(reverse("recovery_effect"), {"by": "location"}).context["rows"]
    assert [row.name for row in rows] == ["Central Store"]


@pytest.mark.django_db
def test_an_unknown_dimension_is_refused_by_field(ops):
    response = client_for(ops).get(reverse("recovery_effect"), {"by": "weather"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Group by: choose playbook, location, failure category or policy version." in page
    assert '<label for="id_by">Group by</label>' in page and "<table" not in page
