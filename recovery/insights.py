"""Insight selectors: what compensation costs, where, for what, and who resolves well.

Every figure is aggregated by the database (SUM, COUNT, AVG, GROUP BY, window
functions for the top three per location) over a bounded date window read
through an index (`grant_recent` for every location, `grant_location_recent`
for some; the flags and escalations by location and time). The grant figures
read the grant table alone: each grant keeps a copy of its failure's category
and logged time. A page costs the same handful of grouped queries whether the
window holds ten grants or a million; Python only names, orders, zero-fills
and adds up the few grouped rows.

Locations may grant in different currencies, and amounts of different
currencies are never added: the grouped queries also group by the grant's
currency, and every money figure is an `Amounts` (one sum per currency), shown
as one figure per currency. Charts plot one currency (the dashboard's main one).

Each function takes an `InsightScope`, made by `insight_scope_for`, which is
already limited to the locations the user may see (`location_ids_for`): a
manager's scope can never reach another location's rows.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from compensation.money import ZERO, Amounts, quantize
from recovery.models import AnomalyFlag, Customer, Escalation, Grant, Location, RuleFlag, ServiceFailure
from recovery.selectors import BudgetRow, budget_rows_for, location_ids_for

DEFAULT_WEEKS = 12
MAX_WINDOW_DAYS = 366
TOP_PLAYBOOKS = 5
TOP_REPEAT_CUSTOMERS = 10
RECOGNISED_PER_LOCATION = 3
# Fewer grants than this and an average resolution time is luck, not a habit worth recognising.
FASTEST_MIN_GRANTS = 5

ACTIVE = Q(status=Grant.Status.ACTIVE)
VOIDED = Q(status=Grant.Status.VOIDED)

# Failure logged → grant. On-the-spot grants count from the moment the resolve page was opened.
# Labels are worded when a page is built (gettext_noop marks them for the catalogue).
RESOLUTION_BUCKETS: tuple[tuple[str, dt.timedelta | None], ...] = (
    (gettext_noop("Under 1 minute"), dt.timedelta(minutes=1)),
    (gettext_noop("1–5 minutes"), dt.timedelta(minutes=5)),
    (gettext_noop("5–15 minutes"), dt.timedelta(minutes=15)),
    (gettext_noop("15–60 minutes"), dt.timedelta(hours=1)),
    (gettext_noop("1–4 hours"), dt.timedelta(hours=4)),
    (gettext_noop("Over 4 hours"), None),
)
# How many failures a customer had in the window: 1, 2, 3, 4 or more.
REPEAT_BUCKETS = (
    gettext_noop("1 failure"),
    gettext_noop("2 failures"),
    gettext_noop("3 failures"),
    gettext_noop("4 or more"),
)


def _money(amount, currency: str) -> Decimal:
    """A database sum as exact money (SQLite sums decimals as floats)."""
    return quantize(Decimal(str(amount)) if amount is not None else ZERO, currency)


def _amounts(amount, currency: str) -> Amounts:
    """A grouped row's sum in its currency (nothing when the sum is empty)."""
    return Amounts() if amount is None else Amounts.of(currency, _money(amount, currency))


# --- scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightScope:
    """The window and locations every insight query of one page is limited to.

    `location_ids` None means every location (ops and auditors without a
    location filter); otherwise exactly these, all of them visible to the user.
    """

    start: dt.datetime  # aware, inclusive
    end: dt.datetime  # aware, exclusive
    tz: zoneinfo.ZoneInfo
    location_ids: frozenset[int] | None

    def grants(self) -> QuerySet[Grant]:
        return self._located(Grant.objects.filter(granted_at__gte=self.start, granted_at__lt=self.end))

    def _located(self, queryset):
        queryset = queryset.order_by()  # no default ordering in a GROUP BY
        return queryset if self.location_ids is None else queryset.filter(location_id__in=self.location_ids)

    def weeks(self) -> list[dt.date]:
        """The Mondays (local dates) of every week the window touches, oldest first."""
        first = self.start.astimezone(self.tz).date()
        last = (self.end - dt.timedelta(microseconds=1)).astimezone(self.tz).date()
        monday = first - dt.timedelta(days=first.weekday())
        weeks = []
        while monday <= last:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
        return weeks


