"""A grant to a customer created minutes earlier who left no way to reach them: an invented customer?"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils.translation import pgettext

from compensation import wording
from recovery.anomalies import words
from recovery.anomalies.detectors.base import Detector, Scan, not_flagged_yet
from recovery.anomalies.thresholds import NEW_CUSTOMER_MINUTES
from recovery.models import AnomalyFlag, Grant

Kind = AnomalyFlag.Kind


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class GrantsToNewCustomers(Detector):
    """An active grant to a customer created minutes earlier who left no phone, email or loyalty card.

    One query; grants that already have this flag are left out in the
    database, so a run reads only the new cases.
    """

    kind = Kind.NEW_CUSTOMER

    def find(self, scan: Scan) -> list[AnomalyFlag]:
        window = scan.window
        rows = (
            Grant.objects.filter(
                not_flagged_yet(self.kind),
                granted_at__gte=window.since,
                granted_at__lte=window.now,
                status=Grant.Status.ACTIVE,
                customer__created_at__lte=F("granted_at"),
                customer__created_at__gte=F("granted_at") - timedelta(minutes=NEW_CUSTOMER_MINUTES),
                customer__phone="",
                customer__email="",
                customer__loyalty_card="",
            )
            .order_by("granted_at", "id")
            .values(
                "id",
                "location_id",
                "customer_id",
                "granted_by_id",
                "granted_by_username",
                "amount",
                "currency",
                "granted_at",
                "customer__name",
                "customer__created_at",
                "customer__created_by__username",
            )
        )
        flags = []
        for row in rows:
            after = row["granted_at"] - row["customer__created_at"]
            creator = row["customer__created_by__username"]
            reason = (
                f"Grant #{row['id']} of {window.money(row['amount'], row['currency'])} by {row['granted_by_username']} to "
                f"{row['customer__name']}, a customer created {_minutes(after)} earlier"
                f"{f' by {creator}' if creator else ''} with no phone, email or loyalty card: "
                "nobody can confirm the customer exists."
            )
            flags.append(
                self.flag(
                    window,
                    location_id=row["location_id"],
                    customer_id=row["customer_id"],
                    employee_id=row["granted_by_id"],
                    grant_id=row["id"],
                    reason=reason,
                    figures={
                        "amount": window.money(row["amount"], row["currency"]),
                        "minutes_after_creation": int(after.total_seconds() // 60),
                        "created_by": creator or "",
                        "granted_by": row["granted_by_username"],
                    },
                    dedupe=f"g{row['id']}",
                )
            )
        return flags

    def reason_words(self, flag: AnomalyFlag, figures: dict) -> str:
        f = figures
        minutes = int(f["minutes_after_creation"])
        values = {
            "number": flag.grant_id,
            "amount": wording.figure(f["amount"]),
            "employee": f["granted_by"],
            "customer": flag.customer.name,
            "minutes": words.minutes(minutes) if minutes >= 1 else pgettext("anomaly reason", "less than a minute"),
            "creator": f.get("created_by") or "",
        }
        if values["creator"]:
            text = pgettext(
                "anomaly reason",
                "Grant #%(number)s of %(amount)s by %(employee)s to %(customer)s, a customer created %(minutes)s "
                "earlier by %(creator)s with no phone, email or loyalty card: nobody can confirm the customer exists.",
            )
        else:
            text = pgettext(
                "anomaly reason",
                "Grant #%(number)s of %(amount)s by %(employee)s to %(customer)s, a customer created %(minutes)s "
                "earlier with no phone, email or loyalty card: nobody can confirm the customer exists.",
            )
        return text % values
