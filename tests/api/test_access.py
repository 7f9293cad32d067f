"""What each token may do: the same `rules` as for a person in its role, at its location.

The session-role matrix (tests/test_permissions.py) leaves /api/ out; this one
covers every API URL for a frontline and a manager token of the grant's
location, a manager token of another location, and no token.
"""

import uuid

import pytest
from django.urls import reverse

from recovery.models import Grant
from tests import factories
from tests.api.conftest import api_client, issue
from tests.test_permissions import walk_urls

pytestmark = pytest.mark.django_db

NONE, FRONTLINE, MANAGER, OTHER_MANAGER = "no token", "frontline", "manager", "manager elsewhere"
# URL name -> method -> token -> status. The grant was made at central by a central frontline token.
API_EXPECTED = {
    "api_customers": {
        "GET": {NONE: 401, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 200},
        "POST": {NONE: 401, FRONTLINE: 201, MANAGER: 201, OTHER_MANAGER: 201},
    },
    "api_customer": {
        "GET": {NONE: 401, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 200},
        # Setting a status: only a token ops trusted with statuses (tests/recovery/test_customer_status.py).
        "PATCH": {NONE: 401, FRONTLINE: 403, MANAGER: 403, OTHER_MANAGER: 403},
    },
    "api_quotes": {"POST": {NONE: 401, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 200}},
    # Listing: frontline tokens see their own grants, managers their location's (checked in test_grants).
    "api_grants": {
        "GET": {NONE: 401, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 200},
        "POST": {NONE: 401, FRONTLINE: 201, MANAGER: 201, OTHER_MANAGER: 201},
    },
    # One grant: its maker, or a manager of its location.
    "api_grant": {"GET": {NONE: 401, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 403}},
    # Void: a manager of the grant's location only.
    "api_grant_void": {"POST": {NONE: 401, FRONTLINE: 403, MANAGER: 200, OTHER_MANAGER: 403}},
    # Vouchers: any counter token, at its own location, whichever location issued the voucher.
    "api_voucher": {"GET": {NONE: 401, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 200}},
    "api_voucher_redeem": {"POST": {NONE: 401, FRONTLINE: 201, MANAGER: 201, OTHER_MANAGER: 201}},
    # Visits in: any counter token records visits at its own location.
    "api_visits": {"POST": {NONE: 401, FRONTLINE: 201, MANAGER: 201, OTHER_MANAGER: 201}},
    # The descriptions are public (no data in them).
    "api_schema": {"GET": {NONE: 200, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 200}},
    "api_docs": {"GET": {NONE: 200, FRONTLINE: 200, MANAGER: 200, OTHER_MANAGER: 200}},
}
API_URLS = {name: route for name, route, _ in walk_urls() if route.startswith("api/")}


def test_every_api_url_has_a_row():
    assert sorted(API_URLS) == sorted(API_EXPECTED)


@pytest.fixture
def world(central, airport, ops, customer, frontline_token):
    tokens = {
        NONE: None,
        FRONTLINE: frontline_token.secret,
        MANAGER: issue(central, "manager", actor=ops).secret,
        OTHER_MANAGER: issue(airport, "manager", actor=ops).secret,
    }
    grant = factories.grant_for(frontline_token.token.user, central, customer)
    voucher = factories.grant_for(frontline_token.token.user, central, customer, code="free-month", purchase_value="40")
    return {"tokens": tokens, "grant": grant, "customer": customer, "voucher": voucher}


def request_for(name, world):
    kwargs = {}
    if "<int:customer_id>" in API_URLS[name]:
        kwargs["customer_id"] = world["customer"].pk
    if "<int:grant_id>" in API_URLS[name]:
        kwargs["grant_id"] = world["grant"].pk
    if "<str:code>" in API_URLS[name]:
        kwargs["code"] = world["voucher"].voucher_code
    bodies = {
        "api_customers": {"name": "New Customer", "phone": "+447700900777"},
        "api_quotes": {"customer": world["customer"].pk, "purchase_value": "40.00"},
        "api_grants": {
            "customer": world["customer"].pk,
            "category": "waiting",
            "purchase_value": "40.00",
            "playbook": factories.playbook("free-drinks").pk,
        },
        "api_grant_void": {"reason": "Access check"},
        "api_voucher_redeem": {"code": world["voucher"].voucher_code},
        "api_visits": {"visits": [{"phone": world["customer"].phone, "visited_on": "2020-02-02", "amount": "5"}]},
    }
    return reverse(name, kwargs=kwargs), bodies.get(name, {})


CELLS = [
    pytest.param(name, method, who, status, id=f"{name}-{method}-{who}")
    for name, methods in API_EXPECTED.items()
    for method, cells in methods.items()
    for who, status in cells.items()
]


@pytest.mark.parametrize("name, method, who, status", CELLS)
def test_api_access(world, name, method, who, status):
    url, body = request_for(name, world)
    client = api_client(world["tokens"][who])
    if method == "GET":
        response = client.get(url, {"phone": "+447700900101"} if name == "api_customers" else None)
    elif method == "PATCH":
        response = client.patch(url, {"status": ""}, format="json")
    else:
        response = client.post(url, body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")


def test_a_refused_void_changes_nothing(world):
    grant = world["grant"]
    for who in (FRONTLINE, OTHER_MANAGER):
        url, body = request_for("api_grant_void", world)
        assert api_client(world["tokens"][who]).post(url, body).status_code == 403
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACTIVE
