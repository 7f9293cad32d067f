"""A location: where grants are made, with its own time zone, currency and budget."""

import zoneinfo

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import predicates
from compensation.models.fields import (
    default_currency,
    validate_currency,
    validate_timezone,
)


class Location(RulesModel):
    """A shop, hotel, clinic or desk where staff serve customers.

    It lives here, in the policy app, because both apps need it: budgets and
    the audit journal point at it, and so does every case record in
    `recovery`, which may depend on compensation but not the other way round.
    Its tables keep their `recovery_` names (no data moved), and
    `recovery.models.Location` still imports.
    """

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=default_currency,
        validators=[validate_currency],
        help_text=_(
            "ISO 4217 code, e.g. EUR or JPY. Grants here are made in it; policy amounts (caps, limits, "
            "budget) are read as amounts of it, without exchange rates."
        ),
    )
    # What kind of place it is (an airport desk, a city store): a playbook may be offered at locations of a kind
    # (`compensation.eligibility`). Lower-case words with hyphens, so "Airport" and "airport " are one kind.
    kind = models.SlugField(
        _("kind of location"),
        max_length=40,
        blank=True,
        help_text=_("E.g. airport or city-store: playbooks can be offered at every location of a kind."),
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords(table_name="recovery_historicallocation")

    class Meta:
        ordering = ["name"]
        # The table keeps the name it had when the model lived in recovery: the move changed no data.
        db_table = "recovery_location"
        rules_permissions = {
            "view": predicates.is_ops,
            "add": predicates.can_change_policy,
            "change": predicates.can_change_policy,
            "delete": predicates.rules.always_deny,
        }

    def __str__(self):
        return self.name

    def today(self):
        """The calendar date at this location now (tenure counts local days)."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.timezone))

    def month_start(self, now=None):
        """Midnight on the 1st of this location's current month, in its own time zone (budgets are monthly)."""
        local = timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(self.timezone))
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
