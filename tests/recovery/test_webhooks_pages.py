"""The ops webhook pages: subscribers (bad URLs refused by field, the secret shown once), the delivery log."""

from __future__ import annotations

import pytest
from django.test import override_settings

from recovery.models import WebhookDelivery, WebhookSubscriber
from recovery.services.webhooks import emit_event, webhook_subscriber_add
from tests.conftest import client_for

ADD = "/ops/webhooks/"
LOG = "/ops/webhooks/deliveries/"


@pytest.fixture
def ops_client(ops):
    return client_for(ops)


def add(client, url, events=("grant.created",), **extra):
    return client.post(ADD, {"url": url, "description": "CRM", "events": list(events)}, **extra)


def errors_of(response) -> str:
    return " ".join(str(error) for errors in response.context["form"].errors.values() for error in errors)


@pytest.mark.django_db
def test_ops_add_a_subscriber_and_see_its_secret_only_once(ops_client, auditor):
    response = add(ops_client, "https://crm.example.com/hooks/desk", events=["grant.created", "survey.answered"])
    assert response.status_code == 200
    subscriber = WebhookSubscriber.objects.get()
    assert subscriber.events == ["grant.created", "survey.answered"] and subscriber.created_by.username == "olga"
    assert subscriber.secret.startswith("whsec_") and subscriber.secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]

    for client in (ops_client, client_for(auditor)):
        page = client.get(ADD).content.decode()
        assert "https://crm.example.com/hooks/desk" in page and subscriber.secret not in page
    # Nor is it kept in the history auditors read.
    assert not hasattr(subscriber.history.model, "secret")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://crm.example.com/in", "only http:// and https://"),
        ("http://localhost:8000/hooks", "the desk itself"),
        ("http://127.0.0.1:9000/hooks", "the desk itself"),
        ("http://[::1]/hooks", "the desk itself"),
        ("not a url", "enter a full address"),
        ("", "enter the address"),
    ],
)
def test_a_bad_url_is_refused_with_the_field_named_and_nothing_stored(ops_client, url, reason):
    response = add(ops_client, url)
    assert response.status_code == 422
    message = errors_of(response)
    assert message.startswith("URL: ") and reason in message
    assert 'role="alert"' in response.content.decode()
    assert WebhookSubscriber.objects.count() == 0


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["testserver", ".desk.example.com"])
def test_a_name_in_allowed_hosts_is_the_desk(ops_client):
    response = add(ops_client, "https://eu.desk.example.com/ops/")
    assert response.status_code == 422 and "the desk itself" in errors_of(response)


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["*"])
def test_the_host_the_desk_is_reached_at_is_refused_too(ops_client):
    response = add(ops_client, "https://desk.example.com/hooks", HTTP_HOST="desk.example.com")
    assert response.status_code == 422 and "the desk itself" in errors_of(response)
    assert add(ops_client, "https://crm.example.com/hooks", HTTP_HOST="desk.example.com").status_code == 200


@pytest.mark.django_db
def test_no_event_chosen_is_refused_by_name(ops_client):
    response = add(ops_client, "https://crm.example.com/in", events=())
    assert response.status_code == 422 and errors_of(response).startswith("Events: ")
    assert WebhookSubscriber.objects.count() == 0


@pytest.mark.django_db
def test_rolling_the_secret_shows_a_new_one(ops_client, ops):
    first = webhook_subscriber_add(actor=ops, url="https://crm.example.com/in", description="", events=["grant.voided"])
    response = ops_client.post(f"/ops/webhooks/{first.subscriber.pk}/roll-secret/")
    first.subscriber.refresh_from_db()
    assert first.subscriber.secret != first.secret and first.subscriber.secret in response.content.decode()
    assert first.subscriber.history.first().history_change_reason == "Secret rolled"


@pytest.mark.django_db
def test_the_log_filters_by_status_and_deliver_again_requeues_a_failed_one(ops_client, ops):
    subscriber = webhook_subscriber_add(
        actor=ops, url="https://crm.example.com/in", description="", events=["survey.answered"]
    ).subscriber
    emit_event("survey.answered", {"n": 1}, key="a:1")
    emit_event("survey.answered", {"n": 2}, key="a:2")
    failed, delivered = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status="failed", attempts=6, last_response_code=500, last_error="HTTP 500 Internal Server Error: down"
    )
    WebhookDelivery.objects.filter(pk=delivered.pk).update(status="delivered", attempts=1, last_response_code=200)

    page = ops_client.get(LOG, {"status": "failed"}).content.decode()
    assert f'id="delivery-{failed.pk}"' in page and f'id="delivery-{delivered.pk}"' not in page
    assert "The receiver answered HTTP 500." in page and "Deliver again" in page
    assert ops_client.get(LOG, {"status": "lost"}).status_code == 422  # a made-up status: refused, not a 500

    response = ops_client.post(f"/ops/webhooks/deliveries/{failed.pk}/replay/")
    assert response.status_code == 302 and response["Location"] == LOG
    failed.refresh_from_db()
    assert (failed.status, failed.replayed_by) == ("pending", ops)

    # A delivered one is not sent again.
    response = ops_client.post(f"/ops/webhooks/deliveries/{delivered.pk}/replay/", follow=True)
    assert "only a failed delivery is sent again" in response.content.decode()
    delivered.refresh_from_db()
    assert delivered.status == "delivered" and subscriber.deliveries.count() == 2


@pytest.mark.django_db
def test_the_menu_links_the_page_for_ops_and_auditors_only(ops_client, auditor, manager):
    assert 'href="/ops/webhooks/"' in ops_client.get("/ops/").content.decode()
    assert 'href="/ops/webhooks/"' in client_for(auditor).get("/ops/").content.decode()
    assert 'href="/ops/webhooks/"' not in client_for(manager).get("/ops/").content.decode()
