"""The stretch of time the detectors look at, and the names and currencies every reason needs.

One query (the locations) when a run starts, so no detector looks a location
up per flag. The bounds themselves are pure arithmetic (`arithmetic`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings

from compensation.money import format_amount
from recovery.anomalies.arithmetic import window_period, window_since
from recovery.models import Location


@dataclass(frozen=True)
class Window:
    """The stretch of time the detectors look at, and what every reason needs to be written."""

    now: datetime
    since: datetime
    period: int  # which WINDOW_DAYS-long period `now` falls in: one flag per subject per period
    location_names: dict[int, str]
    location_currencies: dict[int, str] = field(default_factory=dict)

    @classmethod
    def ending(cls, now: datetime) -> Window:
        locations = list(Location.objects.values_list("id", "name", "currency"))
        return cls(
            now=now,
            since=window_since(now),
            period=window_period(now),
            location_names={location_id: name for location_id, name, _ in locations},
            location_currencies={location_id: currency for location_id, _, currency in locations},
        )

    def money(self, amount, currency: str) -> str:
        return format_amount(Decimal(amount), currency)

    def money_each(self, amounts: list[tuple[str, Decimal]]) -> str:
        """The sum per currency of (currency, amount) pairs: '40.00 EUR · 3,000 JPY', never one mixed sum."""
        totals: dict[str, Decimal] = {}
        for currency, amount in amounts:
            totals[currency] = totals.get(currency, Decimal("0")) + amount
        if len(totals) == 1:
            ((currency, total),) = totals.items()
            return self.money(total, currency)
        return " · ".join(f"{self.money(total, currency)} {currency}" for currency, total in sorted(totals.items()))

    def currency_of(self, location_id: int) -> str:
        return self.location_currencies.get(location_id) or settings.RECOVERY_CURRENCY

    def place(self, location_id: int) -> str:
        return self.location_names.get(location_id, f"location #{location_id}")
