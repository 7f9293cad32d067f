"""Reads for the webhook pages and the worker's sweep: subscribers, deliveries, each delivery's attempts."""

from __future__ import annotations

from django.utils import timezone

from recovery.models import WebhookDelivery, WebhookSubscriber

# At most this many due deliveries are handed to the worker per sweep; the next sweep takes the rest.
SWEEP_BATCH = 200
# The delivery log shows the newest deliveries first, this many at a time.
LOG_PAGE = 100


def webhook_subscribers():
    """Every subscriber, newest first (switched-off ones too: the log still names them)."""
    return WebhookSubscriber.objects.select_related("created_by").order_by("-created_at", "-id")


def webhook_deliveries(*, status: str = "", subscriber_id: int | None = None):
    """The delivery log, newest first, optionally one status or one subscriber only."""
    deliveries = WebhookDelivery.objects.select_related("subscriber", "replayed_by").order_by("-created_at", "-id")
    if status:
        deliveries = deliveries.filter(status=status)
    if subscriber_id:
        deliveries = deliveries.filter(subscriber_id=subscriber_id)
    return deliveries[:LOG_PAGE]


def webhook_log(*, status: str = "") -> list[tuple[WebhookDelivery, list]]:
    """The delivery log: each delivery with its attempts and re-sends, oldest first (its history rows
    after the one that created it), read in two queries."""
    deliveries = list(webhook_deliveries(status=status))
    attempts: dict[int, list] = {delivery.pk: [] for delivery in deliveries}
    rows = (
        WebhookDelivery.history.filter(id__in=attempts, history_type="~")
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for row in rows:
        attempts[row.id].append(row)
    return [(delivery, attempts[delivery.pk]) for delivery in deliveries]


def webhooks_due_ids(*, now=None, limit: int = SWEEP_BATCH) -> list[int]:
    """The pending deliveries whose time has come, oldest first."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