def local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def insight_scope_for(*, user, start: dt.date, end: dt.date, location: Location | None, tz) -> InsightScope:
    """The scope of a dashboard or report: `start`..`end` (local dates, both included).

    Raises PermissionError if `location` is not one the user may see (the forms
    only offer visible ones; this is the selector's own guard).
    """
    visible = location_ids_for(user)
    if location is not None:
        if visible is not None and location.pk not in visible:
            raise PermissionError("This location is not one of yours.")
        location_ids = frozenset({location.pk})
    else:
        location_ids = visible
    return InsightScope(
        start=local_midnight(start, tz),
        end=local_midnight(end + dt.timedelta(days=1), tz),
        tz=tz,
        location_ids=location_ids,
    )


def default_window(today: dt.date, weeks: int = DEFAULT_WEEKS) -> tuple[dt.date, dt.date]:
    """The last `weeks` whole weeks including this one: from a Monday to today."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(weeks=weeks - 1), today


# --- spending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekSpend:
    week: dt.date  # the Monday
    active: Amounts
    voided: Amounts
    grants: int
    voided_grants: int


@dataclass(frozen=True)
class SpendTotals:
    active: Amounts
    grants: int
    voided: Amounts
    voided_grants: int


@dataclass(frozen=True)
class CountBucket:
    label: str
    count: int


@dataclass(frozen=True)
class WindowFigures:
    """Spending per week, its totals, and how long failures took to be granted."""

    weeks: list[WeekSpend]  # every week of the window, oldest first, zeros included
    totals: SpendTotals
    resolution: list[CountBucket]  # grants per RESOLUTION_BUCKETS entry
    currencies: tuple[str, ...] = ()  # of the window's grants, most grants first

    def main_currency(self, default: str) -> str:
        """The currency most of the window's grants were made in (`default` without grants)."""
        return self.currencies[0] if self.currencies else default


def _resolution():
    """Failure logged → grant made (a duration the database computes from the grant's own row)."""
    return ExpressionWrapper(F("granted_at") - F("failure_logged_at"), output_field=DurationField())


def _resolution_bucket() -> Case:
    """The index in RESOLUTION_BUCKETS of a grant's resolution time (the first bound it is under)."""
    whens = [
        When(resolution__lt=upper, then=Value(index))
        for index, (_, upper) in enumerate(RESOLUTION_BUCKETS)
        if upper is not None
    ]
    return Case(*whens, default=Value(len(RESOLUTION_BUCKETS) - 1), output_field=IntegerField())


