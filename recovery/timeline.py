"""The audit timeline: everything that happened at the user's locations, newest first.

Failures, grants, voids, escalations, policy versions, voucher redemptions and
anomaly flags each live in their own table. A UNION paged with OFFSET would
count its way through a million rows on
every deep page; instead each source fetches the next `PAGE_SIZE + 1` rows after
the cursor through its own (location, time, id) index, and the small pages are
merged here. A page therefore costs one query per source, whatever the table
sizes, and the CSV export streams the same merge with server-side cursors.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_lazy, pgettext

from compensation import wording
from compensation.caps import role_word
from compensation.models import PolicyVersion
from compensation.texts import tier_name_shown
from recovery.anomalies import reason_shown
from recovery.models import AnomalyFlag, Customer, Escalation, Grant, ServiceFailure, VoucherRedemption
from recovery.selectors import customer_matches, location_ids_for

PAGE_SIZE = 50
CUSTOMER_MATCH_LIMIT = 50


@dataclass(frozen=True)
class TimelineQuery:
    """The filters a reviewer chose; None or empty means 'any'."""

    location_id: int | None = None
    employee_id: int | None = None
    playbook_id: int | None = None
    category: str = ""
    customer: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # exclusive
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    flagged_only: bool = False
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline, already in words; `url` opens the whole story.

    `label` and `summary` are worded when the entry is built, from the row's fields,
    in the active language: the page shows them in the reviewer's language, the CSV
    export (`timeline_stream`) builds them in English, as a record.
    """

    kind: str
    label: str
    at: dt.datetime
    rank: int
    pk: int
    summary: str
    url: str
    location: str = ""
    zone: str = "UTC"
    actor: str = ""
    customer: str = ""
    playbook: str = ""
    category: str = ""
    amount: Decimal | None = None
    currency: str = ""
    flagged: bool = False

    @property
    def sort_key(self):
        return (self.at, self.rank, self.pk)

    @property
    def cursor(self) -> str:
        return f"{self.at.isoformat()}_{self.rank}_{self.pk}"


@dataclass(frozen=True)
class Source:
    """One kind of event: its table, time column, and where each filter looks in it.

    A filter with no path here does not apply to this kind of event, so setting it
    leaves this kind out (a policy change has no customer or amount).
    """

    kind: str
    label: str
    rank: int  # orders events that share a timestamp (a grant after its failure)
    queryset: Callable[[], QuerySet]
    at: str
    paths: dict[str, str]
    entry: Callable[[object, bool], TimelineEntry]
    flagged_grant: str = ""  # path to the grant id, for "flagged only"
    is_flag: bool = False  # the rows are flags themselves, so "flagged only" keeps them


def _failure_entry(failure: ServiceFailure, flagged: bool) -> TimelineEntry:
    grant = getattr(failure, "grant", None)
    return TimelineEntry(
        kind="failure.logged",
        label=gettext("Failure logged"),
        at=failure.logged_at,
        rank=1,
        pk=failure.pk,
        summary=(
            gettext("%(category)s, purchase %(value)s: “%(note)s”")
            if failure.note
            else gettext("%(category)s, purchase %(value)s")
        )
        % {
            "category": failure.get_category_display(),
            "value": wording.amount(failure.purchase_value, grant.currency if grant else failure.location.currency),
            "note": failure.note,
        },
        url=reverse("audit_detail", args=[grant.pk]) if grant else "",
        location=failure.location.name,
        zone=failure.location.timezone,
        actor=failure.logged_by.get_username(),
        customer=failure.customer.name,
        playbook=grant.playbook_name if grant else "",
        category=failure.get_category_display(),
        flagged=flagged,
    )


def _grant_facts(grant: Grant, flagged: bool) -> dict:
    """What every event about a grant shows (its issue, void or redemption)."""
    return {
        "pk": grant.pk,
        "url": reverse("audit_detail", args=[grant.pk]),
        "location": grant.location.name,
        "zone": grant.location.timezone,
        "customer": grant.customer.name,
        "playbook": grant.playbook_name,
        "category": grant.get_category_display(),
        "amount": grant.amount,
        "currency": grant.currency,
        "flagged": flagged,
    }


