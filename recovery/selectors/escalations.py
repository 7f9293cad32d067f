"""Escalations: one request's status page, the manager queue, and the employee's own requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from compensation.models import AuditEvent
from compensation.predicates import sees_every_location
from recovery.models import Escalation
from recovery.predicates import location_ids_of

DECIDED_DAYS = 7
DECIDED_LIMIT = 30


ESCALATION_RELATED = ("location", "customer", "playbook", "requested_by", "decided_by", "grant", "policy_version")


def escalation_detail_for(*, escalation_id: int) -> Escalation:
    """One escalation with everything its status page shows (raises Escalation.DoesNotExist)."""
    return Escalation.objects.select_related(*ESCALATION_RELATED).get(pk=escalation_id)


def escalation_journal_for(escalation: Escalation) -> list:
    """The tamper-evident journal entries about this escalation (and the grant its approval made), oldest first."""
    about = Q(subject_type="escalation", subject_id=escalation.pk)
    if escalation.grant_id:
        about |= Q(subject_type="grant", subject_id=escalation.grant_id)
    return list(AuditEvent.objects.filter(about).order_by("at", "id"))


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
