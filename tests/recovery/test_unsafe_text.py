"""Control and direction characters are refused in every text a person types, on the pages and in the API.

The check is one (compensation.plain_text); these tests go through the real
views and endpoints: the answer is 422, the message names the field and the
reason, and nothing is stored.
"""

import pytest
from django.urls import reverse

from recovery.models import Customer, Escalation, Grant
from tests import factories
from tests.api.conftest import api_client, issue
from tests.api.test_grants import grant_body, post_grant
from tests.recovery.test_bad_input import (  # noqa: F401 (payload is a fixture)
    INVALID,
    all_errors,
    assert_field_error,
    counts,
    fresh_token,
    payload,
    post_resolve,
)

pytestmark = pytest.mark.django_db

ESC, RLO = "\x1b[31m", "\u202e"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"name": f"Alice{ESC}"}, "name", "Name: has an invisible control character (U+001B, character 6)"),
        ({"name": f"Alice{RLO}"}, "name", "Name: has an invisible character that changes the direction"),
        ({"name": "Alice", "loyalty_card": "LC-1\r\nLC-2"}, "loyalty_card", "Loyalty card: must be a single line"),
    ],
)
def test_a_walk_in_with_unsafe_text_is_refused(frontline_client, fields, field, message):
    before = Customer.objects.count()
    response = frontline_client.post(reverse("customer_add"), {"phone": "", "email": "", **fields})
    assert response.status_code == INVALID
    assert_field_error(response, field, message)
    assert Customer.objects.count() == before


def test_a_note_with_an_escape_is_refused_and_one_with_line_breaks_is_kept(frontline_client, customer, payload):  # noqa: F811
    before = counts()
    response = post_resolve(frontline_client, customer, {**payload, "note": f"late{ESC}"})
    assert response.status_code == INVALID
    assert_field_error(response, "note", "Short note: has an invisible control character (U+001B")
    assert counts() == before

    response = post_resolve(frontline_client, customer, {**payload, "note": "Late order.\r\nCold coffee."})
    assert response.status_code == 302
    assert Grant.objects.get(token=payload["token"]).failure.note == "Late order.\r\nCold coffee."


def test_a_void_reason_with_a_direction_override_is_refused(manager_client, frontline, central, customer):
    grant = factories.grant_for(frontline, central, customer)
    response = manager_client.post(reverse("grant_void", args=[grant.pk]), {"reason": f"Entered twice {RLO}"})
    assert response.status_code == INVALID
    assert_field_error(response, "reason", "Reason", "changes the direction of the text (U+202E")
    grant.refresh_from_db()
    assert not grant.is_voided


def test_an_escalation_reason_with_a_bell_is_refused(frontline_client, customer):
    response = frontline_client.post(
        reverse("counter_escalate", args=[customer.pk]),
        {
            "category": "waiting",
            "purchase_value": "100.00",
            "playbook": factories.playbook("free-drinks").pk,
            "amount": "400.00",
            "reason": "The customer lost a day\x07",
            "token": fresh_token(frontline_client, customer),
            "note": "",
        },
    )
    assert response.status_code == INVALID
    assert any("U+0007" in error for error in all_errors(response)), all_errors(response)
    assert not Escalation.objects.exists()


# --- the API ---------------------------------------------------------------------------------------


@pytest.fixture
def pos(central, ops):
    return api_client(issue(central, "frontline", actor=ops).secret)


def test_the_api_refuses_a_customer_name_with_an_escape(pos):
    response = pos.post("/api/v1/customers/", {"name": f"Alice{ESC}", "phone": "+447700900199"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"]["name"] == [
        "Has an invisible control character (U+001B, character 6) that cannot be stored: retype the text without it."
    ]
    assert error["message"].startswith("name: Has an invisible control character")
    assert not Customer.objects.exists()


def test_the_api_refuses_a_card_on_two_lines(pos):
    response = pos.post("/api/v1/customers/", {"name": "Alice", "loyalty_card": "A\nB"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["loyalty_card"][0].startswith("Must be a single line")


def test_the_api_refuses_a_grant_note_with_an_override_and_keeps_line_breaks(pos, customer):
    before = counts()
    response = post_grant(pos, grant_body(customer, note=f"late {RLO}"))
    assert response.status_code == 422
    assert "changes the direction of the text (U+202E" in response.json()["error"]["fields"]["note"][0]
    assert counts() == before

    assert post_grant(pos, grant_body(customer, note="late\nvery late")).status_code == 201


def test_the_api_refuses_a_void_reason_with_a_control_character(central, ops, frontline, customer):
    grant = factories.grant_for(frontline, central, customer)
    back_office = api_client(issue(central, "manager", actor=ops).secret)
    response = back_office.post(f"/api/v1/grants/{grant.pk}/void/", {"reason": "twice\x00\x1b"})
    assert response.status_code == 422
    assert "reason" in response.json()["error"]["fields"]
    grant.refresh_from_db()
    assert not grant.is_voided
