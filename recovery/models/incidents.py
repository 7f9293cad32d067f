"""One failure that hit many customers at once (a delayed flight, an outage), and the customers it hit.

A manager logs the incident once, attaches the customers it hit, and grants
them all in one decision: each customer still gets an ordinary failure and
grant (`ServiceFailure.incident` names the incident), so every limit, the
journal and the audit apply to each as at the counter.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.categories import FailureCategory
from compensation.models import MONEY, Location, Playbook
from recovery import predicates
from recovery.models.customers import Customer


class Incident(RulesModel):
    """What happened, where and when, and the terms every customer it hit is compensated on."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(_("what happened"), max_length=200)
    category = models.CharField(_("failure category"), max_length=30, choices=FailureCategory.choices)
    happened_at = models.DateTimeField(_("when it happened"))
    playbook = models.ForeignKey(Playbook, verbose_name=_("playbook"), on_delete=models.PROTECT, related_name="+")
    # 0 is valid: the customers bought nothing (a delayed flight they had already paid elsewhere).
    purchase_value = models.DecimalField(_("purchase value"), **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_at", "-id"]
        rules_permissions = {
            "view": predicates.can_review_location_record,
            "add": predicates.can_log_incidents,
            "change": predicates.can_act_on_incident,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(condition=Q(purchase_value__gte=0), name="incident_purchase_value_non_negative"),
        ]
        indexes = [models.Index(fields=["location", "-happened_at", "-id"], name="incident_location_recent")]

    def __str__(self):
        return f"Incident #{self.pk}: {self.title}"


class IncidentCustomer(RulesModel):
    """A customer the incident hit: attached once (`(incident, customer)` is unique), granted at most once."""

    class Source(models.TextChoices):
        SEARCH = "search", _("Search")
        LIST = "list", _("Pasted list")
        CSV = "csv", _("CSV file")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="attached")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "id"]
        rules_permissions = {
            "view": predicates.can_view_incidents,
            "add": predicates.can_log_incidents,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["incident", "customer"], name="incident_customer_once"),
        ]

    def __str__(self):
        return f"{self.customer} in incident #{self.incident_id}"