def window_figures(*, scope: InsightScope) -> WindowFigures:
    """Active and voided money per week, and grants per resolution-time bucket: one grouped query.

    The grants of the window are read once for three charts: grouped by week
    and resolution bucket, at most six rows a week. The weekly money, the
    totals and the bucket counts are sums of those few subtotals (exact
    decimals, never the grants themselves).
    """
    rows = (
        scope.grants()
        .alias(resolution=_resolution())
        .annotate(week=TruncWeek("granted_at", tzinfo=scope.tz), bucket=_resolution_bucket())
        .values("week", "bucket", "currency")
        .annotate(
            active=Sum("amount", filter=ACTIVE),
            voided=Sum("amount", filter=VOIDED),
            grants=Count("amount", filter=ACTIVE),
            voided_grants=Count("amount", filter=VOIDED),
        )
    )
    week_rows: dict[dt.date, list[dict]] = {}
    bucket_counts = [0] * len(RESOLUTION_BUCKETS)
    grants_by_currency: dict[str, int] = {}
    for row in rows:
        week_rows.setdefault(_local_date(row["week"], scope.tz), []).append(row)
        bucket_counts[row["bucket"]] += row["grants"] + row["voided_grants"]
        grants_by_currency[row["currency"]] = (
            grants_by_currency.get(row["currency"], 0) + row["grants"] + row["voided_grants"]
        )
    weeks = [
        WeekSpend(
            week=week,
            active=sum((_amounts(row["active"], row["currency"]) for row in week_rows.get(week, [])), Amounts()),
            voided=sum((_amounts(row["voided"], row["currency"]) for row in week_rows.get(week, [])), Amounts()),
            grants=sum(row["grants"] for row in week_rows.get(week, [])),
            voided_grants=sum(row["voided_grants"] for row in week_rows.get(week, [])),
        )
        for week in scope.weeks()
    ]
    totals = SpendTotals(
        active=sum((week.active for week in weeks), Amounts()),
        grants=sum(week.grants for week in weeks),
        voided=sum((week.voided for week in weeks), Amounts()),
        voided_grants=sum(week.voided_grants for week in weeks),
    )
    resolution = [
        CountBucket(label=gettext(label), count=count)
        for (label, _), count in zip(RESOLUTION_BUCKETS, bucket_counts, strict=True)
    ]
    currencies = tuple(sorted(grants_by_currency, key=lambda code: (-grants_by_currency[code], code)))
    return WindowFigures(weeks=weeks, totals=totals, resolution=resolution, currencies=currencies)


def _local_date(value, tz) -> dt.date:
    """TruncWeek gives an aware datetime (or a date on some backends): its local calendar date."""
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    return value


@dataclass(frozen=True)
class SpendLine:
    """Active grants of one playbook, category or location in the window."""

    key: str
    label: str
    active: Amounts
    grants: int
    voided: Amounts = field(default_factory=Amounts)


def _spend_totals() -> dict:
    """Active spend, active grant count and voided spend of a group of grants (one aggregate each)."""
    return {
        "active": Sum("amount", filter=ACTIVE),
        "grants": Count("amount", filter=ACTIVE),
        "voided": Sum("amount", filter=VOIDED),
    }


def _spend_lines(rows, *, key: str, label: str, currency: str, tiebreak, limit: int | None = None) -> list[SpendLine]:
    """One line per `key` from rows grouped by key and currency, most spent (in `currency`) first."""
    lines: dict[str, SpendLine] = {}
    for row in rows:
        line = lines.get(str(row[key]))
        lines[str(row[key])] = SpendLine(
            key=str(row[key]),
            label=row[label] if line is None else max(line.label, row[label]),
            active=(line.active if line else Amounts()) + _amounts(row["active"], row["currency"]),
            grants=(line.grants if line else 0) + row["grants"],
            voided=(line.voided if line else Amounts()) + _amounts(row["voided"], row["currency"]),
        )
    ordered = sorted(lines.values(), key=lambda line: (-line.active.get(currency), tiebreak(line)))
    return ordered[:limit] if limit is not None else ordered


def spend_by_playbook(*, scope: InsightScope, currency: str | None = None, limit: int | None = None) -> list[SpendLine]:
    """Per playbook, most spent (in `currency`, the page's main one) first; other currencies beside it.

    The name is the one grants recorded (the latest of them).
    """
    currency = currency or settings.RECOVERY_CURRENCY
    rows = scope.grants().values("playbook_id", "currency").annotate(name=Max("playbook_name"), **_spend_totals())
    return _spend_lines(
        rows, key="playbook_id", label="name", currency=currency, tiebreak=lambda line: int(line.key), limit=limit
    )


@dataclass(frozen=True)
class CategoryLine:
    """Failures of one category (the touchpoint that failed) and the active compensation for them."""

    key: str
    label: str
    failures: int
    active: Amounts


