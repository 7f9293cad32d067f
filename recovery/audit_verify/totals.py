"""The running totals against the grants they add up: a changed or stale total is found.

The budget check trusts `LocationMonthTotal` instead of summing the month, and the
insight pages and the monthly report trust the daily rollups (`LocationDayTotal`)
instead of summing the grants, so `verify_audit` recomputes both from every
location's grants (one grouped query each per location) and names each total that
differs, is missing or has no grants behind it. `rebuild_rollups` repairs a rollup.
"""

from __future__ import annotations

from decimal import Decimal

from compensation.models import Location
from recovery.models import LocationDayTotal, LocationMonthTotal
from recovery.selectors.day_totals import day_totals_computed
from recovery.selectors.usage import month_totals_computed
from recovery.services.totals import DAY_FIGURES, DAY_KEY


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


def as_stored(value, like):
    """`value` written with the decimals of `like` (a sum may come back as 307 where 307.00 is kept)."""
    if isinstance(value, Decimal) and isinstance(like, Decimal):
        return value.quantize(like)
    return value


def day_totals_mismatches(location: Location) -> list[str]:
    """What differs between the location's daily rollups and its grants, one line per rollup row.

    A row is named by its day, playbook name, category and currency and the figures that differ
    ("active_amount 12.50 vs the grants' 13.50"); a row with nothing behind it, or grants with no row,
    are named too. Rows whose figures are all zero equal no row (a day whose grants were all deleted
    is refused anyway by the journal)."""
    key_names = [name for name in DAY_KEY if name != "location_id"]
    expected = {
        tuple(row[name] for name in key_names): {name: row[name] or 0 for name in DAY_FIGURES}
        for row in day_totals_computed(location)
    }
    stored = {
        tuple(row[: -len(DAY_FIGURES)]): dict(zip(DAY_FIGURES, row[-len(DAY_FIGURES) :], strict=True))
        for row in LocationDayTotal.objects.filter(location_id=location.pk).values_list(*key_names, *DAY_FIGURES)
    }
    zero = dict.fromkeys(DAY_FIGURES, 0)
    problems = []
    for key in sorted(set(expected) | set(stored), key=lambda k: tuple(str(part) for part in k)):
        want, have = expected.get(key, zero), stored.get(key, zero)
        differ = [
            f"{name} {have[name]} vs the grants' {as_stored(want[name], have[name])}"
            for name in DAY_FIGURES
            if have[name] != want[name]
        ]
        if differ:
            day, _site_day, _playbook, name, category, currency = key
            problems.append(f"{day:%Y-%m-%d} “{name}” {category} {currency}: " + "; ".join(differ))
    return problems
