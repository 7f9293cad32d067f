"""Several grants by one employee to one customer within minutes that together pass one grant's authority.

The cap's authority is per grant; two grants of 1,500 for one failure under a
2,000 authority stay within it each time. The per-case authority now bounds the
grants on one case, but a split into two cases for one customer still passes
it, and a role whose per-case authority is above its per-grant one may add to a
case legitimately: a burst is worth a look either way, and the flag says when
its grants are all on one case. Honest
counters rarely grant one customer twice within minutes, so a burst whose
total passes the authority recorded on its grants is worth a manager's look.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import groupby

from django.utils.translation import pgettext

from compensation import wording
from recovery.anomalies import words
from recovery.anomalies.detectors.base import Detector, Scan
from recovery.anomalies.thresholds import SPLIT_MINUTES
from recovery.models import AnomalyFlag, Grant

Kind = AnomalyFlag.Kind


def split_bursts(rows: list[dict], minutes: int = SPLIT_MINUTES) -> list[list[dict]]:
    """Runs of one customer's grants by one employee in one currency (rows in that order, by time),
    each spanning at most `minutes` from its first grant, whose total passes the highest authority
    recorded on them. Pure: the rows are plain dicts."""
    found = []
    key = lambda row: (row["customer_id"], row["granted_by_id"], row["currency"])  # noqa: E731
    for _, group in groupby(rows, key=key):
        group = list(group)
        start = 0
        while start < len(group):
            end = start
            while end + 1 < len(group) and group[end + 1]["granted_at"] - group[start]["granted_at"] <= timedelta(
                minutes=minutes
            ):
                end += 1
            burst = group[start : end + 1]
            total = sum((row["amount"] for row in burst), Decimal("0"))
            if len(burst) >= 2 and total > max(row["authority_limit"] for row in burst):
                found.append(burst)
            start = end + 1
    return found


class SplitGrants(Detector):
    """One flag per burst, on its last grant (the one that passed the authority). One query."""

    kind = Kind.SPLIT_GRANTS

    def find(self, scan: Scan) -> list[AnomalyFlag]:
        window = scan.window
        rows = list(
            Grant.objects.filter(granted_at__gte=window.since, granted_at__lte=window.now, status=Grant.Status.ACTIVE)
            .order_by("customer_id", "granted_by_id", "currency", "granted_at", "id")
            .values(
                "id",
                "location_id",
                "customer_id",
                "granted_by_id",
                "granted_by_username",
                "amount",
                "currency",
                "authority_limit",
                "granted_at",
                "customer__name",
                "failure_id",
            )
        )
        flags = []
        for burst in split_bursts(rows):
            last = burst[-1]
            currency = last["currency"]
            total = sum((row["amount"] for row in burst), Decimal("0"))
            authority = max(row["authority_limit"] for row in burst)
            span = int((last["granted_at"] - burst[0]["granted_at"]).total_seconds() // 60)
            one_case = len({row["failure_id"] for row in burst}) == 1
            reason = (
                f"{last['granted_by_username']} made {len(burst)} grants to {last['customer__name']} within "
                f"{span} minute{'s' if span != 1 else ''}, together {window.money(total, currency)}: more than one "
                f"grant's authority of {window.money(authority, currency)}. "
                + ("All on one case." if one_case else "A split of one case?")
            )
            flags.append(
                self.flag(
                    window,
                    location_id=last["location_id"],
                    customer_id=last["customer_id"],
                    employee_id=last["granted_by_id"],
                    grant_id=last["id"],
                    reason=reason,
                    figures={
                        "grants": len(burst),
                        "minutes": span,
                        "total": window.money(total, currency),
                        "authority": window.money(authority, currency),
                        "granted_by": last["granted_by_username"],
                        "grant_ids": [row["id"] for row in burst],
                        "one_case": one_case,
                    },
                    dedupe=f"g{last['id']}",
                )
            )
        return flags

    def reason_words(self, flag: AnomalyFlag, figures: dict) -> str:
        f = figures
        minutes = int(f["minutes"])
        template = (
            pgettext(
                "anomaly reason",
                "%(employee)s made %(grants)s grants to %(customer)s within %(minutes)s, together %(total)s: more "
                "than one grant's authority of %(authority)s. All on one case.",
            )
            if f.get("one_case")
            else pgettext(
                "anomaly reason",
                "%(employee)s made %(grants)s grants to %(customer)s within %(minutes)s, together %(total)s: more "
                "than one grant's authority of %(authority)s. A split of one case?",
            )
        )
        return template % {
            "employee": f["granted_by"],
            "grants": int(f["grants"]),
            "customer": flag.customer.name,
            "minutes": words.minutes(minutes),
            "total": wording.figure(f["total"]),
            "authority": wording.figure(f["authority"]),
        }
