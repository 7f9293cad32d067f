"""Grants for the audit pages and "My grants": the list a reviewer may see, one grant's story, its journal."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from compensation.predicates import sees_every_location
from recovery.models import Grant
from recovery.predicates import location_ids_of


def grant_list_for(*, user) -> QuerySet[Grant]:
    """Every grant the user may review: ops all, managers their locations' only."""
    grants = Grant.objects.select_related("customer", "location", "granted_by", "failure")
    if sees_every_location(user):
        return grants
    return grants.filter(location_id__in=location_ids_of(user))


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
    # The case's active grants (a case may carry several): counted and added in the same query.
    case = (
        Grant.objects.filter(
            failure_id=OuterRef("failure_id"), status=Grant.Status.ACTIVE, currency=OuterRef("currency")
        )
        .order_by()
        .values("failure_id")
    )
    return (
        Grant.objects.annotate(
            case_grants=Subquery(case.annotate(n=Count("pk")).values("n")[:1]),
            case_total=Subquery(case.annotate(total=Sum("amount")).values("total")[:1]),
        )
        .select_related(
            "customer",
            "location",
            "granted_by",
            "voided_by",
            "failure",
            "failure__logged_by",
            "failure__incident",
            "playbook",
            "policy_version",
            "approved_by",
            "escalation",
            "redemption__location",
            "experiment_assignment__experiment",
            "experiment_assignment__playbook",
        )
        .get(pk=grant_id)
    )
