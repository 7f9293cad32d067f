"""Compensation policy: playbooks, tenure tiers and role authority limits.

These are the rules ops tune. Every change is kept in history
(django-simple-history) and grants copy the values they were made under, so a
later edit never rewrites the past.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import predicates
from compensation.predicates import FRONTLINE, MANAGER, OPS

MONEY = {"max_digits": 12, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
MULTIPLIER_RANGE = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10"))]

POLICY_PERMISSIONS = {
    "view": predicates.can_view_policy,
    "add": predicates.can_change_policy,
    "change": predicates.can_change_policy,
    # Policy rows are deactivated, never deleted: grants point at them.
    "delete": predicates.rules.always_deny,
}


class TenureTier(RulesModel):
    """A band of customer tenure, e.g. 'Loyal' from 36 months, with its default multiplier."""

    name = models.CharField(max_length=60, unique=True)
    min_months = models.PositiveIntegerField(
        unique=True, help_text="Tenure in whole months from which this tier applies."
    )
    multiplier = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=MULTIPLIER_RANGE,
        help_text="Default multiplier of every playbook's cap for this tier.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["min_months"]
        rules_permissions = POLICY_PERMISSIONS
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="tier_multiplier_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """Keep tiers monotone: a longer tenure never earns a lower default multiplier."""
        if self.min_months is None or self.multiplier is None:
            return
        others = TenureTier.objects.exclude(pk=self.pk)
        lower = others.filter(min_months__lt=self.min_months).order_by("-min_months").first()
        higher = others.filter(min_months__gt=self.min_months).order_by("min_months").first()
        if lower and self.multiplier < lower.multiplier:
            raise ValidationError(
                {"multiplier": f"Must not be below the shorter tier {lower.name} (×{lower.multiplier})."}
            )
        if higher and self.multiplier > higher.multiplier:
            raise ValidationError(
                {"multiplier": f"Must not be above the longer tier {higher.name} (×{higher.multiplier})."}
            )


class Playbook(RulesModel):
    """A ready compensation solution for a typical failure, capped per customer."""

    class Kind(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", "Given on the spot"
        VOUCHER = "voucher", "Voucher for later"
        REIMBURSEMENT = "reimbursement", "Out-of-pocket reimbursement"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    offer = models.CharField(max_length=200, help_text="What the customer gets, in words the customer understands.")
    apology_script = models.TextField(help_text="What the employee says, in their own voice.")
    percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text="Percentage of the purchase value.",
    )
    floor = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    ceiling = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    voucher_valid_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days a voucher stays valid (voucher playbooks only)."
    )
    sort_order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        rules_permissions = POLICY_PERMISSIONS
        constraints = [
            models.CheckConstraint(condition=Q(floor__gte=0), name="playbook_floor_non_negative"),
            models.CheckConstraint(condition=Q(ceiling__gte=F("floor")), name="playbook_ceiling_above_floor"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=1000), name="playbook_percent_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def issues_voucher(self) -> bool:
        return self.kind == self.Kind.VOUCHER

    def clean(self):
        errors = {}
        if self.floor is not None and self.ceiling is not None and self.ceiling < self.floor:
            errors["ceiling"] = "The ceiling must not be below the floor."
        if self.kind == self.Kind.VOUCHER and not self.voucher_valid_days:
            errors["voucher_valid_days"] = "A voucher playbook needs the number of days it stays valid."
        if errors:
            raise ValidationError(errors)


class PlaybookTierMultiplier(RulesModel):
    """A playbook's own multiplier for one tier, overriding the tier's default."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="tier_multipliers")
    tier = models.ForeignKey(TenureTier, on_delete=models.PROTECT, related_name="+")
    multiplier = models.DecimalField(max_digits=4, decimal_places=2, validators=MULTIPLIER_RANGE)
    history = HistoricalRecords()

    class Meta:
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.UniqueConstraint(fields=["playbook", "tier"], name="one_multiplier_per_playbook_tier"),
        ]

    def __str__(self):
        return f"{self.playbook} × {self.tier}: {self.multiplier}"


class RoleAuthority(RulesModel):
    """How much one employee in a role may grant per case without anyone's approval."""

    class Role(models.TextChoices):
        FRONTLINE = FRONTLINE, "Frontline"
        MANAGER = MANAGER, "Manager"
        OPS = OPS, "Ops"

    role = models.CharField(max_length=20, choices=Role.choices, unique=True)
    limit = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "role authorities"
        rules_permissions = POLICY_PERMISSIONS
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0), name="authority_limit_non_negative"),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.limit}"
