"""A customer compensated at several locations within the window: the "refund tour"."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import pgettext

from compensation import wording
from recovery.anomalies import words
from recovery.anomalies.detectors.base import Detector, Scan, recently_flagged
from recovery.anomalies.thresholds import (
    AMOUNTS_IN_REASON,
    CROSS_LOCATION_MIN_GRANTS,
    CROSS_LOCATION_MIN_LOCATIONS,
    WINDOW_DAYS,
)
from recovery.anomalies.window import Window
from recovery.models import AnomalyFlag, Grant

Kind = AnomalyFlag.Kind


def _amount_list(window: Window, amounts: list[tuple[str, Decimal]]) -> str:
    shown = ", ".join(window.money(amount, currency) for currency, amount in amounts[:AMOUNTS_IN_REASON])
    more = len(amounts) - AMOUNTS_IN_REASON
    return shown + (f" and {more} more" if more > 0 else "")


class CustomersAcrossLocations(Detector):
    """A customer with active grants at several locations within the window.

    One flag per location involved, so each location's manager sees the
    customer's visits elsewhere next to their own staff's grants.
    Two queries: the customers (grouped and filtered in the database), then
    those customers' grants in the window, for the reason.
    """

    kind = Kind.CUSTOMER_ACROSS_LOCATIONS

    def find(self, scan: Scan) -> list[AnomalyFlag]:
        window = scan.window
        active = Grant.objects.filter(
            granted_at__gte=window.since, granted_at__lte=window.now, status=Grant.Status.ACTIVE
        ).order_by()
        customer_ids = list(
            active.values("customer_id")
            .annotate(locations=Count("location_id", distinct=True), grants=Count("id"))
            .filter(locations__gte=CROSS_LOCATION_MIN_LOCATIONS, grants__gte=CROSS_LOCATION_MIN_GRANTS)
            .values_list("customer_id", flat=True)
        )
        if not customer_ids:
            return []
        done = recently_flagged(window, self.kind)
        grants_of = defaultdict(list)
        for row in (
            active.filter(customer_id__in=customer_ids)
            .order_by("customer_id", "granted_at", "id")
            .values("id", "customer_id", "location_id", "amount", "currency")
        ):
            grants_of[row["customer_id"]].append(row)
        flags = []
        for customer_id, grants in grants_of.items():
            places = list(dict.fromkeys(grant["location_id"] for grant in grants))  # in order of first visit
            # Locations may grant in different currencies: the total is per currency, never one mixed sum.
            amounts = [(grant["currency"], grant["amount"]) for grant in grants]
            names = [window.place(location_id) for location_id in places]
            reason = (
                f"Compensated {len(grants)} times at {len(places)} locations ({', '.join(names)}) "
                f"in {WINDOW_DAYS} days: {_amount_list(window, amounts)} (total {window.money_each(amounts)})."
            )
            for location_id in places:
                if (location_id, customer_id, None) in done:
                    continue
                here = [grant for grant in grants if grant["location_id"] == location_id]
                flags.append(
                    self.flag(
                        window,
                        location_id=location_id,
                        customer_id=customer_id,
                        grant_id=here[-1]["id"],
                        reason=reason,
                        figures={
                            "window_days": WINDOW_DAYS,
                            "grants": len(grants),
                            "grants_here": len(here),
                            "locations": names,
                            "amounts": [window.money(amount, currency) for currency, amount in amounts],
                            "total": window.money_each(amounts),
                        },
                        dedupe=f"c{customer_id}:l{location_id}:p{window.period}",
                    )
                )
        return flags

    def reason_words(self, flag: AnomalyFlag, figures: dict) -> str:
        f = figures
        return pgettext(
            "anomaly reason",
            "Compensated %(times)s %(places)s (%(names)s) in %(days)s: %(amounts)s (total %(total)s).",
        ) % {
            "times": words.times(f["grants"]),
            "places": words.locations(len(f["locations"])),
            "names": ", ".join(f["locations"]),
            "days": words.days(f["window_days"]),
            "amounts": words.shown_amounts(f["amounts"]),
            "total": wording.figure(f["total"]),
        }
