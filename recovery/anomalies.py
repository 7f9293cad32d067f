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
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, npgettext, pgettext

from compensation import wording
from compensation.journal import journal_append, location_chain
from compensation.money import format_amount, quantize
from recovery.models import AnomalyFlag, Grant, Location
from recovery.services import RecoveryError, _lock_location

Kind = AnomalyFlag.Kind

# A month: long enough for a habit to show, short enough that the people involved still remember the cases.
WINDOW_DAYS = 30

# Same customer, several locations. Two genuinely bad days at two shops happen (a shopper who also
# flies); a third grant makes it a pattern worth a look, the classic "refund tour".
CROSS_LOCATION_MIN_LOCATIONS = 2
CROSS_LOCATION_MIN_GRANTS = 3

# Employee far above peers at the same location. "Far" is twice the colleagues' median: generous
# but honest colleagues differ by tens of percent, not by a factor of two. The median of one
# colleague is just that colleague, so at least two are needed; below five grants one generous
# afternoon doubles an average.
PEER_RATIO = Decimal("2")
PEER_MIN_COLLEAGUES = 2
PEER_MIN_GRANTS = 5

# Grants repeatedly at exactly the cap. The counter proposes the cap as the amount, so being at the
# cap is normal on its own: an employee is flagged only when nearly all of their grants are at the cap
# AND that is clearly more than everyone else does (if most staff grant the cap, it is no signal).
AT_CAP_MIN_GRANTS = 8
AT_CAP_MIN_SHARE = Decimal("0.90")
AT_CAP_BASELINE_RATIO = Decimal("1.5")

# A grant to a customer created minutes earlier who left no phone, email or loyalty card: nobody can
# confirm the customer exists (the invented-customer pattern). Walk-ins who leave a way to reach them
# are the counter's normal flow and are not flagged, or every walk-in would be.
NEW_CUSTOMER_MINUTES = 10

# A void long after the grant: the customer has left with the compensation, so a void then rewrites
# the books rather than correcting a slip at the counter (those happen within minutes or hours).
LATE_VOID_HOURS = 24

# Reasons are read on one screen; the figures keep the full lists.
REASON_MAX = 500
AMOUNTS_IN_REASON = 8

SYSTEM_REASON = "Raised by the anomaly checks"

# How each figure reads on the anomalies page (in the reader's language).
FIGURE_LABELS = {
    "window_days": gettext_lazy("Window (days)"),
    "grants": gettext_lazy("Grants"),
    "grants_here": gettext_lazy("Grants at this location"),
    "locations": gettext_lazy("Locations"),
    "amounts": gettext_lazy("Amounts"),
    "total": gettext_lazy("Total"),
    "average": gettext_lazy("Average amount"),
    "colleagues": gettext_lazy("Colleagues compared"),
    "colleague_median_grants": gettext_lazy("Colleagues' median grants"),
    "colleague_median_average": gettext_lazy("Colleagues' median average"),
    "count_ratio": gettext_lazy("Grants vs colleagues"),
    "average_ratio": gettext_lazy("Average vs colleagues"),
    "at_cap": gettext_lazy("Grants at the cap"),
    "at_cap_share": gettext_lazy("Share at the cap"),
    "others_at_cap_share": gettext_lazy("Everyone else at the cap"),
    "others_grants": gettext_lazy("Everyone else's grants"),
    "amount": gettext_lazy("Amount"),
    "minutes_after_creation": gettext_lazy("Minutes after the customer was created"),
    "created_by": gettext_lazy("Customer created by"),
    "granted_by": gettext_lazy("Granted by"),
    "voided_by": gettext_lazy("Voided by"),
    "hours_after_grant": gettext_lazy("Hours after the grant"),
    "void_reason": gettext_lazy("Void reason"),
}


