"""Reading an amount a person typed: ASCII digits, the form's own decimal separator, grouping as people write it.

`Decimal("１２３")` is 123 and `Decimal("1_000")` is 1000: Python reads every
Unicode digit and underscores, so a DecimalField took full-width digits,
Arabic-Indic digits and `1e3`, although the API's schema promises ASCII digits.
`parse_typed_amount` reads only:

- the digits 0–9 (any other digit is refused as `DIGITS`, so the message can say so);
- an optional sign in front (a negative amount is then refused by the field's minimum, by name);
- at most one decimal separator: the locale's own (`.` in English, `,` in Russian
  and Romanian), and also `.` wherever `.` is not the locale's grouping
  separator (Russian keypads often give a point);
- grouping of the whole part in threes, as people write it: the locale's group
  separator (`,` in English, `.` in Romanian) or a space (also the no-break
  spaces Russian uses): "2,500", "2 500", "2.500,50" in Romanian.

Grouping must be exactly in threes, so "2,50" is never read as 250: in English
it is refused (the comma is not a decimal separator there), in Russian and
Romanian it is 2.50. A separator is grouping only in a locale that groups with
it: "2.500" is 2500 in Romanian, and in English a decimal point whose third
decimal place the money field then refuses by name. A single "." that cannot
be grouping ("100.00", as a form renders a stored amount) is a decimal point
in every locale. Everything else is `FORMAT`.
"""

from __future__ import annotations

import re
from decimal import Decimal

ASCII_DIGITS = frozenset("0123456789")
SPACES = frozenset(" \u00a0\u202f")

DIGITS, FORMAT = "digits", "format"


class TypedAmountError(ValueError):
    """`kind` is DIGITS (a digit other than 0–9) or FORMAT (not an amount)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def has_foreign_digits(text: str) -> bool:
    """True when `text` has a digit or number character outside ASCII 0–9 (１, ٣, ², ½)."""
    return any(char not in ASCII_DIGITS and (char.isdigit() or char.isnumeric()) for char in text)


def parse_typed_amount(text: str, *, decimal_symbol: str = ".", group_symbol: str = ",") -> Decimal:
    """The Decimal a person meant by `text`, read with a locale's separators; raises TypedAmountError."""
    text = text.strip()
    if has_foreign_digits(text):
        raise TypedAmountError(DIGITS)
    sign = ""
    if text[:1] in ("+", "-"):
        sign, text = text[:1], text[1:]
    groups = set(SPACES) | ({group_symbol} if group_symbol != decimal_symbol else set())
    if group_symbol in SPACES:
        groups |= SPACES
    decimals = {decimal_symbol} | ({"."} if "." not in groups else set())
    if not text or any(char not in ASCII_DIGITS and char not in groups and char not in decimals for char in text):
        raise TypedAmountError(FORMAT)
    points = [index for index, char in enumerate(text) if char in decimals]
    if not points and "." in groups and text.count(".") == 1 and len(text) - text.index(".") - 1 != 3:
        # "100.00" where "." groups (Romanian): not grouping (never 2 digits), so the point every
        # machine writes, as the form itself renders a stored amount.
        points = [text.index(".")]
    if len(points) > 1:
        raise TypedAmountError(FORMAT)
    whole, fraction = (text[: points[0]], text[points[0] + 1 :]) if points else (text, "")
    if any(char not in ASCII_DIGITS for char in fraction) or not (whole or fraction):
        raise TypedAmountError(FORMAT)
    parts = re.split("[" + re.escape("".join(sorted(groups))) + "]", whole)
    if len(parts) > 1 and not (1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:])):
        raise TypedAmountError(FORMAT)
    digits = "".join(parts)
    return Decimal(f"{sign}{digits or '0'}" + (f".{fraction}" if fraction else ""))
