"""A further grant on a case through the API: the quote explains the per-case room, the grant keeps to it."""

import uuid

import pytest

from recovery.models import Grant
from tests import factories

pytestmark = pytest.mark.django_db


def grant(client, customer, amount, case=None):
    body = {
        "customer": customer.pk,
        "category": "product_defective",
        "purchase_value": "3000.00",
        "playbook": factories.playbook("replace-spoiled").pk,
        "amount": amount,
    }
    if case is not None:
        body["case"] = case
    return client.post("/api/v1/grants/", body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def test_the_quote_explains_the_case_room_and_the_grant_keeps_to_it(pos, customer):
    factories.airline_authorities()
    first = grant(pos, customer, "1500.00")
    assert first.status_code == 201
    case = first.json()["failure"]["id"]

    quote = pos.post("/api/v1/quotes/", {"customer": customer.pk, "purchase_value": "3000.00", "case": case}).json()
    assert quote["authority"] == {
        "role": "frontline",
        "limit": "2000.00",
        "per_case": "2000.00",
        "daily": None,
        "monthly": None,
    }
    assert quote["case"] == {"id": case, "granted": "1500.00"}
    assert quote["authority_limits"] == [
        {
            "limit": "case_authority",
            "allows": "500.00",
            "explanation": "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left.",
        }
    ]
    refund = next(row for row in quote["playbooks"] if row["code"] == "replace-spoiled")
    assert refund["cap"] == "2000.00" and refund["available_now"] == "500.00"
    assert refund["limited_by"] == "case_authority"
    assert refund["limited_by_text"].startswith("Limited by: This case has 1,500.00 granted")

    refused = grant(pos, customer, "1500.00", case=case)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["allowed"] == "500.00" and [stop["limit"] for stop in error["stops"]] == ["case_authority"]

    assert grant(pos, customer, "500.00", case=case).status_code == 201
    assert Grant.objects.filter(failure_id=case).count() == 2


def test_a_manager_token_may_add_1500_to_a_case(back_office, customer):
    factories.airline_authorities()
    case = grant(back_office, customer, "1500.00").json()["failure"]["id"]
    assert grant(back_office, customer, "1500.00", case=case).status_code == 201
    assert Grant.objects.filter(failure_id=case).count() == 2


def test_a_case_of_another_customer_is_refused_naming_the_field(pos, customer):
    factories.airline_authorities()
    case = grant(pos, customer, "100.00").json()["failure"]["id"]
    other = factories.make_customer("Other Person")
    quote = pos.post("/api/v1/quotes/", {"customer": other.pk, "purchase_value": "10.00", "case": case})
    assert quote.status_code == 422 and "case" in quote.json()["error"]["fields"]
    refused = grant(pos, other, "10.00", case=case)
    assert refused.status_code == 422 and "case" in refused.json()["error"]["fields"]
