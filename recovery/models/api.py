"""The integration API's records: a point-of-sale or CRM key, and the answers it may replay."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.models import Location
from compensation.predicates import can_change_policy
from compensation.predicates import can_view_policy as can_view_policy_rule
from recovery import predicates


class ApiToken(RulesModel):
    """A point-of-sale or CRM integration's key to the JSON API, tied to one location and one role.

    The integration acts as a user of its own (in the role's group, working at
    the token's location, with no password), so the very rules that decide what
    a person in that role may do decide what the token may do. Only the SHA-256
    of the secret is stored: the secret is shown once, when ops create it.
    Tokens are revoked, never deleted, so grants keep naming who made them.
    """

    class Role(models.TextChoices):
        FRONTLINE = "frontline", _("Frontline (quote, grant, redeem)")
        MANAGER = "manager", _("Manager (also void and reconcile the location)")

    name = models.CharField(max_length=120, help_text=_("What the integration is, e.g. “POS till 3”."))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="api_tokens")
    role = models.CharField(max_length=20, choices=Role.choices)
    may_set_tenure = models.BooleanField(
        default=False,
        help_text=_("A trusted CRM may send when a customer became one (it raises their tier); others may not."),
    )
    may_set_status = models.BooleanField(
        default=False,
        help_text=_("A trusted CRM may set a customer's programme status (it raises their tier); others may not."),
    )
    prefix = models.CharField(
        max_length=24, unique=True, help_text=_("The secret's first characters, to recognise it.")
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Written on every request with one UPDATE (no history): when it was last used and its rate window.
    last_used_at = models.DateTimeField(null=True, blank=True)
    rate_window_start = models.DateTimeField(null=True, blank=True)
    rate_window_count = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["last_used_at", "rate_window_start", "rate_window_count"])

    class Meta:
        ordering = ["-created_at", "-id"]
        rules_permissions = {
            "view": can_view_policy_rule,
            "add": can_change_policy,
            "change": can_change_policy,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["frontline", "manager"]), name="api_token_role_serves_customers"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecord(models.Model):
    """The first response to an API write sent with an `Idempotency-Key`, replayed on a retry.

    Written in the same transaction as the grant or redemption it answers, so a
    retry sees either nothing (the first attempt changed nothing) or the whole
    answer. `(token, key)` is unique: a simultaneous duplicate waits for the
    first and then gets its answer. Kept at least 24 hours (`prune_idempotency_keys`).
    """

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    request_method = models.CharField(max_length=10)
    request_path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text=_("SHA-256 of the method, path and canonical JSON body."))
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self):
        return f"{self.request_method} {self.request_path} [{self.key}]"
