"""Raise anomaly flags from the recent grants; meant for cron, every few minutes.

Idempotent: a flag already raised is never raised again, so running it often
(or twice at once) only adds what is new. Prints how many flags each pattern raised.
"""

from collections import Counter

from django.core.management.base import BaseCommand

from recovery.anomalies import WINDOW_DAYS, anomalies_raise
from recovery.models import AnomalyFlag


class Command(BaseCommand):
    help = f"Flag suspicious patterns in the last {WINDOW_DAYS} days of grants for a manager's review."

    def handle(self, *args, **options):
        raised = Counter(flag.kind for flag in anomalies_raise())
        for kind in AnomalyFlag.Kind:
            self.stdout.write(f"{raised[kind]:>5}  {kind.label}")
        self.stdout.write(self.style.SUCCESS(f"{sum(raised.values())} new anomaly flags."))
