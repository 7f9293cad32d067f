"""Two-step sign-in: the one field every step asks for, the code from the employee's authenticator app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from recovery.domain.two_step import CODE_DIGITS, CODE_PATTERN


class TwoStepCodeForm(forms.Form):
    """Six digits from the app; spaces are forgiven (some apps show "123 456"), anything else is refused.

    Messages start with "Code:" (the field, as the services' refusals do), so
    this form does not use the label-prefixing mixin.
    """

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        strip=True,
        error_messages={
            "required": _("Code: type the 6 digits your authenticator app shows now."),
            "max_length": _("Code: type the 6 digits your authenticator app shows now."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "size": 8,
            }
        ),
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, autofocus: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:  # the sign-in's code step: the one thing to do on the page
            self.fields["code"].widget.attrs["autofocus"] = True

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not CODE_PATTERN.fullmatch(code):
            raise forms.ValidationError(
                _("Code: type the %(digits)d digits your authenticator app shows now (digits 0–9 only)."),
                code="invalid",
                params={"digits": CODE_DIGITS},
            )
        return code