def _grant_entry(grant: Grant, flagged: bool) -> TimelineEntry:
    figures = {
        "playbook": grant.playbook_name_shown,
        "cap": wording.amount(grant.cap, grant.currency),
        "tier": tier_name_shown(grant.policy_snapshot, grant.tenure_tier),
        "role": role_word(grant.authority_role),
    }
    if grant.approved_by_id:
        figures["manager"] = grant.approved_by.get_username()
        summary = gettext("%(playbook)s, cap %(cap)s (%(tier)s, %(role)s), approved by %(manager)s") % figures
    else:
        summary = gettext("%(playbook)s, cap %(cap)s (%(tier)s, %(role)s)") % figures
    return TimelineEntry(
        kind="grant.issued",
        label=pgettext("timeline event", "Grant"),
        at=grant.granted_at,
        rank=2,
        summary=summary,
        actor=grant.granted_by_username,
        **_grant_facts(grant, flagged),
    )


def _void_entry(grant: Grant, flagged: bool) -> TimelineEntry:
    return TimelineEntry(
        kind="grant.voided",
        label=gettext("Void"),
        at=grant.voided_at,
        rank=3,
        summary=gettext("Grant #%(number)s voided: “%(reason)s”") % {"number": grant.pk, "reason": grant.void_reason},
        actor=grant.voided_by.get_username() if grant.voided_by_id else "",
        **_grant_facts(grant, flagged),
    )


def _escalation_fields(escalation: Escalation, flagged: bool) -> dict:
    return {
        "pk": escalation.pk,
        "url": reverse("escalation_status", args=[escalation.pk]),
        "location": escalation.location.name,
        "zone": escalation.location.timezone,
        "customer": escalation.customer.name,
        "playbook": escalation.playbook.name,
        "category": escalation.get_category_display(),
        "amount": escalation.requested_amount,
        "currency": escalation.currency,
        "flagged": flagged,
    }


def _escalation_requested_entry(escalation: Escalation, flagged: bool) -> TimelineEntry:
    return TimelineEntry(
        kind="escalation.requested",
        label=gettext("Escalation requested"),
        at=escalation.requested_at,
        rank=4,
        summary=gettext("Asked %(asked)s (could grant %(allowed)s): “%(reason)s”")
        % {
            "asked": wording.amount(escalation.requested_amount, escalation.currency),
            "allowed": wording.amount(escalation.allowed_amount, escalation.currency),
            "reason": escalation.reason,
        },
        actor=escalation.requested_by.get_username(),
        **_escalation_fields(escalation, flagged),
    )


def _escalation_decided_entry(escalation: Escalation, flagged: bool) -> TimelineEntry:
    figures = {
        "status": escalation.get_status_display(),
        "amount": wording.amount(escalation.requested_amount, escalation.currency),
        "note": escalation.decision_note,
    }
    approved = escalation.status == Escalation.Status.APPROVED
    return TimelineEntry(
        kind="escalation.decided",
        label=gettext("Escalation approved") if approved else gettext("Escalation declined"),
        at=escalation.decided_at,
        rank=5,
        summary=(
            gettext("%(status)s %(amount)s: “%(note)s”")
            if escalation.decision_note
            else gettext("%(status)s %(amount)s")
        )
        % figures,
        actor=escalation.decided_by.get_username() if escalation.decided_by_id else "",
        **_escalation_fields(escalation, flagged),
    )


def _policy_entry(version: PolicyVersion, flagged: bool) -> TimelineEntry:
    figures = {
        "number": version.number,
        "restores": version.restores.number if version.restores_id else None,
        "when": f"{version.effective_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC",  # ISO-like: the same in every language
        "reason": version.reason,
    }
    summary = (
        gettext("Version %(number)s (restores version %(restores)s), in force from %(when)s: “%(reason)s”")
        if version.restores_id
        else gettext("Version %(number)s, in force from %(when)s: “%(reason)s”")
    ) % figures
    return TimelineEntry(
        kind="policy.published",
        label=gettext("Policy change"),
        at=version.published_at,
        rank=6,
        pk=version.pk,
        summary=summary,
        url=reverse("ops_version", args=[version.number]),
        actor=version.published_by_username,
    )


