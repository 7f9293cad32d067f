"""What went wrong for a customer: the service failure a case opens with."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel

from compensation.categories import FailureCategory
from compensation.history import HistoricalRecords
from compensation.models import MONEY, Location
from recovery import predicates
from recovery.models.customers import Customer


class ServiceFailure(RulesModel):
    """What went wrong for a customer, where, and what they had paid (0: nothing was bought)."""

    # The codes and their words are the policy's (a playbook names the categories it suits).
    Category = FailureCategory

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="failures")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="failures")
    category = models.CharField(max_length=30, choices=Category.choices)
    purchase_value = models.DecimalField(**MONEY)
    note = models.CharField(max_length=500, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    # The incident this failure is one customer's share of (None: a failure logged at the counter alone).
    incident = models.ForeignKey(
        "recovery.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="failures"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-logged_at"]
        rules_permissions = {
            "view": predicates.can_review_location_record,
            "add": predicates.can_use_counter,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            # 0 is a purchase value: the customer bought nothing (a long wait, a missed flight).
            models.CheckConstraint(condition=Q(purchase_value__gte=0), name="failure_purchase_value_non_negative"),
            # An incident compensates each customer it hit exactly once, whoever retries the decision.
            models.UniqueConstraint(
                fields=["incident", "customer"],
                condition=Q(incident__isnull=False),
                name="failure_once_per_incident_customer",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "-logged_at", "-id"], name="failure_location_recent"),
            models.Index(fields=["-logged_at", "-id"], name="failure_recent"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} — {self.customer}"
