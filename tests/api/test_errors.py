"""Bad input of every kind: one JSON error shape, a code, the field named, and never a 500."""

import json
import uuid
from decimal import Decimal

import pytest

from recovery.models import Customer, Grant
from tests import factories
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db


def error_of(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and isinstance(error["fields"], dict)
    return error


@pytest.mark.parametrize(
    "raw, reason",
    [
        ('{"customer": 1,', "Expecting"),
        ('{"purchase_value": NaN}', "NaN"),
        ('{"name": "\\ud800"}', "UTF-8"),
        ("[" * 5000 + "]" * 5000, "nested"),
        (b"\xff\xfe{}", "UTF-8"),
    ],
    ids=["truncated", "nan", "lone-surrogate", "deep", "not-utf8"],
)
def test_malformed_json_is_a_400(pos, raw, reason):
    response = pos.post("/api/v1/customers/", raw, content_type="application/json")
    assert reason in error_of(response, 400, "malformed_json")["message"]
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", '"text"', "12", "null"], ids=["list", "string", "number", "null"])
def test_a_body_that_is_not_an_object_is_refused(pos, body):
    error_of(pos.post("/api/v1/quotes/", body, content_type="application/json"), 422, "validation_error")


def test_a_form_body_is_a_415(pos):
    response = pos.post("/api/v1/quotes/", "customer=1", content_type="application/x-www-form-urlencoded")
    error_of(response, 415, "unsupported_media_type")


def test_an_html_only_client_is_a_406(pos):
    error_of(pos.get("/api/v1/grants/", HTTP_ACCEPT="text/html"), 406, "not_acceptable")


def test_a_wrong_method_is_a_405(pos):
    error_of(pos.delete("/api/v1/grants/"), 405, "method_not_allowed")
    error_of(pos.put("/api/v1/quotes/", {}), 405, "method_not_allowed")
    error_of(pos.options("/api/v1/grants/"), 405, "method_not_allowed")


def test_an_unknown_endpoint_is_a_json_404(pos):
    error_of(pos.get("/api/v1/nothing-here/"), 404, "not_found")
    error_of(api_client(None).get("/api/v1/grants/-1/"), 404, "not_found")


def test_huge_ids_in_the_path_are_404s(pos, back_office):
    error_of(pos.get(f"/api/v1/grants/{10**30}/"), 404, "not_found")
    error_of(pos.get(f"/api/v1/customers/{10**30}/"), 404, "not_found")
    error_of(back_office.post(f"/api/v1/grants/{10**30}/void/", {"reason": "x"}), 404, "not_found")


@pytest.mark.parametrize("text", ["nul\x00here", "\ud7ff\ue000 ok"], ids=["nul", "edge-of-surrogates"])
def test_text_a_database_cannot_store_is_refused_by_field(pos, text):
    response = pos.post("/api/v1/customers/", {"name": text, "phone": "+447700900321"})
    if "\x00" in text:
        assert "name" in error_of(response, 422, "validation_error")["fields"]
    else:
        assert response.status_code == 201


def test_nul_in_a_query_is_refused(pos):
    response = pos.get("/api/v1/customers/", {"email": "a\x00@example.com"})
    assert "email" in error_of(response, 422, "validation_error")["fields"]


def test_the_message_names_every_refused_field(pos, customer):
    body = {"customer": customer.pk, "category": "nope", "purchase_value": "-1", "playbook": 1}
    error = error_of(pos.post("/api/v1/grants/", body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), 422, "validation_error")
    assert set(error["fields"]) == {"category", "purchase_value"}
    assert "category:" in error["message"] and "purchase_value:" in error["message"]
    assert Grant.objects.count() == 0


def test_decimal_text_keeps_its_exact_value(pos, customer):
    body = json.dumps(
        {
            "customer": customer.pk,
            "category": "waiting",
            "purchase_value": 48.10,
            "playbook": factories.playbook("free-drinks").pk,
            "amount": 0.30,
        }
    )
    response = pos.post("/api/v1/grants/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201 and response.json()["amount"] == "0.30"
    assert Grant.objects.get().purchase_value == Decimal("48.10")


def test_a_bug_is_a_json_500_that_says_retrying_is_safe(frontline_token, monkeypatch):
    """Not bad input (that is never a 500) but a fault of ours: still the one error shape."""
    from recovery import selectors

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "api_grant_page", broken)
    client = api_client(frontline_token.secret)
    client.raise_request_exception = False

    response = client.get("/api/v1/grants/")

    error = error_of(response, 500, "server_error")
    assert "Idempotency-Key" in error["message"] and "a bug" not in error["message"]