@dataclass(frozen=True)
class Window:
    """The stretch of time the detectors look at, and what every reason needs to be written."""

    now: datetime
    since: datetime
    period: int  # which WINDOW_DAYS-long period `now` falls in: one flag per subject per period
    location_names: dict[int, str]
    location_currencies: dict[int, str] = field(default_factory=dict)

    @classmethod
    def ending(cls, now: datetime) -> Window:
        days = (now.astimezone(UTC).date() - date(1970, 1, 1)).days
        locations = list(Location.objects.values_list("id", "name", "currency"))
        return cls(
            now=now,
            since=now - timedelta(days=WINDOW_DAYS),
            period=days // WINDOW_DAYS,
            location_names={location_id: name for location_id, name, _ in locations},
            location_currencies={location_id: currency for location_id, _, currency in locations},
        )

    def money(self, amount, currency: str) -> str:
        return format_amount(Decimal(amount), currency)

    def money_each(self, amounts: list[tuple[str, Decimal]]) -> str:
        """The sum per currency of (currency, amount) pairs: '40.00 EUR · 3,000 JPY', never one mixed sum."""
        totals: dict[str, Decimal] = {}
        for currency, amount in amounts:
            totals[currency] = totals.get(currency, Decimal("0")) + amount
        if len(totals) == 1:
            ((currency, total),) = totals.items()
            return self.money(total, currency)
        return " · ".join(f"{self.money(total, currency)} {currency}" for currency, total in sorted(totals.items()))

    def currency_of(self, location_id: int) -> str:
        return self.location_currencies.get(location_id) or settings.RECOVERY_CURRENCY

    def place(self, location_id: int) -> str:
        return self.location_names.get(location_id, f"location #{location_id}")


def _fit(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def _amount_list(window: Window, amounts: list[tuple[str, Decimal]]) -> str:
    shown = ", ".join(window.money(amount, currency) for currency, amount in amounts[:AMOUNTS_IN_REASON])
    more = len(amounts) - AMOUNTS_IN_REASON
    return shown + (f" and {more} more" if more > 0 else "")


def _recently_flagged(window: Window, kind: str) -> set[tuple]:
    """(location, customer, employee) already flagged for `kind` within the window: one flag per subject per window."""
    return set(
        AnomalyFlag.objects.filter(kind=kind, raised_at__gt=window.since).values_list(
            "location_id", "customer_id", "employee_id"
        )
    )


def _not_flagged_yet(kind: str):
    """The grant has no flag of this kind yet (per-grant patterns: one flag per grant, ever)."""
    return ~Exists(AnomalyFlag.objects.filter(grant_id=OuterRef("pk"), kind=kind))


def _ratio(value: Decimal, base: Decimal) -> str:
    return f"{value / base:.1f}"


# --- the detectors -----------------------------------------------------------------------------


def customers_across_locations(window: Window) -> list[AnomalyFlag]:
    """A customer with active grants at several locations within the window.

    One flag per location involved, so each location's manager sees the
    customer's visits elsewhere next to their own staff's grants.
    Two queries: the customers (grouped and filtered in the database), then
    those customers' grants in the window, for the reason.
    """
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
    done = _recently_flagged(window, Kind.CUSTOMER_ACROSS_LOCATIONS)
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
                AnomalyFlag(
                    kind=Kind.CUSTOMER_ACROSS_LOCATIONS,
                    location_id=location_id,
                    customer_id=customer_id,
                    grant_id=here[-1]["id"],
                    reason=_fit(reason),
                    figures={
                        "window_days": WINDOW_DAYS,
                        "grants": len(grants),
                        "grants_here": len(here),
                        "locations": names,
                        "amounts": [window.money(amount, currency) for currency, amount in amounts],
                        "total": window.money_each(amounts),
                    },
                    raised_at=window.now,
                    dedupe_key=f"{Kind.CUSTOMER_ACROSS_LOCATIONS}:c{customer_id}:l{location_id}:p{window.period}",
                )
            )
    return flags


@dataclass(frozen=True)
class EmployeeStats:
    """One employee's grants at one location in the window (every grant made, voided ones too)."""

    location_id: int
    employee_id: int
    username: str
    grants: int
    total: Decimal
    at_cap: int
    last_grant_id: int

    @property
    def average(self) -> Decimal:
        return self.total / self.grants