def failures_by_category(*, scope: InsightScope) -> list[CategoryLine]:
    """Per failure category, most frequent first.

    Every failure is logged with its grant (an escalation's when approved), so
    a failure is counted in the window its grant was made, voided or not; the
    money is the active grants. The category is the grant's copy of it (no join).
    """
    rows = (
        scope.grants().values("category", "currency").annotate(failures=Count("*"), active=Sum("amount", filter=ACTIVE))
    )
    labels = dict(ServiceFailure.Category.choices)
    lines: dict[str, CategoryLine] = {}
    for row in rows:
        line = lines.get(row["category"])
        lines[row["category"]] = CategoryLine(
            key=row["category"],
            label=labels.get(row["category"], row["category"]),
            failures=(line.failures if line else 0) + row["failures"],
            active=(line.active if line else Amounts()) + _amounts(row["active"], row["currency"]),
        )
    return sorted(lines.values(), key=lambda line: (-line.failures, line.key))


def spend_by_location(*, scope: InsightScope, currency: str | None = None) -> list[SpendLine]:
    """Per location, most spent first (a location's grants are in its own currency)."""
    currency = currency or settings.RECOVERY_CURRENCY
    rows = scope.grants().values("location_id", "location__name", "currency").annotate(**_spend_totals())
    return _spend_lines(
        rows, key="location_id", label="location__name", currency=currency, tiebreak=lambda line: line.label
    )


# --- repeat failures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatCustomer:
    customer_id: int
    name: str
    failures: int
    active: Amounts
    last_failure: dt.datetime


def repeat_failure_buckets(*, scope: InsightScope) -> list[CountBucket]:
    """How many customers had 1, 2, 3, or 4+ failures in the window.

    One query: the failures are counted per customer in a subquery, and the
    outer query counts the customers in each bucket.
    """
    per_customer = scope.grants().values("customer_id").annotate(failures=Count("*"))
    row = per_customer.aggregate(
        one=Count("customer_id", filter=Q(failures=1)),
        two=Count("customer_id", filter=Q(failures=2)),
        three=Count("customer_id", filter=Q(failures=3)),
        more=Count("customer_id", filter=Q(failures__gte=4)),
    )
    counts = (row["one"], row["two"], row["three"], row["more"])
    return [
        CountBucket(label=gettext(label), count=count or 0) for label, count in zip(REPEAT_BUCKETS, counts, strict=True)
    ]


def top_repeat_customers(
    *, scope: InsightScope, currencies: Iterable[str] = (), limit: int = TOP_REPEAT_CUSTOMERS
) -> list[RepeatCustomer]:
    """Customers with two or more failures in the window, most failures first (one query).

    The grouping counts failures per customer id and nothing else, so its hash
    table stays small; the name and the latest failure are subqueries the
    database runs only for the few rows left after the limit. The money is one
    conditional sum per currency of the window (`currencies`, from
    `window_figures`; default the deployment's), so currencies never mix.
    """
    currencies = list(currencies) or [settings.RECOVERY_CURRENCY]
    sums = {
        f"active_{index}": Sum("amount", filter=ACTIVE & Q(currency=currency))
        for index, currency in enumerate(currencies)
    }
    in_window = scope.grants().filter(customer_id=OuterRef("customer_id"))
    rows = (
        scope.grants()
        .values("customer_id")
        .annotate(failures=Count("*"), **sums)
        .filter(failures__gte=2)
        .order_by("-failures", "customer_id")
        .annotate(
            name=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).order_by().values("name")[:1]),
            last_failure=Subquery(in_window.order_by("-granted_at").values("granted_at")[:1]),
        )[:limit]
    )
    return [
        RepeatCustomer(
            customer_id=row["customer_id"],
            name=row["name"],
            failures=row["failures"],
            active=sum(
                (_amounts(row[f"active_{index}"], currency) for index, currency in enumerate(currencies)), Amounts()
            ),
            last_failure=row["last_failure"],
        )
        for row in rows
    ]


