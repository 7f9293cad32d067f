"""Compensation policy: playbooks, tenure tiers and role authority limits, and the locations they apply at.

These are the rules ops tune. Every change is kept in history
(django-simple-history) and grants copy the values they were made under, so a
later edit never rewrites the past.
"""

import zoneinfo
from decimal import Decimal

from babel.numbers import get_currency_precision, is_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import predicates, wording
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


def validate_timezone(value):
    """An IANA time zone name: the location's days, months and shown times are counted in it."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone (e.g. Europe/London)."),
            code="invalid_timezone",
            params={"value": value},
        )


def validate_currency(value):
    """An ISO 4217 code Babel knows, upper-case: its minor unit decides how the location's amounts round.

    Amounts are stored with two decimals, so a currency with finer units (KWD's
    fils) cannot be recorded exactly and is refused too.
    """
    if not (isinstance(value, str) and len(value) == 3 and value.isupper() and is_currency(value)):
        raise ValidationError(
            _("Currency: “%(code)s” is not an ISO 4217 currency code (e.g. EUR, JPY)."),
            code="invalid_currency",
            params={"code": value},
        )
    if get_currency_precision(value) > MONEY["decimal_places"]:
        raise ValidationError(
            _("Currency: %(code)s has %(places)s decimal places; amounts are stored with at most 2."),
            code="currency_too_fine",
            params={"code": value, "places": get_currency_precision(value)},
        )


def default_currency() -> str:
    """The deployment's currency (settings.RECOVERY_CURRENCY): new locations and, once, existing ones."""
    return settings.RECOVERY_CURRENCY


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


class TenureTier(RulesModel):
    """A band of customer tenure, e.g. 'Loyal' from 36 months, with its default multiplier."""

    name = models.CharField(max_length=60, unique=True)
    # Shown to Russian readers (the counter's tier badge, the cap steps); blank shows `name`.
    name_ru = models.CharField(
        _("name (Russian)"), max_length=60, blank=True, help_text=_("Leave empty to show the English name.")
    )
    min_months = models.PositiveIntegerField(
        unique=True, help_text=_("Tenure in whole months from which this tier applies.")
    )
    multiplier = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=MULTIPLIER_RANGE,
        help_text=_("Default multiplier of every playbook's cap for this tier."),
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
        """Keep tiers in order: a tier keeps its place between its neighbours, and a longer
        tenure never earns a lower default multiplier."""
        if self.min_months is None or self.multiplier is None:
            return
        others = TenureTier.objects.exclude(pk=self.pk)
        saved = TenureTier.objects.filter(pk=self.pk).first() if self.pk else None
        if saved is not None and saved.min_months != self.min_months:
            before = others.filter(min_months__lt=saved.min_months).order_by("-min_months").first()
            after = others.filter(min_months__gt=saved.min_months).order_by("min_months").first()
            if before and self.min_months <= before.min_months:
                raise ValidationError(
                    {
                        "min_months": gettext("Must be more than the previous tier %(tier)s (%(months)s months).")
                        % {"tier": before.name, "months": before.min_months}
                    }
                )
            if after and self.min_months >= after.min_months:
                raise ValidationError(
                    {
                        "min_months": gettext("Must be fewer than the next tier %(tier)s (%(months)s months).")
                        % {"tier": after.name, "months": after.min_months}
                    }
                )
        lower = others.filter(min_months__lt=self.min_months).order_by("-min_months").first()
        higher = others.filter(min_months__gt=self.min_months).order_by("min_months").first()
        if lower and self.multiplier < lower.multiplier:
            raise ValidationError(
                {
                    "multiplier": gettext("Must not be below the shorter tier %(tier)s (×%(multiplier)s).")
                    % {"tier": lower.name, "multiplier": wording.number(lower.multiplier)}
                }
            )
        if higher and self.multiplier > higher.multiplier:
            raise ValidationError(
                {
                    "multiplier": gettext("Must not be above the longer tier %(tier)s (×%(multiplier)s).")
                    % {"tier": higher.name, "multiplier": wording.number(higher.multiplier)}
                }
            )


