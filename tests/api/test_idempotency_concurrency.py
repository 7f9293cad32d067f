"""The same Idempotency-Key sent 8 times at once: one grant, and every answer names it.

Real threads against the real database (SQLite and PostgreSQL), as in
tests/test_concurrency.py: the duplicates wait on the key's unique row and
then replay the first answer.
"""

import uuid

import pytest

from recovery.models import Grant, IdempotencyRecord, ServiceFailure
from tests import factories
from tests.api.conftest import api_client, issue
from tests.test_concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_simultaneous_requests_with_one_key_grant_once(installed_policy, central, customer):
    secret = issue(central, "frontline").secret
    key = str(uuid.uuid4())
    body = {
        "customer": customer.pk,
        "category": "waiting",
        "purchase_value": "48.00",
        "playbook": factories.playbook("free-drinks").pk,
        "amount": "6.00",
    }

    responses = at_once(8, lambda i: api_client(secret).post("/api/v1/grants/", body, HTTP_IDEMPOTENCY_KEY=key))

    assert [type(r) for r in responses if isinstance(r, Exception)] == []
    assert [r.status_code for r in responses] == [201] * 8, [r.content for r in responses]
    grant = Grant.objects.get()
    assert {r.json()["id"] for r in responses} == {grant.pk}
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 7
    assert ServiceFailure.objects.count() == IdempotencyRecord.objects.count() == 1


def test_simultaneous_requests_with_one_key_and_different_bodies_grant_once(installed_policy, central, customer):
    secret = issue(central, "frontline").secret
    key = str(uuid.uuid4())

    def grant(i):
        body = {
            "customer": customer.pk,
            "category": "waiting",
            "purchase_value": "48.00",
            "playbook": factories.playbook("free-drinks").pk,
            "amount": f"{i + 1}.00",
        }
        return api_client(secret).post("/api/v1/grants/", body, HTTP_IDEMPOTENCY_KEY=key)

    responses = at_once(4, grant)

    assert sorted(r.status_code for r in responses) == [201, 422, 422, 422]
    assert Grant.objects.count() == 1
    refused = [r.json()["error"]["code"] for r in responses if r.status_code == 422]
    assert refused == ["idempotency_key_reused"] * 3
