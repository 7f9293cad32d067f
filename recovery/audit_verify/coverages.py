"""Every kind of record that decides money or trust, and the facts its journal entry must agree on.

Version 1 entries (before this module) carry what the services journalled
then; version 2 (`JOURNAL_VERSION`, payload key "v") adds what a tampered row
could otherwise change unseen: a grant's purchase value, cap steps, failure
note and tenure, an escalation's quote, a customer's tenure. Facts marked
`since=2` are compared whenever the entry has them.
"""

from __future__ import annotations

from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Concat

from compensation.models import PolicyVersion
from recovery.audit_verify.histories import HISTORY_COVERAGES
from recovery.audit_verify.shapes import (
    ENTRY_ACTOR,
    ENTRY_AT,
    ENTRY_KIND,
    ENTRY_LOCATION,
    Coverage,
    Fact,
    document_sha256,
)
from recovery.domain.tenure import STATUS_KIND, TENURE_KIND, joined_on
from recovery.models import AnomalyFlag, Customer, Escalation, Grant, VoucherRedemption

JOURNAL_VERSION = 2

GRANT_ISSUED = Coverage(
    name="grant issued",
    model=Grant,
    kinds=("grant.issued",),
    subject_type="grant",
    state="granted",
    annotations={"journal_actor": Coalesce("approved_by_id", "granted_by_id")},
    facts=(
        Fact("amount", "amount", "money"),
        Fact("cap", "cap", "money"),
        Fact("customer_id", "customer_id", "id"),
        Fact("customer_id", "failure__customer_id", "id"),
        Fact("location_id", "location_id", "id"),
        Fact(ENTRY_LOCATION, "location_id", "id"),
        Fact("granted_by_id", "granted_by_id", "id"),
        Fact("approved_by_id", "approved_by_id", "id"),
        Fact(ENTRY_ACTOR, "journal_actor", "id"),
        Fact("playbook_id", "playbook_id", "id"),
        Fact("voucher_code", "voucher_code"),
        Fact("currency", "currency"),
        Fact("token", "token"),
        Fact("policy_version", "policy_version__number", "id"),
        Fact("failure_id", "failure_id", "id"),
        Fact(ENTRY_AT, "granted_at", "time"),
        Fact("purchase_value", "purchase_value", "money", since=2),
        Fact("purchase_value", "failure__purchase_value", "money", since=2),
        Fact("cap_steps", "cap_steps", "json", since=2),
        Fact("note", "failure__note", since=2),
        Fact("category", "category", since=2),
        Fact("category", "failure__category", since=2),
        Fact("failure_logged_at", "failure_logged_at", "time", since=2),
        Fact("failure_logged_at", "failure__logged_at", "time", since=2),
        Fact("logged_by_id", "failure__logged_by_id", "id", since=2),
        Fact("tenure_months", "tenure_months", "id", since=2),
        Fact("tenure_tier", "tenure_tier", since=2),
        Fact("authority_role", "authority_role", since=2),
        Fact("authority_limit", "authority_limit", "money", since=2),
    ),
)

GRANT_VOIDED = Coverage(
    name="grant voided",
    model=Grant,
    kinds=("grant.voided",),
    subject_type="grant",
    state="voided",
    must_have=Q(status=Grant.Status.VOIDED),
    facts=(
        Fact("reason", "void_reason"),
        Fact("voided_by_id", "voided_by_id", "id"),
        Fact(ENTRY_ACTOR, "voided_by_id", "id"),
        Fact(ENTRY_AT, "voided_at", "time"),
    ),
)

VOUCHER_REDEEMED = Coverage(
    name="voucher redeemed",
    model=VoucherRedemption,
    kinds=("voucher.redeemed",),
    subject_type="grant",
    subject_column="grant_id",
    state="redeemed",
    facts=(
        Fact("redemption_id", "id", "id"),
        Fact("redeemed_by_id", "redeemed_by_id", "id"),
        Fact(ENTRY_ACTOR, "redeemed_by_id", "id"),
        Fact("location_id", "location_id", "id"),
        Fact(ENTRY_LOCATION, "location_id", "id"),
        Fact(ENTRY_AT, "redeemed_at", "time"),
        Fact("voucher_code", "grant__voucher_code"),
        Fact("amount", "grant__amount", "money"),
        Fact("grant_location_id", "grant__location_id", "id"),
    ),
)

# The request and the decision both journal the escalation as it then was.
_ESCALATION_ASKED = (
    Fact("customer_id", "customer_id", "id"),
    Fact("playbook_id", "playbook_id", "id"),
    Fact("requested_amount", "requested_amount", "money"),
    Fact("reason", "reason"),
    Fact("requested_by_id", "requested_by_id", "id"),
    Fact(ENTRY_LOCATION, "location_id", "id"),
    Fact("purchase_value", "purchase_value", "money", since=2),
    Fact("failure_note", "failure_note", since=2),
    Fact("category", "category", since=2),
    Fact("allowed_amount", "allowed_amount", "money", since=2),
    Fact("cap", "cap", "money", since=2),
    Fact("cap_steps", "cap_steps", "json", since=2),
    Fact("tenure_months", "tenure_months", "id", since=2),
    Fact("tenure_tier", "tenure_tier", since=2),
    Fact("authority_role", "authority_role", since=2),
    Fact("authority_limit", "authority_limit", "money", since=2),
    Fact("policy_version", "policy_version__number", "id", since=2),
    Fact("requested_at", "requested_at", "time", since=2),
)

