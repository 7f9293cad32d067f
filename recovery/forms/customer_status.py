"""Ops set a customer's programme status: who (phone, email or loyalty card), which status, and why."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.forms import PlainTextFieldsMixin


class CustomerStatusForm(PlainTextFieldsMixin, forms.Form):
    """Field formats only; whether the customer exists and the status is named is the view's and service's."""

    customer = forms.CharField(
        label=_("Customer (phone, email or loyalty card)"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Customer: enter their phone, email or loyalty card."),
            "max_length": _("Customer: at most 120 characters."),
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        help_text=_("Only the statuses the policy in force names; none clears it."),
        error_messages={"invalid_choice": _("Status: choose one of the statuses the policy in force names, or none.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Reason: say why the status changes; it is kept in the audit."),
            "max_length": _("Reason: at most 500 characters."),
        },
    )

    def __init__(self, *args, statuses: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("none"))] + [(name, name) for name in statuses]
