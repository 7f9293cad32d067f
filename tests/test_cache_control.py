"""No page with customer data may be kept by a browser or a proxy (issue 16).

Back on a shared counter tablet after logout must not show a customer search,
a grant or the audit. Every page of the access matrix (tests/test_permissions.py)
is opened by a role that may see it and must answer `Cache-Control: no-store,
private`; static files and /healthz keep the headers of their own.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import api_client, issue
from tests.test_permissions import EXPECTED, ROLES, client_as, url_of, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.django_db

# Every page (GET) with the first role that opens it with a 200.
READABLE = [
    pytest.param(name, next(role for role in ROLES if cells[role] == 200), id=name)
    for name, methods in EXPECTED.items()
    for cells in [methods["GET"]]
    if any(cells[role] == 200 for role in ROLES)
]


def test_the_pages_with_customer_data_are_in_the_loop():
    names = {param.values[0] for param in READABLE}
    assert {
        "counter",
        "counter_resolve",
        "counter_granted",
        "my_grants",
        "audit",
        "audit_export",
        "audit_detail",
        "escalations",
        "anomalies",
        "insights",
        "voucher_redeem",
        "voucher_public",
    } <= names


@pytest.mark.parametrize("name, role", READABLE)
def test_every_page_says_no_store(world, name, role):  # noqa: F811
    response = client_as(role, world).get(url_of(name, world))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control, (name, cache_control)
    if name != "healthz":
        assert "private" in cache_control, (name, cache_control)


def test_the_counter_search_is_not_kept(frontline_client, customer):
    response = frontline_client.get(reverse("counter"), {"q": customer.name})
    assert customer.name in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_refusal_and_a_redirect_are_not_kept_either(frontline_client):
    assert "no-store" in frontline_client.get(reverse("audit"))["Cache-Control"]  # 403
    assert "no-store" in Client().get(reverse("counter"))["Cache-Control"]  # to the login page


def test_the_api_with_customer_data_is_not_kept(central, ops, customer):
    client = api_client(issue(central, "frontline", actor=ops).secret)
    response = client.get(reverse("api_customer", args=[customer.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_own_caching(client):
    """WhiteNoise answers before the middleware: no no-store on the stylesheet or the favicon."""
    for url in ("/static/css/desk.css", "/favicon.ico"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url
        response.close()


def test_a_view_that_sets_its_own_caching_keeps_it(client):
    response = Client().get(reverse("healthz"))
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