def _flag_fields(flag: AnomalyFlag) -> dict:
    return {
        "pk": flag.pk,
        "url": reverse("anomalies") + f"?grant={flag.grant_id}" if flag.grant_id else reverse("anomalies"),
        "location": flag.location.name,
        "zone": flag.location.timezone,
        "customer": flag.customer.name if flag.customer_id else "",
        "playbook": flag.grant.playbook_name if flag.grant_id else "",
        "amount": flag.grant.amount if flag.grant_id else None,
        "currency": flag.grant.currency if flag.grant_id else "",
        "flagged": True,
    }


def _flag_raised_entry(flag: AnomalyFlag, flagged: bool) -> TimelineEntry:
    return TimelineEntry(
        kind="anomaly.raised",
        label=gettext("Anomaly flagged"),
        at=flag.raised_at,
        rank=8,
        summary=gettext("%(kind)s: %(reason)s") % {"kind": flag.get_kind_display(), "reason": reason_shown(flag)},
        actor=flag.employee.get_username() if flag.employee_id else "",
        **_flag_fields(flag),
    )


def _flag_reviewed_entry(flag: AnomalyFlag, flagged: bool) -> TimelineEntry:
    figures = {"kind": flag.get_kind_display(), "outcome": flag.get_outcome_display(), "note": flag.outcome_note}
    return TimelineEntry(
        kind="anomaly.reviewed",
        label=gettext("Anomaly reviewed"),
        at=flag.reviewed_at,
        rank=9,
        summary=(
            gettext("%(kind)s — %(outcome)s: “%(note)s”") if flag.outcome_note else gettext("%(kind)s — %(outcome)s")
        )
        % figures,
        actor=flag.reviewed_by.get_username() if flag.reviewed_by_id else "",
        **_flag_fields(flag),
    )


_FLAG_PATHS = {
    "location": "location_id",
    "playbook": "grant__playbook_id",
    "category": "grant__category",
    "customer": "customer_id",
    "amount": "grant__amount",
}


def _redemption_entry(redemption: VoucherRedemption, flagged: bool) -> TimelineEntry:
    grant = redemption.grant
    figures = {
        "code": grant.voucher_code,
        "number": grant.pk,
        "playbook": grant.playbook_name,
        "location": grant.location.name,
    }
    summary = (
        gettext("Voucher %(code)s of grant #%(number)s redeemed (%(playbook)s)")
        if grant.location_id == redemption.location_id
        else gettext("Voucher %(code)s of grant #%(number)s redeemed (%(playbook)s, granted at %(location)s)")
    ) % figures
    # Filed under the redeeming counter: its manager reviews what was handed out there.
    facts = _grant_facts(grant, flagged) | {
        "pk": redemption.pk,
        "location": redemption.location.name,
        "zone": redemption.location.timezone,
    }
    return TimelineEntry(
        kind="voucher.redeemed",
        label=gettext("Voucher redeemed"),
        at=redemption.redeemed_at,
        rank=7,
        summary=summary,
        actor=redemption.redeemed_by_username,
        **facts,
    )


_ESCALATION_PATHS = {
    "location": "location_id",
    "playbook": "playbook_id",
    "category": "category",
    "customer": "customer_id",
    "amount": "requested_amount",
}

_GRANT_PATHS = {
    "location": "location_id",
    "employee": "granted_by_id",
    "playbook": "playbook_id",
    "category": "category",  # copied from the failure: no join to filter
    "customer": "customer_id",
    "amount": "amount",
}

