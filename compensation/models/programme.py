"""Programme tiers: a tier whose source is a status the customer holds or their lifetime spend.

Tenure tiers stay in `TenureTier` (their source is tenure, as in every
document from before sources existed); a programme tier says its source and
the value it needs (`compensation.tiers`). They are the policy's, the same for
every playbook, and published with it like every other draft table.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import predicates
from compensation.models.fields import MONEY, MULTIPLIER_RANGE, NON_NEGATIVE, POLICY_PERMISSIONS
from compensation.tiers import TierSource


class ProgrammeTier(RulesModel):
    """e.g. 'Platinum' for customers holding the Platinum status ×2.5, or 'Big spender' from 10,000 ×1.5."""

    class Source(models.TextChoices):
        STATUS = TierSource.STATUS, _("A status the customer holds")
        SPEND = TierSource.SPEND, _("Lifetime spend")

    name = models.CharField(_("name"), max_length=60, unique=True)
    name_ru = models.CharField(
        _("name (Russian)"), max_length=60, blank=True, help_text=_("Leave empty to show the English name.")
    )
    name_ro = models.CharField(
        _("name (Romanian)"), max_length=60, blank=True, help_text=_("Leave empty to show the English name.")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=40, blank=True, help_text=_("Status tiers only: the status name, e.g. Gold.")
    )
    min_spend = models.DecimalField(
        _("from lifetime spend"),
        **MONEY,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Spend tiers only: the lifetime spend from which this tier applies."),
    )
    multiplier = models.DecimalField(
        _("multiplier"),
        max_digits=4,
        decimal_places=2,
        validators=MULTIPLIER_RANGE,
        help_text=_("Multiplier of every playbook's cap for this tier."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "multiplier", "min_spend", "name"]
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="programme_tier_multiplier_positive"),
            models.CheckConstraint(
                condition=Q(min_spend__isnull=True) | Q(min_spend__gte=0), name="programme_tier_spend_non_negative"
            ),
            models.UniqueConstraint(
                fields=["status"], condition=Q(source=TierSource.STATUS) & ~Q(status=""), name="one_tier_per_status"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The value the source needs, named by its field (the publish refuses a document without it too)."""
        problem = programme_tier_problem(
            {"name": self.name, "source": self.source, "status": self.status, "min_spend": self.min_spend}
        )
        if problem:
            raise ValidationError({problem[0]: problem[1]})


def programme_tier_problem(entry: dict) -> tuple[str, str] | None:
    """(field, why) when a document's programme tier lacks what its source needs (active language), or None."""
    name = entry.get("name") or "?"
    source = entry.get("source")
    if source not in TierSource.PROGRAMME:
        return "source", gettext("Programme tier %(tier)s: source: choose a status or lifetime spend.") % {"tier": name}
    if source == TierSource.STATUS and not (entry.get("status") or "").strip():
        return "status", gettext("Programme tier %(tier)s: status: a status tier needs the status name, e.g. Gold.") % {
            "tier": name
        }
    if source == TierSource.SPEND and entry.get("min_spend") in (None, ""):
        return "min_spend", gettext(
            "Programme tier %(tier)s: from lifetime spend: a spend tier needs its threshold, e.g. 10000.00."
        ) % {"tier": name}
    return None
