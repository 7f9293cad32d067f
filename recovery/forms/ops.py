"""Ops forms over the case data: the replay window, the rule flag list's filter and handling a flag."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.forms import PlainTextFieldsMixin


class ReplayForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days back"),
        required=False,
        min_value=1,
        max_value=366,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Days back: enter a whole number of days such as 90."),
            "min_value": _("Days back: at least 1."),
            "max_value": _("Days back: at most 366."),
        },
    )


class FlagFilterForm(forms.Form):
    STATUS_CHOICES = [("open", _("Open")), ("handled", _("Handled")), ("all", _("All"))]

    status = forms.ChoiceField(
        label=_("Show"),
        choices=STATUS_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Show: choose open, handled or all.")},
    )


class FlagHandleForm(PlainTextFieldsMixin, forms.Form):
    handled_note = forms.CharField(
        label=_("What was done"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("What was done: say how the flag was handled."),
            "max_length": _("What was done: at most 500 characters."),
        },
    )