SOURCES = (
    Source(
        kind="failure.logged",
        label=gettext_lazy("Failures logged"),
        rank=1,
        queryset=lambda: ServiceFailure.objects.select_related("location", "customer", "logged_by", "grant"),
        at="logged_at",
        paths={
            "location": "location_id",
            "employee": "logged_by_id",
            "playbook": "grant__playbook_id",
            "category": "category",
            "customer": "customer_id",
            "amount": "grant__amount",
        },
        entry=_failure_entry,
        flagged_grant="grant__id",
    ),
    Source(
        kind="grant.issued",
        label=gettext_lazy("Grants"),
        rank=2,
        queryset=lambda: Grant.objects.select_related("location", "customer", "approved_by"),
        at="granted_at",
        paths=_GRANT_PATHS,
        entry=_grant_entry,
        flagged_grant="pk",
    ),
    Source(
        kind="grant.voided",
        label=gettext_lazy("Voids"),
        rank=3,
        queryset=lambda: Grant.objects.filter(voided_at__isnull=False).select_related(
            "location", "customer", "voided_by"
        ),
        at="voided_at",
        paths=_GRANT_PATHS | {"employee": "voided_by_id"},
        entry=_void_entry,
        flagged_grant="pk",
    ),
    Source(
        kind="escalation.requested",
        label=gettext_lazy("Escalations requested"),
        rank=4,
        queryset=lambda: Escalation.objects.select_related("location", "customer", "playbook", "requested_by"),
        at="requested_at",
        paths=_ESCALATION_PATHS | {"employee": "requested_by_id"},
        entry=_escalation_requested_entry,
        flagged_grant="grant_id",
    ),
    Source(
        kind="escalation.decided",
        label=gettext_lazy("Escalation decisions"),
        rank=5,
        queryset=lambda: Escalation.objects.filter(decided_at__isnull=False).select_related(
            "location", "customer", "playbook", "decided_by"
        ),
        at="decided_at",
        paths=_ESCALATION_PATHS | {"employee": "decided_by_id"},
        entry=_escalation_decided_entry,
        flagged_grant="grant_id",
    ),
    Source(
        kind="policy.published",
        label=gettext_lazy("Policy changes"),
        rank=6,
        # A policy applies to every location, so every reviewer sees its changes.
        queryset=lambda: PolicyVersion.objects.select_related("restores"),
        at="published_at",
        paths={"employee": "published_by_id"},
        entry=_policy_entry,
    ),
    Source(
        kind="anomaly.raised",
        label=gettext_lazy("Anomaly flags"),
        rank=8,
        queryset=lambda: AnomalyFlag.objects.select_related("location", "customer", "employee", "grant"),
        at="raised_at",
        # "Employee" is who acted; a flag is raised by the checks, about an employee.
        paths=_FLAG_PATHS | {"employee": "employee_id"},
        is_flag=True,
        entry=_flag_raised_entry,
    ),
    Source(
        kind="anomaly.reviewed",
        label=gettext_lazy("Anomaly reviews"),
        rank=9,
        queryset=lambda: AnomalyFlag.objects.filter(reviewed_at__isnull=False).select_related(
            "location", "customer", "reviewed_by", "grant"
        ),
        at="reviewed_at",
        paths=_FLAG_PATHS | {"employee": "reviewed_by_id"},
        is_flag=True,
        entry=_flag_reviewed_entry,
    ),
    Source(
        kind="voucher.redeemed",
        label=gettext_lazy("Vouchers redeemed"),
        rank=7,
        queryset=lambda: VoucherRedemption.objects.select_related("location", "grant__location", "grant__customer"),
        at="redeemed_at",
        # Where it was redeemed: the redeeming counter's manager reviews it (the index serves this).
        paths={
            "location": "location_id",
            "employee": "redeemed_by_id",
            "playbook": "grant__playbook_id",
            "category": "grant__category",
            "customer": "grant__customer_id",
            "amount": "grant__amount",
        },
        entry=_redemption_entry,
        flagged_grant="grant_id",
    ),
)
KINDS = tuple((source.kind, source.label) for source in SOURCES)


def customer_ids_matching(text: str) -> list[int]:
    """The customers a reviewer means by what they typed (as the counter's search finds them)."""
    return list(
        Customer.objects.filter(customer_matches(text.strip())).values_list("id", flat=True)[:CUSTOMER_MATCH_LIMIT]
    )


def _filtered(source: Source, query: TimelineQuery, *, visible: frozenset[int] | None, customer_ids) -> QuerySet | None:
    """This source's rows matching the filters, or None when a chosen filter does not apply to it."""
    if query.kinds and source.kind not in query.kinds:
        return None
    wanted = {
        "location": query.location_id,
        "employee": query.employee_id,
        "playbook": query.playbook_id,
        "category": query.category or None,
        "customer": customer_ids,
        "amount": (query.amount_min, query.amount_max)
        if (query.amount_min, query.amount_max) != (None, None)
        else None,
    }
    rows = source.queryset()
    for name, value in wanted.items():
        if value is None:
            continue
        path = source.paths.get(name)
        if path is None:
            return None
        if name == "customer":
            rows = rows.filter(**{f"{path}__in": value})
        elif name == "amount":
            low, high = value
            rows = rows.filter(**({f"{path}__gte": low} if low is not None else {}))
            rows = rows.filter(**({f"{path}__lte": high} if high is not None else {}))
        else:
            rows = rows.filter(**{path: value})
    if visible is not None and "location" in source.paths:  # policy changes concern every location
        rows = rows.filter(**{f"{source.paths['location']}__in": visible})
    if query.since is not None:
        rows = rows.filter(**{f"{source.at}__gte": query.since})
    if query.until is not None:
        rows = rows.filter(**{f"{source.at}__lt": query.until})
    if source.flagged_grant:
        rows = rows.annotate(flagged=Exists(AnomalyFlag.objects.filter(grant_id=OuterRef(source.flagged_grant))))
        if query.flagged_only:
            rows = rows.filter(flagged=True)
    elif query.flagged_only and not source.is_flag:
        return None
    return rows


