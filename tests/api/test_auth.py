"""Authentication: a bearer token per integration; anything else is a 401 in the API's error shape."""

import pytest
from django.test import Client

from recovery.api.services import api_token_revoke, token_hash
from recovery.models import ApiToken, Grant
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/grants/"


def assert_401(response, code):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_no_token_is_refused_with_a_json_401():
    assert_401(api_client(None).get(URL), "not_authenticated")


@pytest.mark.parametrize(
    "header",
    ["Bearer rd_live_unknown", "Bearer", "Bearer two parts", "Bearer " + "x" * 300],
    ids=["unknown", "empty", "spaces", "too-long"],
)
def test_a_bad_token_is_refused_with_a_json_401(header):
    client = api_client(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_401(client.get(URL), "authentication_failed")


def test_a_revoked_token_is_refused_at_once(frontline_token, pos, ops):
    assert pos.get(URL).status_code == 200

    api_token_revoke(actor=ops, token_id=frontline_token.token.pk)

    response = pos.get(URL)
    assert_401(response, "authentication_failed")
    assert "revoked" in response.json()["error"]["message"]


def test_a_logged_in_browser_session_cannot_use_the_api(manager_client):
    """Sessions (and so CSRF) play no part: a page user's cookie is not an API credential."""
    response = manager_client.get(URL)
    assert response.status_code == 401
    response = manager_client.post(URL, {}, content_type="application/json")
    assert response.status_code == 401


def test_only_the_hash_of_the_secret_is_stored(frontline_token):
    token = ApiToken.objects.get()
    assert frontline_token.secret.startswith("rd_live_") and len(frontline_token.secret) > 40
    assert token.secret_hash == token_hash(frontline_token.secret)
    assert frontline_token.secret not in {token.secret_hash, token.prefix}
    assert frontline_token.secret.startswith(token.prefix)


def test_the_integration_user_cannot_log_in_to_the_pages(frontline_token):
    user = frontline_token.token.user
    assert not user.has_usable_password()
    response = Client().post("/login/", {"username": user.username, "password": ""})
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session


def test_a_token_of_a_closed_location_may_do_nothing(frontline_token, pos, central, customer):
    central.is_active = False
    central.save()

    response = pos.post("/api/v1/quotes/", {"customer": customer.pk, "purchase_value": "10.00"})

    assert response.status_code == 403
    assert "closed" in response.json()["error"]["message"]
    assert Grant.objects.count() == 0


def test_last_used_is_recorded(frontline_token, pos):
    assert ApiToken.objects.get().last_used_at is None
    pos.get(URL)
    assert ApiToken.objects.get().last_used_at is not None
