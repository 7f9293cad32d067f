"""The pure arithmetic of the anomaly checks: the window's bounds, the peer medians, the shares at the cap.

No database and no wording here, only values in and values out, so the
rules can be read (and tested) on their own. Both the detectors (on the
grants) and the reader's-language reasons (on a flag's stored figures) call
the same tests, so a reason never claims what the detector did not find.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from compensation.money import quantize
from recovery.anomalies.thresholds import (
    AT_CAP_BASELINE_RATIO,
    AT_CAP_MIN_SHARE,
    PEER_RATIO,
    WINDOW_DAYS,
)


def window_since(now: datetime) -> datetime:
    """The window's first moment: WINDOW_DAYS before `now`."""
    return now - timedelta(days=WINDOW_DAYS)


def window_period(now: datetime) -> int:
    """Which WINDOW_DAYS-long period (counted in UTC days from 1970) `now` falls in.

    Patterns over several grants raise one flag per subject per period: the
    period number goes into the flag's dedupe key, so a habit that goes on for
    months raises one flag a month, not one a run.
    """
    days = (now.astimezone(UTC).date() - date(1970, 1, 1)).days
    return days // WINDOW_DAYS


def ratio(value: Decimal, base: Decimal) -> str:
    """`value` as a multiple of `base`, one decimal: how a reviewer reads "2.3× the colleagues"."""
    return f"{value / base:.1f}"


def far_above(value: Decimal, median: Decimal) -> bool:
    """At least PEER_RATIO times the colleagues' median (the peers check, on counts or averages)."""
    return value >= PEER_RATIO * median


@dataclass(frozen=True)
class PeerComparison:
    """One employee against the median of their colleagues at the same location."""

    average: Decimal  # the employee's average amount, in the location's minor unit
    median_grants: Decimal
    median_average: Decimal
    more_grants: bool
    higher_average: bool

    @property
    def stands_out(self) -> bool:
        return self.more_grants or self.higher_average


def compare_with_peers(
    *, grants: int, average: Decimal, colleagues: list[tuple[int, Decimal]], currency: str
) -> PeerComparison:
    """Compare (grants, average) with the colleagues' (grants, average) pairs.

    The median, not the mean, so one other outlier does not hide this one. A
    median average of zero compares with nothing: every ratio would be infinite.
    """
    median_grants = Decimal(statistics.median(count for count, _ in colleagues))
    median_average = quantize(statistics.median(mean for _, mean in colleagues), currency)
    average = quantize(average, currency)
    return PeerComparison(
        average=average,
        median_grants=median_grants,
        median_average=median_average,
        more_grants=far_above(grants, median_grants),
        higher_average=median_average > 0 and far_above(average, median_average),
    )


def at_cap_share(at_cap: int, grants: int) -> Decimal:
    """The share of `grants` made at exactly the cap."""
    return Decimal(at_cap) / grants


def at_cap_stands_out(share: Decimal, others_share: Decimal) -> bool:
    """Nearly always at the cap AND clearly more often than everyone else.

    Being at the cap is normal on its own (the counter proposes it), and if
    most staff grant the cap it is no signal: both halves are needed.
    """
    return share >= AT_CAP_MIN_SHARE and share >= AT_CAP_BASELINE_RATIO * others_share
