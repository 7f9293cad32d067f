"""Shared field settings and validators of the policy records: money, multipliers, time zones, currencies."""

import zoneinfo
from decimal import Decimal

from babel.numbers import get_currency_precision, is_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from compensation import predicates

MONEY = {"max_digits": 12, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
MULTIPLIER_RANGE = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10"))]

POLICY_PERMISSIONS = {
    "view": predicates.can_view_policy,
    "add": predicates.can_change_policy,
    "change": predicates.can_change_policy,
    # Policy rows are deactivated, never deleted: grants point at them.
    "delete": predicates.rules.always_deny,
}


def validate_timezone(value):
    """An IANA time zone name: the location's days, months and shown times are counted in it."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone (e.g. Europe/London)."),
            code="invalid_timezone",
            params={"value": value},
        )


def validate_currency(value):
    """An ISO 4217 code Babel knows, upper-case: its minor unit decides how the location's amounts round.

    Amounts are stored with two decimals, so a currency with finer units (KWD's
    fils) cannot be recorded exactly and is refused too.
    """
    if not (isinstance(value, str) and len(value) == 3 and value.isupper() and is_currency(value)):
        raise ValidationError(
            _("Currency: “%(code)s” is not an ISO 4217 currency code (e.g. EUR, JPY)."),
            code="invalid_currency",
            params={"code": value},
        )
    if get_currency_precision(value) > MONEY["decimal_places"]:
        raise ValidationError(
            _("Currency: %(code)s has %(places)s decimal places; amounts are stored with at most 2."),
            code="currency_too_fine",
            params={"code": value, "places": get_currency_precision(value)},
        )


def default_currency() -> str:
    """The deployment's currency (settings.RECOVERY_CURRENCY): new locations and, once, existing ones."""
    return settings.RECOVERY_CURRENCY
