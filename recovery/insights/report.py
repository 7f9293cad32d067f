"""The monthly report: one location's calendar month for the service-quality meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from compensation.money import Amounts
from recovery.insights import spending
from recovery.insights.effect import RecoveryBought, recovery_bought_for
from recovery.insights.recognition import LocationRecognition, recognition_for
from recovery.insights.rows import row_amounts
from recovery.insights.scope import InsightScope, month_scope_for
from recovery.insights.spending import failures_by_category, spend_by_playbook, window_figures
from recovery.models import AnomalyFlag, Escalation, Location, RuleFlag

TOP_PLAYBOOKS = 5


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
            (row_amounts(row["approved_amount"], row["grant__currency"]) for row in rows if row["grant__currency"]),
            Amounts(),
        ),
    )


@dataclass(frozen=True)
class MonthlyReport:
    location: Location
    month: dt.date  # the 1st
    scope: InsightScope
    totals: spending.SpendTotals
    weeks: list[spending.WeekSpend]
    categories: list[spending.CategoryLine]
    top_playbooks: list[spending.SpendLine]
    resolution: list[spending.CountBucket]
    anomaly_flags: list[FlagOutcome]
    rule_flags: list[FlagOutcome]
    escalations: EscalationSummary
    recognition: list[LocationRecognition]  # the location's panel, or none without grants
    bought: RecoveryBought  # what the money bought: return rates against the baseline, value for money
    currency: str  # the location's (grants made before it changed currency show beside it)


def monthly_report_for(*, user, location: Location, month: dt.date) -> MonthlyReport:
    """One location's month for the service-quality meeting (a fixed number of grouped queries)."""
    scope = month_scope_for(user=user, location=location, month=month)
    figures = window_figures(scope=scope)
    currency = location.currency
    categories = failures_by_category(scope=scope)
    return MonthlyReport(
        location=location,
        month=month.replace(day=1),
        scope=scope,
        totals=figures.totals,
        weeks=figures.weeks,
        categories=categories,
        top_playbooks=spend_by_playbook(scope=scope, currency=currency, limit=TOP_PLAYBOOKS),
        resolution=figures.resolution,
        anomaly_flags=anomaly_flag_outcomes(scope=scope),
        rule_flags=rule_flag_outcomes(scope=scope),
        escalations=escalation_summary(scope=scope),
        recognition=recognition_for(scope=scope),
        bought=recovery_bought_for(scope=scope, currency=currency, categories=categories),
        currency=currency,
    )
