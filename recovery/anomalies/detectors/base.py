"""What every detector is: a kind of flag, how to find it in a window, and how to word it again.

A detector is one class (as django-oscar's benefits and conditions): `find`
reads the grants of the window and returns unsaved `AnomalyFlag` rows with
their reason in English (the record) and the figures behind it;
`reason_words` writes the same reason in the active language from a stored
flag's figures (no query: the page loads the flag's relations with it).
"""

from __future__ import annotations

from functools import cached_property

from django.db.models import Exists, OuterRef

from recovery.anomalies import words
from recovery.anomalies.employee_stats import EmployeeStats, employee_stats
from recovery.anomalies.window import Window
from recovery.models import AnomalyFlag


class Scan:
    """One run over one window: what the detectors share, each read at most once."""

    def __init__(self, window: Window):
        self.window = window

    @cached_property
    def employee_stats(self) -> list[EmployeeStats]:
        """Shared by the per-employee detectors: one grouped query per run, however many use it."""
        return employee_stats(self.window)


class Detector:
    """One pattern worth a manager's look. Subclass, set `kind`, write both methods, register it."""

    kind: str  # an AnomalyFlag.Kind

    def find(self, scan: Scan) -> list[AnomalyFlag]:
        """The pattern in the scan's window, as unsaved flags with a deterministic `dedupe_key`."""
        raise NotImplementedError

    def reason_words(self, flag: AnomalyFlag, figures: dict) -> str:
        """The flag's reason in the active language, from its stored figures; raise if they do not say why."""
        raise NotImplementedError

    def flag(self, window: Window, *, reason: str, dedupe: str, figures: dict, **subject) -> AnomalyFlag:
        """An unsaved flag of this kind raised now: `dedupe` names its subject (and period) in the
        `dedupe_key`; `subject` is its location, customer, employee and grant ids."""
        return AnomalyFlag(
            kind=self.kind,
            reason=words.fit(reason),
            figures=figures,
            raised_at=window.now,
            dedupe_key=f"{self.kind}:{dedupe}",
            **subject,
        )


def recently_flagged(window: Window, kind: str) -> set[tuple]:
    """(location, customer, employee) already flagged for `kind` within the window: one flag per subject per window."""
    return set(
        AnomalyFlag.objects.filter(kind=kind, raised_at__gt=window.since).values_list(
            "location_id", "customer_id", "employee_id"
        )
    )


def not_flagged_yet(kind: str):
    """The grant has no flag of this kind yet (per-grant patterns: one flag per grant, ever)."""
    return ~Exists(AnomalyFlag.objects.filter(grant_id=OuterRef("pk"), kind=kind))