def _plan(*, user, query: TimelineQuery) -> list[tuple[Source, QuerySet]]:
    """Each kind of event the filters allow, with its filtered rows (before the cursor)."""
    visible = location_ids_for(user)
    customer_ids = customer_ids_matching(query.customer) if query.customer.strip() else None
    plan = []
    for source in SOURCES:
        rows = _filtered(source, query, visible=visible, customer_ids=customer_ids)
        if rows is not None:
            plan.append((source, rows))
    return plan


def cursor_parse(cursor: str) -> tuple[dt.datetime, int, int] | None:
    """'<time>_<rank>_<id>' back into its parts; anything damaged means 'from the newest'."""
    stamp, _, rest = cursor.partition("_")
    rank, _, pk = rest.partition("_")
    try:
        when = parse_datetime(stamp)
    except (ValueError, OverflowError):
        return None
    numbers_ok = all(part.isascii() and part.isdigit() and len(part) <= 18 for part in (rank, pk))
    if when is None or not numbers_ok:
        return None
    try:
        when = (timezone.make_aware(when, dt.UTC) if timezone.is_naive(when) else when).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return when, int(rank), int(pk)


def _after(source: Source, cursor: tuple[dt.datetime, int, int]) -> Q:
    """Rows that sort after the cursor in (time, rank, id) order, newest first."""
    when, rank, pk = cursor
    if source.rank < rank:
        return Q(**{f"{source.at}__lte": when})
    if source.rank > rank:
        return Q(**{f"{source.at}__lt": when})
    return Q(**{f"{source.at}__lt": when}) | Q(**{source.at: when, "pk__lt": pk})


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str


def timeline_page(*, user, query: TimelineQuery, cursor: str = "", size: int = PAGE_SIZE) -> TimelinePage:
    """One page of the timeline after `cursor`: one query per kind of event, no OFFSET, no COUNT."""
    after = cursor_parse(cursor) if cursor else None
    entries: list[TimelineEntry] = []
    for source, rows in _plan(user=user, query=query):
        if after is not None:
            rows = rows.filter(_after(source, after))
        for row in rows.order_by(f"-{source.at}", "-pk")[: size + 1]:
            entries.append(source.entry(row, getattr(row, "flagged", False)))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    if len(entries) <= size:
        return TimelinePage(entries=entries, next_cursor="")
    page = entries[:size]
    return TimelinePage(entries=page, next_cursor=page[-1].cursor)


def _entries(source: Source, rows: QuerySet, chunk_size: int) -> Iterator[TimelineEntry]:
    for row in rows.order_by(f"-{source.at}", "-pk").iterator(chunk_size):
        # Worded in English whatever the reviewer's language: the export is a record, read next to
        # the journal and the grant CSV (also English). Per row, because a streamed response is
        # built after the view has returned.
        with translation.override("en"):
            entry = source.entry(row, getattr(row, "flagged", False))
        yield entry


def timeline_stream(*, user, query: TimelineQuery, chunk_size: int = 2000) -> Iterator[TimelineEntry]:
    """Every matching entry, newest first, in English (the CSV export), merged from server-side cursors:
    constant memory."""
    streams = [_entries(source, rows, chunk_size) for source, rows in _plan(user=user, query=query)]
    return heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)


def grants_for_export(*, user, query: TimelineQuery) -> QuerySet[Grant]:
    """The grants the same filters select, for the detailed grant CSV."""
    plan = _plan(user=user, query=replace(query, kinds=("grant.issued",)))
    return plan[0][1] if plan else Grant.objects.none()
