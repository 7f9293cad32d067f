"""Outgoing webhooks: events out of the desk's services, and the ops' subscribers.

`emit_event` is the one door: a service calls it inside its own transaction,
so the delivery rows commit (or roll back) with the change they report, and
the worker is asked to post them only once the transaction has committed
(`transaction.on_commit`). A grant rolled back sends nothing; a worker that
is down loses nothing (`webhooks_deliver_due` picks the rows up later).

Another feature emits its own event the same way, e.g. the survey tool::

    from recovery.services.webhooks import emit_event
    emit_event("survey.answered", {"survey_id": 7, "grant_id": 42, "score": 9}, key=f"survey-answer:{answer.pk}")
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_q.tasks import async_task

from compensation.recording import save_with_history
from recovery.domain.errors import RecoveryError
from recovery.domain.webhooks import (
    ESCALATION_DECIDED,
    EVENT_TYPES,
    GRANT_CREATED,
    GRANT_VOIDED,
    VOUCHER_REDEEMED,
    secret_new,
)
from recovery.models import WebhookDelivery, WebhookSubscriber

logger = logging.getLogger(__name__)

DELIVER_TASK = "recovery.tasks.webhook_deliver"

# Event ids derived from the event's own key (uuid5) are stable: the same event emitted twice is one row
# per subscriber (the unique constraint), so it is never delivered twice.
EVENT_NAMESPACE = uuid.UUID("6f1d3f8e-3c7a-4a57-9d87-4f6f1b7e2d11")


def enqueue_delivery(delivery_id: int) -> None:
    """Ask the worker (django-q2) to post one delivery now; in sync mode it is posted before this returns."""
    async_task(DELIVER_TASK, delivery_id, task_name=f"webhook-{delivery_id}", group="webhooks")


def emit_event(event_type: str, payload: dict, *, key: str | None = None) -> list[int]:
    """Record `event_type` for every active subscriber that wants it; post after the commit.

    `payload` is the event's data (JSON: Decimals and dates are written as
    strings). `key` names the event in its own terms ("grant:42"): emitting
    the same key again delivers nothing twice. Returns the new deliveries' ids.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {event_type!r}: add it to recovery.domain.webhooks.EVENT_TYPES")
    subscribers = [s for s in WebhookSubscriber.objects.filter(is_active=True) if s.wants(event_type)]
    if not subscribers:
        return []
    now = timezone.now()
    event_id = uuid.uuid5(EVENT_NAMESPACE, f"{event_type}:{key}") if key else uuid.uuid4()
    envelope = {"type": event_type, "id": str(event_id), "timestamp": now.isoformat(), "data": payload}
    created = []
    for subscriber in subscribers:
        delivery, new = WebhookDelivery.objects.get_or_create(
            subscriber=subscriber,
            event_id=event_id,
            defaults={"event_type": event_type, "payload": envelope, "created_at": now, "next_attempt_at": now},
        )
        if new:
            created.append(delivery.pk)
    for delivery_id in created:
        transaction.on_commit(lambda delivery_id=delivery_id: enqueue_delivery(delivery_id))
    return created


# --- the desk's own events -----------------------------------------------------------


def _money(value) -> str:
    return format(value, "f")


def emit_grant_created(grant) -> None:
    """A grant was made (at the counter, or by approving an escalation)."""
    emit_event(
        GRANT_CREATED,
        {
            "grant_id": grant.pk,
            "location": grant.location.code,
            "customer_id": grant.customer_id,
            "playbook": grant.playbook_name,
            "kind": grant.playbook_kind,
            "amount": _money(grant.amount),
            "currency": grant.currency,
            "granted_by": grant.granted_by_username,
            "approved_by_id": grant.approved_by_id,
            "granted_at": grant.granted_at.isoformat(),
            "voucher_expires_on": grant.voucher_expires_on.isoformat() if grant.voucher_expires_on else None,
        },
        key=f"grant:{grant.pk}",
    )


def emit_grant_voided(grant) -> None:
    """A manager voided a grant; its amount no longer counts."""
    emit_event(
        GRANT_VOIDED,
        {
            "grant_id": grant.pk,
            "location": grant.location.code,
            "amount": _money(grant.amount),
            "currency": grant.currency,
            "reason": grant.void_reason,
            "voided_by": grant.voided_by.get_username(),
            "voided_at": grant.voided_at.isoformat(),
        },
        key=f"grant:{grant.pk}",
    )


