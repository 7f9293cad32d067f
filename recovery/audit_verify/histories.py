"""The readable copies: django-simple-history rows that must say what the journal says.

The audit screens show history rows (who, when, why, field diffs); they are
ordinary rows that someone with the database can edit or delete, so each
journalled change's history row is covered like a record: the row written
with the entry (`record_with_history` saves both) must exist and agree with it
on the facts, and on who (`history_user`) and, where the service gives both
the same moment, when (`history_date`). A history row is named by its own id
and the record it is the history of.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Coalesce

from recovery.audit_verify.shapes import ENTRY_ACTOR, ENTRY_AT, ENTRY_LOCATION, Coverage, Fact
from recovery.models import AnomalyFlag, Escalation, Grant

HistoricalGrant = Grant.history.model
HistoricalEscalation = Escalation.history.model
HistoricalAnomalyFlag = AnomalyFlag.history.model

WHO = Fact(ENTRY_ACTOR, "history_user_id", "id")
WHEN = Fact(ENTRY_AT, "history_date", "time")

GRANT_ISSUED_HISTORY = Coverage(
    name="grant issued (history)",
    model=HistoricalGrant,
    kinds=("grant.issued",),
    subject_type="grant",
    state="an issued grant's history",
    must_have=Q(history_type="+"),
    history=True,
    annotations={"journal_actor": Coalesce("approved_by_id", "granted_by_id")},
    facts=(
        Fact("amount", "amount", "money"),
        Fact("cap", "cap", "money"),
        Fact("customer_id", "customer_id", "id"),
        Fact(ENTRY_LOCATION, "location_id", "id"),
        Fact("granted_by_id", "granted_by_id", "id"),
        Fact("approved_by_id", "approved_by_id", "id"),
        Fact("playbook_id", "playbook_id", "id"),
        Fact("voucher_code", "voucher_code"),
        Fact("currency", "currency"),
        Fact("policy_version", "policy_version__number", "id"),
        Fact("failure_id", "failure_id", "id"),
        Fact("purchase_value", "purchase_value", "money", since=2),
        Fact("cap_steps", "cap_steps", "json", since=2),
        Fact("category", "category", since=2),
        Fact("tenure_months", "tenure_months", "id", since=2),
        Fact("authority_limit", "authority_limit", "money", since=2),
        Fact(ENTRY_AT, "granted_at", "time"),
        WHO,
        WHEN,
    ),
)

GRANT_VOIDED_HISTORY = Coverage(
    name="grant voided (history)",
    model=HistoricalGrant,
    kinds=("grant.voided",),
    subject_type="grant",
    state="voided in its history",
    must_have=Q(history_type="~", status=Grant.Status.VOIDED),
    history=True,
    facts=(
        Fact("reason", "void_reason"),
        Fact("reason", "history_change_reason"),
        Fact("voided_by_id", "voided_by_id", "id"),
        Fact(ENTRY_AT, "voided_at", "time"),
        WHO,
        WHEN,
    ),
)

ESCALATION_REQUESTED_HISTORY = Coverage(
    name="escalation requested (history)",
    model=HistoricalEscalation,
    kinds=("escalation.requested",),
    subject_type="escalation",
    state="a requested escalation's history",
    must_have=Q(history_type="+"),
    history=True,
    facts=(
        Fact("customer_id", "customer_id", "id"),
        Fact("playbook_id", "playbook_id", "id"),
        Fact("requested_amount", "requested_amount", "money"),
        Fact("reason", "reason"),
        Fact("requested_by_id", "requested_by_id", "id"),
        Fact("purchase_value", "purchase_value", "money", since=2),
        Fact("failure_note", "failure_note", since=2),
        Fact("cap", "cap", "money", since=2),
        WHO,
    ),
)

ESCALATION_DECIDED_HISTORY = Coverage(
    name="escalation decided (history)",
    model=HistoricalEscalation,
    kinds=(f"escalation.{Escalation.Status.APPROVED}", f"escalation.{Escalation.Status.DECLINED}"),
    subject_type="escalation",
    state="decided in its history",
    must_have=Q(history_type="~") & ~Q(status=Escalation.Status.PENDING),
    history=True,
    facts=(
        Fact("requested_amount", "requested_amount", "money"),
        Fact("decision_note", "decision_note"),
        Fact("grant_id", "grant_id", "id"),
        Fact(ENTRY_AT, "decided_at", "time"),
        WHO,
    ),
)

ANOMALY_REVIEWED_HISTORY = Coverage(
    name="anomaly review (history)",
    model=HistoricalAnomalyFlag,
    kinds=("anomaly.reviewed",),
    subject_type="anomaly_flag",
    state="reviewed in its history",
    must_have=Q(history_type="~") & ~Q(outcome=""),
    history=True,
    facts=(
        Fact("outcome", "outcome"),
        Fact("note", "outcome_note"),
        Fact("grant_id", "grant_id", "id"),
        Fact("customer_id", "customer_id", "id"),
        Fact(ENTRY_AT, "reviewed_at", "time"),
        WHO,
        WHEN,
    ),
)

HISTORY_COVERAGES = (
    GRANT_ISSUED_HISTORY,
    GRANT_VOIDED_HISTORY,
    ESCALATION_REQUESTED_HISTORY,
    ESCALATION_DECIDED_HISTORY,
    ANOMALY_REVIEWED_HISTORY,
)
