"""Customers: look up by phone, email or card; find or add (the CRM knows the tenure)."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from compensation.models import AuditEvent
from recovery.models import Customer
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


@pytest.mark.parametrize(
    "query",
    [{"phone": "07700 900101"}, {"phone": "+44 7700 900101"}, {"email": "ALICE@example.com"}, {"card": "lc-1"}],
    ids=["local-phone", "international-phone", "email-any-case", "card-any-case"],
)
def test_lookup_finds_the_customer_with_tenure(pos, customer, query):
    response = pos.get(URL, query)

    assert response.status_code == 200
    [found] = response.json()["results"]
    assert found["id"] == customer.pk and found["phone"] == "+447700900101"
    assert found["customer_since"] == "2020-01-01"
    assert found["tenure_months"] >= 82  # from 2020-01-01 to at least November 2026
    assert found["tenure_tier"] == "Loyal"


def test_lookup_without_a_match_is_an_empty_list(pos, customer):
    response = pos.get(URL, {"email": "nobody@example.com"})
    assert response.status_code == 200 and response.json() == {"results": []}


@pytest.mark.parametrize(
    "query, field",
    [
        ({}, "phone"),
        ({"phone": "+447700900101", "email": "alice@example.com"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"phon": "+447700900101"}, "phon"),
        ({"card": "X" * 41}, "card"),
    ],
    ids=["none", "two", "bad-phone", "bad-email", "unknown-parameter", "long-card"],
)
def test_a_bad_lookup_names_the_field(pos, customer, query, field):
    response = pos.get(URL, query)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"] and field in error["message"]


def test_upsert_adds_a_customer_with_the_tenure_the_crm_knows(crm, central, crm_token):
    response = crm.post(
        URL,
        {"name": " Ben Okafor ", "phone": "07700 900102", "email": "Ben@Example.com", "customer_since": "2019-05-01"},
    )

    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.name, customer.phone, customer.email) == ("Ben Okafor", "+447700900102", "ben@example.com")
    assert customer.customer_since == date(2019, 5, 1) and body["tenure_months"] >= 90
    assert customer.created_by == crm_token.token.user and customer.created_at_location == central
    assert customer.history.get().history_user == crm_token.token.user
    entry = AuditEvent.objects.get(kind="customer.tenure_set", subject_id=customer.pk)
    assert entry.actor == crm_token.token.user and entry.payload["customer_since"] == "2019-05-01"
    call_command("verify_audit", stdout=io.StringIO())


def test_a_frontline_token_may_not_set_a_tenure_and_adds_nobody(pos, central):
    """A till is no CRM: a 1900 tenure would make a stranger Loyal, with higher caps."""
    response = pos.post(URL, {"name": "Old Friend", "phone": "07700 900150", "customer_since": "1900-01-01"})

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "tenure_not_allowed" and "customer_since" in error["message"]
    assert error["fields"] == {"customer_since": ["This token may not set a customer's tenure."]}
    assert Customer.objects.count() == 0


def test_a_frontline_token_may_send_today_as_the_tenure(pos, central):
    response = pos.post(URL, {"name": "Walk In", "phone": "07700 900151", "customer_since": str(central.today())})

    assert response.status_code == 201 and response.json()["tenure_months"] == 0
    assert not AuditEvent.objects.filter(kind="customer.tenure_set").exists()


def test_a_trusted_crm_corrects_a_found_customers_tenure_journalled(crm, customer, crm_token):
    response = crm.post(URL, {"name": "Alice Moreau", "phone": "+447700900101", "customer_since": "2018-02-01"})

    assert response.status_code == 200 and response.json()["customer_since"] == "2018-02-01"
    customer.refresh_from_db()
    assert customer.customer_since == date(2018, 2, 1)
    entry = AuditEvent.objects.filter(kind="customer.tenure_set", subject_id=customer.pk).latest("id")
    assert entry.payload["previous"] == "2020-01-01" and entry.payload["reason"] == "Sent by CRM"
    assert customer.history.first().history_change_reason == "Sent by CRM"
    call_command("verify_audit", stdout=io.StringIO())


def test_upsert_without_a_date_adds_a_walk_in(pos, central):
    response = pos.post(URL, {"name": "Walk In", "loyalty_card": "lc-77"})

    assert response.status_code == 201
    assert response.json()["tenure_months"] == 0 and response.json()["loyalty_card"] == "LC-77"
    assert Customer.objects.get(loyalty_card="LC-77").customer_since == central.today()


def test_upsert_finds_the_same_customer_and_changes_nothing(pos, customer):
    response = pos.post(URL, {"name": "Alice Moreau", "phone": "07700 900101", "email": "ALICE@example.com"})

    assert response.status_code == 200 and response.json()["id"] == customer.pk
    assert Customer.objects.count() == 1


def test_upsert_of_a_customer_with_other_details_is_refused_and_changes_nothing(pos, customer):
    """Changing a customer is for ops (the rules): the integration is told what the desk has."""
    response = pos.post(URL, {"name": "Alice Smith", "phone": "+447700900101", "email": "alice@example.com"})

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "customer_change_not_allowed"
    assert error["fields"] == {"name": ["The desk has “Alice Moreau”."]}
    customer.refresh_from_db()
    assert customer.name == "Alice Moreau" and customer.customer_since == date(2020, 1, 1)


def test_details_of_two_different_customers_are_a_conflict(pos, customer):
    factories.make_customer("Ben", phone="+447700900102")

    response = pos.post(URL, {"name": "Ben", "phone": "+447700900102", "email": "alice@example.com"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "customer_conflict"
    assert Customer.objects.count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "No Keys"}, "phone"),
        ({"name": "  ", "phone": "+447700900199"}, "name"),
        ({"name": 0, "phone": "+447700900199"}, "name"),
        ({"name": "X", "phone": "abc"}, "phone"),
        ({"name": "X", "phone": "+447700900199", "customer_since": "2999-01-01"}, "customer_since"),
        ({"name": "X", "phone": "+447700900199", "customer_since": "1850-01-01"}, "customer_since"),
        ({"name": "X", "phone": "+447700900199", "customer_since": "yesterday"}, "customer_since"),
        ({"name": "X" * 121, "phone": "+447700900199"}, "name"),
    ],
    ids=["no-identifier", "blank-name", "number-name", "bad-phone", "future", "too-old", "not-a-date", "long-name"],
)
def test_a_bad_upsert_names_the_field_and_adds_nobody(pos, body, field):
    response = pos.post(URL, body)

    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert Customer.objects.count() == 0


def test_one_customer_by_id(pos, customer):
    response = pos.get(f"{URL}{customer.pk}/")
    assert response.status_code == 200 and response.json()["name"] == "Alice Moreau"
    assert pos.get(f"{URL}{customer.pk + 1}/").status_code == 404
    assert pos.get(f"{URL}{2**70}/").json()["error"]["code"] == "not_found"
