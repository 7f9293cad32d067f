"""The ops form for a new integration token: its name, location and role."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.forms import FieldNamedErrorsMixin, PlainTextFieldsMixin
from recovery.models import ApiToken, Location


class ApiTokenForm(PlainTextFieldsMixin, FieldNamedErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Which system will use it, e.g. “POS till 3” or “CRM”."),
        error_messages={"required": _("Name: say which system will use the token.")},
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.filter(is_active=True).order_by("name"),
        error_messages={
            "required": _("Location: choose where the integration works."),
            "invalid_choice": _("Location: choose one of the listed locations."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=ApiToken.Role.choices,
        help_text=_("What it may do: the same rules as for a person in that role."),
        error_messages={
            "required": _("Role: choose frontline or manager."),
            "invalid_choice": _("Role: choose frontline or manager."),
        },
    )
