"""Selectors: the reads behind each page, already restricted to what the user may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext_lazy

from compensation import wording
from compensation.limits import BudgetRule, budget_remaining, budget_state
from compensation.models import LocationBudget
from compensation.money import ZERO, quantize
from compensation.policy import load_policy, tenure_in_months
from compensation.predicates import roles_of, sees_every_location
from recovery.models import AnomalyFlag, ApiToken, Customer, Escalation, Grant, Location, RuleFlag
from recovery.predicates import location_ids_of, locations_of, remember_location_ids
from recovery.services import limit_usage, phone_normalize

RECENT_DAYS = 90
SEARCH_LIMIT = 20
FLAG_LIST_LIMIT = 200
DECIDED_DAYS = 7
DECIDED_LIMIT = 30
ANOMALY_LIST_LIMIT = 100


def counter_locations_for(*, user) -> list[Location]:
    """The employee's active locations, by name, in one query (which also caches their ids for `rules`)."""
    if not user.is_authenticated:
        return []
    locations = list(locations_of(user).order_by("name"))
    remember_location_ids(user, (location.id for location in locations))
    return locations


def counter_location_for(*, user, chosen_id: int | None) -> Location | None:
    """The location the employee is serving at: the one chosen this session, else their first."""
    locations = counter_locations_for(user=user)
    for location in locations:
        if location.id == chosen_id:
            return location
    return locations[0] if locations else None


def _recent_grants_filter(prefix: str = "") -> Q:
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return Q(**{f"{prefix}granted_at__gte": since, f"{prefix}status": Grant.Status.ACTIVE})


def customer_matches(query: str) -> Q:
    """Whom staff mean by what they typed: the exact phone (any format), card or email, or part of the name."""
    matches = Q(loyalty_card__iexact=query) | Q(email__iexact=query) | Q(name__icontains=query)
    try:
        phone = phone_normalize(query)
    except ValueError:
        phone = ""
    if phone:
        matches |= Q(phone=phone)
    return matches


def customer_search(*, query: str, currency: str | None = None) -> list[Customer]:
    """Customers matching a phone number, loyalty card, email or name, with their 90-day value.

    The count covers every grant; the total only those in `currency` (the counter
    location's, default the deployment's): amounts of different currencies never add up.
    """
    query = query.strip()
    if not query:
        return []
    matches = customer_matches(query)
    recent = _recent_grants_filter("grants__")
    in_currency = recent & Q(grants__currency=currency or settings.RECOVERY_CURRENCY)
    return list(
        Customer.objects.filter(matches)
        .annotate(
            recent_grant_count=Count("grants", filter=recent),
            recent_grant_total=Sum("grants__amount", filter=in_currency),
        )
        .order_by("name")[:SEARCH_LIMIT]
    )


@dataclass(frozen=True)
class CustomerValue:
    """What everyone facing the customer must see before choosing compensation."""

    recent_grants: list[Grant]

    @property
    def recent_count(self) -> int:
        return len(self.recent_grants)

    @property
    def recent_totals(self) -> list[tuple[str, Decimal]]:
        """The 90-day total per currency, by currency code (grants at locations of different currencies
        are never added together)."""
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for grant in self.recent_grants:
            totals[grant.currency] += grant.amount
        return sorted(totals.items())


def customer_value(*, customer: Customer) -> CustomerValue:
    grants = list(
        Grant.objects.filter(_recent_grants_filter(), customer=customer)
        .select_related("location")
        .order_by("-granted_at")
    )
    return CustomerValue(recent_grants=grants)


def audit_locations_for(*, user) -> QuerySet[Location]:
    """Locations whose grants the user reviews: all for ops, their own for managers."""
    if sees_every_location(user):
        return Location.objects.all()
    return Location.objects.filter(id__in=location_ids_of(user))


def grant_list_for(*, user) -> QuerySet[Grant]:
    """Every grant the user may review: ops all, managers their locations' only."""
    grants = Grant.objects.select_related("customer", "location", "granted_by", "failure")
    if sees_every_location(user):
        return grants
    return grants.filter(location_id__in=location_ids_of(user))


