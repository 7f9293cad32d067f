"""A playbook's own values at one location (`compensation.eligibility`): a draft table ops edit, published with the
version like the per-tier multipliers."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import predicates
from compensation.models.fields import MONEY, NON_NEGATIVE, POLICY_PERMISSIONS
from compensation.models.locations import Location
from compensation.models.playbooks import Playbook


class PlaybookLocationOverride(RulesModel):
    """Percent, floor or ceiling of one playbook at one location; a blank value keeps the playbook's own."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="location_overrides")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(
        _("percent"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    floor = models.DecimalField(_("floor"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    ceiling = models.DecimalField(_("ceiling"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    history = HistoricalRecords()

    class Meta:
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.UniqueConstraint(fields=["playbook", "location"], name="one_override_per_playbook_location"),
            models.CheckConstraint(
                condition=Q(percent__isnull=False) | Q(floor__isnull=False) | Q(ceiling__isnull=False),
                name="override_changes_something",
            ),
        ]

    def __str__(self):
        return f"{self.playbook} @ {self.location}"

    def clean(self):
        """Worded for the ops person: an override that changes nothing, or a floor above the ceiling it ends with."""
        if self.percent is None and self.floor is None and self.ceiling is None:
            raise ValidationError(gettext("Set at least one of percent, floor or ceiling for this location."))
        if self.playbook_id is None:
            return
        floor = self.floor if self.floor is not None else self.playbook.floor
        ceiling = self.ceiling if self.ceiling is not None else self.playbook.ceiling
        if floor is not None and ceiling is not None and ceiling < floor:
            raise ValidationError({"ceiling": gettext("The ceiling at this location must not be below its floor.")})
