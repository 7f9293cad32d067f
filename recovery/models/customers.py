"""The customer of the whole chain, whose tenure the caps count."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.models import Location
from compensation.predicates import is_ops
from recovery import predicates


class Customer(RulesModel):
    """A customer of the whole chain; tenure counts from `customer_since`."""

    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, blank=True, help_text=_("Stored in international format (+44…)."))
    email = models.EmailField(blank=True)
    loyalty_card = models.CharField(max_length=40, blank=True)
    customer_since = models.DateField(help_text=_("Tenure is counted from this date."))
    # A programme status (Silver, Gold…) that reaches a status tier (`compensation.tiers`); blank: none.
    # Only a status the policy in force names is accepted, set by ops or a trusted CRM, and journalled
    # (`recovery.services.customer_status`). Lifetime spend is not stored: it is summed from the visits.
    # The database's own default too: a row written by SQL (a restore, a raw import) holds no status.
    status = models.CharField(_("status"), max_length=40, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        rules_permissions = {
            "view": predicates.can_use_counter | is_ops,
            "add": predicates.can_use_counter,
            "change": is_ops,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="customer_phone_unique"),
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="customer_email_unique"),
            models.UniqueConstraint(
                fields=["loyalty_card"], condition=~Q(loyalty_card=""), name="customer_card_unique"
            ),
        ]

    def __str__(self):
        return self.name
