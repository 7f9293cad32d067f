"""The kinds of event on the timeline: for each, its table, time column, filters and wording.

Adding a kind of event is one more `Source` here (and its wording in `words`).
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy

from compensation.models import AuditEvent, PolicyVersion
from recovery.domain.tenure import TENURE_KIND
from recovery.models import AnomalyFlag, Customer, Escalation, Grant, ServiceFailure, VoucherRedemption
from recovery.timeline.shapes import Source
from recovery.timeline.words import (
    escalation_decided_entry,
    escalation_requested_entry,
    failure_entry,
    flag_raised_entry,
    flag_reviewed_entry,
    grant_entry,
    policy_entry,
    redemption_entry,
    tenure_entry,
    void_entry,
)


def failures_with_first_grant():
    """Each case with the grant that opened it (its first): a case may carry several grants since
    the per-case authority, and its "failure logged" line links and filters by the first."""
    first = Grant.objects.filter(failure_id=OuterRef("pk")).order_by("pk")
    return ServiceFailure.objects.select_related("location", "customer", "logged_by").annotate(
        first_grant_id=Subquery(first.values("pk")[:1]),
        first_playbook_id=Subquery(first.values("playbook_id")[:1]),
        first_amount=Subquery(first.values("amount")[:1]),
        first_currency=Subquery(first.values("currency")[:1]),
        first_playbook_name=Subquery(first.values("playbook_name")[:1]),
    )


_FLAG_PATHS = {
    "location": "location_id",
    "playbook": "grant__playbook_id",
    "category": "grant__category",
    "customer": "customer_id",
    "amount": "grant__amount",
}

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
        queryset=failures_with_first_grant,
        at="logged_at",
        paths={
            "location": "location_id",
            "employee": "logged_by_id",
            "playbook": "first_playbook_id",
            "category": "category",
            "customer": "customer_id",
            "amount": "first_amount",
        },
        entry=failure_entry,
        flagged_grant="first_grant_id",
    ),
    Source(
        kind="grant.issued",
        label=gettext_lazy("Grants"),
        rank=2,
        queryset=lambda: Grant.objects.select_related("location", "customer", "approved_by"),
        at="granted_at",
        paths=_GRANT_PATHS,
        entry=grant_entry,
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
        entry=void_entry,
        flagged_grant="pk",
    ),
    Source(
        kind="escalation.requested",
        label=gettext_lazy("Escalations requested"),
        rank=4,
        queryset=lambda: Escalation.objects.select_related("location", "customer", "playbook", "requested_by"),
        at="requested_at",
        paths=_ESCALATION_PATHS | {"employee": "requested_by_id"},
        entry=escalation_requested_entry,
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
        entry=escalation_decided_entry,
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
        entry=policy_entry,
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
        entry=flag_raised_entry,
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
        entry=flag_reviewed_entry,
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
        entry=redemption_entry,
        flagged_grant="grant_id",
    ),
)


def _tenure_entries():
    """Tenure changes live only in the journal (the customer row keeps the newest date): read them from there."""
    names = Customer.objects.filter(pk=OuterRef("subject_id")).values("name")[:1]
    return (
        AuditEvent.objects.filter(kind=TENURE_KIND, subject_type="customer")
        .select_related("location")
        .annotate(customer_name=Subquery(names))
    )


SOURCES = (
    *SOURCES,
    Source(
        kind=TENURE_KIND,
        label=gettext_lazy("Tenure changes"),
        rank=10,
        queryset=_tenure_entries,
        at="at",
        # Set at a location (a CRM token's) or by ops for the whole chain: ops and auditors see the latter.
        paths={"location": "location_id", "employee": "actor_id", "customer": "subject_id"},
        entry=tenure_entry,
    ),
)
KINDS = tuple((source.kind, source.label) for source in SOURCES)
