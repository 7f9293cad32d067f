"""An employee who grants far more often, or far more, than their colleagues at the same location."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import pgettext

from compensation import wording
from recovery.anomalies import words
from recovery.anomalies.arithmetic import compare_with_peers, far_above, ratio
from recovery.anomalies.detectors.base import Detector, Scan, recently_flagged
from recovery.anomalies.thresholds import PEER_MIN_COLLEAGUES, PEER_MIN_GRANTS, WINDOW_DAYS
from recovery.models import AnomalyFlag

Kind = AnomalyFlag.Kind


class EmployeesAbovePeers(Detector):
    """An employee whose number of grants or average amount is at least twice their colleagues' median.

    Colleagues are everyone else who granted at the same location in the
    window: the same customers, the same failures, the same playbooks. The
    median, not the mean, so one other outlier does not hide this one.
    """

    kind = Kind.EMPLOYEE_ABOVE_PEERS

    def find(self, scan: Scan) -> list[AnomalyFlag]:
        window = scan.window
        by_location = defaultdict(list)
        for row in scan.employee_stats:
            by_location[row.location_id].append(row)
        done = recently_flagged(window, self.kind)
        flags = []
        for location_id, rows in by_location.items():
            for row in rows:
                colleagues = [other for other in rows if other.employee_id != row.employee_id]
                if row.grants < PEER_MIN_GRANTS or len(colleagues) < PEER_MIN_COLLEAGUES:
                    continue
                if (location_id, None, row.employee_id) in done:
                    continue
                currency = window.currency_of(location_id)
                peers = compare_with_peers(
                    grants=row.grants,
                    average=row.average,
                    colleagues=[(other.grants, other.average) for other in colleagues],
                    currency=currency,
                )
                if not peers.stands_out:
                    continue
                average, median_grants, median_average = peers.average, peers.median_grants, peers.median_average
                above = []
                if peers.more_grants:
                    above.append(f"{ratio(Decimal(row.grants), median_grants)}× as many grants")
                if peers.higher_average:
                    above.append(f"{ratio(average, median_average)}× the average amount")
                reason = (
                    f"{row.username} made {row.grants} grants averaging {window.money(average, currency)} at "
                    f"{window.place(location_id)} in {WINDOW_DAYS} days; the median of their {len(colleagues)} "
                    f"colleagues there is {median_grants.normalize():f} grants averaging {window.money(median_average, currency)}: "
                    f"{' and '.join(above)}."
                )
                flags.append(
                    self.flag(
                        window,
                        location_id=location_id,
                        employee_id=row.employee_id,
                        grant_id=row.last_grant_id,
                        reason=reason,
                        figures={
                            "window_days": WINDOW_DAYS,
                            "grants": row.grants,
                            "average": window.money(average, currency),
                            "colleagues": len(colleagues),
                            "colleague_median_grants": f"{median_grants.normalize():f}",
                            "colleague_median_average": window.money(median_average, currency),
                            "count_ratio": ratio(Decimal(row.grants), median_grants),
                            "average_ratio": ratio(average, median_average) if median_average > 0 else None,
                        },
                        dedupe=f"u{row.employee_id}:l{location_id}:p{window.period}",
                    )
                )
        return flags

    def reason_words(self, flag: AnomalyFlag, figures: dict) -> str:
        f = figures
        # The same tests the detector made, on the same (exact, stored) figures.
        more_grants = far_above(Decimal(f["grants"]), Decimal(f["colleague_median_grants"]))
        median_average = Decimal(f["colleague_median_average"].replace(",", ""))
        higher_average = f.get("average_ratio") is not None and far_above(
            Decimal(f["average"].replace(",", "")), median_average
        )
        above = []
        if more_grants:
            above.append(
                pgettext("anomaly reason", "%(ratio)s× as many grants") % {"ratio": wording.figure(f["count_ratio"])}
            )
        if higher_average:
            above.append(
                pgettext("anomaly reason", "%(ratio)s× the average amount")
                % {"ratio": wording.figure(f["average_ratio"])}
            )
        if not above:
            raise ValueError("the figures do not show why")
        return pgettext(
            "anomaly reason",
            "%(employee)s made %(grants)s averaging %(average)s at %(location)s in %(days)s; the median of their "
            "%(colleagues)s there is %(median_grants)s averaging %(median_average)s: %(above)s.",
        ) % {
            "employee": flag.employee.get_username(),
            "grants": words.grants(f["grants"]),
            "average": wording.figure(f["average"]),
            "location": flag.location.name,
            "days": words.days(f["window_days"]),
            "colleagues": words.colleagues(f["colleagues"]),
            "median_grants": pgettext("anomaly reason", "%(count)s grants")
            % {"count": wording.figure(f["colleague_median_grants"])},
            "median_average": wording.figure(f["colleague_median_average"]),
            "above": pgettext("anomaly reason", "%(first)s and %(second)s") % {"first": above[0], "second": above[1]}
            if len(above) == 2
            else above[0],
        }