def employee_stats(window: Window) -> list[EmployeeStats]:
    """Per location and employee: grants, total and how many at exactly the cap, in one grouped query.

    Only grants in the location's own currency: one made before the location
    changed currency would add yen to euros (the join costs no extra query).
    """
    rows = (
        Grant.objects.filter(granted_at__gte=window.since, granted_at__lte=window.now, currency=F("location__currency"))
        .order_by()
        .values("location_id", "granted_by_id")
        .annotate(
            grants=Count("id"),
            total=Sum("amount"),
            at_cap=Count("id", filter=Q(amount=F("cap"))),
            last=Max("id"),
            username=Max("granted_by_username"),
        )
    )
    return [
        EmployeeStats(
            location_id=row["location_id"],
            employee_id=row["granted_by_id"],
            username=row["username"],
            grants=row["grants"],
            total=quantize(Decimal(row["total"]), window.currency_of(row["location_id"])),
            at_cap=row["at_cap"],
            last_grant_id=row["last"],
        )
        for row in rows
    ]


def employees_above_peers(window: Window, stats: list[EmployeeStats] | None = None) -> list[AnomalyFlag]:
    """An employee whose number of grants or average amount is at least twice their colleagues' median.

    Colleagues are everyone else who granted at the same location in the
    window: the same customers, the same failures, the same playbooks. The
    median, not the mean, so one other outlier does not hide this one.
    """
    stats = employee_stats(window) if stats is None else stats
    by_location = defaultdict(list)
    for row in stats:
        by_location[row.location_id].append(row)
    done = _recently_flagged(window, Kind.EMPLOYEE_ABOVE_PEERS)
    flags = []
    for location_id, rows in by_location.items():
        for row in rows:
            colleagues = [other for other in rows if other.employee_id != row.employee_id]
            if row.grants < PEER_MIN_GRANTS or len(colleagues) < PEER_MIN_COLLEAGUES:
                continue
            if (location_id, None, row.employee_id) in done:
                continue
            median_grants = Decimal(statistics.median(other.grants for other in colleagues))
            currency = window.currency_of(location_id)
            median_average = quantize(statistics.median(other.average for other in colleagues), currency)
            average = quantize(row.average, currency)
            more_grants = row.grants >= PEER_RATIO * median_grants
            higher_average = median_average > 0 and average >= PEER_RATIO * median_average
            if not (more_grants or higher_average):
                continue
            above = []
            if more_grants:
                above.append(f"{_ratio(Decimal(row.grants), median_grants)}× as many grants")
            if higher_average:
                above.append(f"{_ratio(average, median_average)}× the average amount")
            reason = (
                f"{row.username} made {row.grants} grants averaging {window.money(average, currency)} at "
                f"{window.place(location_id)} in {WINDOW_DAYS} days; the median of their {len(colleagues)} "
                f"colleagues there is {median_grants.normalize():f} grants averaging {window.money(median_average, currency)}: "
                f"{' and '.join(above)}."
            )
            flags.append(
                AnomalyFlag(
                    kind=Kind.EMPLOYEE_ABOVE_PEERS,
                    location_id=location_id,
                    employee_id=row.employee_id,
                    grant_id=row.last_grant_id,
                    reason=_fit(reason),
                    figures={
                        "window_days": WINDOW_DAYS,
                        "grants": row.grants,
                        "average": window.money(average, currency),
                        "colleagues": len(colleagues),
                        "colleague_median_grants": f"{median_grants.normalize():f}",
                        "colleague_median_average": window.money(median_average, currency),
                        "count_ratio": _ratio(Decimal(row.grants), median_grants),
                        "average_ratio": _ratio(average, median_average) if median_average > 0 else None,
                    },
                    raised_at=window.now,
                    dedupe_key=f"{Kind.EMPLOYEE_ABOVE_PEERS}:u{row.employee_id}:l{location_id}:p{window.period}",
                )
            )
    return flags