EXPORT_COLUMNS = (
    ("grant", "id"),
    ("granted_at_utc", "granted_at"),
    ("location", "location__name"),
    ("employee", "granted_by_username"),
    ("customer", "customer__name"),
    ("category", "category"),
    ("failure_note", "failure__note"),
    ("playbook", "playbook_name"),
    ("purchase_value", "purchase_value"),
    ("amount", "amount"),
    ("cap", "cap"),
    ("currency", "currency"),
    ("tenure_months", "tenure_months"),
    ("tier", "tenure_tier"),
    ("authority", "authority_role"),
    ("authority_limit", "authority_limit"),
    ("policy_version", "policy_version__number"),
    ("approved_by", "approved_by__username"),
    ("status", "status"),
    ("voided_at_utc", "voided_at"),
    ("void_reason", "void_reason"),
    ("voucher_code", "voucher_code"),
)


def grant_export_rows(grants: QuerySet[Grant]):
    """The header, then one row per grant as plain values, streamed in chunks (constant memory)."""
    yield [name for name, _ in EXPORT_COLUMNS]
    rows = grants.order_by("-granted_at", "-id").values_list(*(column for _, column in EXPORT_COLUMNS))
    yield from rows.iterator(chunk_size=2000)


TIMELINE_COLUMNS = (
    "at_utc",
    "event",
    "location",
    "employee",
    "customer",
    "playbook",
    "category",
    "amount",
    "currency",
    "flagged",
    "summary",
    "record",
)


def timeline_export_rows(entries):
    """The header, then one row per timeline entry (already streamed by `timeline_stream`)."""
    yield list(TIMELINE_COLUMNS)
    for entry in entries:
        yield [
            entry.at,
            entry.kind,
            entry.location,
            entry.actor,
            entry.customer,
            entry.playbook,
            entry.category,
            entry.amount,
            entry.currency,
            "yes" if entry.flagged else "",
            entry.summary,
            entry.url,
        ]


def journal_entries_for(grant: Grant) -> list:
    """The tamper-evident journal entries about this grant (and its escalation), oldest first."""
    from compensation.models import AuditEvent

    about = Q(subject_type="grant", subject_id=grant.pk)
    escalation = getattr(grant, "escalation", None)
    if escalation is not None:
        about |= Q(subject_type="escalation", subject_id=escalation.pk)
    return list(AuditEvent.objects.filter(about).order_by("at", "id"))


def grant_recent_by(*, user, limit: int = 30) -> QuerySet[Grant]:
    return Grant.objects.filter(granted_by=user).select_related("customer", "location")[:limit]


def grant_detail_for(*, grant_id: int) -> Grant:
    # `escalation` and `redemption` are reverse one-to-ones: joined here so showing them costs no query.
    return Grant.objects.select_related(
        "customer",
        "location",
        "granted_by",
        "voided_by",
        "failure",
        "failure__logged_by",
        "playbook",
        "policy_version",
        "approved_by",
        "escalation",
        "redemption__location",
    ).get(pk=grant_id)


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    kind: str
    reason: str
    changes: list


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


def _shown(field, value, historical) -> str:
    if value in (None, ""):
        return "—"
    if field.is_relation:
        # The historical row resolves its own foreign key (a name, not an id).
        return str(getattr(historical, field.name))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return wording.moment_words(value)
    return str(value)


def _readable(change, historical, previous) -> FieldChange:
    """A field change as a manager reads it: the field's name, names instead of ids, local times."""
    field = historical.instance_type._meta.get_field(change.field)
    return FieldChange(
        field=str(field.verbose_name),
        old=_shown(field, change.old, previous),
        new=_shown(field, change.new, historical),
    )


# Our own words for simple-history's entry kinds: its catalogue has no plain "ru" (only ru_RU), and a
# noun reads right whatever the record's grammatical gender.
HISTORY_KINDS = {
    "+": pgettext_lazy("history entry", "Created"),
    "~": pgettext_lazy("history entry", "Changed"),
    "-": pgettext_lazy("history entry", "Deleted"),
}


