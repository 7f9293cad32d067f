"""The registry of anomaly detectors: one module per pattern, registered on one line below.

To add a pattern: add its kind to `AnomalyFlag.Kind` (a migration), write
`detectors/<pattern>.py` with a `Detector` subclass (`kind`, `find`,
`reason_words`; thresholds in `thresholds.py`, pure tests in `arithmetic.py`),
and add one instance to `DETECTORS`. Running, storing, the command's counts
and the reader's-language reasons all follow the registry. The order here is
the order of `anomalies_find`'s result.
"""

from __future__ import annotations

from recovery.anomalies.detectors.base import Detector, Scan
from recovery.anomalies.detectors.customers_across_locations import CustomersAcrossLocations
from recovery.anomalies.detectors.employees_above_peers import EmployeesAbovePeers
from recovery.anomalies.detectors.employees_at_cap import EmployeesAtCap
from recovery.anomalies.detectors.grants_to_new_customers import GrantsToNewCustomers
from recovery.anomalies.detectors.split_grants import SplitGrants
from recovery.anomalies.detectors.voids_after_the_fact import VoidsAfterTheFact

DETECTORS: tuple[Detector, ...] = (
    CustomersAcrossLocations(),
    EmployeesAbovePeers(),
    EmployeesAtCap(),
    GrantsToNewCustomers(),
    VoidsAfterTheFact(),
    SplitGrants(),
)


def detector_for(kind: str) -> Detector | None:
    """The registered detector of flags of `kind` (None for a kind no detector raises any more)."""
    return next((detector for detector in DETECTORS if detector.kind == kind), None)


__all__ = ["DETECTORS", "Detector", "Scan", "detector_for"]
