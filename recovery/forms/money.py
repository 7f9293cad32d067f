"""The counter's money inputs: the field, the currency's smallest unit, and how the input looks for a currency."""

from decimal import Decimal

from babel.numbers import get_currency_symbol
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compensation import wording
from compensation.forms.money_input import TypedMoneyField
from compensation.money import minor_unit, quantize

MAX_MONEY = Decimal("1000000000")


def money_field(label, *, required: bool = True, help_text: str = "", zero_allowed: bool = False) -> forms.DecimalField:
    """A money input that opens the numeric keypad and explains every refusal by name.

    ASCII digits only, grouping as people type it ("2,500", "2 500"), the
    decimal separator of the page's language ("2,50" is 2.50 in Russian,
    refused in English): `compensation.typed_money`. `zero_allowed`: 0 is a
    value (a purchase value: nothing was bought), only a negative one is refused.
    """
    return TypedMoneyField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0") if zero_allowed else Decimal("0.01"),
        max_value=MAX_MONEY,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        # Lazy, so each refusal is worded in the language of the page that shows it.
        error_messages={
            "required": format_lazy(_("{label}: enter an amount."), label=label),
            "invalid": format_lazy(_("{label}: enter a number such as 24.50."), label=label),
            "min_value": (
                format_lazy(_("{label}: must not be negative (0 when nothing was bought)."), label=label)
                if zero_allowed
                else format_lazy(_("{label}: must be more than 0."), label=label)
            ),
            "max_value": format_lazy(_("{label}: must not exceed 1,000,000,000."), label=label),
            "max_digits": format_lazy(_("{label}: too large."), label=label),
            "max_decimal_places": format_lazy(_("{label}: at most 2 decimal places."), label=label),
            "max_whole_digits": format_lazy(_("{label}: must not exceed 1,000,000,000."), label=label),
        },
    )


def money_in_currency(value, currency: str, label) -> None:
    """Refuse an amount finer than `currency`'s minor unit (1000.5 yen): it is a typing mistake,
    never something to round away silently."""
    if value is not None and value != quantize(value, currency):
        raise forms.ValidationError(
            gettext("%(label)s: %(currency)s has no smaller unit than %(unit)s.")
            % {"label": label, "currency": currency, "unit": wording.amount(minor_unit(currency), currency)}
        )


def money_input(currency: str) -> dict:
    """How the counter's money inputs look for `currency`: the keypad, the step and the symbol."""
    unit = minor_unit(currency)
    return {
        "code": currency,
        "symbol": get_currency_symbol(currency, locale=translation.get_language() or settings.LANGUAGE_CODE),
        # Whole-unit currencies (JPY) need no decimal key on the phone keypad.
        "inputmode": "decimal" if unit < 1 else "numeric",
        "step": f"{unit:f}",
    }