def _reason_shown(reason: str, record) -> str:
    """A change reason in the reader's language when it is one of the record's status names.

    Services store reasons in English (the history is the record): a typed
    reason stays as typed, but "Approved", written for a decision without a
    note, is the status's own label and reads "Одобрено" to a Russian manager.
    """
    statuses = getattr(type(record), "Status", None)
    if statuses is None or not reason:
        return reason
    with translation.override("en"):
        english = {str(label): value for value, label in statuses.choices}
    return str(statuses(english[reason]).label) if reason in english else reason


def history_of(record) -> list[HistoryEntry]:
    """The record's change history, newest first, each with its field-by-field diff, worded for the reader:
    field names (their verbose names), choice labels, times and status reasons in the active language."""
    records = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for historical in records:
        changes = (
            [_readable(change, historical, previous) for change in historical.diff_against(previous).changes]
            if previous is not None
            else []
        )
        entries.append(
            HistoryEntry(
                when=historical.history_date,
                who=historical.history_user.get_username() if historical.history_user else gettext("system"),
                kind=str(HISTORY_KINDS.get(historical.history_type, historical.get_history_type_display())),
                reason=_reason_shown(historical.history_change_reason or "", record),
                changes=changes,
            )
        )
        previous = historical
    return list(reversed(entries))


# --- limits at the counter ------------------------------------------------------------------


@dataclass(frozen=True)
class WindowHeadroom:
    """One rolling-window limit as the customer stands against it now."""

    window_days: int
    grants_used: int
    max_grants: int | None
    total_used: Decimal
    max_total: Decimal | None
    currency: str

    @property
    def total_left(self) -> Decimal | None:
        return None if self.max_total is None else max(self.max_total - self.total_used, Decimal("0"))

    @property
    def text(self) -> str:
        """'2 of 3 grants used in 30 days; 40.00 of 300.00 left', in the page's language."""
        parts = []
        if self.max_grants is not None:
            parts.append(
                ngettext(
                    "%(used)s of %(max)s grant used in %(days)s days",
                    "%(used)s of %(max)s grants used in %(days)s days",
                    self.max_grants,
                )
                % {"used": self.grants_used, "max": self.max_grants, "days": self.window_days}
            )
        if self.max_total is not None:
            figures = {
                "left": wording.amount(self.total_left, self.currency),
                "max": wording.amount(self.max_total, self.currency),
                "days": self.window_days,
            }
            if self.max_grants is None:
                parts.append(gettext("%(left)s of %(max)s left in %(days)s days") % figures)
            else:
                parts.append(gettext("%(left)s of %(max)s left") % figures)
        return "; ".join(parts)


@dataclass(frozen=True)
class CounterLimits:
    """What the counter shows before a grant: the location budget state and the customer's headroom."""

    budget_state: str  # 'none', 'ok', 'low', 'exhausted' (compensation.limits.budget_state)
    budget_remaining: Decimal | None
    budget_escalates: bool
    windows: list[WindowHeadroom]
    currency: str


def counter_limits_for(*, customer: Customer, location: Location, policy) -> CounterLimits:
    """The budget and rolling-limit hints for the resolve page.

    One query for the budget and the rolling limits together (none without
    limits), whatever the customer's history, so the page's query count stays flat.
    """
    now = timezone.now()
    currency = location.currency
    budget = policy.budget_for(location.pk)
    usage = limit_usage(
        customer_id=customer.pk,
        rules=policy.customer_limits,
        location=location if budget else None,
        now=now,
        currency=currency,
    )
    spent = usage.budget_spent
    windows = [
        WindowHeadroom(
            window_days=rule.window_days,
            grants_used=usage.customer[rule.window_days].grants,
            max_grants=rule.max_grants,
            total_used=usage.customer[rule.window_days].total,
            max_total=rule.max_total,
            currency=currency,
        )
        for rule in policy.customer_limits
    ]
    return CounterLimits(
        budget_state=budget_state(budget, spent),
        budget_remaining=budget_remaining(budget, spent) if budget else None,
        budget_escalates=bool(budget and budget.escalate_when_exhausted),
        windows=windows,
        currency=currency,
    )


# --- escalations ------------------------------------------------------------------------------

ESCALATION_RELATED = ("location", "customer", "playbook", "requested_by", "decided_by", "grant", "policy_version")


