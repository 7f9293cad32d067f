"""The redeem screen's forms: a voucher code typed or scanned, and "redeem now" with its one-time token."""

from django import forms
from django.utils.translation import gettext_lazy as _


class VoucherCodeForm(forms.Form):
    """The redeem screen's one input: typed, or scanned (a scanner types the code or link, then Enter)."""

    code = forms.CharField(
        label=_("Voucher code"),
        max_length=300,  # room for the customer's link, which a QR code holds
        help_text=_("Type or scan it, with or without the dash; the customer's link works too."),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "enterkeyhint": "go",
                "type": "search",
                "placeholder": "7KQ4M-XR9TB",
                "data-select-on-load": True,  # a scanned code replaces the last one (static/js/desk.js)
                "aria-describedby": "id_code_helptext voucher-status",
            }
        ),
        error_messages={
            "required": _("Voucher code: type or scan the code."),
            "max_length": _("Voucher code: too long to be a code or a voucher link."),
        },
    )


class VoucherRedeemForm(VoucherCodeForm):
    """'Redeem now': the code looked up and the page's one-time token, so a double click redeems once."""

    token = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("This form's one-time token is damaged: look the code up again.")},
    )
