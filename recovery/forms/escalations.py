"""Escalation forms: the counter's request to a manager, and the manager's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.forms import PlainTextFieldsMixin
from recovery.forms.counter import ResolveForm
from recovery.forms.money import money_field


class EscalateForm(ResolveForm):
    """Above a limit: the same case as the resolve form, the amount to approve and why."""

    amount = money_field(_("Amount to approve"))
    reason = forms.CharField(
        label=_("Why this customer should get more"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Reason: tell the manager why this customer should get more."),
            "max_length": _("Reason: at most 500 characters."),
        },
    )

    # The hidden copies of the case are checked like the resolve form; their errors are shown there too.
    CASE_FIELDS = ("category", "purchase_value", "note", "playbook", "token", "quoted_purchase_value", "opened", "case")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Reason: tell the manager why this customer should get more."))
        return reason


class DecisionForm(PlainTextFieldsMixin, forms.Form):
    """A manager's decision on an escalation; the service insists on a note for a decline."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        error_messages={
            "required": _("Decision: choose approve or decline."),
            "invalid_choice": _("Decision: choose approve or decline."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        error_messages={"max_length": _("Note: at most 500 characters.")},
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