def escalation_detail_for(*, escalation_id: int) -> Escalation:
    """One escalation with everything its status page shows (raises Escalation.DoesNotExist)."""
    return Escalation.objects.select_related(*ESCALATION_RELATED).get(pk=escalation_id)


@dataclass(frozen=True)
class EscalationQueue:
    pending: list[Escalation]  # oldest first: the longest wait is served first
    decided: list[Escalation]  # most recent first


def escalations_visible_to(*, user) -> QuerySet[Escalation]:
    """Escalations the user reviews: ops all locations, managers their own locations only."""
    escalations = Escalation.objects.select_related(*ESCALATION_RELATED)
    if sees_every_location(user):
        return escalations
    return escalations.filter(location_id__in=location_ids_of(user))


def escalation_queue_for(*, user) -> EscalationQueue:
    """The manager queue: every pending escalation, then the last week's decisions (two queries)."""
    visible = escalations_visible_to(user=user)
    since = timezone.now() - timedelta(days=DECIDED_DAYS)
    return EscalationQueue(
        pending=list(visible.filter(status=Escalation.Status.PENDING).order_by("requested_at", "id")),
        decided=list(
            visible.exclude(status=Escalation.Status.PENDING)
            .filter(decided_at__gte=since)
            .order_by("-decided_at", "-id")[:DECIDED_LIMIT]
        ),
    )


def escalation_recent_by(*, user, limit: int = 10) -> list[Escalation]:
    """The employee's own latest requests, for 'My grants'."""
    return list(
        Escalation.objects.filter(requested_by=user)
        .select_related("customer", "location", "grant")
        .order_by("-requested_at", "-id")[:limit]
    )


# --- ops and manager pages: rule flags and budgets ----------------------------------------


def location_ids_for(user) -> frozenset[int] | None:
    """None for ops (every location); a manager's own locations otherwise."""
    return None if sees_every_location(user) else location_ids_of(user)


def _flags_for(user):
    flags = RuleFlag.objects.all()
    location_ids = location_ids_for(user)
    if location_ids is not None:
        flags = flags.filter(location_id__in=location_ids)
    return flags


@dataclass(frozen=True)
class FlagCount:
    label: str
    count: int


def rule_flag_counts_for(*, user) -> tuple[list[FlagCount], list[FlagCount]]:
    """Open flags per rule kind and per playbook (two grouped queries), most flagged first."""
    open_flags = _flags_for(user).filter(status=RuleFlag.Status.OPEN).order_by()
    by_rule = [
        FlagCount(label=RuleFlag.Rule(row["rule"]).label, count=row["count"])
        for row in open_flags.values("rule").annotate(count=Count("id")).order_by("-count", "rule")
    ]
    by_playbook = [
        FlagCount(label=row["playbook__name"] or "No playbook named", count=row["count"])
        for row in open_flags.values("playbook_id", "playbook__name")
        .annotate(count=Count("id"))
        .order_by("-count", "playbook__name")
    ]
    return by_rule, by_playbook


def rule_flag_list_for(*, user, status: str, limit: int = FLAG_LIST_LIMIT) -> list[RuleFlag]:
    """The newest flags (open, handled or all), with everything the list shows, in one query."""
    flags = _flags_for(user)
    if status != "all":
        flags = flags.filter(status=status)
    flags = flags.select_related("location", "raised_by", "handled_by", "playbook", "customer")
    return list(flags.order_by("-raised_at", "-id")[: limit + 1])


