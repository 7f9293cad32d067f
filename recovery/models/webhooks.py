"""Outgoing webhooks: who wants which events, and every delivery with its attempts.

A delivery row is written in the same transaction as the change it reports (a
grant rolled back reports nothing) and posted by the background worker
(django-q2, `recovery.tasks`) after the commit. The database keeps one row per
subscriber and event, so an event is never delivered twice, and a crashed
worker loses nothing: the scheduled job picks up whatever is due.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from recovery import predicates

WEBHOOK_RULES = {
    "view": predicates.can_view_webhooks,
    "add": predicates.can_change_webhooks,
    "change": predicates.can_change_webhooks,
    "delete": predicates.rules.always_deny,
}


class WebhookSubscriber(RulesModel):
    """Another system's URL and the events it wants, signed with its own secret.

    The secret must be kept readable (it signs every delivery), so it is shown
    to ops once, when the subscriber is added or its secret rolled, and never in
    a page or the history afterwards. Subscribers are switched off, never deleted,
    so the delivery log keeps naming whom it posted to.
    """

    url = models.URLField(max_length=500, help_text=_("Where the events are posted (http or https)."))
    description = models.CharField(max_length=200, blank=True, help_text=_("Which system this is, and who runs it."))
    events = models.JSONField(default=list, help_text=_("The event types this subscriber receives."))
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=80)
    secret_rolled_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The secret stays out of the history table: a history row is kept forever and read by auditors.
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["-created_at", "-id"]
        rules_permissions = WEBHOOK_RULES

    def __str__(self):
        return self.description or self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in self.events


class WebhookDelivery(RulesModel):
    """One event for one subscriber: the JSON posted, and how its attempts went.

    The history keeps each attempt (status, response code, error, who asked for
    "Deliver again"); the payload is left out of it, as it never changes.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscriber = models.ForeignKey(WebhookSubscriber, on_delete=models.PROTECT, related_name="deliveries")
    event_type = models.CharField(max_length=40)
    event_id = models.UUIDField(help_text=_("The event's id, sent as the webhook-id header."))
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # "Deliver again" on a failed delivery: one more attempt, and who asked for it.
    replayed_at = models.DateTimeField(null=True, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["payload"])

    class Meta:
        ordering = ["-created_at", "-id"]
        rules_permissions = WEBHOOK_RULES
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "event_id"], name="webhook_delivery_once_per_subscriber"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]), name="webhook_delivery_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event_type} {self.event_id} → {self.subscriber}"