ESCALATION_REQUESTED = Coverage(
    name="escalation requested",
    model=Escalation,
    kinds=("escalation.requested",),
    subject_type="escalation",
    state="requested",
    facts=(
        *_ESCALATION_ASKED,
        Fact(ENTRY_ACTOR, "requested_by_id", "id"),
        Fact(ENTRY_AT, "requested_at", "time"),
    ),
)

ESCALATION_DECIDED = Coverage(
    name="escalation decided",
    model=Escalation,
    kinds=(f"escalation.{Escalation.Status.APPROVED}", f"escalation.{Escalation.Status.DECLINED}"),
    subject_type="escalation",
    state="decided",
    must_have=~Q(status=Escalation.Status.PENDING),
    annotations={"decided_kind": Concat(Value("escalation."), "status")},
    facts=(
        *_ESCALATION_ASKED,
        Fact(ENTRY_KIND, "decided_kind"),
        Fact("decision_note", "decision_note"),
        Fact("grant_id", "grant_id", "id"),
        Fact(ENTRY_ACTOR, "decided_by_id", "id"),
        Fact(ENTRY_AT, "decided_at", "time"),
    ),
)

POLICY_PUBLISHED = Coverage(
    name="policy version",
    model=PolicyVersion,
    kinds=("policy.published",),
    subject_type="policy_version",
    state="published",
    facts=(
        Fact("number", "number", "id"),
        Fact("effective_at", "effective_at", "time"),
        Fact("reason", "reason"),
        Fact("document_sha256", "document", transform=document_sha256),
        Fact("restores", "restores__number", "id"),
        Fact(ENTRY_ACTOR, "published_by_id", "id"),
    ),
    chunk=50,  # each row holds a whole policy document
)

ANOMALY_REVIEWED = Coverage(
    name="anomaly review",
    model=AnomalyFlag,
    kinds=("anomaly.reviewed",),
    subject_type="anomaly_flag",
    state="reviewed",
    must_have=~Q(outcome=""),
    facts=(
        Fact("outcome", "outcome"),
        Fact("note", "outcome_note"),
        Fact("flag_kind", "kind"),
        Fact("reason", "reason"),
        Fact("grant_id", "grant_id", "id"),
        Fact("customer_id", "customer_id", "id"),
        Fact("employee_id", "employee_id", "id"),
        Fact("dedupe_key", "dedupe_key"),
        Fact(ENTRY_ACTOR, "reviewed_by_id", "id"),
        Fact(ENTRY_LOCATION, "location_id", "id"),
        Fact(ENTRY_AT, "reviewed_at", "time"),
    ),
)


def tenure_unjournaled(record: dict) -> str | None:
    """A customer with no tenure entry joined on the day they were added (a walk-in): anything else was set unseen."""
    joined = joined_on(record["created_at"], record["created_at_location__timezone"])
    if record["customer_since"] == joined:
        return None
    return (
        f"customer_since: journal (no tenure entry, so the day they were added) {joined.isoformat()} "
        f"vs record {record['customer_since'].isoformat()}"
    )


CUSTOMER_TENURE = Coverage(
    name="customer tenure",
    model=Customer,
    kinds=(TENURE_KIND,),
    subject_type="customer",
    state="a customer",
    latest_only=True,
    without_entry=tenure_unjournaled,
    extra_columns=("created_at", "created_at_location__timezone", "customer_since"),
    facts=(Fact("customer_since", "customer_since", "date", since=2),),
)


def status_unjournaled(record: dict) -> str | None:
    """A customer with no status entry holds none: a status set unseen raises their tier behind the journal."""
    if not record["status"]:
        return None
    return f"status: journal (no status entry, so none) vs record “{record['status']}”"


CUSTOMER_STATUS = Coverage(
    name="customer status",
    model=Customer,
    kinds=(STATUS_KIND,),
    subject_type="customer",
    state="a customer",
    latest_only=True,
    without_entry=status_unjournaled,
    facts=(Fact("status", "status"),),
)

RECORD_COVERAGES = (
    GRANT_ISSUED,
    GRANT_VOIDED,
    VOUCHER_REDEEMED,
    ESCALATION_REQUESTED,
    ESCALATION_DECIDED,
    POLICY_PUBLISHED,
    ANOMALY_REVIEWED,
    CUSTOMER_TENURE,
    CUSTOMER_STATUS,
)

COVERAGES = (*RECORD_COVERAGES, *HISTORY_COVERAGES)
