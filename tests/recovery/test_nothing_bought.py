"""A customer who bought nothing (purchase value 0): the counter, the API, the record and the replay."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compensation.models import Playbook
from compensation.policy import draft_policy
from recovery.models import Grant, ServiceFailure
from recovery.replay import replay_draft
from recovery.services import LimitExceeded, grant_issue
from recovery.timeline.words import failure_entry
from tests.api.conftest import api_client, issue
from tests.factories import grant_for, grant_request, playbook, publish

pytestmark = pytest.mark.django_db


def set_rule(code, nothing_bought, base_amount=None):
    pb = playbook(code)
    pb.nothing_bought, pb.base_amount = nothing_bought, base_amount
    pb.save()


def test_a_grant_for_nothing_bought_gives_the_base_amount_and_the_record_says_so(
    frontline, central, customer, manager_client
):
    set_rule("free-drinks", Playbook.NothingBought.FIXED, Decimal("20.00"))
    publish("Walk-ins")
    grant = grant_for(frontline, central, customer, code="free-drinks", purchase_value="0", note="Two-hour wait")
    assert grant.purchase_value == Decimal("0") and grant.failure.purchase_value == Decimal("0")
    assert grant.cap_steps[0] == "Nothing bought: base amount 20.00"
    assert grant.cap == grant.amount == Decimal("30.00")  # × Loyal 1.5

    audit = html.unescape(manager_client.get(reverse("audit_detail", args=[grant.pk])).content.decode())
    assert "<dt>Purchase value</dt><dd>Nothing bought</dd>" in audit
    assert failure_entry(grant.failure, False).summary == "Waiting or delay, nothing bought: “Two-hour wait”"


def test_the_counter_grants_for_a_purchase_value_of_0(frontline_client, customer):
    url = reverse("counter_quotes", args=[customer.pk])
    cards = html.unescape(frontline_client.get(url, {"purchase_value": "0"}).content.decode())
    assert "Purchase value:" not in cards
    form = {
        "category": "waiting",
        "purchase_value": "0",
        "playbook": str(playbook("free-drinks").pk),
        "amount": "",
        "token": "6f1c1a52-7b4c-4d56-9a3f-1a2b3c4d5e6f",
        "quoted_purchase_value": "0",
    }
    response = frontline_client.post(reverse("counter_resolve", args=[customer.pk]), form)
    assert response.status_code == 302, html.unescape(response.content.decode())
    grant = Grant.objects.get()
    assert grant.purchase_value == Decimal("0") and grant.cap_steps[0].startswith("Nothing bought: floor")
    granted = html.unescape(frontline_client.get(response["Location"]).content.decode())
    assert "<p>Nothing bought</p>" in granted


def test_a_playbook_not_offered_for_nothing_bought_is_refused_with_its_reason(
    frontline, central, customer, frontline_client
):
    set_rule("free-drinks", Playbook.NothingBought.NOT_OFFERED)
    publish("Drinks only with a purchase")
    cards = html.unescape(
        frontline_client.get(reverse("counter_quotes", args=[customer.pk]), {"purchase_value": "0"}).content.decode()
    )
    assert "Not offered when nothing was bought" in cards
    with pytest.raises(LimitExceeded, match="is not offered when nothing was bought"):
        grant_issue(
            actor=frontline,
            roles=["frontline"],
            request=grant_request(customer, central, code="free-drinks", purchase_value="0"),
        )
    assert not Grant.objects.exists()


def test_the_api_quotes_and_grants_for_nothing_bought(central, ops, customer):
    pos = api_client(issue(central, "frontline", "POS till 1", actor=ops).secret)
    quote = pos.post("/api/v1/quotes/", {"customer": customer.pk, "purchase_value": "0"})
    assert quote.status_code == 200
    drinks = next(row for row in quote.json()["playbooks"] if row["code"] == "free-drinks")
    assert drinks["explanation"].startswith("Nothing bought: floor")
    body = {
        "customer": customer.pk,
        "category": "waiting",
        "purchase_value": "0",
        "playbook": playbook("free-drinks").pk,
    }
    made = pos.post("/api/v1/grants/", body, HTTP_IDEMPOTENCY_KEY="9e0f4c1e-0f5c-4bb0-9d1c-1d2e3f4a5b6c")
    assert made.status_code == 201 and made.json()["failure"]["purchase_value"] == "0.00"
    refused = pos.post("/api/v1/quotes/", {"customer": customer.pk, "purchase_value": "-0.01"})
    assert refused.status_code == 422 and "purchase_value" in refused.json()["error"]["fields"]


def test_the_schema_allows_a_purchase_value_of_0():
    import yaml
    from django.test import Client

    schema = yaml.safe_load(Client().get("/api/v1/schema/").content)
    for name in ("QuoteRequest", "GrantRequest"):
        field = schema["components"]["schemas"][name]["properties"]["purchase_value"]
        assert "Nothing bought" in field["description"] or "nothing was bought" in field["description"]


def test_the_database_refuses_a_negative_purchase_value_and_keeps_0(frontline, central, customer):
    grant = grant_for(frontline, central, customer, code="free-drinks", purchase_value="0")
    assert grant.failure.purchase_value == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFailure.objects.filter(pk=grant.failure_id).update(purchase_value=Decimal("-1"))


def test_the_replay_quotes_nothing_bought_by_its_own_rule(frontline, central, customer):
    grant_for(frontline, central, customer, code="free-drinks", purchase_value="0")
    grant_for(frontline, central, customer, code="free-drinks", purchase_value="0.01")
    set_rule("free-drinks", Playbook.NothingBought.FIXED, Decimal("10.00"))
    result = replay_draft(policy=draft_policy(), since=timezone.now() - timedelta(days=1))
    line = next(line for line in result.by_playbook if line.name == "Free drinks while you wait")
    # The 0 grant now allows 10 × 1.5 = 15 (more than the floor's 7.50); the 0.01 grant keeps the floor.
    assert (line.grants, line.allowed_more, line.capped_lower) == (2, 1, 0)
