"""An employee who nearly always grants exactly the cap, clearly more often than everyone else."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import pgettext

from recovery.anomalies import words
from recovery.anomalies.arithmetic import at_cap_share, at_cap_stands_out
from recovery.anomalies.detectors.base import Detector, Scan, recently_flagged
from recovery.anomalies.thresholds import AT_CAP_MIN_GRANTS, WINDOW_DAYS
from recovery.models import AnomalyFlag

Kind = AnomalyFlag.Kind


class EmployeesAtCap(Detector):
    """An employee who nearly always grants exactly the cap, clearly more often than everyone else.

    With no receipt, the purchase value typed decides the cap; always taking
    all of it is how an inflated value turns into money. Everyone else means
    every other employee at every location (a small desk has no colleagues to
    compare with), and their share must be low enough that the ratio holds.
    """

    kind = Kind.AT_CAP_REPEATEDLY

    def find(self, scan: Scan) -> list[AnomalyFlag]:
        window, stats = scan.window, scan.employee_stats
        grants_of, at_cap_of = Counter(), Counter()
        for row in stats:
            grants_of[row.employee_id] += row.grants
            at_cap_of[row.employee_id] += row.at_cap
        all_grants, all_at_cap = sum(grants_of.values()), sum(at_cap_of.values())
        done = recently_flagged(window, self.kind)
        flags = []
        for row in stats:
            if row.grants < AT_CAP_MIN_GRANTS or (row.location_id, None, row.employee_id) in done:
                continue
            others_grants = all_grants - grants_of[row.employee_id]
            if others_grants < AT_CAP_MIN_GRANTS:
                continue
            share = at_cap_share(row.at_cap, row.grants)
            others_share = at_cap_share(all_at_cap - at_cap_of[row.employee_id], others_grants)
            if not at_cap_stands_out(share, others_share):
                continue
            reason = (
                f"{row.username} granted exactly the cap in {row.at_cap} of {row.grants} grants ({share:.0%}) at "
                f"{window.place(row.location_id)} in {WINDOW_DAYS} days; everyone else granted the cap in "
                f"{others_share:.0%} of {others_grants} grants."
            )
            flags.append(
                self.flag(
                    window,
                    location_id=row.location_id,
                    employee_id=row.employee_id,
                    grant_id=row.last_grant_id,
                    reason=reason,
                    figures={
                        "window_days": WINDOW_DAYS,
                        "grants": row.grants,
                        "at_cap": row.at_cap,
                        "at_cap_share": f"{share:.0%}",
                        "others_at_cap_share": f"{others_share:.0%}",
                        "others_grants": others_grants,
                    },
                    dedupe=f"u{row.employee_id}:l{row.location_id}:p{window.period}",
                )
            )
        return flags

    def reason_words(self, flag: AnomalyFlag, figures: dict) -> str:
        f = figures
        return pgettext(
            "anomaly reason",
            "%(employee)s granted exactly the cap in %(at_cap)s %(grants)s (%(share)s) at %(location)s in %(days)s; "
            "everyone else granted the cap in %(others_share)s %(others_grants)s.",
        ) % {
            "employee": flag.employee.get_username(),
            "at_cap": int(f["at_cap"]),
            "grants": words.of_grants(f["grants"]),
            "share": f["at_cap_share"],
            "location": flag.location.name,
            "days": words.days(f["window_days"]),
            "others_share": f["others_at_cap_share"],
            "others_grants": words.of_grants(f["others_grants"]),
        }
