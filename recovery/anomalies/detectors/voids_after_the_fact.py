"""A void long after its grant: the customer has left with the compensation, so it rewrites the books."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils.translation import pgettext

from compensation import wording
from recovery.anomalies import words
from recovery.anomalies.detectors.base import Detector, Scan, not_flagged_yet
from recovery.anomalies.thresholds import LATE_VOID_HOURS
from recovery.models import AnomalyFlag, Grant

Kind = AnomalyFlag.Kind


def _duration(delta: timedelta) -> str:
    days, hours = delta.days, delta.seconds // 3600
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours or not parts:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)


class VoidsAfterTheFact(Detector):
    """A void made in the window more than LATE_VOID_HOURS after its grant (the grant itself may be older).

    One query on the voids index; the flag names the manager who voided, the
    employee concerned by the review.
    """

    kind = Kind.VOID_AFTER_THE_FACT

    def find(self, scan: Scan) -> list[AnomalyFlag]:
        window = scan.window
        rows = (
            Grant.objects.filter(
                not_flagged_yet(self.kind),
                voided_at__isnull=False,
                voided_at__gte=window.since,
                voided_at__lte=window.now,
                voided_at__gt=F("granted_at") + timedelta(hours=LATE_VOID_HOURS),
            )
            .order_by("voided_at", "id")
            .values(
                "id",
                "location_id",
                "customer_id",
                "voided_by_id",
                "voided_by__username",
                "granted_by_username",
                "amount",
                "currency",
                "granted_at",
                "voided_at",
                "void_reason",
            )
        )
        flags = []
        for row in rows:
            after = row["voided_at"] - row["granted_at"]
            voider = row["voided_by__username"] or "someone"
            reason = (
                f"Grant #{row['id']} of {window.money(row['amount'], row['currency'])} by {row['granted_by_username']} was voided by "
                f"{voider} {_duration(after)} after it was granted: “{row['void_reason']}”"
            )
            flags.append(
                self.flag(
                    window,
                    location_id=row["location_id"],
                    customer_id=row["customer_id"],
                    employee_id=row["voided_by_id"],
                    grant_id=row["id"],
                    reason=reason,
                    figures={
                        "amount": window.money(row["amount"], row["currency"]),
                        "granted_by": row["granted_by_username"],
                        "voided_by": voider,
                        "hours_after_grant": int(after.total_seconds() // 3600),
                        "void_reason": row["void_reason"],
                    },
                    dedupe=f"g{row['id']}",
                )
            )
        return flags

    def reason_words(self, flag: AnomalyFlag, figures: dict) -> str:
        f = figures
        days, hours = divmod(int(f["hours_after_grant"]), 24)
        parts = [words.days(days)] if days else []
        if hours or not parts:
            parts.append(words.hours(hours))
        return pgettext(
            "anomaly reason",
            "Grant #%(number)s of %(amount)s by %(employee)s was voided by %(manager)s %(duration)s after it was "
            "granted: “%(reason)s”",
        ) % {
            "number": flag.grant_id,
            "amount": wording.figure(f["amount"]),
            "employee": f["granted_by"],
            "manager": f["voided_by"],
            "duration": " ".join(parts),
            "reason": f["void_reason"],
        }
