"""A customer's visit or purchase after (or before) a case: what recovery bought is measured from these."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from compensation.models import MONEY, Location
from compensation.predicates import is_ops
from recovery import predicates
from recovery.models.customers import Customer


class Visit(RulesModel):
    """One day a customer came to a location, with what they spent (0 when they bought nothing).

    Rows come from machines (a point of sale or CRM through the API, an ops CSV
    import) or from the counter finding the customer, and nobody edits them:
    a wrong import is fixed at its source and sent again. So there is no
    simple-history here (a history table would double every one of 100,000
    imported rows for changes that never happen); `source`, `recorded_by` and
    `recorded_at` say where each row came from. If users ever edit visits,
    add `HistoricalRecords()` then.

    `external_id` is the line's id in the sender's system (a receipt number):
    unique per source and location, so a batch sent twice stores nothing twice.
    The counter records at most one visit per customer, location and local day.
    """

    class Source(models.TextChoices):
        API = "api", _("Integration API")
        CSV = "csv", _("CSV import")
        COUNTER = "counter", _("Counter")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="visits")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(help_text=_("The location's local day of the visit."))
    amount = models.DecimalField(**MONEY, help_text=_("What the customer spent, in the location's currency."))
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]
        rules_permissions = {
            "view": predicates.can_view_audit,
            "add": is_ops | predicates.can_use_counter,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="visit_amount_non_negative"),
            models.UniqueConstraint(
                fields=["source", "location", "external_id"],
                condition=~Q(external_id=""),
                name="visit_external_id_once",
            ),
            models.UniqueConstraint(
                fields=["customer", "location", "visited_on"],
                condition=Q(source="counter"),
                name="visit_counter_once_a_day",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "visited_on"], name="visit_customer_day"),
            # Today's customers at a counter: the day's counter visits at one location.
            models.Index(fields=["location", "visited_on"], condition=Q(source="counter"), name="visit_counter_day"),
        ]

    def __str__(self):
        return f"{self.customer} at {self.location} on {self.visited_on}"
