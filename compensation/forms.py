"""Ops forms: the draft policy tables, publishing and rollback.

Field formats and the models' own validation (validators, `clean()`, unique
fields) only; whether a version may be published is the service's decision.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    LocationBudget,
    Playbook,
    PlaybookTierMultiplier,
    RoleAuthority,
    TenureTier,
)
from compensation.policy import PLAYBOOK_FIELDS


class FieldNamedErrorsMixin:
    """Prefix every field error with the field's label, so a message read alone still says where.

    Django's and the models' messages ("Ensure this value is less than or
    equal to 1000.") do not name the field; on a long form, or read out by a
    screen reader, "Percent: Ensure…" does. Messages that already start with
    the label are left alone.
    """

    def full_clean(self):
        super().full_clean()
        for name, errors in list(self._errors.items()):
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            label = str(self.fields[name].label or name.replace("_", " ").capitalize())
            renamed = []
            for error in errors.as_data():
                for message in error:
                    if not message.lower().startswith(label.lower()):
                        message = f"{label}: {message}"
                    renamed.append(ValidationError(message, code=error.code))
            self._errors[name] = self.error_class(renamed, renderer=self.renderer)


class DraftForm(FieldNamedErrorsMixin, forms.ModelForm):
    """A row of one draft policy table; `title` names the table on the page."""

    title = ""

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
            "voucher_valid_days": _("Voucher valid days"),
            "sort_order": _("Sort order"),
            "is_active": _("Active (offered at the counter once published)"),
        }
        widgets = {
            "apology_script": forms.Textarea(attrs={"rows": 3}),
            "apology_script_ru": forms.Textarea(attrs={"rows": 3}),
            "percent": forms.TextInput(attrs={"inputmode": "decimal"}),
            "floor": forms.TextInput(attrs={"inputmode": "decimal"}),
            "ceiling": forms.TextInput(attrs={"inputmode": "decimal"}),
            "voucher_valid_days": forms.TextInput(attrs={"inputmode": "numeric"}),
            "sort_order": forms.TextInput(attrs={"inputmode": "numeric"}),
        }


class TenureTierForm(DraftForm):
    title = _("Tenure tier")

    class Meta:
        model = TenureTier
        fields = ["name", "name_ru", "min_months", "multiplier"]
        labels = {"min_months": _("From months of tenure")}
        widgets = {
            "min_months": forms.TextInput(attrs={"inputmode": "numeric"}),
            "multiplier": forms.TextInput(attrs={"inputmode": "decimal"}),
        }


class RoleAuthorityForm(DraftForm):
    title = _("Role authority")

    class Meta:
        model = RoleAuthority
        fields = ["role", "limit"]
        widgets = {"limit": forms.TextInput(attrs={"inputmode": "decimal"})}


class EmployeeAuthorityForm(DraftForm):
    title = _("Employee authority")

    class Meta:
        model = EmployeeAuthority
        fields = ["user", "limit", "note"]
        labels = {"user": _("Employee")}
        widgets = {"limit": forms.TextInput(attrs={"inputmode": "decimal"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Deactivated employees keep their history but get no new limits.
        users = get_user_model().objects.filter(Q(is_active=True) | Q(pk=self.instance.user_id))
        self.fields["user"].queryset = users.order_by("username")


class CustomerLimitForm(DraftForm):
    title = _("Customer limit")

    class Meta:
        model = CustomerLimit
        fields = ["window_days", "max_grants", "max_total"]
        widgets = {
            "window_days": forms.TextInput(attrs={"inputmode": "numeric"}),
            "max_grants": forms.TextInput(attrs={"inputmode": "numeric"}),
            "max_total": forms.TextInput(attrs={"inputmode": "decimal"}),
        }


class LocationBudgetForm(DraftForm):
    title = _("Location budget")

    class Meta:
        model = LocationBudget
        fields = ["location", "monthly_amount", "when_exhausted"]
        widgets = {"monthly_amount": forms.TextInput(attrs={"inputmode": "decimal"})}


# URL `kind` -> the form that edits that draft table.
class TierMultiplierForm(DraftForm):
    """A playbook's own multiplier for one tier (e.g. free month ×2 for Loyal customers)."""

    title = _("Playbook multiplier for a tier")

    class Meta:
        model = PlaybookTierMultiplier
        fields = ["playbook", "tier", "multiplier"]
        help_texts = {"multiplier": _("Replaces the tier's default for this playbook; never below a shorter tier's.")}
        widgets = {"multiplier": forms.TextInput(attrs={"inputmode": "decimal"})}


DRAFT_FORMS: dict[str, type[DraftForm]] = {
    "playbook": PlaybookForm,
    "tier": TenureTierForm,
    "role-authority": RoleAuthorityForm,
    "employee-authority": EmployeeAuthorityForm,
    "customer-limit": CustomerLimitForm,
    "location-budget": LocationBudgetForm,
    "tier-multiplier": TierMultiplierForm,
}


class PublishForm(FieldNamedErrorsMixin, forms.Form):
    """Why the policy changes and from when; also used to roll back to an earlier version."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Reason: say why the policy changes; staff and managers will read it."),
            "max_length": _("Reason: keep it under 500 characters."),
        },
    )
    effective_at = forms.DateTimeField(
        label=_("Effective from"),
        required=False,
        # Typed in the current time zone; Django makes the value aware in it.
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to apply now; set a later time to schedule."),
        error_messages={"invalid": _("Effective from: enter a date and time, e.g. 2030-01-31 09:00.")},
    )

    def clean_effective_at(self):
        value = self.cleaned_data["effective_at"]
        try:
            if value is not None:
                value.astimezone(datetime.UTC)  # year 9999 west of UTC cannot be stored
        except OverflowError:
            raise forms.ValidationError(_("Effective from: choose a date within the next year.")) from None
        return value