def employees_at_cap(window: Window, stats: list[EmployeeStats] | None = None) -> list[AnomalyFlag]:
    """An employee who nearly always grants exactly the cap, clearly more often than everyone else.

    With no receipt, the purchase value typed decides the cap; always taking
    all of it is how an inflated value turns into money. Everyone else means
    every other employee at every location (a small desk has no colleagues to
    compare with), and their share must be low enough that the ratio holds.
    """
    stats = employee_stats(window) if stats is None else stats
    grants_of, at_cap_of = Counter(), Counter()
    for row in stats:
        grants_of[row.employee_id] += row.grants
        at_cap_of[row.employee_id] += row.at_cap
    all_grants, all_at_cap = sum(grants_of.values()), sum(at_cap_of.values())
    done = _recently_flagged(window, Kind.AT_CAP_REPEATEDLY)
    flags = []
    for row in stats:
        if row.grants < AT_CAP_MIN_GRANTS or (row.location_id, None, row.employee_id) in done:
            continue
        others_grants = all_grants - grants_of[row.employee_id]
        if others_grants < AT_CAP_MIN_GRANTS:
            continue
        share = Decimal(row.at_cap) / row.grants
        others_share = Decimal(all_at_cap - at_cap_of[row.employee_id]) / others_grants
        if share < AT_CAP_MIN_SHARE or share < AT_CAP_BASELINE_RATIO * others_share:
            continue
        reason = (
            f"{row.username} granted exactly the cap in {row.at_cap} of {row.grants} grants ({share:.0%}) at "
            f"{window.place(row.location_id)} in {WINDOW_DAYS} days; everyone else granted the cap in "
            f"{others_share:.0%} of {others_grants} grants."
        )
        flags.append(
            AnomalyFlag(
                kind=Kind.AT_CAP_REPEATEDLY,
                location_id=row.location_id,
                employee_id=row.employee_id,
                grant_id=row.last_grant_id,
                reason=_fit(reason),
                figures={
                    "window_days": WINDOW_DAYS,
                    "grants": row.grants,
                    "at_cap": row.at_cap,
                    "at_cap_share": f"{share:.0%}",
                    "others_at_cap_share": f"{others_share:.0%}",
                    "others_grants": others_grants,
                },
                raised_at=window.now,
                dedupe_key=f"{Kind.AT_CAP_REPEATEDLY}:u{row.employee_id}:l{row.location_id}:p{window.period}",
            )
        )
    return flags


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def grants_to_new_customers(window: Window) -> list[AnomalyFlag]:
    """An active grant to a customer created minutes earlier who left no phone, email or loyalty card.

    One query; grants that already have this flag are left out in the
    database, so a run reads only the new cases.
    """
    rows = (
        Grant.objects.filter(
            _not_flagged_yet(Kind.NEW_CUSTOMER),
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
            AnomalyFlag(
                kind=Kind.NEW_CUSTOMER,
                location_id=row["location_id"],
                customer_id=row["customer_id"],
                employee_id=row["granted_by_id"],
                grant_id=row["id"],
                reason=_fit(reason),
                figures={
                    "amount": window.money(row["amount"], row["currency"]),
                    "minutes_after_creation": int(after.total_seconds() // 60),
                    "created_by": creator or "",
                    "granted_by": row["granted_by_username"],
                },
                raised_at=window.now,
                dedupe_key=f"{Kind.NEW_CUSTOMER}:g{row['id']}",
            )
        )
    return flags


def _duration(delta: timedelta) -> str:
    days, hours = delta.days, delta.seconds // 3600
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours or not parts:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)


def voids_after_the_fact(window: Window) -> list[AnomalyFlag]:
    """A void made in the window more than LATE_VOID_HOURS after its grant (the grant itself may be older).

    One query on the voids index; the flag names the manager who voided, the
    employee concerned by the review.
    """
    rows = (
        Grant.objects.filter(
            _not_flagged_yet(Kind.VOID_AFTER_THE_FACT),
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
            AnomalyFlag(
                kind=Kind.VOID_AFTER_THE_FACT,
                location_id=row["location_id"],
                customer_id=row["customer_id"],
                employee_id=row["voided_by_id"],
                grant_id=row["id"],
                reason=_fit(reason),
                figures={
                    "amount": window.money(row["amount"], row["currency"]),
                    "granted_by": row["granted_by_username"],
                    "voided_by": voider,
                    "hours_after_grant": int(after.total_seconds() // 3600),
                    "void_reason": row["void_reason"],
                },
                raised_at=window.now,
                dedupe_key=f"{Kind.VOID_AFTER_THE_FACT}:g{row['id']}",
            )
        )
    return flags


# --- raising ---------------------------------------------------------------------------------


def anomalies_find(*, now: datetime | None = None) -> list[AnomalyFlag]:
    """Every pattern in the window ending `now`, as unsaved flags (nothing is written)."""
    window = Window.ending(now or timezone.now())
    stats = employee_stats(window)  # shared by the two per-employee detectors
    return [
        *customers_across_locations(window),
        *employees_above_peers(window, stats),
        *employees_at_cap(window, stats),
        *grants_to_new_customers(window),
        *voids_after_the_fact(window),
    ]


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


# The figures that are numbers written in English ("1,250.00", "2.3"): the page rewrites their separators.
NUMBER_FIGURES = frozenset(
    {
        "amounts",
        "total",
        "average",
        "colleague_median_grants",
        "colleague_median_average",
        "count_ratio",
        "average_ratio",
        "amount",
    }
)


def figure_rows(flag: AnomalyFlag) -> list[tuple[str, str]]:
    """The flag's figures as (label, value) lines for the page, lists written out, numbers the reader's way."""
    rows = []
    for key, value in (flag.figures or {}).items():
        if value is None or value == "":
            continue
        shown = wording.figure if key in NUMBER_FIGURES else str
        if isinstance(value, list):
            value = ", ".join(shown(item) for item in value)
        else:
            value = shown(value)
        rows.append((FIGURE_LABELS.get(key, key.replace("_", " ").capitalize()), value))
    return rows


# --- the reason, in the reader's language ------------------------------------------------------
#
# `reason` is stored in English: it is the record (history, journal, API). The page words it again
# from the stored figures and the flag's own relations (its location, employee, customer, grant),
# in the reader's language; a flag whose figures do not say enough shows the stored text.


# One function per counted word: makemessages finds each plural only as literal arguments.
def _days(count) -> str:
    return npgettext("anomaly reason", "%(count)d day", "%(count)d days", int(count)) % {"count": int(count)}


def _times(count) -> str:
    return npgettext("anomaly reason", "%(count)d time", "%(count)d times", int(count)) % {"count": int(count)}


def _locations(count) -> str:
    return npgettext("anomaly reason", "at %(count)d location", "at %(count)d locations", int(count)) % {
        "count": int(count)
    }


def _grants(count) -> str:
    return npgettext("anomaly reason", "%(count)d grant", "%(count)d grants", int(count)) % {"count": int(count)}


def _of_grants(count) -> str:
    return npgettext("anomaly reason", "of %(count)d grant", "of %(count)d grants", int(count)) % {"count": int(count)}


def _colleagues(count) -> str:
    return npgettext("anomaly reason", "%(count)d colleague", "%(count)d colleagues", int(count)) % {
        "count": int(count)
    }


def _minutes_words(count) -> str:
    return npgettext("anomaly reason", "%(count)d minute", "%(count)d minutes", int(count)) % {"count": int(count)}


def _hours(count) -> str:
    return npgettext("anomaly reason", "%(count)d hour", "%(count)d hours", int(count)) % {"count": int(count)}


def _shown_amounts(amounts: list) -> str:
    shown = ", ".join(wording.figure(amount) for amount in amounts[:AMOUNTS_IN_REASON])
    more = len(amounts) - AMOUNTS_IN_REASON
    if more <= 0:
        return shown
    return npgettext("anomaly reason", "%(amounts)s and %(count)d more", "%(amounts)s and %(count)d more", more) % {
        "amounts": shown,
        "count": more,
    }


def _reason_across_locations(flag: AnomalyFlag, f: dict) -> str:
    return pgettext(
        "anomaly reason", "Compensated %(times)s %(places)s (%(names)s) in %(days)s: %(amounts)s (total %(total)s)."
    ) % {
        "times": _times(f["grants"]),
        "places": _locations(len(f["locations"])),
        "names": ", ".join(f["locations"]),
        "days": _days(f["window_days"]),
        "amounts": _shown_amounts(f["amounts"]),
        "total": wording.figure(f["total"]),
    }


def _reason_above_peers(flag: AnomalyFlag, f: dict) -> str:
    # The same tests the detector made, on the same (exact, stored) figures.
    more_grants = Decimal(f["grants"]) >= PEER_RATIO * Decimal(f["colleague_median_grants"])
    median_average = Decimal(f["colleague_median_average"].replace(",", ""))
    higher_average = f.get("average_ratio") is not None and Decimal(f["average"].replace(",", "")) >= (
        PEER_RATIO * median_average
    )
    above = []
    if more_grants:
        above.append(
            pgettext("anomaly reason", "%(ratio)s× as many grants") % {"ratio": wording.figure(f["count_ratio"])}
        )
    if higher_average:
        above.append(
            pgettext("anomaly reason", "%(ratio)s× the average amount") % {"ratio": wording.figure(f["average_ratio"])}
        )
    if not above:
        raise ValueError("the figures do not show why")
    return pgettext(
        "anomaly reason",
        "%(employee)s made %(grants)s averaging %(average)s at %(location)s in %(days)s; the median of their "
        "%(colleagues)s there is %(median_grants)s averaging %(median_average)s: %(above)s.",
    ) % {
        "employee": flag.employee.get_username(),
        "grants": _grants(f["grants"]),
        "average": wording.figure(f["average"]),
        "location": flag.location.name,
        "days": _days(f["window_days"]),
        "colleagues": _colleagues(f["colleagues"]),
        "median_grants": pgettext("anomaly reason", "%(count)s grants")
        % {"count": wording.figure(f["colleague_median_grants"])},
        "median_average": wording.figure(f["colleague_median_average"]),
        "above": pgettext("anomaly reason", "%(first)s and %(second)s") % {"first": above[0], "second": above[1]}
        if len(above) == 2
        else above[0],
    }


def _reason_at_cap(flag: AnomalyFlag, f: dict) -> str:
    return pgettext(
        "anomaly reason",
        "%(employee)s granted exactly the cap in %(at_cap)s %(grants)s (%(share)s) at %(location)s in %(days)s; "
        "everyone else granted the cap in %(others_share)s %(others_grants)s.",
    ) % {
        "employee": flag.employee.get_username(),
        "at_cap": int(f["at_cap"]),
        "grants": _of_grants(f["grants"]),
        "share": f["at_cap_share"],
        "location": flag.location.name,
        "days": _days(f["window_days"]),
        "others_share": f["others_at_cap_share"],
        "others_grants": _of_grants(f["others_grants"]),
    }


def _reason_new_customer(flag: AnomalyFlag, f: dict) -> str:
    minutes = int(f["minutes_after_creation"])
    figures = {
        "number": flag.grant_id,
        "amount": wording.figure(f["amount"]),
        "employee": f["granted_by"],
        "customer": flag.customer.name,
        "minutes": _minutes_words(minutes) if minutes >= 1 else pgettext("anomaly reason", "less than a minute"),
        "creator": f.get("created_by") or "",
    }
    if figures["creator"]:
        text = pgettext(
            "anomaly reason",
            "Grant #%(number)s of %(amount)s by %(employee)s to %(customer)s, a customer created %(minutes)s earlier "
            "by %(creator)s with no phone, email or loyalty card: nobody can confirm the customer exists.",
        )
    else:
        text = pgettext(
            "anomaly reason",
            "Grant #%(number)s of %(amount)s by %(employee)s to %(customer)s, a customer created %(minutes)s earlier "
            "with no phone, email or loyalty card: nobody can confirm the customer exists.",
        )
    return text % figures


def _reason_late_void(flag: AnomalyFlag, f: dict) -> str:
    days, hours = divmod(int(f["hours_after_grant"]), 24)
    parts = [_days(days)] if days else []
    if hours or not parts:
        parts.append(_hours(hours))
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


_REASONS = {
    Kind.CUSTOMER_ACROSS_LOCATIONS: _reason_across_locations,
    Kind.EMPLOYEE_ABOVE_PEERS: _reason_above_peers,
    Kind.AT_CAP_REPEATEDLY: _reason_at_cap,
    Kind.NEW_CUSTOMER: _reason_new_customer,
    Kind.VOID_AFTER_THE_FACT: _reason_late_void,
}


def reason_shown(flag: AnomalyFlag) -> str:
    """Why the flag was raised, in the active language, from its stored figures (no query: the page
    loads the flag's location, employee and customer with it).

    English readers get the stored reason itself, the record. A flag whose
    figures are missing or damaged (an older flag, a hand-made one) also shows
    the stored text: better English than a wrong sentence.
    """
    build = _REASONS.get(flag.kind)
    if wording.language().split("-")[0] == "en" or build is None or not flag.figures:
        return flag.reason
    try:
        return _fit(build(flag, flag.figures))
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        return flag.reason


# --- review ----------------------------------------------------------------------------------


def anomaly_review(*, actor, flag_id: int, outcome: str, note: str) -> AnomalyFlag:
    """Record a manager's review of a flag, once, in the location's audit journal.

    The location row is locked first (it orders the location's journal chain,
    as for a void), then the flag row, so two managers reviewing at once get
    one review and a clear message for the other. "Other" needs a note: the
    outcome alone would not say what was found. Permission (a manager of the
    flag's location, not the employee it concerns) is the view's check.
    """
    note = note.strip()
    if outcome not in AnomalyFlag.Outcome.values:
        raise RecoveryError("outcome", gettext("Outcome: choose fine, talked to the employee, or other."))
    if outcome == AnomalyFlag.Outcome.OTHER and not note:
        raise RecoveryError("note", gettext("Note: say what you found or did (required for “Other”)."))
    location_id = AnomalyFlag.objects.values_list("location_id", flat=True).get(pk=flag_id)
    now = timezone.now()
    with transaction.atomic():
        _lock_location(location_id)
        flag = (
            AnomalyFlag.objects.select_for_update(of=("self",))
            .select_related("reviewed_by", "location")
            .get(pk=flag_id)
        )
        if not flag.is_open:
            raise RecoveryError(
                None,
                gettext("Flag #%(flag)s was already reviewed by %(manager)s at %(when)s: %(outcome)s.")
                % {
                    "flag": flag.pk,
                    "manager": flag.reviewed_by,
                    # The flag's location's wall clock: that is where its manager works.
                    "when": wording.moment_words(flag.reviewed_at, flag.location.timezone),
                    "outcome": flag.get_outcome_display(),
                },
            )
        flag.outcome = outcome
        flag.outcome_note = note
        flag.reviewed_by = actor
        flag.reviewed_at = now
        flag._history_user = actor
        flag._history_date = now
        with translation.override("en"):  # the history is the record: English, whoever reviews
            flag._change_reason = f"Reviewed: {flag.get_outcome_display()}" + (f" — {note}" if note else "")
        flag.save()
        journal_append(
            chain=location_chain(location_id),
            kind="anomaly.reviewed",
            subject_type="anomaly_flag",
            subject_id=flag.pk,
            actor=actor,
            location_id=location_id,
            at=now,
            payload={
                "flag_kind": flag.kind,
                "outcome": outcome,
                "note": note,
                "reason": flag.reason,
                "grant_id": flag.grant_id,
                "customer_id": flag.customer_id,
                "employee_id": flag.employee_id,
                "dedupe_key": flag.dedupe_key,
            },
        )
    return flag
