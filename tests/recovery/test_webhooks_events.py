"""Which services emit which webhook events: once each, after the commit, and nothing when rolled back.

Nothing is posted here: the subscribers' deliveries are counted and the
callbacks left to run after the commit are captured, not run.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from compensation.models import CustomerLimit
from compensation.predicates import roles_of
from recovery import services
from recovery.domain.webhooks import EVENT_TYPES
from recovery.models import WebhookDelivery
from recovery.services.webhooks import emit_event, webhook_subscriber_add, webhook_subscriber_set_active
from tests import factories


class Boom(Exception):
    pass


@pytest.fixture
def everything(ops):
    """A subscriber for every event, and one for grants only."""
    everything = webhook_subscriber_add(
        actor=ops, url="https://warehouse.example.com/in", description="Warehouse", events=list(EVENT_TYPES)
    ).subscriber
    webhook_subscriber_add(actor=ops, url="https://crm.example.com/in", description="CRM", events=["grant.created"])
    return everything


def events_of(subscriber) -> list[str]:
    return list(
        WebhookDelivery.objects.filter(subscriber=subscriber).order_by("pk").values_list("event_type", flat=True)
    )


@pytest.mark.django_db
def test_a_grant_emits_grant_created_once_to_each_subscriber_that_wants_it(
    everything, frontline, central, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        grant = factories.grant_for(frontline, central, customer)
    assert WebhookDelivery.objects.filter(event_type="grant.created").count() == 2  # both subscribers
    assert len(callbacks) == 2  # one queued job each, after the commit
    delivery = WebhookDelivery.objects.get(subscriber=everything)
    assert delivery.payload["data"]["grant_id"] == grant.pk and delivery.status == "pending"
    assert "voucher_code" not in delivery.payload["data"]  # the customer's bearer secret stays home


@pytest.mark.django_db
def test_a_rolled_back_grant_emits_nothing(
    everything, frontline, central, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Boom), transaction.atomic():
        factories.grant_for(frontline, central, customer)
        raise Boom
    assert callbacks == []
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_grant_emits_nothing(everything, frontline, central, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(services.LimitExceeded):
        factories.grant_for(frontline, central, customer, amount="5000.00")
    assert callbacks == [] and WebhookDelivery.objects.count() == 0


@pytest.mark.django_db
def test_void_and_redemption_emit_their_events_once(everything, frontline, manager, central, customer):
    grant = factories.grant_for(frontline, central, customer)
    services.grant_void(actor=manager, grant_id=grant.pk, reason="Wrong customer")
    voucher = factories.grant_for(frontline, central, customer, code="repeat-repair")
    services.voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central)

    assert events_of(everything) == ["grant.created", "grant.voided", "grant.created", "voucher.redeemed"]
    voided = WebhookDelivery.objects.get(subscriber=everything, event_type="grant.voided").payload["data"]
    assert voided["reason"] == "Wrong customer" and voided["voided_by"] == "maria"
    redeemed = WebhookDelivery.objects.get(subscriber=everything, event_type="voucher.redeemed").payload["data"]
    assert redeemed["grant_id"] == voucher.pk and redeemed["redeemed_by"] == "frank"


@pytest.mark.django_db
def test_escalation_decisions_emit_escalation_decided(everything, frontline, manager, central, customer):
    def escalate(amount):
        request = factories.grant_request(customer, central, code="replace-spoiled", amount=amount)
        return services.escalation_request(actor=frontline, roles=roles_of(frontline), request=request, reason="Bad")

    CustomerLimit.objects.create(window_days=30, max_grants=1, max_total=None)  # one grant a month
    factories.publish("One grant a month")
    factories.grant_for(frontline, central, customer, code="free-drinks", amount="5")
    approved = escalate("60.00")
    declined = escalate("61.00")
    services.escalation_decide(actor=manager, roles=roles_of(manager), escalation_id=approved.pk, approve=True, note="")
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=declined.pk, approve=False, note="Not this time"
    )

    # Approving makes the grant (grant.created) and decides the escalation; declining only decides it.
    assert events_of(everything) == ["grant.created", "grant.created", "escalation.decided", "escalation.decided"]
    decided = [
        d.payload["data"] for d in WebhookDelivery.objects.filter(event_type="escalation.decided").order_by("pk")
    ]
    assert [(d["escalation_id"], d["status"]) for d in decided] == [
        (approved.pk, "approved"),
        (declined.pk, "declined"),
    ]
    assert decided[0]["grant_id"] is not None and decided[1]["grant_id"] is None


@pytest.mark.django_db
def test_the_same_event_key_is_delivered_once_and_switched_off_subscribers_get_nothing(everything, ops):
    assert len(emit_event("survey.answered", {"score": 9}, key="answer:1")) == 1
    assert emit_event("survey.answered", {"score": 9}, key="answer:1") == []  # the same event again
    assert WebhookDelivery.objects.count() == 1

    webhook_subscriber_set_active(actor=ops, subscriber_id=everything.pk, active=False)
    assert emit_event("survey.answered", {"score": 3}, key="answer:2") == []
    assert WebhookDelivery.objects.count() == 1
