"""The API's field types: text and ids that must arrive as JSON strings and integers, and money.

Money is a string with its currency's decimals ("12.50" euros, "158" yen):
`AmountField` on the way out, `MoneyField` (up to two decimals) on the way in.
"""

from __future__ import annotations

import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compensation.money import quantize
from compensation.plain_text import unsafe_character, unsafe_text_reason
from compensation.typed_money import has_foreign_digits
from recovery.forms.money import MAX_MONEY

MAX_ID = 2**63 - 1  # the database's bigint: a larger id names nothing (and must not reach the database)


class TextField(serializers.CharField):
    """Text that must arrive as a JSON string: `0` or `true` for a name is a mistake, not "0".

    Control and direction characters are refused as on the counter's forms
    (`compensation.plain_text`); `multiline=True` (a note, a reason) keeps line breaks.
    """

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        found = unsafe_character(value, multiline=self.multiline)
        if found is not None:
            reason = unsafe_text_reason(found)
            raise serializers.ValidationError(reason[:1].upper() + reason[1:])
        return value


class EmailAddressField(serializers.EmailField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


MONEY_SCHEMA = {
    "oneOf": [
        {"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$", "example": "48.00"},
        {"type": "number", "multipleOf": 0.01},
    ]
}


# The schema's pattern, with a sign allowed so "-1" is refused by the minimum, by name.
SCHEMA_MONEY = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


@extend_schema_field(MONEY_SCHEMA)
class MoneyField(serializers.DecimalField):
    """An amount as a string ("48.00") or a JSON number (read as an exact Decimal, never a float).

    A string has ASCII digits and at most one decimal point, as the schema says:
    `Decimal()` alone would also take "１２３", "1_000" and "1e3".
    """

    default_error_messages = {"digits": 'Use the digits 0-9, as in "48.00": "{typed}" has other digits.'}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, Decimal)):
            self.fail("invalid")
        if isinstance(data, str):
            typed = data.strip()
            if has_foreign_digits(typed):
                self.fail("digits", typed=typed[:40])
            if not SCHEMA_MONEY.fullmatch(typed):
                self.fail("invalid")
        return super().to_internal_value(data)


class RecordIdField(serializers.IntegerField):
    """A record's id: a JSON integer (not "5", not 5.0, not true)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def api_amount(value, currency: str) -> str:
    """An amount as the API writes it: a string with exactly the currency's decimals ("12.50", "158").

    A yen amount is stored as 158.00 (every amount column has two decimals), but
    "158.00" would claim a precision the currency does not have; a till or a
    CRM formatting it by the currency's own rules reads "158" as is.
    """
    return f"{quantize(Decimal(value), currency):f}"


class InCurrency:
    """A serializer whose object carries a `currency` (a grant, a quote, a voucher): the `AmountField`s in it,
    nested ones included, are written with that currency's decimals."""

    def to_representation(self, instance):
        self._currency = instance["currency"] if isinstance(instance, dict) else instance.currency
        return super().to_representation(instance)


class AmountField(serializers.DecimalField):
    """An amount the API writes, with the decimals of the currency of the object it belongs to.

    The schema stays a decimal string of up to two decimals (both "12.50" and
    "158" match it); outside an `InCurrency` serializer it keeps two decimals.
    """

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_representation(self, value):
        node = getattr(self, "parent", None)
        while node is not None:
            currency = getattr(node, "_currency", None)
            if currency:
                return api_amount(value, currency)
            node = getattr(node, "parent", None)
        return super().to_representation(value)


def money(*, zero_allowed: bool = False, **kwargs) -> MoneyField:
    """An amount in a request; `zero_allowed` for a purchase value (0: nothing was bought)."""
    minimum = Decimal("0") if zero_allowed else Decimal("0.01")
    return MoneyField(max_digits=12, decimal_places=2, min_value=minimum, max_value=MAX_MONEY, **kwargs)


def record_id(**kwargs) -> RecordIdField:
    return RecordIdField(min_value=1, max_value=MAX_ID, **kwargs)
