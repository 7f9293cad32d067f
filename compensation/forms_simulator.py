"""The simulator's question: a purchase value, a tenure and the role whose authority applies.

Field formats only; every refusal names its field so the page can say what to fix.
"""

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from compensation.models import RoleAuthority

MAX_PURCHASE_VALUE = Decimal("1000000000")
MAX_TENURE_MONTHS = 1200  # a hundred years: anything above is a typing error


class SimulatorForm(forms.Form):
    purchase_value = forms.DecimalField(
        label=_("Purchase value"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_PURCHASE_VALUE,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": _("Purchase value: enter an amount."),
            "invalid": _("Purchase value: enter a number such as 24.50."),
            "min_value": _("Purchase value: must be more than 0."),
            "max_value": _("Purchase value: must not exceed 1,000,000,000."),
            "max_digits": _("Purchase value: too large."),
            "max_decimal_places": _("Purchase value: at most 2 decimal places."),
            "max_whole_digits": _("Purchase value: must not exceed 1,000,000,000."),
        },
    )
    tenure_months = forms.IntegerField(
        label=_("Tenure in months"),
        min_value=0,
        max_value=MAX_TENURE_MONTHS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("0 for a new customer; 36 is three years."),
        error_messages={
            "required": _("Tenure in months: enter a whole number of months (0 for a new customer)."),
            "invalid": _("Tenure in months: enter a whole number such as 36."),
            "min_value": _("Tenure in months: must not be negative."),
            "max_value": format_lazy(_("Tenure in months: must not exceed {limit}."), limit=MAX_TENURE_MONTHS),
        },
    )
    role = forms.ChoiceField(
        label=_("Authority of"),
        choices=RoleAuthority.Role.choices,
        initial=RoleAuthority.Role.FRONTLINE,
        error_messages={
            "required": _("Authority of: choose a role."),
            "invalid_choice": _("Authority of: choose one of the listed roles."),
        },
    )
