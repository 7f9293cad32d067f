"""Running the registered detectors over the window and storing the new flags, each once.

`anomalies_find` writes nothing; `anomalies_raise` saves what is new, with
its creation in the change history attributed to the system.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from recovery.anomalies.detectors import DETECTORS, Scan
from recovery.anomalies.window import Window
from recovery.models import AnomalyFlag

SYSTEM_REASON = "Raised by the anomaly checks"


def anomalies_find(*, now: datetime | None = None) -> list[AnomalyFlag]:
    """Every pattern in the window ending `now`, as unsaved flags (nothing is written)."""
    scan = Scan(Window.ending(now or timezone.now()))  # reads the shared employee figures once
    return [flag for detector in DETECTORS for flag in detector.find(scan)]


def anomalies_raise(*, now: datetime | None = None) -> list[AnomalyFlag]:
    """Find the patterns and save the flags not raised before; returns the flags this run created.

    Keys already in the table are skipped before inserting; the insert also
    ignores conflicts, so two runs at once (cron and "Check now") raise each
    flag once. Each new flag gets its creation in the change history (a bulk
    insert writes none by itself), attributed to the system.
    """
    now = now or timezone.now()
    found = anomalies_find(now=now)
    if not found:
        return []
    keys = [flag.dedupe_key for flag in found]
    existing = set(AnomalyFlag.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    new = [flag for flag in found if flag.dedupe_key not in existing]
    if not new:
        return []
    with transaction.atomic():
        AnomalyFlag.objects.bulk_create(new, ignore_conflicts=True)
        # A parallel run's rows carry its own `raised_at`: only ours get history from this run.
        created = list(
            AnomalyFlag.objects.filter(dedupe_key__in=[flag.dedupe_key for flag in new], raised_at=now).order_by("id")
        )
        AnomalyFlag.history.bulk_history_create(created, default_change_reason=SYSTEM_REASON, default_date=now)
    return created


def anomalies_detect(*, now: datetime | None = None) -> int:
    """Run every detector and save what is new; the number of flags raised."""
    return len(anomalies_raise(now=now))
