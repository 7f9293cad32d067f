"""Grouped grant rows read as money: which grants are active or voided, and a grouped sum as exact money.

Every insight figure is a database sum grouped by currency; these turn one such
sum into exact `Decimal` money or an `Amounts` (one sum per currency).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from compensation.money import ZERO, Amounts, quantize
from recovery.models import Grant

ACTIVE = Q(status=Grant.Status.ACTIVE)
VOIDED = Q(status=Grant.Status.VOIDED)


def row_money(amount, currency: str) -> Decimal:
    """A database sum as exact money (SQLite sums decimals as floats)."""
    return quantize(Decimal(str(amount)) if amount is not None else ZERO, currency)


def row_amounts(amount, currency: str) -> Amounts:
    """A grouped row's sum in its currency (nothing when the sum is empty)."""
    return Amounts() if amount is None else Amounts.of(currency, row_money(amount, currency))
