"""Outgoing webhooks delivered: signed so the receiver can verify, retried on its schedule, logged, replayed.

The worker is django-q2 in sync mode (config/settings_test.py): a queued job
runs inside the test, so nothing here needs a running `qcluster`. The receiver
is a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from standardwebhooks import Webhook, WebhookVerificationError

from recovery import tasks
from recovery.domain.webhooks import GRANT_CREATED, RETRY_DELAYS, SURVEY_ANSWERED, retry_delay, signed_headers
from recovery.models import WebhookDelivery
from recovery.services.webhooks import emit_event, webhook_delivery_replay, webhook_subscriber_add
from tests import factories
from tests.conftest import client_for
from tests.recovery.webhook_receiver import Receiver

START = "2027-05-03T09:00:00+00:00"


@pytest.fixture
def receiver():
    server = Receiver(answers=[500, 500, 200]).start()
    yield server
    server.stop()


def subscribe(ops, url, events=(GRANT_CREATED,)):
    return webhook_subscriber_add(actor=ops, url=url, description="CRM", events=list(events))


def verify(secret: str, received) -> dict:
    """What a receiver does with the maintained library (the README's first snippet)."""
    return Webhook(secret).verify(received.body, received.headers)


def readme_verify():
    """The README's standard-library `verify`, run as a receiver would copy it."""
    text = (Path(settings.BASE_DIR) / "README.md").read_text()
    block = text.split("<!-- webhook-verify-snippet -->", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 (our own README)
    return scope["verify"]


# --- the signature --------------------------------------------------------------------


def test_the_signature_verifies_with_the_secret_and_refuses_a_changed_body_or_another_secret(clock):
    clock.move_to(START, tick=False)
    from django.utils import timezone

    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"type":"grant.created"}'
    headers = signed_headers(secret=secret, message_id="msg_1", at=timezone.now(), body=body)

    assert Webhook(secret).verify(body, headers) == {"type": "grant.created"}
    assert headers["webhook-timestamp"] == str(int(timezone.now().timestamp()))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"type":"grant.voided"}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB").verify(body, headers)
    clock.move_to("2027-05-03T09:06:00+00:00", tick=False)  # six minutes later: a replayed capture is refused
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, headers)


def test_the_retry_schedule_ends_after_five_retries():
    assert [retry_delay(n) for n in range(1, 6)] == list(RETRY_DELAYS)
    assert RETRY_DELAYS[0] == timedelta(minutes=1) and RETRY_DELAYS[-1] == timedelta(hours=12)
    assert retry_delay(6) is None


# --- delivery with retries ----------------------------------------------------------