class Playbook(RulesModel):
    """A ready compensation solution for a typical failure, capped per customer.

    Its texts (name, offer, apology script) are in English, required, and in
    Russian, optional: a blank Russian text shows the English one
    (`compensation.texts.localized_text`). They are plain `*_ru` columns rather
    than django-modeltranslation fields on purpose: modeltranslation makes
    `playbook.name` answer in the request's active language, so the draft
    document, the grant snapshot and `Grant.playbook_name` (English, for the
    audit and the CSV exports) would depend on who happened to publish or
    grant; it also needs `HistoricalRecords` moved out of the model to work
    with django-simple-history. The counter never reads this table anyway:
    pages render from the published document and the grant snapshot, which
    need explicit per-language keys whatever the table looks like.
    """

    class Kind(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("Given on the spot")
        VOUCHER = "voucher", _("Voucher for later")
        REIMBURSEMENT = "reimbursement", _("Out-of-pocket reimbursement")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    name_ru = models.CharField(
        _("name (Russian)"), max_length=120, blank=True, help_text=_("Leave empty to show the English name.")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    offer = models.CharField(max_length=200, help_text=_("What the customer gets, in words the customer understands."))
    offer_ru = models.CharField(
        _("offer (Russian)"), max_length=200, blank=True, help_text=_("Leave empty to show the English offer.")
    )
    apology_script = models.TextField(help_text=_("What the employee says, in their own voice."))
    apology_script_ru = models.TextField(
        _("apology script (Russian)"), blank=True, help_text=_("Leave empty to show the English script.")
    )
    percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_("Percentage of the purchase value."),
    )
    floor = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    ceiling = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    voucher_valid_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Days a voucher stays valid (voucher playbooks only).")
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
        """Worded when it runs (in the ops person's language): the draft form shows these as they are."""
        errors = {}
        if self.floor is not None and self.ceiling is not None and self.ceiling < self.floor:
            errors["ceiling"] = gettext("The ceiling must not be below the floor.")
        if self.kind == self.Kind.VOUCHER and not self.voucher_valid_days:
            errors["voucher_valid_days"] = gettext("A voucher playbook needs the number of days it stays valid.")
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

    def clean(self):
        """A playbook's own multiplier never falls below what a shorter tier gives the same playbook."""
        if self.playbook_id is None or self.tier_id is None or self.multiplier is None:
            return
        shorter = TenureTier.objects.filter(min_months__lt=self.tier.min_months).order_by("-min_months").first()
        if shorter is None:
            return
        override = PlaybookTierMultiplier.objects.filter(playbook_id=self.playbook_id, tier=shorter).first()
        floor = override.multiplier if override else shorter.multiplier
        if self.multiplier < floor:
            raise ValidationError(
                {
                    "multiplier": gettext(
                        "Must not be below ×%(multiplier)s, what the shorter tier %(tier)s gives this playbook."
                    )
                    % {"multiplier": wording.number(floor), "tier": shorter.name}
                }
            )


class RoleAuthority(RulesModel):
    """How much one employee in a role may grant per case without anyone's approval."""

    class Role(models.TextChoices):
        FRONTLINE = FRONTLINE, pgettext_lazy("role", "Frontline")
        MANAGER = MANAGER, pgettext_lazy("role", "Manager")
        OPS = OPS, pgettext_lazy("role", "Ops")

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


class EmployeeAuthority(RulesModel):
    """A named employee's own authority limit, replacing their role's limit (higher or lower)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_authority")
    limit = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    note = models.CharField(max_length=200, blank=True, help_text=_("Why this person has their own limit."))
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
    """At most `max_grants` grants and `max_total` in value per customer in a rolling window.

    Counted across all locations, so a customer cannot collect the same limit
    again at the next shop.
    """

    window_days = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(3650)], help_text=_("Length of the rolling window in days.")
    )
    max_grants = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit on the number.")
    )
    max_total = models.DecimalField(
        **MONEY, null=True, blank=True, validators=NON_NEGATIVE, help_text=_("Empty: no limit on the total value.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["window_days"]
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.UniqueConstraint(fields=["window_days"], name="one_customer_limit_per_window"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="customer_limit_window_positive"),
            models.CheckConstraint(condition=Q(max_total__gte=0) | Q(max_total__isnull=True), name="max_total_ok"),
        ]

    def __str__(self):
        return f"{self.window_days} days"

    def clean(self):
        if self.max_grants is None and self.max_total is None:
            raise ValidationError({"max_grants": gettext("Set a number of grants, a total value, or both.")})


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


class PolicyVersion(RulesModel):
    """A published, immutable snapshot of the whole policy, in force from `effective_at`.

    Ops edit the policy tables above as a draft; publishing copies them into
    `document`. The counter reads only published versions, so a half-finished
    edit never reaches a customer, and a grant names the version it used.
    """

    number = models.PositiveIntegerField(unique=True)
    effective_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=500)
    document = models.JSONField(help_text=_("Every playbook, tier and limit of this version."))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by_username = models.CharField(max_length=150)
    published_at = models.DateTimeField(default=timezone.now)
    restores = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text=_("Rolled back to this.")
    )

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        rules_permissions = {
            "view": predicates.can_view_policy,
            # Published versions are facts: only the publish service creates them.
            "add": predicates.rules.always_deny,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        indexes = [models.Index(fields=["-effective_at", "-number"], name="policy_version_in_force")]

    def __str__(self):
        return f"Version {self.number}"

    @property
    def is_scheduled(self) -> bool:
        return self.effective_at > timezone.now()


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit journal.

    Each entry's `hash` is SHA-256 over the previous entry's hash and this
    entry's canonical content, so changing, removing or reordering any entry
    breaks every hash after it (`python manage.py verify_audit` finds the
    first). There is one chain per location (its grants, voids, escalations)
    and one for the policy, so the location row lock that a grant already
    takes is the only thing entries wait on. Written only by
    `compensation.journal.journal_append`, in the same transaction as the
    change it records; never updated or deleted (a database trigger refuses it).
    """

    chain = models.CharField(max_length=40)
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    at = models.DateTimeField()
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["chain", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_event_once_per_place"),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_event_subject"),
            models.Index(fields=["location", "-at"], name="audit_event_location_recent"),
        ]

    def __str__(self):
        return f"{self.chain} #{self.sequence}: {self.kind} {self.subject_type} #{self.subject_id}"
