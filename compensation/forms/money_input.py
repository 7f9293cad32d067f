"""`TypedMoneyField`: a DecimalField that reads amounts as `compensation.typed_money` does, and says one thing.

Django's DecimalField hands the text to `Decimal()`, which takes "１２３" and
"1_000", and gives an amount of 10^12 two messages (above the maximum, and too
many digits). This field reads ASCII digits with the separators of the form's
language (the active one when the form is cleaned), refuses other digits with a
message of their own, and reports only the first rule an amount breaks.
"""

from __future__ import annotations

from decimal import Decimal

from babel.core import UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from compensation.typed_money import DIGITS, TypedAmountError, parse_typed_amount


def separators(language: str | None = None) -> tuple[str, str]:
    """(decimal symbol, group symbol) of `language` (default: the active one), from Babel's CLDR data."""
    locale = translation.to_locale(language or translation.get_language() or settings.LANGUAGE_CODE)
    try:
        return get_decimal_symbol(locale), get_group_symbol(locale)
    except (UnknownLocaleError, ValueError):
        return ".", ","


class TypedMoneyField(forms.DecimalField):
    """An amount typed by a person: see `compensation.typed_money.parse_typed_amount` for what it accepts."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (Decimal, int)):
            return Decimal(value)
        decimal_symbol, group_symbol = separators()
        try:
            return parse_typed_amount(str(value), decimal_symbol=decimal_symbol, group_symbol=group_symbol)
        except TypedAmountError as error:
            if error.kind == DIGITS:
                raise ValidationError(
                    gettext("%(label)s: type the amount with the digits 0–9 (“%(typed)s” has other digits).")
                    % {"label": self.label, "typed": str(value).strip()[:40]},
                    code="digits",
                ) from None
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def run_validators(self, value):
        # The first rule broken only: 10^12 is above the maximum *and* has too many digits.
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise ValidationError(error.error_list[:1]) from None


def typed_money(field: forms.DecimalField) -> forms.DecimalField:
    """Make a plain DecimalField (one a ModelForm built) read amounts as `TypedMoneyField` does.

    TypedMoneyField only overrides methods, so the field keeps its bounds,
    widget and messages: switching the class of a form's own copy is enough.
    """
    if type(field) is forms.DecimalField:
        field.__class__ = TypedMoneyField
    return field