@dataclass(frozen=True)
class BudgetRow:
    """One location's budget this month (its own calendar month), what is spent and what is left."""

    location: Location
    month_start: datetime
    budget: BudgetRule | None
    spent: Decimal  # the location's grants in its own currency (the budget's)

    @property
    def currency(self) -> str:
        return self.location.currency

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else budget_remaining(self.budget, self.spent)

    @property
    def state(self) -> str:
        return budget_state(self.budget, self.spent)

    @property
    def percent_used(self) -> int | None:
        if self.budget is None:
            return None
        if self.budget.monthly_amount <= ZERO:
            return 100
        share = self.spent * 100 / self.budget.monthly_amount
        return int(share.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def bar_percent(self) -> int:
        return min(self.percent_used or 0, 100)

    @property
    def when_exhausted(self) -> str:
        if self.budget is None:
            return ""
        mode = LocationBudget.WhenExhausted.ESCALATE if self.budget.escalate_when_exhausted else "warn"
        return LocationBudget.WhenExhausted(mode).label


def budget_rows_for(*, user, now: datetime | None = None) -> list[BudgetRow]:
    """This month's budget, spent and remaining for every location the user may see.

    Spending is one grouped query for all locations: each location's month
    starts at midnight on the 1st in its own time zone, so the locations are
    grouped by month start (few distinct ones: one per time zone offset) and
    each group is one `location in (...) and granted_at >= start` condition.
    """
    now = now or timezone.now()
    locations = Location.objects.filter(is_active=True).order_by("name")
    location_ids = location_ids_for(user)
    if location_ids is not None:
        locations = locations.filter(id__in=location_ids)
    locations = list(locations)
    policy = load_policy(now)
    starts = {location.id: location.month_start(now) for location in locations}
    spent: dict[int, Decimal] = {}
    if locations:
        by_start: dict[datetime, list[int]] = defaultdict(list)
        for location_id, start in starts.items():
            by_start[start].append(location_id)
        in_month = Q()
        for start, ids in by_start.items():
            in_month |= Q(location_id__in=ids, granted_at__gte=start)
        rows = (
            Grant.objects.filter(in_month, status=Grant.Status.ACTIVE, granted_at__lte=now)
            .order_by()
            .values("location_id", "currency")
            .annotate(spent=Sum("amount"))
        )
        # The budget is an amount of the location's currency: grants made before it changed currency
        # are in another one and are not added (one grouped row per location and currency).
        currencies = {location.id: location.currency for location in locations}
        spent = {
            row["location_id"]: quantize(row["spent"] or ZERO, row["currency"])
            for row in rows
            if row["currency"] == currencies[row["location_id"]]
        }
    return [
        BudgetRow(
            location=location,
            month_start=starts[location.id],
            budget=policy.budget_for(location.id),
            spent=spent.get(location.id, ZERO),
        )
        for location in locations
    ]


# --- anomaly flags -----------------------------------------------------------------------------

# The grant itself is not joined: the page links to it by id, and its JSON snapshots are large.
ANOMALY_RELATED = ("location", "customer", "employee", "reviewed_by")


def anomaly_flags_for(*, user) -> QuerySet[AnomalyFlag]:
    """The flags the user may read: ops and auditors every location, managers their own."""
    flags = AnomalyFlag.objects.select_related(*ANOMALY_RELATED)
    location_ids = location_ids_for(user)
    if location_ids is not None:
        flags = flags.filter(location_id__in=location_ids)
    return flags


def anomaly_list(flags: QuerySet[AnomalyFlag], *, limit: int = ANOMALY_LIST_LIMIT) -> list[AnomalyFlag]:
    """Open flags first (newest first), then reviewed ones (latest review first); one query, `limit + 1` rows
    so the page can say there are more."""
    ordered = flags.order_by(F("reviewed_at").desc(nulls_first=True), "-raised_at", "-id")
    return list(ordered[: limit + 1])


def anomaly_open_counts_for(*, user) -> list[FlagCount]:
    """Open flags the user may read, per pattern, most first (one grouped query)."""
    open_flags = anomaly_flags_for(user=user).filter(outcome="").order_by()
    return [
        FlagCount(label=AnomalyFlag.Kind(row["kind"]).label, count=row["count"])
        for row in open_flags.values("kind").annotate(count=Count("id")).order_by("-count", "kind")
    ]


def anomaly_flags_of_grant(*, grant: Grant) -> list[AnomalyFlag]:
    """The flags a grant raised, for its audit page (the page already checked the grant's location); with
    what their reasons name (location, employee, customer), so wording them again costs no query."""
    return list(grant.anomaly_flags.select_related(*ANOMALY_RELATED).order_by("-raised_at", "-id"))


# --- playbook caps for a customer (the counter's cards and the API's quotes) ----------------


@dataclass(frozen=True)
class PlaybookCap:
    """One active playbook and its cap for the customer (None until a purchase value is known)."""

    playbook: object
    quote: object | None


def playbook_caps(*, policy, authority, tenure_months: int, purchase_value, currency: str) -> list[PlaybookCap]:
    """Every active playbook of the version, in display order, priced for this customer in the
    location's `currency` (no query)."""
    return [
        PlaybookCap(
            playbook=playbook,
            quote=None
            if purchase_value is None
            else policy.quote(
                playbook_id,
                purchase_value=purchase_value,
                tenure_months=tenure_months,
                authority=authority,
                currency=currency,
            ),
        )
        for playbook_id, playbook in policy.playbooks.items()
    ]


@dataclass(frozen=True)
class CustomerQuote:
    """What every playbook may give this customer now, with the facts the caps rest on."""

    policy: object
    authority: object
    tenure_months: int
    tier: object
    caps: list[PlaybookCap]
    currency: str  # the location's: every cap is in it


def customer_quote_for(*, user, customer: Customer, location: Location, purchase_value) -> CustomerQuote:
    """The caps a grant by `user` at `location` would have now (one query: the version in force)."""
    policy = load_policy()
    authority = policy.authority_for(roles_of(user), user.pk)
    tenure_months = tenure_in_months(customer.customer_since, location.today())
    return CustomerQuote(
        policy=policy,
        authority=authority,
        tenure_months=tenure_months,
        tier=policy.tier_for(tenure_months),
        caps=playbook_caps(
            policy=policy,
            authority=authority,
            tenure_months=tenure_months,
            purchase_value=purchase_value,
            currency=location.currency,
        ),
        currency=location.currency,
    )


# --- the integration API ----------------------------------------------------------------------

API_PAGE_SIZE = 100


def customers_by_identifier(*, phone: str = "", email: str = "", loyalty_card: str = "") -> list[Customer]:
    """The customer with this phone, email or loyalty card (each is unique), in one query."""
    if phone:
        matches = Customer.objects.filter(phone=phone)
    elif email:
        matches = Customer.objects.filter(email__iexact=email)
    elif loyalty_card:
        matches = Customer.objects.filter(loyalty_card__iexact=loyalty_card)
    else:
        return []
    return list(matches.order_by("id")[:SEARCH_LIMIT])


API_GRANT_RELATED = ("customer", "location", "failure", "policy_version", "approved_by", "voided_by")


def api_grants_for(*, user) -> QuerySet[Grant]:
    """The grants an integration may list: its location's if it reviews them (a manager token), else its own."""
    if user.has_perm("recovery.view_audit"):
        grants = grant_list_for(user=user)
    else:
        grants = Grant.objects.filter(granted_by=user)
    return grants.select_related(*API_GRANT_RELATED)


def api_grant_page(*, user, since=None, until=None, after=None, limit: int = API_PAGE_SIZE):
    """One page of grants for reconciliation, oldest first, after the `(granted_at, id)` of `after`.

    Keyset pagination: no OFFSET and no COUNT, so page 1,000 costs what page 1
    does. Returns the page and whether more follow.
    """
    grants = api_grants_for(user=user)
    if since is not None:
        grants = grants.filter(granted_at__gte=since)
    if until is not None:
        grants = grants.filter(granted_at__lt=until)
    if after is not None:
        when, last_id = after
        grants = grants.filter(Q(granted_at__gt=when) | Q(granted_at=when, id__gt=last_id))
    page = list(grants.order_by("granted_at", "id")[: limit + 1])
    return page[:limit], len(page) > limit


def api_tokens_for(*, user) -> QuerySet[ApiToken]:
    """Integration tokens the user may see: every one for ops and auditors, their locations' for managers."""
    tokens = ApiToken.objects.select_related("location", "user", "created_by", "revoked_by")
    location_ids = location_ids_for(user)
    if location_ids is not None:
        tokens = tokens.filter(location_id__in=location_ids)
    return tokens.order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-id")


def api_grant_detail(*, grant_id: int) -> Grant:
    """One grant with everything the API shows (raises Grant.DoesNotExist)."""
    return Grant.objects.select_related(*API_GRANT_RELATED).get(pk=grant_id)
