"""The running month totals against the grants they add up: a changed or stale total is found.

The budget check trusts `LocationMonthTotal` instead of summing the month, so
`verify_audit` recomputes every location's months from its active grants (one
grouped query per location) and names each total that differs, is missing or
has no grants behind it.
"""

from __future__ import annotations

from decimal import Decimal

from compensation.models import Location
from recovery.models import LocationMonthTotal
from recovery.selectors.usage import month_totals_computed


def totals_mismatches(location: Location) -> list[str]:
    """What differs between the location's stored totals and its grants, one line per month and currency."""
    expected = month_totals_computed(location)
    stored = {
        (month, currency): (amount, grants)
        for month, currency, amount, grants in LocationMonthTotal.objects.filter(location_id=location.pk).values_list(
            "month", "currency", "amount", "grants"
        )
    }
    problems = []
    for key in sorted(set(expected) | set(stored)):
        want = expected.get(key, (Decimal("0.00"), 0))
        have = stored.get(key)
        if have is None:
            problems.append(
                f"{key[0]:%Y-%m} {key[1]}: no total kept; the grants add up to {want[0]} ({want[1]} grants)"
            )
        elif have[0] != want[0] or have[1] != want[1]:
            problems.append(
                f"{key[0]:%Y-%m} {key[1]}: total {have[0]} ({have[1]} grants) vs the grants' {want[0]} ({want[1]} grants)"
            )
    return problems
