"""Who may grant how much: role and employee authority, rolling customer limits, location budgets."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import predicates
from compensation.models.fields import MONEY, NON_NEGATIVE, POLICY_PERMISSIONS
from compensation.models.locations import Location
from compensation.predicates import FRONTLINE, MANAGER, OPS


def bound_field(label, help_text) -> models.DecimalField:
    """An optional authority bound beyond one grant (per case, per day, per month), as roles and employees state it."""
    return models.DecimalField(label, **MONEY, null=True, blank=True, validators=NON_NEGATIVE, help_text=help_text)


class RoleAuthority(RulesModel):
    """How much one employee in a role may grant per case without anyone's approval."""

    class Role(models.TextChoices):
        FRONTLINE = FRONTLINE, pgettext_lazy("role", "Frontline")
        MANAGER = MANAGER, pgettext_lazy("role", "Manager")
        OPS = OPS, pgettext_lazy("role", "Ops")

    role = models.CharField(max_length=20, choices=Role.choices, unique=True)
    limit = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    # The authority per case and per period (issue 17). Blank per case: the per-grant limit (as before);
    # blank daily or monthly: no such bound.
    case_limit = bound_field(
        _("per case"), _("The most all active grants on one case may add up to. Empty: the per-grant limit.")
    )
    daily_limit = bound_field(_("per day"), _("The most one employee may grant in a day. Empty: no daily limit."))
    monthly_limit = bound_field(
        _("per month"), _("The most one employee may grant in a calendar month. Empty: no monthly limit.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "role authorities"
        rules_permissions = POLICY_PERMISSIONS
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0), name="authority_limit_non_negative"),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.limit}"


class EmployeeAuthority(RulesModel):
    """A named employee's own authority limit, replacing their role's limit (higher or lower)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_authority")
    limit = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    note = models.CharField(max_length=200, blank=True, help_text=_("Why this person has their own limit."))
    # The authority per case and per period (issue 17). Blank per case: the per-grant limit (as before);
    # blank daily or monthly: no such bound.
    case_limit = bound_field(
        _("per case"), _("The most all active grants on one case may add up to. Empty: the per-grant limit.")
    )
    daily_limit = bound_field(_("per day"), _("The most one employee may grant in a day. Empty: no daily limit."))
    monthly_limit = bound_field(
        _("per month"), _("The most one employee may grant in a calendar month. Empty: no monthly limit.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "employee authorities"
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0), name="employee_authority_non_negative"),
        ]

    def __str__(self):
        return f"{self.user}: {self.limit}"


class CustomerLimit(RulesModel):
    """At most `max_grants` grants and `max_total` in value per customer in a rolling window of days
    or calendar months, of one playbook's grants or all, for one tier's customers or all.

    Counted across all locations, so a customer cannot collect the same limit
    again at the next shop. The rules' meaning is `compensation.customer_limits`.
    """

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        MONTHS = "months", _("calendar months")

    window_days = models.PositiveIntegerField(
        _("window"),
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Length of the rolling window, in the unit below."),
    )
    window_unit = models.CharField(
        _("window unit"),
        max_length=6,
        choices=Unit.choices,
        default=Unit.DAYS,
        help_text=_("Calendar months count from the same day that many months ago (the month's last day if shorter)."),
    )
    playbook = models.ForeignKey(
        "compensation.Playbook",
        verbose_name=_("playbook"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customer_limits",
        help_text=_(
            "Empty: every playbook's grants count. Set: only this playbook's grants count, and the limit "
            "applies only when granting it."
        ),
    )
    tier = models.CharField(
        _("tier"),
        max_length=40,
        blank=True,
        default="",
        help_text=_(
            "Empty: every customer. Set: only customers in this tier, for whom it replaces the every-tier limit "
            "with the same window and playbook."
        ),
    )
    max_grants = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit on the number.")
    )
    max_total = models.DecimalField(
        **MONEY, null=True, blank=True, validators=NON_NEGATIVE, help_text=_("Empty: no limit on the total value.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["window_unit", "window_days", "playbook_id", "tier"]
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.UniqueConstraint(
                fields=["window_days", "window_unit", "playbook", "tier"],
                condition=Q(playbook__isnull=False),
                name="one_customer_limit_per_playbook_window",
                violation_error_message=_("There is already a customer limit for this window, playbook and tier."),
            ),
            models.UniqueConstraint(
                fields=["window_days", "window_unit", "tier"],
                condition=Q(playbook__isnull=True),
                name="one_customer_limit_per_window",
                violation_error_message=_("There is already a customer limit for this window, playbook and tier."),
            ),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="customer_limit_window_positive"),
            models.CheckConstraint(condition=Q(max_total__gte=0) | Q(max_total__isnull=True), name="max_total_ok"),
        ]

    def __str__(self):
        return f"{self.window_days} {self.window_unit}"

    def clean(self):
        if self.max_grants is None and self.max_total is None:
            raise ValidationError({"max_grants": gettext("Set a number of grants, a total value, or both.")})
        if self.tier and self.tier not in tier_choices():
            raise ValidationError({"tier": gettext("Tier: choose one of the policy's tiers.")})


def tier_choices() -> dict[str, str]:
    """The draft's tiers as a customer limit names them ("tenure:3", "programme:5"), with their names."""
    from compensation.customer_limits import PROGRAMME_TIER, TENURE_TIER, tier_key
    from compensation.models.playbooks import TenureTier
    from compensation.models.programme import ProgrammeTier

    choices = {
        tier_key(TENURE_TIER, pk): name
        for pk, name in TenureTier.objects.order_by("min_months").values_list("pk", "name")
    }
    choices |= {
        tier_key(PROGRAMME_TIER, pk): name
        for pk, name in ProgrammeTier.objects.order_by("source", "multiplier", "pk").values_list("pk", "name")
    }
    return choices


class LocationBudget(RulesModel):
    """A location's monthly compensation budget and what happens once it is used up."""

    class WhenExhausted(models.TextChoices):
        WARN = "warn", _("Only warn (grants go through)")
        ESCALATE = "escalate", _("Require a manager's approval")

    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="budget")
    monthly_amount = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    when_exhausted = models.CharField(max_length=10, choices=WhenExhausted.choices, default=WhenExhausted.WARN)
    history = HistoricalRecords()

    class Meta:
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="budget_non_negative"),
        ]

    def __str__(self):
        return f"{self.location}: {self.monthly_amount} a month"
