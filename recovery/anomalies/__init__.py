"""Anomaly flags: patterns worth a manager's look, raised after the fact, never blocking a grant.

About 3% of customers try to cheat, so the counter never waits on a check.
These functions read the grants already made over a recent window and return
unsaved `AnomalyFlag` rows, each with the reason in plain words and the
figures behind it; `anomalies_raise` saves the new ones. A manager of the
location then records what they found (`anomaly_review`), and that review is
appended to the location's audit journal.

Detection runs from cron (`manage.py detect_anomalies`, every few minutes) and
from the anomalies page's "Check now". It is built to stay cheap on a million
grants:

- every detector reads only the window, through the grant indexes on
  `granted_at` (`grant_recent`) and `voided_at` (`grant_voids`);
- counting, summing and grouping happen in the database, so a detector runs a
  fixed number of queries whatever the data size;
- every flag has a deterministic `dedupe_key` and the insert ignores conflicts,
  so a second run (or two runs at once) raises nothing twice.

Flood control: a reviewer who gets fifty flags a day reviews none. Patterns
over several grants (a customer, an employee) raise at most one flag per
subject and location per window, however long the pattern goes on; per-grant
patterns raise one flag per grant, and only where an honest counter rarely
goes (see each detector).

Where things are:

- `thresholds`: every threshold, with why it has that value;
- `arithmetic`: the pure window bounds, medians and shares the checks test;
- `detectors/`: one module per pattern, registered in `detectors/__init__.py`;
- `raising`: run the registered detectors, store the new flags (`anomalies_raise`);
- `reasons`: the reason and figures in the reader's language (`reason_shown`);
- `review`: a manager's review, in the history and the journal (`anomaly_review`).
"""

from recovery.anomalies.detectors import DETECTORS, Detector, Scan, detector_for
from recovery.anomalies.employee_stats import EmployeeStats, employee_stats
from recovery.anomalies.raising import SYSTEM_REASON, anomalies_detect, anomalies_find, anomalies_raise
from recovery.anomalies.reasons import FIGURE_LABELS, NUMBER_FIGURES, REASONS, figure_rows, reason_shown
from recovery.anomalies.review import anomaly_review
from recovery.anomalies.thresholds import (
    AMOUNTS_IN_REASON,
    AT_CAP_BASELINE_RATIO,
    AT_CAP_MIN_GRANTS,
    AT_CAP_MIN_SHARE,
    CROSS_LOCATION_MIN_GRANTS,
    CROSS_LOCATION_MIN_LOCATIONS,
    LATE_VOID_HOURS,
    NEW_CUSTOMER_MINUTES,
    PEER_MIN_COLLEAGUES,
    PEER_MIN_GRANTS,
    PEER_RATIO,
    REASON_MAX,
    WINDOW_DAYS,
)
from recovery.anomalies.window import Window

# Compatibility: tests/test_pages_ru.py reads `anomalies._REASONS` (the kind -> wording table).
_REASONS = REASONS

__all__ = [
    "AMOUNTS_IN_REASON",
    "AT_CAP_BASELINE_RATIO",
    "AT_CAP_MIN_GRANTS",
    "AT_CAP_MIN_SHARE",
    "CROSS_LOCATION_MIN_GRANTS",
    "CROSS_LOCATION_MIN_LOCATIONS",
    "DETECTORS",
    "Detector",
    "EmployeeStats",
    "FIGURE_LABELS",
    "LATE_VOID_HOURS",
    "NEW_CUSTOMER_MINUTES",
    "NUMBER_FIGURES",
    "PEER_MIN_COLLEAGUES",
    "PEER_MIN_GRANTS",
    "PEER_RATIO",
    "REASONS",
    "REASON_MAX",
    "SYSTEM_REASON",
    "Scan",
    "WINDOW_DAYS",
    "Window",
    "anomalies_detect",
    "anomalies_find",
    "anomalies_raise",
    "anomaly_review",
    "detector_for",
    "employee_stats",
    "figure_rows",
    "reason_shown",
]
