"""The draft policy tables' forms, one per table, and `DRAFT_FORMS` (a URL's `kind` → its form).

Field formats and the models' own validation (validators, `clean()`, unique
fields) only; whether a version may be published is the service's decision.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from compensation.categories import FailureCategory
from compensation.forms.money_input import typed_money
from compensation.forms.named_errors import FieldNamedErrorsMixin
from compensation.forms.plain_text import PlainTextFieldsMixin
from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    Location,
    LocationBudget,
    Playbook,
    PlaybookLocationOverride,
    PlaybookTierMultiplier,
    ProgrammeTier,
    RoleAuthority,
    TenureTier,
)
from compensation.policy import PLAYBOOK_FIELDS


class DraftForm(PlainTextFieldsMixin, FieldNamedErrorsMixin, forms.ModelForm):
    """A row of one draft policy table; `title` names the table on the page."""

    title = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Amounts and percents are read as people type them, ASCII digits only (compensation.typed_money).
        for field in self.fields.values():
            typed_money(field)

    def save_to_draft(self, *, actor):
        """Save the row with its author in the history; None (and a form error) if a parallel save won."""
        self.instance._history_user = actor
        self.instance._change_reason = "Edited in the draft on the ops pages"
        try:
            with transaction.atomic():
                return self.save()
        except IntegrityError:
            # Validation passed, so another save got in first (e.g. the same code twice at once).
            self.add_error(
                None, _("Someone saved a conflicting change at the same moment: check the values and save again.")
            )
            return None


class PlaybookForm(DraftForm):
    title = _("Playbook")

    # Ticked boxes rather than the JSON field's text box; an unknown code is refused, naming the field.
    categories = forms.TypedMultipleChoiceField(
        label=_("Suits failures"),
        choices=FailureCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shown first at the counter for these failures; none ticked: suits every failure."),
        error_messages={"invalid_choice": _("“%(value)s” is not a failure category.")},
    )

    # Where it is offered: ticked active locations (by code, as the document names them) or kinds typed
    # as words; the model's clean() refuses an empty set under the field that is empty.
    locations = forms.TypedMultipleChoiceField(
        label=_("Locations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With “Only the locations chosen”."),
        error_messages={"invalid_choice": _("Locations: “%(value)s” is not an active location.")},
    )
    location_kinds = forms.CharField(
        label=_("Kinds of location"),
        required=False,
        max_length=400,
        help_text=_("With “Only locations of the kinds named”: e.g. airport, city-store (commas between)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The three rules only (no blank radio): one is always chosen, the floor for a new playbook.
        self.fields["nothing_bought"].choices = Playbook.NothingBought.choices
        self.fields["nothing_bought"].initial = self.instance.nothing_bought or Playbook.NothingBought.FLOOR
        self.fields["applies_to"].choices = Playbook.AppliesTo.choices
        self.fields["applies_to"].initial = self.instance.applies_to or Playbook.AppliesTo.ALL
        active = Location.objects.filter(is_active=True).order_by("name")
        self.fields["locations"].choices = [
            (location.code, f"{location.name} ({location.code})") for location in active
        ]
        self.initial["location_kinds"] = ", ".join(self.instance.location_kinds or ())

    def clean_location_kinds(self) -> list[str]:
        """ "Airport, city store" → ["airport", "city-store"]: the kinds as `Location.kind` writes them."""
        words = [word.strip() for word in self.cleaned_data["location_kinds"].split(",")]
        kinds = [slugify(word) for word in words if word]
        if any(not kind for kind in kinds):
            raise forms.ValidationError(_("Kinds of location: use letters, digits and hyphens, e.g. airport."))
        return list(dict.fromkeys(kinds))

    class Meta:
        model = Playbook
        fields = list(PLAYBOOK_FIELDS)
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "kind": _("Kind"),
            "offer": _("Offer"),
            "apology_script": _("Apology script"),
            "percent": _("Percent"),
            "floor": _("Floor"),
            "ceiling": _("Ceiling"),
            "nothing_bought": _("When nothing was bought"),
            "base_amount": _("Base amount when nothing was bought"),
            "voucher_valid_days": _("Voucher valid days"),
            "sort_order": _("Sort order"),
            "is_active": _("Active (offered at the counter once published)"),
            "applies_to": _("Offered at"),
        }
        widgets = {
            "apology_script": forms.Textarea(attrs={"rows": 3}),
            "apology_script_ru": forms.Textarea(attrs={"rows": 3}),
            "apology_script_ro": forms.Textarea(attrs={"rows": 3}),
            "percent": forms.TextInput(attrs={"inputmode": "decimal"}),
            "floor": forms.TextInput(attrs={"inputmode": "decimal"}),
            "ceiling": forms.TextInput(attrs={"inputmode": "decimal"}),
            "nothing_bought": forms.RadioSelect,
            "applies_to": forms.RadioSelect,
            "base_amount": forms.TextInput(attrs={"inputmode": "decimal"}),
            "voucher_valid_days": forms.TextInput(attrs={"inputmode": "numeric"}),
            "sort_order": forms.TextInput(attrs={"inputmode": "numeric"}),
        }


class LocationOverrideForm(DraftForm):
    """A playbook's own percent, floor or ceiling at one location (e.g. the airport desk's dearer ceiling)."""

    title = _("Playbook values at one location")

    class Meta:
        model = PlaybookLocationOverride
        fields = ["playbook", "location", "percent", "floor", "ceiling"]
        help_texts = {
            "percent": _("Empty: the playbook's own."),
            "floor": _("Empty: the playbook's own."),
            "ceiling": _("Empty: the playbook's own."),
        }
        widgets = {
            "percent": forms.TextInput(attrs={"inputmode": "decimal"}),
            "floor": forms.TextInput(attrs={"inputmode": "decimal"}),
            "ceiling": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True).order_by("name")


class TenureTierForm(DraftForm):
    title = _("Tenure tier")

    class Meta:
        model = TenureTier
        fields = ["name", "name_ru", "name_ro", "min_months", "multiplier"]
        labels = {"min_months": _("From months of tenure")}
        widgets = {
            "min_months": forms.TextInput(attrs={"inputmode": "numeric"}),
            "multiplier": forms.TextInput(attrs={"inputmode": "decimal"}),
        }


class ProgrammeTierForm(DraftForm):
    """A status tier (the status name) or a lifetime spend tier (its threshold); the model names a missing value."""

    title = _("Programme tier")

    class Meta:
        model = ProgrammeTier
        fields = ["name", "name_ru", "name_ro", "source", "status", "min_spend", "multiplier"]
        widgets = {
            "source": forms.RadioSelect,
            "min_spend": forms.TextInput(attrs={"inputmode": "decimal"}),
            "multiplier": forms.TextInput(attrs={"inputmode": "decimal"}),
        }


class RoleAuthorityForm(DraftForm):
    title = _("Role authority")

    class Meta:
        model = RoleAuthority
        fields = ["role", "limit", "case_limit", "daily_limit", "monthly_limit"]
        widgets = {name: forms.TextInput(attrs={"inputmode": "decimal"}) for name in fields[1:]}


class EmployeeAuthorityForm(DraftForm):
    title = _("Employee authority")

    class Meta:
        model = EmployeeAuthority
        fields = ["user", "limit", "case_limit", "daily_limit", "monthly_limit", "note"]
        labels = {"user": _("Employee")}
        widgets = {name: forms.TextInput(attrs={"inputmode": "decimal"}) for name in fields[1:5]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Deactivated employees keep their history but get no new limits.
        users = get_user_model().objects.filter(Q(is_active=True) | Q(pk=self.instance.user_id))
        self.fields["user"].queryset = users.order_by("username")


class CustomerLimitForm(DraftForm):
    """A rolling customer limit: its window in days or calendar months, and optionally one playbook
    (only its grants count, and only granting it is limited) and one tier (its customers only)."""

    title = _("Customer limit")

    # Tiers as the policy document names them ("tenure:3", "programme:5"): an unknown one is refused by name.
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        help_text=CustomerLimit._meta.get_field("tier").help_text,
        error_messages={"invalid_choice": _("“%(value)s” is not one of the policy's tiers.")},
    )

    class Meta:
        model = CustomerLimit
        fields = ["window_days", "window_unit", "playbook", "tier", "max_grants", "max_total"]
        labels = {
            "window_days": _("Window"),
            "window_unit": _("Window unit"),
            "playbook": _("Playbook"),
            "max_grants": _("Max grants"),
            "max_total": _("Max total"),
        }
        widgets = {
            "window_days": forms.TextInput(attrs={"inputmode": "numeric"}),
            "max_grants": forms.TextInput(attrs={"inputmode": "numeric"}),
            "max_total": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any playbook, an inactive one too (its rule waits for it); the tiers of the draft, by kind.
        self.fields["playbook"].queryset = Playbook.objects.order_by("sort_order", "name", "id")
        self.fields["playbook"].empty_label = _("Every playbook")
        tenure = [
            (f"tenure:{pk}", name) for pk, name in TenureTier.objects.order_by("min_months").values_list("pk", "name")
        ]
        programme = [
            (f"programme:{pk}", name)
            for pk, name in ProgrammeTier.objects.order_by("source", "multiplier", "pk").values_list("pk", "name")
        ]
        self.fields["tier"].choices = [("", _("Every tier"))] + [
            (_("Tenure tiers"), tenure),
            (_("Programme tiers"), programme),
        ]
        # Left out (a form from before units): days, as every limit was.
        self.fields["window_unit"].required = False

    def clean_window_unit(self):
        return self.cleaned_data.get("window_unit") or CustomerLimit.Unit.DAYS


class LocationBudgetForm(DraftForm):
    title = _("Location budget")

    class Meta:
        model = LocationBudget
        fields = ["location", "monthly_amount", "when_exhausted"]
        widgets = {"monthly_amount": forms.TextInput(attrs={"inputmode": "decimal"})}


class TierMultiplierForm(DraftForm):
    """A playbook's own multiplier for one tier (e.g. free month ×2 for Loyal customers)."""

    title = _("Playbook multiplier for a tier")

    class Meta:
        model = PlaybookTierMultiplier
        fields = ["playbook", "tier", "multiplier"]
        help_texts = {"multiplier": _("Replaces the tier's default for this playbook; never below a shorter tier's.")}
        widgets = {"multiplier": forms.TextInput(attrs={"inputmode": "decimal"})}


# URL `kind` -> the form that edits that draft table.
DRAFT_FORMS: dict[str, type[DraftForm]] = {
    "playbook": PlaybookForm,
    "tier": TenureTierForm,
    "programme-tier": ProgrammeTierForm,
    "role-authority": RoleAuthorityForm,
    "employee-authority": EmployeeAuthorityForm,
    "customer-limit": CustomerLimitForm,
    "location-budget": LocationBudgetForm,
    "tier-multiplier": TierMultiplierForm,
    "location-override": LocationOverrideForm,
}
