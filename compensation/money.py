"""Money helpers: one place that knows how amounts are rounded and written.

Amounts are always `Decimal`. Each currency has its own minor unit (cents for
EUR, none for JPY); Babel's currency data says which, so we never hard-code it.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, format_decimal, get_currency_precision

ZERO = Decimal("0")


@lru_cache(maxsize=64)
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`, e.g. Decimal('0.01') for EUR."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit, as a till would."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


# Babel's formatting is slow and a grant writes about fifteen amounts (cap steps, limit reasons),
# mostly the same few caps and limits: remember the recent ones.
@lru_cache(maxsize=4096)
def format_amount(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Write an amount with grouping and exactly the currency's decimals: 2,500.00."""
    digits = get_currency_precision(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(quantize(amount, currency), format=pattern, locale=locale)


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """An amount with its currency, written the way `locale` writes money.

    Babel's CLDR data decides the symbol, its side and the separators:
    "€1,234.50" in English, "1 234,50 €" in Russian (no-break spaces), always
    with exactly the currency's decimals (rounded half-up first, as a till would).
    """
    return format_currency(quantize(Decimal(amount), currency), currency, locale=locale, currency_digits=True)
