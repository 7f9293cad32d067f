"""Query budgets: the grant POST, the counter screens and the audit timeline run a constant number of
queries, whatever the number of rows (a few grants or many), with limits and a budget in force."""

import re
import uuid
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compensation.models import CustomerLimit, LocationBudget
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Was 27 before issue 6 (see BENCHMARKS.md), 18 before issues 17 and 18 added the customer's lifetime spend
# (spend tiers) and the webhook subscribers' lookup (grant.created): 19; 18 since issue 20 reads the spend only
# for a policy with programme tiers; 19 with the daily rollup's upsert (issue 20, the insight pages read the
# rollups instead of the grants).
GRANT_POST_BUDGET = 19
SCREEN_BUDGET = 11  # the resolve page: 10, and the customer's visit of the day (also "today's customers")
# Session, user, perms, the filters' choices, and one keyset query per kind of event (10 kinds).
AUDIT_BUDGET = 18


@pytest.fixture
def limits_in_force(central):
    CustomerLimit.objects.create(window_days=30, max_grants=1000, max_total=Decimal("100000"))
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("1000000"), when_exhausted="escalate")
    factories.publish("Limits and a budget")


def queries(client, method, url, data=None, expect=200) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == expect, response.content.decode()[:500]
    return len(captured)


def grants(actor, location, customer, how_many):
    for _ in range(how_many):
        factories.grant_for(actor, location, customer, amount="1")


def grant_post(client, customer) -> int:
    resolve = reverse("counter_resolve", args=[customer.pk])
    drinks = factories.playbook("free-drinks")
    form = {
        "category": "waiting",
        "purchase_value": "40.00",
        "note": "Late",
        "playbook": drinks.pk,
        "amount": "",
        "token": str(uuid.uuid4()),
    }
    return queries(client, "post", resolve, form, expect=302)


def test_the_grant_post_costs_the_same_with_2_or_20_earlier_grants(frontline, central, customer, limits_in_force):
    client = client_for(frontline)
    client.get(reverse("counter_resolve", args=[customer.pk]))
    grants(frontline, central, customer, 2)
    with_few = grant_post(client, customer)
    grants(frontline, central, customer, 18)
    assert grant_post(client, customer) == with_few <= GRANT_POST_BUDGET


def test_the_counter_screens_cost_the_same_with_2_or_20_customers_and_grants(
    frontline, central, customer, limits_in_force
):
    client = client_for(frontline)

    def screens():
        granted = factories.grant_for(frontline, central, customer, amount="1")
        return (
            queries(client, "get", reverse("counter"), {"q": "Moreau"}),
            queries(client, "get", reverse("counter_resolve", args=[customer.pk])),
            queries(client, "get", reverse("counter_quotes", args=[customer.pk]), {"purchase_value": "80"}),
            queries(client, "get", reverse("counter_granted", args=[granted.pk])),
            queries(client, "get", reverse("my_grants")),
        )

    client.get(reverse("counter"))
    for number in range(2):
        factories.make_customer(f"Paul Moreau {number}")
    grants(frontline, central, customer, 2)
    with_few = screens()
    for number in range(2, 20):
        factories.make_customer(f"Paul Moreau {number}")
    grants(frontline, central, customer, 18)
    assert screens() == with_few
    assert max(with_few) <= SCREEN_BUDGET


def test_the_audit_timeline_costs_the_same_with_3_or_60_grants(frontline, manager, ops, central, customer):
    clients = {"manager": client_for(manager), "ops": client_for(ops)}
    filtered = {"location": central.pk, "playbook": factories.playbook("free-drinks").pk, "date_from": "2000-01-01"}

    def timeline() -> dict:
        counts = {}
        for role, client in clients.items():
            first = client.get(reverse("audit"))
            counts[role, "first page"] = queries(client, "get", reverse("audit"))
            counts[role, "filtered"] = queries(client, "get", reverse("audit"), filtered)
            cursor = re.search(r"after=([^\"]+)\"", first.content.decode())
            if cursor:
                counts[role, "next page"] = queries(client, "get", reverse("audit"), {"after": unquote(cursor[1])})
        return counts

    grants(frontline, central, customer, 3)
    with_few = timeline()
    grants(frontline, central, customer, 57)
    with_many = timeline()  # 60 grants: a second page (50 a page)
    for role in clients:
        assert with_many[role, "first page"] == with_few[role, "first page"]
        assert with_many[role, "filtered"] == with_few[role, "filtered"]
        assert with_many[role, "next page"] == with_many[role, "first page"]
    assert max(with_many.values()) <= AUDIT_BUDGET