# --- recognition ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recognised:
    """One employee's place on a location's recognition panel."""

    rank: int
    name: str
    customers: int = 0  # distinct customers recovered (active grants)
    grants: int = 0
    average_resolution: dt.timedelta | None = None

    @property
    def average_text(self) -> str:
        return duration_text(self.average_resolution)


@dataclass(frozen=True)
class LocationRecognition:
    location_id: int
    location_name: str
    most_recovered: list[Recognised] = field(default_factory=list)
    fastest: list[Recognised] = field(default_factory=list)


def _employee_name(row) -> str:
    return f"{row['first_name']} {row['last_name']}".strip() or row["username"]


def recognition_for(*, scope: InsightScope) -> list[LocationRecognition]:
    """Per location, the three employees who recovered most customers and the three fastest.

    One query: active grants grouped by location and employee id, ranked twice
    within their location by window functions, so the database returns only
    the employees on a panel; their names are looked up for those few rows.
    "Fastest" is the average time from failure to grant, and only over at
    least `FASTEST_MIN_GRANTS` grants: the employees below that rank after
    everyone who qualifies and are never shown.
    """
    employee = get_user_model().objects.filter(pk=OuterRef("granted_by_id")).order_by()
    qualifies = Case(When(grants__gte=FASTEST_MIN_GRANTS, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = (
        scope.grants()
        .filter(ACTIVE)
        .values("location_id", "granted_by_id")
        .annotate(customers=Count("customer_id", distinct=True), grants=Count("*"), average=Avg(_resolution()))
        .annotate(
            recovered_rank=Window(
                RowNumber(),
                partition_by=F("location_id"),
                order_by=(F("customers").desc(), F("grants").desc(), F("granted_by_id").asc()),
            ),
            fastest_rank=Window(
                RowNumber(),
                partition_by=F("location_id"),
                order_by=(qualifies.asc(), F("average").asc(), F("grants").desc(), F("granted_by_id").asc()),
            ),
        )
        .filter(Q(recovered_rank__lte=RECOGNISED_PER_LOCATION) | Q(fastest_rank__lte=RECOGNISED_PER_LOCATION))
        .annotate(
            location_name=Subquery(Location.objects.filter(pk=OuterRef("location_id")).order_by().values("name")[:1]),
            username=Subquery(employee.values("username")[:1]),
            first_name=Subquery(employee.values("first_name")[:1]),
            last_name=Subquery(employee.values("last_name")[:1]),
        )
    )
    panels: dict[int, LocationRecognition] = {}
    for row in rows:
        if row["location_id"] not in panels:
            panels[row["location_id"]] = LocationRecognition(
                location_id=row["location_id"], location_name=row["location_name"]
            )
        panel = panels[row["location_id"]]
        name = _employee_name(row)
        if row["recovered_rank"] <= RECOGNISED_PER_LOCATION:
            panel.most_recovered.append(
                Recognised(rank=row["recovered_rank"], name=name, customers=row["customers"], grants=row["grants"])
            )
        if row["fastest_rank"] <= RECOGNISED_PER_LOCATION and row["grants"] >= FASTEST_MIN_GRANTS:
            panel.fastest.append(
                Recognised(rank=row["fastest_rank"], name=name, grants=row["grants"], average_resolution=row["average"])
            )
    for panel in panels.values():
        panel.most_recovered.sort(key=lambda entry: entry.rank)
        panel.fastest.sort(key=lambda entry: entry.rank)
    return sorted(panels.values(), key=lambda panel: (panel.location_name, panel.location_id))


def duration_text(value: dt.timedelta | None) -> str:
    """A resolution time as people say it: '45 s', '3 min 20 s', '1 h 05 min'."""
    if value is None:
        return "—"
    seconds = max(int(round(value.total_seconds())), 0)
    if seconds < 60:
        return gettext("%(seconds)s s") % {"seconds": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return gettext("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": f"{seconds:02d}"}
    hours, minutes = divmod(minutes, 60)
    return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}


# --- budgets ----------------------------------------------------------------------------------


def budget_use_for(*, user, scope: InsightScope, now: dt.datetime | None = None) -> list[BudgetRow]:
    """This month's budget use of the scope's locations (each location's own calendar month)."""
    rows = budget_rows_for(user=user, now=now)
    if scope.location_ids is None:
        return rows
    return [row for row in rows if row.location.pk in scope.location_ids]


# --- the dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    scope: InsightScope
    totals: SpendTotals
    weeks: list[WeekSpend]
    playbooks: list[SpendLine]
    categories: list[CategoryLine]
    locations: list[SpendLine]
    repeat_buckets: list[CountBucket]
    repeat_customers: list[RepeatCustomer]
    resolution: list[CountBucket]
    recognition: list[LocationRecognition]
    budgets: list[BudgetRow]  # each in its location's currency (row.currency)
    currency: str  # the main currency: the charts plot it, lines are ordered by it
    currencies: tuple[str, ...] = ()  # every currency the window's grants were made in

    @property
    def several_currencies(self) -> bool:
        return len(self.currencies) > 1


def dashboard_for(*, user, scope: InsightScope) -> Dashboard:
    """Every figure of the insight dashboard: a fixed number of grouped queries."""
    figures = window_figures(scope=scope)
    currency = figures.main_currency(settings.RECOVERY_CURRENCY)
    return Dashboard(
        scope=scope,
        totals=figures.totals,
        weeks=figures.weeks,
        playbooks=spend_by_playbook(scope=scope, currency=currency),
        categories=failures_by_category(scope=scope),
        locations=spend_by_location(scope=scope, currency=currency),
        repeat_buckets=repeat_failure_buckets(scope=scope),
        repeat_customers=top_repeat_customers(scope=scope, currencies=figures.currencies),
        resolution=figures.resolution,
        recognition=recognition_for(scope=scope),
        budgets=budget_use_for(user=user, scope=scope),
        currency=currency,
        currencies=figures.currencies,
    )


# --- the monthly report ------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagOutcome:
    """Flags of one kind in the month, by how their review ended."""

    kind: str
    label: str
    raised: int
    outcomes: dict[str, int]  # outcome label → count, "Not reviewed yet" for open ones


@dataclass(frozen=True)
class EscalationSummary:
    requested: int
    approved: int
    declined: int
    pending: int
    approved_amount: Amounts  # the approved grants' amounts, per currency


def anomaly_flag_outcomes(*, scope: InsightScope) -> list[FlagOutcome]:
    """Anomaly flags raised in the window per kind, counted by review outcome (one grouped query)."""
    flags = AnomalyFlag.objects.filter(raised_at__gte=scope.start, raised_at__lt=scope.end).order_by()
    if scope.location_ids is not None:
        flags = flags.filter(location_id__in=scope.location_ids)
    rows = flags.values("kind", "outcome").annotate(count=Count("id"))
    outcome_labels = {"": "Not reviewed yet", **dict(AnomalyFlag.Outcome.choices)}
    return _flag_outcomes(rows, "kind", "outcome", dict(AnomalyFlag.Kind.choices), outcome_labels)


def rule_flag_outcomes(*, scope: InsightScope) -> list[FlagOutcome]:
    """'A rule stood in my way' flags raised in the window per rule, counted by status."""
    flags = RuleFlag.objects.filter(raised_at__gte=scope.start, raised_at__lt=scope.end).order_by()
    if scope.location_ids is not None:
        flags = flags.filter(location_id__in=scope.location_ids)
    rows = flags.values("rule", "status").annotate(count=Count("id"))
    return _flag_outcomes(rows, "rule", "status", dict(RuleFlag.Rule.choices), dict(RuleFlag.Status.choices))


def _flag_outcomes(rows: Iterable[dict], kind_key, outcome_key, kind_labels, outcome_labels) -> list[FlagOutcome]:
    by_kind: dict[str, dict[str, int]] = {}
    for row in rows:
        outcomes = by_kind.setdefault(row[kind_key], {})
        label = outcome_labels.get(row[outcome_key], row[outcome_key])
        outcomes[label] = outcomes.get(label, 0) + row["count"]
    lines = [
        FlagOutcome(
            kind=kind,
            label=kind_labels.get(kind, kind),
            raised=sum(outcomes.values()),
            outcomes={label: outcomes[label] for label in outcome_labels.values() if label in outcomes},
        )
        for kind, outcomes in by_kind.items()
    ]
    return sorted(lines, key=lambda line: (-line.raised, line.label))


def escalation_summary(*, scope: InsightScope) -> EscalationSummary:
    escalations = Escalation.objects.filter(requested_at__gte=scope.start, requested_at__lt=scope.end).order_by()
    if scope.location_ids is not None:
        escalations = escalations.filter(location_id__in=scope.location_ids)
    # Grouped by the approved grant's currency (none while not approved): one row per currency.
    rows = list(
        escalations.values("grant__currency").annotate(
            requested=Count("id"),
            approved=Count("id", filter=Q(status=Escalation.Status.APPROVED)),
            declined=Count("id", filter=Q(status=Escalation.Status.DECLINED)),
            pending=Count("id", filter=Q(status=Escalation.Status.PENDING)),
            approved_amount=Sum("requested_amount", filter=Q(status=Escalation.Status.APPROVED)),
        )
    )
    return EscalationSummary(
        requested=sum(row["requested"] for row in rows),
        approved=sum(row["approved"] for row in rows),
        declined=sum(row["declined"] for row in rows),
        pending=sum(row["pending"] for row in rows),
        approved_amount=sum(
            (_amounts(row["approved_amount"], row["grant__currency"]) for row in rows if row["grant__currency"]),
            Amounts(),
        ),
    )


@dataclass(frozen=True)
class MonthlyReport:
    location: Location
    month: dt.date  # the 1st
    scope: InsightScope
    totals: SpendTotals
    weeks: list[WeekSpend]
    categories: list[CategoryLine]
    top_playbooks: list[SpendLine]
    resolution: list[CountBucket]
    anomaly_flags: list[FlagOutcome]
    rule_flags: list[FlagOutcome]
    escalations: EscalationSummary
    recognition: list[LocationRecognition]  # the location's panel, or none without grants
    currency: str  # the location's (grants made before it changed currency show beside it)


def month_scope_for(*, user, location: Location, month: dt.date) -> InsightScope:
    """The calendar month `month` at `location`, midnight to midnight in its own time zone.

    The current month ends with today there: weeks that have not happened yet are not shown as
    0.00 (a committee reading "0.00" reads "nothing was spent", not "not yet").
    """
    tz = zoneinfo.ZoneInfo(location.timezone)
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    end = min(last, timezone.localdate(timezone=tz))
    return insight_scope_for(user=user, start=first, end=max(end, first), location=location, tz=tz)


def monthly_report_for(*, user, location: Location, month: dt.date) -> MonthlyReport:
    """One location's month for the service-quality meeting (a fixed number of grouped queries)."""
    scope = month_scope_for(user=user, location=location, month=month)
    figures = window_figures(scope=scope)
    currency = location.currency
    return MonthlyReport(
        location=location,
        month=month.replace(day=1),
        scope=scope,
        totals=figures.totals,
        weeks=figures.weeks,
        categories=failures_by_category(scope=scope),
        top_playbooks=spend_by_playbook(scope=scope, currency=currency, limit=TOP_PLAYBOOKS),
        resolution=figures.resolution,
        anomaly_flags=anomaly_flag_outcomes(scope=scope),
        rule_flags=rule_flag_outcomes(scope=scope),
        escalations=escalation_summary(scope=scope),
        recognition=recognition_for(scope=scope),
        currency=currency,
    )
