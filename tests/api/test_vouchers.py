"""Vouchers through the API: look one up, redeem it once at any location, with an Idempotency-Key."""

import uuid

import pytest

from recovery.models import Grant, IdempotencyRecord, VoucherRedemption
from recovery.services import grant_void
from tests.api.conftest import api_client, issue
from tests.recovery.test_vouchers import voucher_for

pytestmark = pytest.mark.django_db

REDEEM = "/api/v1/vouchers/redeem/"


@pytest.fixture
def voucher(frontline, central, customer) -> Grant:
    """A 120.00 repair voucher granted at central."""
    return voucher_for(frontline, central, customer)


@pytest.fixture
def airport_till(airport, ops):
    issued = issue(airport, "frontline", "Airport till", actor=ops)
    return api_client(issued.secret), issued.token


def redeem(client, code, key=None):
    return client.post(REDEEM, {"code": code}, HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def test_a_voucher_granted_at_one_location_redeems_at_another(voucher, airport_till):
    client, token = airport_till

    response = redeem(client, voucher.voucher_code.lower().replace("-", " "))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == voucher.voucher_code and body["state"] == "redeemed"
    assert body["amount"] == "120.00" and body["issued_at"]["code"] == "central" and body["grant"] == voucher.pk
    assert body["redemption"]["location"] == {"code": "airport", "name": "Airport Desk"}
    assert body["redemption"]["redeemed_by"] == token.user.username
    redemption = VoucherRedemption.objects.get()
    assert (redemption.grant, redemption.location, redemption.redeemed_by) == (voucher, token.location, token.user)


def test_the_same_key_again_returns_the_first_answer(voucher, airport_till):
    client, _ = airport_till
    key = str(uuid.uuid4())
    first = redeem(client, voucher.voucher_code, key)
    second = redeem(client, voucher.voucher_code, key)

    assert second.status_code == 201 and second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert VoucherRedemption.objects.count() == 1


def test_a_second_redemption_says_where_by_whom_and_when(voucher, airport_till, pos):
    client, token = airport_till
    redeem(client, voucher.voucher_code)

    response = redeem(pos, voucher.voucher_code)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "voucher_already_redeemed" and "code" in error["fields"]
    assert "at Airport Desk by " + token.user.username in error["message"]
    assert error["redemption"]["location"]["code"] == "airport"
    assert VoucherRedemption.objects.count() == 1


def test_after_the_key_is_pruned_a_retry_still_gets_the_redemption(voucher, airport_till):
    client, _ = airport_till
    key = str(uuid.uuid4())
    first = redeem(client, voucher.voucher_code, key)
    IdempotencyRecord.objects.all().delete()

    again = redeem(client, voucher.voucher_code, key)

    assert again.status_code == 201 and again.json()["redemption"] == first.json()["redemption"]


@pytest.mark.parametrize(
    "code, status, error_code",
    [("22222-22222", 404, "voucher_not_found"), ("O0O0O-11111", 422, "not_a_voucher"), ("hello", 422, "not_a_voucher")],
    ids=["unknown", "lookalikes", "not-a-code"],
)
def test_a_code_that_is_no_voucher_is_refused_by_field(pos, voucher, code, status, error_code):
    response = redeem(pos, code)

    assert response.status_code == status
    assert response.json()["error"]["code"] == error_code and "code" in response.json()["error"]["fields"]
    assert VoucherRedemption.objects.count() == IdempotencyRecord.objects.count() == 0


def test_an_expired_voucher_is_refused(pos, frontline, central, customer):
    old = voucher_for(frontline, central, customer, days_ago=200)
    response = redeem(pos, old.voucher_code)
    assert response.status_code == 422 and response.json()["error"]["code"] == "voucher_expired"


def test_a_voided_voucher_is_refused(pos, voucher, manager):
    grant_void(actor=manager, grant_id=voucher.pk, reason="Entered twice")
    response = redeem(pos, voucher.voucher_code)
    assert response.status_code == 409 and response.json()["error"]["code"] == "voucher_voided"


def test_a_redeemed_vouchers_grant_cannot_be_voided(voucher, airport_till, back_office):
    client, _ = airport_till
    redeem(client, voucher.voucher_code)

    response = back_office.post(f"/api/v1/grants/{voucher.pk}/void/", {"reason": "Mistake"})

    assert response.status_code == 409 and response.json()["error"]["code"] == "voucher_already_redeemed"
    voucher.refresh_from_db()
    assert not voucher.is_voided


def test_redeeming_needs_a_key(pos, voucher):
    response = pos.post(REDEEM, {"code": voucher.voucher_code})
    assert response.status_code == 400 and response.json()["error"]["code"] == "idempotency_key_required"


def test_lookup_shows_the_state_without_changing_anything(pos, voucher, airport_till):
    valid = pos.get(f"/api/v1/vouchers/{voucher.voucher_code.lower()}/")
    assert valid.status_code == 200
    assert valid.json()["state"] == "valid" and valid.json()["redemption"] is None
    assert valid.json()["customer_name"] == "Alice M."

    redeem(airport_till[0], voucher.voucher_code)
    redeemed = pos.get(f"/api/v1/vouchers/{voucher.voucher_code}/").json()
    assert redeemed["state"] == "redeemed" and redeemed["redemption"]["location"]["code"] == "airport"
    assert pos.get("/api/v1/vouchers/22222-22222/").status_code == 404
    assert pos.get("/api/v1/vouchers/nope/").json()["error"]["code"] == "not_a_voucher"
    assert VoucherRedemption.objects.count() == 1