def emit_voucher_redeemed(redemption, grant) -> None:
    """A voucher was redeemed (the code itself is never sent: it is the customer's bearer secret)."""
    emit_event(
        VOUCHER_REDEEMED,
        {
            "grant_id": grant.pk,
            "redemption_id": redemption.pk,
            "location": redemption.location.code,
            "grant_location_id": grant.location_id,
            "amount": _money(grant.amount),
            "currency": grant.currency,
            "redeemed_by": redemption.redeemed_by_username,
            "redeemed_at": redemption.redeemed_at.isoformat(),
        },
        key=f"redemption:{redemption.pk}",
    )


def emit_escalation_decided(escalation) -> None:
    """A manager approved (with the grant it made) or declined an escalation."""
    emit_event(
        ESCALATION_DECIDED,
        {
            "escalation_id": escalation.pk,
            "location": escalation.location.code,
            "customer_id": escalation.customer_id,
            "status": escalation.status,
            "requested_amount": _money(escalation.requested_amount),
            "grant_id": escalation.grant_id,
            "decided_by": escalation.decided_by.get_username(),
            "decided_at": escalation.decided_at.isoformat(),
            "note": escalation.decision_note,
        },
        key=f"escalation:{escalation.pk}",
    )


# --- subscribers (ops) ---------------------------------------------------------------


@dataclass(frozen=True)
class SubscriberSecret:
    """A subscriber with its secret, shown to ops on this one answer."""

    subscriber: WebhookSubscriber
    secret: str


def _events_checked(events) -> list[str]:
    chosen = [event for event in EVENT_TYPES if event in set(events)]
    if not chosen:
        raise RecoveryError("events", gettext("Events: choose at least one event to send."))
    return chosen


def webhook_subscriber_add(*, actor, url: str, description: str, events) -> SubscriberSecret:
    """Add a subscriber with a new secret. The URL was checked by the form (http(s), not the desk)."""
    subscriber = WebhookSubscriber(
        url=url, description=description.strip(), events=_events_checked(events), secret=secret_new()
    )
    subscriber.created_by = actor
    save_with_history(subscriber, actor=actor, reason="Subscriber added")
    logger.info("webhook.subscriber_add subscriber_id=%s actor_id=%s", subscriber.pk, actor.pk)
    return SubscriberSecret(subscriber=subscriber, secret=subscriber.secret)


def webhook_secret_roll(*, actor, subscriber_id: int) -> SubscriberSecret:
    """Give the subscriber a new secret: every delivery from now on is signed with it."""
    with transaction.atomic():
        subscriber = WebhookSubscriber.objects.select_for_update().get(pk=subscriber_id)
        subscriber.secret = secret_new()
        subscriber.secret_rolled_at = timezone.now()
        save_with_history(subscriber, actor=actor, reason="Secret rolled")
    logger.info("webhook.secret_roll subscriber_id=%s actor_id=%s", subscriber.pk, actor.pk)
    return SubscriberSecret(subscriber=subscriber, secret=subscriber.secret)


def webhook_subscriber_set_active(*, actor, subscriber_id: int, active: bool) -> WebhookSubscriber:
    """Switch a subscriber on or off; switched off, it is sent nothing new (pending deliveries fail)."""
    with transaction.atomic():
        subscriber = WebhookSubscriber.objects.select_for_update().get(pk=subscriber_id)
        subscriber.is_active = active
        save_with_history(subscriber, actor=actor, reason="Switched on" if active else "Switched off")
    return subscriber


def webhook_delivery_replay(*, actor, delivery_id: int) -> WebhookDelivery:
    """Deliver again: a failed delivery gets one more attempt, now, with the same id and body."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status != WebhookDelivery.Status.FAILED:
            raise RecoveryError(
                None,
                gettext("Delivery #%(delivery)s is %(status)s: only a failed delivery is sent again.")
                % {"delivery": delivery.pk, "status": str(delivery.get_status_display()).lower()},
            )
        now = timezone.now()
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = now
        delivery.replayed_at = now
        delivery.replayed_by = actor
        save_with_history(delivery, actor=actor, reason="Deliver again")
        transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    logger.info("webhook.replay delivery_id=%s actor_id=%s", delivery.pk, actor.pk)
    return delivery