@pytest.mark.django_db
def test_a_receiver_failing_twice_gets_the_event_on_the_third_try_signed(
    clock, receiver, ops, frontline, central, customer, django_capture_on_commit_callbacks
):
    clock.move_to(START, tick=False)
    shown = subscribe(ops, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        grant = factories.grant_for(frontline, central, customer)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at.isoformat() == "2027-05-03T09:01:00+00:00"
    assert "HTTP 500" in delivery.last_error and "receiver is down" in delivery.last_error

    # Not yet due: the sweep queues nothing and the receiver hears nothing more.
    clock.move_to("2027-05-03T09:00:59+00:00", tick=False)
    assert tasks.webhooks_deliver_due() == 0
    assert len(receiver.received) == 1

    clock.move_to("2027-05-03T09:01:00+00:00", tick=False)
    assert tasks.webhooks_deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at.isoformat() == "2027-05-03T09:06:00+00:00"  # then 5 minutes

    clock.move_to("2027-05-03T09:06:00+00:00", tick=False)
    assert tasks.webhooks_deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("delivered", 3, 200)
    assert delivery.delivered_at.isoformat() == "2027-05-03T09:06:00+00:00" and delivery.last_error == ""

    third = receiver.received[-1]
    event = verify(shown.secret, third)
    assert readme_verify()(shown.secret, third.body, third.headers) == event
    with pytest.raises(ValueError, match="bad signature"):
        readme_verify()(shown.secret, third.body + b" ", third.headers)
    assert event["type"] == "grant.created" and event["data"]["grant_id"] == grant.pk
    assert event["data"]["amount"] == format(grant.amount, "f") and event["data"]["location"] == "central"
    assert third.headers["webhook-timestamp"] == str(int(delivery.delivered_at.timestamp()))
    # Every try is the same event: the same id and the very same body; only the timestamp and signature move.
    assert {r.headers["webhook-id"] for r in receiver.received} == {str(delivery.event_id)}
    assert {r.body for r in receiver.received} == {third.body}

    # Delivered: the sweep leaves it alone from now on.
    clock.move_to("2027-05-04T09:00:00+00:00", tick=False)
    assert tasks.webhooks_deliver_due() == 0 and len(receiver.received) == 3


@pytest.mark.django_db
def test_the_delivery_log_shows_each_attempt(clock, receiver, ops, auditor, django_capture_on_commit_callbacks):
    clock.move_to(START, tick=False)
    subscribe(ops, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        emit_event(GRANT_CREATED, {"grant_id": 1}, key="grant:1")
    clock.move_to("2027-05-03T09:01:00+00:00", tick=False)
    tasks.webhooks_deliver_due()
    clock.move_to("2027-05-03T09:06:00+00:00", tick=False)
    tasks.webhooks_deliver_due()

    page = client_for(auditor).get("/ops/webhooks/deliveries/").content.decode()  # signed in at this hour
    assert page.count("HTTP 500 Internal Server Error: receiver is down") == 2  # the two failed attempts
    assert "delivered (HTTP 200)" in page
    assert "Deliver again" not in page  # auditors read only, and it was delivered


@pytest.mark.django_db
def test_after_the_last_retry_it_fails_and_deliver_again_sends_it(
    clock, ops, central, django_capture_on_commit_callbacks
):
    clock.move_to(START, tick=False)
    down = Receiver(answers=[503]).start()
    try:
        shown = subscribe(ops, down.url, events=[SURVEY_ANSWERED])
        with django_capture_on_commit_callbacks(execute=True):
            emit_event(SURVEY_ANSWERED, {"survey_id": 7, "score": 9}, key="answer:1")
        delivery = WebhookDelivery.objects.get()
        for delay in RETRY_DELAYS:  # the first attempt was queued at the commit; then the five retries
            clock.shift(delay)
            assert tasks.webhooks_deliver_due() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
        assert len(down.received) == 6
        clock.shift(timedelta(days=2))
        assert tasks.webhooks_deliver_due() == 0

        down.answers[:] = [200]  # the receiver is fixed
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_replay(actor=ops, delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.replayed_by) == ("delivered", 7, ops)
        assert verify(shown.secret, down.received[-1])["data"] == {"survey_id": 7, "score": 9}
    finally:
        down.stop()


@pytest.mark.django_db
def test_a_replay_that_fails_again_is_failed_at_once(clock, ops, django_capture_on_commit_callbacks):
    clock.move_to(START, tick=False)
    subscribe(ops, "http://127.0.0.1:9/closed", events=[SURVEY_ANSWERED])  # nothing listens: refused
    with django_capture_on_commit_callbacks(execute=True):
        emit_event(SURVEY_ANSWERED, {"survey_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_response_code is None
    assert delivery.last_error.startswith("Could not connect")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_replay(actor=ops, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)


def test_an_event_type_nobody_declared_is_a_programming_error():
    with pytest.raises(ValueError, match="survey.sent"):
        emit_event("survey.sent", {})


@pytest.mark.django_db
def test_the_body_is_plain_json_with_the_envelope(clock, receiver, ops, django_capture_on_commit_callbacks):
    clock.move_to(START, tick=False)
    receiver.answers[:] = [200]
    subscribe(ops, receiver.url, events=[SURVEY_ANSWERED])
    with django_capture_on_commit_callbacks(execute=True):
        emit_event(SURVEY_ANSWERED, {"score": 9}, key="answer:9")
    body = json.loads(receiver.received[0].body)
    assert body["type"] == "survey.answered" and body["data"] == {"score": 9}
    assert body["timestamp"] == "2027-05-03T09:00:00+00:00"
    assert receiver.received[0].headers["content-type"] == "application/json"
