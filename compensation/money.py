"""Money helpers: one place that knows how amounts are rounded and written.

Amounts are always `Decimal`. Each currency has its own minor unit (cents for
EUR, none for JPY); Babel's currency data says which, so we never hard-code it.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
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


def round_down(amount: Decimal, currency: str) -> Decimal:
    """Down to the currency's minor unit: an "at most" amount is never rounded past its bound (49.995 → 49.99)."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_FLOOR)


def round_up(amount: Decimal, currency: str) -> Decimal:
    """Up to the currency's minor unit: an "at least" amount (a floor) is never rounded below it."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_CEILING)


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


class Amounts:
    """Money in one or more currencies, kept apart: amounts of different currencies are never added.

    A figure over several locations (a week's spending, a playbook's total) is
    one sum per currency. Adding two `Amounts` adds per currency, and 0 is the
    empty sum, so `sum(...)` works. It compares equal to a number when it holds
    at most one currency (the usual single-currency deployment reads as before).
    """

    __slots__ = ("_sums",)

    def __init__(self, sums: dict[str, Decimal] | None = None):
        self._sums = dict(sorted((sums or {}).items()))

    @classmethod
    def of(cls, currency: str, amount: Decimal) -> "Amounts":
        return cls({currency: amount})

    def __add__(self, other):
        if isinstance(other, Amounts):
            sums = dict(self._sums)
            for currency, amount in other._sums.items():
                sums[currency] = sums.get(currency, ZERO) + amount
            return Amounts(sums)
        if isinstance(other, (int, Decimal)) and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def items(self) -> list[tuple[str, Decimal]]:
        """(currency, amount) pairs, by currency code."""
        return list(self._sums.items())

    def get(self, currency: str) -> Decimal:
        return self._sums.get(currency, ZERO)

    def _nonzero(self) -> dict[str, Decimal]:
        return {currency: amount for currency, amount in self._sums.items() if amount}

    def __eq__(self, other):
        if isinstance(other, Amounts):
            return self._nonzero() == other._nonzero()
        if isinstance(other, (int, Decimal)):
            amounts = list(self._nonzero().values())
            return len(amounts) <= 1 and sum(amounts, ZERO) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal sums in any order: unhashable, like a dict

    def __bool__(self):
        return bool(self._nonzero())

    def __repr__(self):
        return f"Amounts({self._sums!r})"
