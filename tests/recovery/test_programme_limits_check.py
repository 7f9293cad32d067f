"""The programme check for limits (issue #17): "at most 6 goodwill grants per 6 months, and at most 1
out-of-pocket reimbursement a year", Gold customers 10 per 6 months, published as a version.

The simulator says which rules would bound each playbook for the customer; the API quote, the
grant and the counter agree on what a customer who had a reimbursement may still get.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import CustomerLimit, Playbook, ProgrammeTier
from recovery import services
from recovery.services import LimitExceeded
from tests import factories
from tests.api.conftest import api_client, issue

pytestmark = pytest.mark.django_db

REIMBURSE = "Reimburse out-of-pocket costs, no receipt"
EVERYONE = "at most 6 grants in 6 months"
GOLD = "at most 10 grants in 6 months (Gold tier)"
A_YEAR = f"at most 1 “{REIMBURSE}” grant in 12 months"


@pytest.fixture
def limits_programme(ops):
    gold = ProgrammeTier.objects.create(name="Gold", source="status", status="Gold", multiplier=Decimal("1.00"))
    CustomerLimit.objects.create(window_days=6, window_unit="months", max_grants=6)
    CustomerLimit.objects.create(window_days=6, window_unit="months", max_grants=10, tier=f"programme:{gold.pk}")
    reimburse = Playbook.objects.get(code="out-of-pocket")
    CustomerLimit.objects.create(window_days=12, window_unit="months", max_grants=1, playbook=reimburse)
    return factories.publish("6 per 6 months, 1 reimbursement a year; Gold 10", actor=ops)


@pytest.mark.parametrize(
    "status, expected",
    [
        ("", {"Free drinks while you wait": [EVERYONE], REIMBURSE: [EVERYONE, A_YEAR]}),
        ("Gold", {REIMBURSE: [GOLD, A_YEAR]}),
    ],
)
def test_the_simulator_says_which_limit_rules_apply(ops_client, limits_programme, status, expected):
    response = ops_client.get(
        reverse("ops_simulator"),
        {"purchase_value": "40", "tenure_months": "3", "status": status, "role": "frontline", "currency": "EUR"},
    )
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["simulation"].rows}
    for name, limits in expected.items():
        assert list(rows[name].in_force.limits) == list(rows[name].draft.limits) == limits
    assert f"Customer limits that apply: {'; '.join(expected[REIMBURSE])}" in response.content.decode()


def test_the_api_quote_and_the_grant_agree_after_a_reimbursement(central, frontline, ops, limits_programme, customer):
    factories.grant_for(frontline, central, customer, code="out-of-pocket", purchase_value="30", amount="30")
    pos = api_client(issue(central, "frontline", actor=ops).secret)

    body = pos.post("/api/v1/quotes/", {"customer": customer.pk, "purchase_value": "30"}).json()
    rows = {row["code"]: row for row in body["playbooks"]}

    assert Decimal(rows["out-of-pocket"]["available_now"]) == 0
    assert rows["out-of-pocket"]["limited_by"] == "customer_grants"
    assert f"0 of 1 grant left in 12 months (“{REIMBURSE}”)" in rows["out-of-pocket"]["limited_by_text"]
    assert Decimal(rows["free-drinks"]["available_now"]) > 0
    with pytest.raises(LimitExceeded) as error:
        factories.grant_for(frontline, central, customer, code="out-of-pocket", purchase_value="30", amount="10")
    assert f"The customer already had 1 “{REIMBURSE}” grant in the last 12 months (limit 1)." in error.value.message
    assert factories.grant_for(frontline, central, customer, code="free-drinks", amount="5")


def test_a_gold_customer_gets_ten_where_everyone_else_has_six(central, frontline, ops, limits_programme, customer):
    others = factories.make_customer("Olga Other", phone="+447700900177")
    for _ in range(6):
        factories.grant_for(frontline, central, customer, amount="1")
        factories.grant_for(frontline, central, others, amount="1")
    with pytest.raises(LimitExceeded):
        factories.grant_for(frontline, central, customer, amount="1")
    services.customer_status_set(actor=ops, customer_id=customer.pk, status="Gold", reason="CRM import")
    customer.refresh_from_db()
    pos = api_client(issue(central, "frontline", actor=ops).secret)
    body = pos.post("/api/v1/quotes/", {"customer": customer.pk, "purchase_value": "30"}).json()
    drinks = {row["code"]: row for row in body["playbooks"]}["free-drinks"]
    assert Decimal(drinks["available_now"]) > 0, (drinks["limited_by"], drinks["limited_by_text"], body.get("status"))
    assert factories.grant_for(frontline, central, customer, amount="1")
    with pytest.raises(LimitExceeded) as error:
        factories.grant_for(frontline, central, others, amount="1")
    assert "The customer already had 6 grants in the last 6 months (limit 6)." in error.value.message
