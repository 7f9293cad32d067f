"""A request to grant more than a cap or limit allows, decided by a manager."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.models import MONEY, Location, Playbook, PolicyVersion
from recovery import predicates
from recovery.models.customers import Customer
from recovery.models.failures import ServiceFailure
from recovery.models.grants import Grant


class Escalation(RulesModel):
    """A request to grant more than a cap or limit allows, decided by a manager of the location.

    The counter records it instead of refusing silently; the approval creates
    the grant. `(requested_by, token)` is unique so a double click records one
    request.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a manager")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="escalations")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="escalations")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="escalations")
    category = models.CharField(max_length=30, choices=ServiceFailure.Category.choices)
    purchase_value = models.DecimalField(**MONEY)
    failure_note = models.CharField(max_length=500, blank=True)
    # The case this asks to add to (its approval grants onto it); None: a new case.
    failure = models.ForeignKey(
        ServiceFailure, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_amount = models.DecimalField(**MONEY)
    allowed_amount = models.DecimalField(**MONEY, help_text=_("What the employee could grant without approval."))
    reason = models.CharField(max_length=500)
    stopped_by = models.JSONField(help_text=_("The limits that stopped the grant, with why."))
    # The quote at the time of the request, copied to the grant if approved.
    cap = models.DecimalField(**MONEY)
    cap_steps = models.JSONField()
    tenure_months = models.PositiveIntegerField()
    tenure_tier = models.CharField(max_length=60)
    authority_role = models.CharField(max_length=20)
    authority_limit = models.DecimalField(**MONEY)
    policy_snapshot = models.JSONField()
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations")
    requested_at = models.DateTimeField(default=timezone.now)
    token = models.UUIDField()
    # Named for the change history (`selectors.history_of`), which shows these fields as they change.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    grant = models.OneToOneField(
        Grant, verbose_name=_("grant"), null=True, blank=True, on_delete=models.PROTECT, related_name="escalation"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        rules_permissions = {
            "view": predicates.can_view_escalation,
            "add": predicates.can_use_counter,
            "change": predicates.can_decide_escalation,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "token"], name="escalation_once_per_token"),
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="escalation_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="escalation_decision_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "status", "-requested_at"], name="escalation_queue"),
            models.Index(fields=["location", "-requested_at", "-id"], name="escalation_location_recent"),
            models.Index(
                fields=["location", "-decided_at", "-id"],
                name="escalation_location_decided",
                condition=Q(decided_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Escalation #{self.pk}: {self.requested_amount} for {self.customer}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def currency(self) -> str:
        """The currency it was asked in (its quote's), else its location's: never the deployment's default."""
        return (self.policy_snapshot or {}).get("currency") or self.location.currency
