"""What waits for a manager now: escalations to decide, open flags, budgets running out.

The reads behind the manager's landing page ("Needs you now") and the header's
count badge. Everything is restricted to the manager's own locations; the
escalations are the ones this manager may decide (never their own requests),
oldest first, because the longest wait is served first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from compensation import wording
from recovery.domain.waiting import minutes_waited
from recovery.models import AnomalyFlag, Escalation, RuleFlag
from recovery.predicates import locations_of
from recovery.selectors.anomalies import anomaly_flags_for
from recovery.selectors.budgets import BudgetRow, budget_rows_for
from recovery.selectors.escalations import ESCALATION_RELATED
from recovery.selectors.flags import rule_flag_list_for

# Enough to act on from one screen; the full lists are a link away.
NEEDS_FLAG_LIMIT = 5
# Budget states worth a manager's look: under 10% left, or nothing left.
BUDGET_ALERT_STATES = ("low", "exhausted")


def _waiting_for(user):
    """Pending escalations at the user's active locations that someone else asked for (one queryset, no query)."""
    return Escalation.objects.filter(status=Escalation.Status.PENDING, location__in=locations_of(user)).exclude(
        requested_by=user
    )


def escalations_waiting_count(*, user) -> int:
    """How many escalations wait for this user's decision: one COUNT query (the locations are a subquery)."""
    return _waiting_for(user).count()


@dataclass(frozen=True)
class WaitingEscalation:
    """A pending escalation with how long it has waited and when it was asked, on its location's clock."""

    escalation: Escalation
    minutes: int

    @property
    def waited(self) -> str:
        return wording.minutes(self.minutes)

    @property
    def asked_at(self) -> str:
        escalation = self.escalation
        return wording.clock(wording.local(escalation.requested_at, escalation.location.timezone))


def escalations_waiting_for(*, user, now: datetime | None = None) -> list[WaitingEscalation]:
    """The escalations this user may decide, oldest first, each with its wait in whole minutes."""
    now = now or timezone.now()
    pending = _waiting_for(user).select_related(*ESCALATION_RELATED).order_by("requested_at", "id")
    return [WaitingEscalation(escalation, minutes_waited(escalation.requested_at, now)) for escalation in pending]


@dataclass(frozen=True)
class NeedsYouNow:
    """Everything on the manager's landing page; `is_empty` when nothing waits at all."""

    escalations: list[WaitingEscalation]
    anomaly_flags: list[AnomalyFlag]
    anomaly_flags_more: bool
    rule_flags: list[RuleFlag]
    rule_flags_more: bool
    budget_alerts: list[BudgetRow] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.escalations or self.anomaly_flags or self.rule_flags or self.budget_alerts)


def needs_you_now_for(*, user, now: datetime | None = None) -> NeedsYouNow:
    """The manager's landing page: waiting escalations, open anomaly and rule flags, budgets near or over."""
    now = now or timezone.now()
    anomalies = list(
        anomaly_flags_for(user=user).filter(outcome="").order_by("raised_at", "id")[: NEEDS_FLAG_LIMIT + 1]
    )
    rule_flags = rule_flag_list_for(user=user, status=RuleFlag.Status.OPEN, limit=NEEDS_FLAG_LIMIT)
    return NeedsYouNow(
        escalations=escalations_waiting_for(user=user, now=now),
        anomaly_flags=anomalies[:NEEDS_FLAG_LIMIT],
        anomaly_flags_more=len(anomalies) > NEEDS_FLAG_LIMIT,
        rule_flags=rule_flags[:NEEDS_FLAG_LIMIT],
        rule_flags_more=len(rule_flags) > NEEDS_FLAG_LIMIT,
        budget_alerts=[row for row in budget_rows_for(user=user, now=now) if row.state in BUDGET_ALERT_STATES],
    )
