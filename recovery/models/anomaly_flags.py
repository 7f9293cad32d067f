"""A pattern worth a manager's look, raised from the grants already made."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.models import Location
from recovery import predicates
from recovery.models.customers import Customer
from recovery.models.grants import Grant


class AnomalyFlag(RulesModel):
    """A pattern worth a manager's look: flagged for review afterwards, never blocking the grant.

    About 3% of customers try to cheat, so the counter never waits on these;
    `recovery.anomalies.anomalies_detect` raises them from the grants already
    made, each with the reason in words and the figures behind it. A manager of
    the location records the review outcome, which the audit journal keeps.
    `dedupe_key` makes detection idempotent: running it twice raises nothing new.
    """

    class Kind(models.TextChoices):
        CUSTOMER_ACROSS_LOCATIONS = "customer_across_locations", _("Same customer compensated at several locations")
        EMPLOYEE_ABOVE_PEERS = "employee_above_peers", _("Employee far above peers")
        AT_CAP_REPEATEDLY = "at_cap_repeatedly", _("Grants repeatedly at exactly the cap")
        NEW_CUSTOMER = "new_customer", _("Customer created minutes before the grant")
        VOID_AFTER_THE_FACT = "void_after_the_fact", _("Voided after the fact")
        SPLIT_GRANTS = "split_grants", _("Grants within minutes that together pass one grant's authority")

    class Outcome(models.TextChoices):
        FINE = "fine", _("Fine")
        TALKED = "talked", _("Talked to the employee")
        OTHER = "other", _("Other")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="anomaly_flags")
    grant = models.ForeignKey(
        Grant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="anomaly_flags",
        help_text=_("The grant that raised the flag (the latest one, for patterns over several grants)."),
    )
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, help_text=_("Why this was flagged, in words, with the figures."))
    figures = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    dedupe_key = models.CharField(max_length=120, unique=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        rules_permissions = {
            "view": predicates.can_review_location_record,
            "add": predicates.rules.always_deny,
            "change": predicates.can_review_anomaly,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", reviewed_at__isnull=True) | ~Q(outcome="") & Q(reviewed_at__isnull=False),
                name="anomaly_review_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "-raised_at"], name="anomaly_location_recent"),
            models.Index(fields=["grant"], name="anomaly_grant"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reason[:40]}"

    @property
    def is_open(self) -> bool:
        return not self.outcome
