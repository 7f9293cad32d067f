"""The simulator's question: a purchase value, a tenure, a status and a lifetime spend, the role whose
authority applies and the currency.

Field formats only; every refusal names its field so the page can say what to fix.
"""

from decimal import Decimal

from babel.numbers import get_currency_name
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from compensation import wording
from compensation.forms.money_input import TypedMoneyField
from compensation.models import RoleAuthority
from compensation.money import minor_unit, quantize

MAX_PURCHASE_VALUE = Decimal("1000000000")
MAX_TENURE_MONTHS = 1200  # a hundred years: anything above is a typing error


class SimulatorForm(forms.Form):
    purchase_value = TypedMoneyField(
        label=_("Purchase value"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),  # 0: nothing bought, quoted with each playbook's base rule
        max_value=MAX_PURCHASE_VALUE,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": _("Purchase value: enter an amount."),
            "invalid": _("Purchase value: enter a number such as 24.50."),
            "min_value": _("Purchase value: must not be negative (0 when nothing was bought)."),
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
    status = forms.ChoiceField(
        label=_("Status held"),
        required=False,
        help_text=_("A status the version in force or the draft names; none: the customer holds no status."),
        error_messages={"invalid_choice": _("Status held: choose one of the statuses the policies name, or none.")},
    )
    lifetime_spend = TypedMoneyField(
        label=_("Lifetime spend"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_PURCHASE_VALUE,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("What the customer spent in the desk's records; empty: 0."),
        error_messages={
            "invalid": _("Lifetime spend: enter a number such as 12000.00."),
            "min_value": _("Lifetime spend: must not be negative."),
            "max_value": _("Lifetime spend: must not exceed 1,000,000,000."),
            "max_digits": _("Lifetime spend: too large."),
            "max_decimal_places": _("Lifetime spend: at most 2 decimal places."),
            "max_whole_digits": _("Lifetime spend: must not exceed 1,000,000,000."),
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
    case_granted = TypedMoneyField(
        label=_("Already granted on this case"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_PURCHASE_VALUE,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Empty or 0 for a new case; else the per-case room is explained."),
        error_messages={
            "invalid": _("Already granted on this case: enter a number such as 1500.00."),
            "min_value": _("Already granted on this case: must not be negative."),
            "max_value": _("Already granted on this case: must not exceed 1,000,000,000."),
            "max_digits": _("Already granted on this case: too large."),
            "max_decimal_places": _("Already granted on this case: at most 2 decimal places."),
            "max_whole_digits": _("Already granted on this case: must not exceed 1,000,000,000."),
        },
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        help_text=_("Caps round to its smallest unit, as at a location that grants in it."),
        error_messages={"invalid_choice": _("Currency: choose one of the currencies the active locations use.")},
    )

    location = forms.ChoiceField(
        label=_("At location"),
        required=False,
        help_text=_(
            "Only the playbooks offered there, with its own percent, floor and ceiling, in its currency. "
            "Empty: the policy's own values."
        ),
        error_messages={"invalid_choice": _("At location: choose one of the active locations.")},
    )

    def __init__(
        self, *args, currencies: list[str], default_currency: str, statuses: list[str] = (), locations=(), **kwargs
    ):
        """`currencies`: those the active locations grant in (the view reads them: compensation does not
        import the locations); `default_currency`: the deployment's, used when none is chosen;
        `statuses`: those the version in force and the draft name; `locations`: the active locations,
        each priced in its own currency when chosen."""
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("none"))] + [(name, name) for name in statuses]
        self.locations = {location.code: location for location in locations}
        self.fields["location"].choices = [("", _("Any location"))] + [
            (location.code, location.name) for location in locations
        ]
        self.default_currency = default_currency
        codes = sorted(set(currencies) | {default_currency})
        self.fields["currency"].choices = [
            (code, f"{code} — {get_currency_name(code, locale=wording.locale())}") for code in codes
        ]
        self.fields["currency"].initial = default_currency

    def clean_lifetime_spend(self) -> Decimal:
        return self.cleaned_data["lifetime_spend"] or Decimal("0")

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"] or self.default_currency

    def clean_location(self):
        """The chosen location, or None; its currency replaces the one chosen (see `clean`)."""
        return self.locations.get(self.cleaned_data["location"])

    def clean(self):
        """A purchase value finer than the currency's smallest unit (1000.5 yen) is a typing mistake, as at
        the counter: refused rather than quietly rounded into caps nobody could be quoted."""
        data = super().clean()
        if data.get("location") is not None:
            data["currency"] = data["location"].currency
        value, currency = data.get("purchase_value"), data.get("currency")
        if value is not None and currency and value != quantize(value, currency):
            self.add_error(
                "purchase_value",
                _("Purchase value: %(currency)s has no smaller unit than %(unit)s.")
                % {"currency": currency, "unit": wording.amount(minor_unit(currency), currency)},
            )
        return data
