"""What ops tune per failure: tenure tiers, playbooks and their per-tier multipliers."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import eligibility, predicates, wording
from compensation.caps import NothingBought as NothingBoughtRule
from compensation.categories import FailureCategory, unknown_categories
from compensation.models.fields import (
    MONEY,
    MULTIPLIER_RANGE,
    NON_NEGATIVE,
    POLICY_PERMISSIONS,
)
from compensation.models.locations import Location


class TenureTier(RulesModel):
    """A band of customer tenure, e.g. 'Loyal' from 36 months, with its default multiplier."""

    name = models.CharField(max_length=60, unique=True)
    # Shown to Russian and Romanian readers (the counter's tier badge, the cap steps); blank shows `name`.
    name_ru = models.CharField(
        _("name (Russian)"), max_length=60, blank=True, help_text=_("Leave empty to show the English name.")
    )
    name_ro = models.CharField(
        _("name (Romanian)"), max_length=60, blank=True, help_text=_("Leave empty to show the English name.")
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
    Russian and Romanian, optional: a blank translation shows the English one
    (`compensation.texts.localized_text`). They are plain `*_ru`, `*_ro` columns rather
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

    class AppliesTo(models.TextChoices):
        ALL = eligibility.ALL, _("All locations")
        LOCATIONS = eligibility.LOCATIONS, _("Only the locations chosen")
        KINDS = eligibility.KINDS, _("Only locations of the kinds named")

    class NothingBought(models.TextChoices):
        """What the playbook gives when nothing was bought (the cap engine's `NothingBought` values)."""

        FLOOR = NothingBoughtRule.FLOOR, _("Its floor")
        FIXED = NothingBoughtRule.FIXED, _("A fixed base amount")
        NOT_OFFERED = NothingBoughtRule.NOT_OFFERED, _("Not offered")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    name_ru = models.CharField(
        _("name (Russian)"), max_length=120, blank=True, help_text=_("Leave empty to show the English name.")
    )
    name_ro = models.CharField(
        _("name (Romanian)"), max_length=120, blank=True, help_text=_("Leave empty to show the English name.")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    offer = models.CharField(max_length=200, help_text=_("What the customer gets, in words the customer understands."))
    offer_ru = models.CharField(
        _("offer (Russian)"), max_length=200, blank=True, help_text=_("Leave empty to show the English offer.")
    )
    offer_ro = models.CharField(
        _("offer (Romanian)"), max_length=200, blank=True, help_text=_("Leave empty to show the English offer.")
    )
    apology_script = models.TextField(help_text=_("What the employee says, in their own voice."))
    apology_script_ru = models.TextField(
        _("apology script (Russian)"), blank=True, help_text=_("Leave empty to show the English script.")
    )
    apology_script_ro = models.TextField(
        _("apology script (Romanian)"), blank=True, help_text=_("Leave empty to show the English script.")
    )
    percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_("Percentage of the purchase value."),
    )
    floor = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    ceiling = models.DecimalField(**MONEY, validators=NON_NEGATIVE)
    # A purchase value of 0 (a long wait, a missed flight: nothing bought) gives no percentage:
    # the playbook says what it gives then. The floor is what a percentage of 0 always gave.
    nothing_bought = models.CharField(
        _("when nothing was bought"),
        max_length=20,
        choices=NothingBought.choices,
        default=NothingBought.FLOOR,
        blank=True,  # a form that does not send it (an older page, a script) means the floor: see clean()
        help_text=_("What this playbook gives for a purchase value of 0."),
    )
    base_amount = models.DecimalField(
        _("base amount when nothing was bought"),
        **MONEY,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Only with a fixed base amount; at most the ceiling."),
    )
    voucher_valid_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Days a voucher stays valid (voucher playbooks only).")
    )
    sort_order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    # Failure category codes (`compensation.categories.FailureCategory`) this playbook suits: the counter
    # shows it first for those. Empty: it suits every failure, as every playbook did before fits existed.
    categories = models.JSONField(
        _("suits failures"),
        default=list,
        blank=True,
        help_text=_("Shown first at the counter for these failures; none ticked: suits every failure."),
    )
    # Where it is offered (`compensation.eligibility`): every location (as before eligibility existed),
    # the locations named by code, or the locations of the kinds named.
    applies_to = models.CharField(
        _("offered at"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL, blank=True
    )
    locations = models.JSONField(_("locations"), default=list, blank=True)
    location_kinds = models.JSONField(_("kinds of location"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        rules_permissions = POLICY_PERMISSIONS
        constraints = [
            models.CheckConstraint(condition=Q(floor__gte=0), name="playbook_floor_non_negative"),
            models.CheckConstraint(condition=Q(ceiling__gte=F("floor")), name="playbook_ceiling_above_floor"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=1000), name="playbook_percent_range"),
            models.CheckConstraint(
                condition=Q(base_amount__isnull=True) | Q(base_amount__gte=0), name="playbook_base_amount_non_negative"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def issues_voucher(self) -> bool:
        return self.kind == self.Kind.VOUCHER

    @property
    def category_labels(self) -> list[str]:
        """The failures it suits, in the reader's words (none: it suits every failure)."""
        known = dict(FailureCategory.choices)
        return [str(known[code]) for code in self.categories or () if code in known]

    def clean(self):
        """Worded when it runs (in the ops person's language): the draft form shows these as they are."""
        errors = {}
        if not self.nothing_bought:
            self.nothing_bought = self.NothingBought.FLOOR
        if not self.applies_to:
            self.applies_to = self.AppliesTo.ALL
        if self.floor is not None and self.ceiling is not None and self.ceiling < self.floor:
            errors["ceiling"] = gettext("The ceiling must not be below the floor.")
        if self.kind == self.Kind.VOUCHER and not self.voucher_valid_days:
            errors["voucher_valid_days"] = gettext("A voucher playbook needs the number of days it stays valid.")
        problem = categories_problem(self.categories, self.name)
        if problem:
            errors["categories"] = problem
        errors.update(self._eligibility_errors())
        problem = nothing_bought_problem(
            self.nothing_bought, self.base_amount, ceiling=self.ceiling, playbook=self.name, currency=None
        )
        if problem:
            errors["base_amount"] = problem
        if errors:
            raise ValidationError(errors)

    def _eligibility_errors(self) -> dict[str, str]:
        """Where it is offered must name somewhere real: a field error under the field ops fill in."""
        entry = {
            "name": self.name,
            "applies_to": self.applies_to,
            "locations": self.locations,
            "location_kinds": self.location_kinds,
        }
        problems = eligibility.eligibility_problems(
            entry, locations=dict(Location.objects.filter(is_active=True).values_list("code", "kind"))
        )
        errors = self._override_errors()
        if not problems:
            return errors
        field = {self.AppliesTo.LOCATIONS: "locations", self.AppliesTo.KINDS: "location_kinds"}.get(
            self.applies_to, "applies_to"
        )
        return errors | {field: " ".join(problems)}

    def _override_errors(self) -> dict[str, str]:
        """A new floor or ceiling must still fit each location's own values (`PlaybookLocationOverride`)."""
        if self.pk is None or self.floor is None or self.ceiling is None:
            return {}
        for override in self.location_overrides.select_related("location"):
            floor = override.floor if override.floor is not None else self.floor
            ceiling = override.ceiling if override.ceiling is not None else self.ceiling
            if ceiling < floor:
                return {
                    "floor" if override.ceiling is not None else "ceiling": gettext(
                        "%(location)s has its own %(value)s: with this floor and ceiling its ceiling would be below "
                        "its floor. Change its own values first."
                    )
                    % {
                        "location": override.location.name,
                        "value": gettext("ceiling %(amount)s") % {"amount": override.ceiling}
                        if override.ceiling is not None
                        else gettext("floor %(amount)s") % {"amount": override.floor},
                    }
                }
        return {}


def categories_problem(categories, playbook: str) -> str:
    """Why a playbook's `categories` cannot be published (in the active language), or "" when they can."""
    if not isinstance(categories, list) or not all(isinstance(code, str) for code in categories):
        return gettext('Playbook %(playbook)s: categories: a list of failure category codes, e.g. ["waiting"].') % {
            "playbook": playbook
        }
    unknown = unknown_categories(categories)
    if unknown:
        return gettext(
            "Playbook %(playbook)s: categories: %(unknown)s is not a failure category (known: %(known)s)."
        ) % {"playbook": playbook, "unknown": ", ".join(unknown), "known": ", ".join(FailureCategory.values)}
    return ""


def nothing_bought_problem(nothing_bought, base_amount, *, ceiling, playbook: str, currency) -> str:
    """Why a playbook's rule for a purchase value of 0 cannot be published (in the active language), or "".

    Named with the playbook and the field, as the draft form and the publish refusal show it. `currency`
    writes the amounts (None: the deployment's); amounts arrive as Decimals or the document's strings.
    """
    if nothing_bought not in Playbook.NothingBought.values:
        return gettext("Playbook %(playbook)s: when nothing was bought: choose %(choices)s.") % {
            "playbook": playbook,
            "choices": ", ".join(str(label) for label in Playbook.NothingBought.labels),
        }
    if nothing_bought != Playbook.NothingBought.FIXED:
        return ""
    if base_amount is None or base_amount == "":
        return gettext(
            "Playbook %(playbook)s: base amount when nothing was bought: enter the amount it gives, "
            "or choose its floor or not offered."
        ) % {"playbook": playbook}
    try:
        base = Decimal(base_amount)
        top = None if ceiling is None or ceiling == "" else Decimal(ceiling)
    except (ArithmeticError, TypeError, ValueError):
        return gettext("Playbook %(playbook)s: base amount when nothing was bought: enter a number such as 20.00.") % {
            "playbook": playbook
        }
    if base < 0:
        return gettext("Playbook %(playbook)s: base amount when nothing was bought: must not be negative.") % {
            "playbook": playbook
        }
    if top is not None and base > top:
        code = currency or settings.RECOVERY_CURRENCY
        return gettext(
            "Playbook %(playbook)s: base amount when nothing was bought (%(base)s) must not be above "
            "its ceiling (%(ceiling)s)."
        ) % {"playbook": playbook, "base": wording.amount(base, code), "ceiling": wording.amount(top, code)}
    return ""


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
