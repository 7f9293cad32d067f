"""Escalations: above a limit, the employee asks and a manager of the location decides.

An escalation is the other way a case can end (never both: a case granted
within the limits cannot be escalated, and one escalated cannot be granted at
the counter). The request keeps the quote the employee was shown; the approval
grants exactly that, under the escalation's own token, so it can never be paid
twice. Both steps are journalled on the location's chain.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext

from compensation import wording
from compensation.currencies import currency_refusal
from compensation.limits import case_room_text
from compensation.observability import logs_action
from compensation.policy import load_policy, policy_from_document
from recovery.domain.errors import RecoveryError
from recovery.models import Escalation, Grant
from recovery.selectors.usage import authority_usage
from recovery.services.cases import case_request
from recovery.services.grants import grant_write
from recovery.services.limits import limits_for
from recovery.services.locking import location_id_of, location_locked
from recovery.services.pricing import QUOTE_FIELDS, GrantRequest, amount_checked, grant_request_price, quote_fields_of
from recovery.services.recording import record_with_history
from recovery.services.webhooks import emit_escalation_decided


@logs_action(
    "escalation.request",
    fields=lambda kw: {"location_id": kw["request"].location.pk, "customer_id": kw["request"].customer.pk},
    result_fields=lambda escalation: {"escalation_id": escalation.pk, "requested": escalation.requested_amount},
)
def escalation_request(*, actor, roles: list[str], request: GrantRequest, reason: str) -> Escalation:
    """Record a request to grant more than the limits allow, for a manager of the location.

    Exactly-once like a grant: the same form token returns the first request.
    An amount within every limit is refused: it can simply be granted. A request
    naming a case (`failure_id`) asks to add to it; the approval grants onto that case.
    """
    request = case_request(request)
    existing = Escalation.objects.filter(requested_by=actor, token=request.token).first()
    if existing is not None:
        same = (existing.customer_id, existing.playbook_id, existing.requested_amount) == (
            request.customer.pk,
            request.playbook_id,
            request.amount,
        )
        if not same:
            raise RecoveryError(
                None,
                gettext(
                    "This form was already used for escalation #%(escalation)s with other values. "
                    "Start again from the customer's page."
                )
                % {"escalation": existing.pk},
            )
        return existing
    granted = Grant.objects.filter(granted_by=actor, token=request.token).first()
    if granted is not None:
        raise RecoveryError(
            None,
            gettext("This case was already granted (grant #%(grant)s): start a new case to ask for more.")
            % {"grant": granted.pk},
        )
    reason = reason.strip()
    if not reason:
        raise RecoveryError("reason", gettext("Reason: tell the manager why this customer should get more."))
    if request.amount is None or request.amount <= 0:
        raise RecoveryError("amount", gettext("Amount: enter the amount you want the manager to approve."))
    now = timezone.now()
    priced = grant_request_price(actor=actor, roles=roles, request=request, policy=load_policy(now))
    amount = amount_checked(request.amount, priced.currency)
    check = limits_for(priced=priced, request=request, now=now, lock=False)
    stops = check.stops_for(amount)
    if not stops:
        raise RecoveryError(
            "amount", gettext("Amount: this is within every limit, so grant it now; no approval is needed.")
        )
    escalation = Escalation(
        location=request.location,
        customer=request.customer,
        playbook_id=priced.playbook.id,
        category=request.category,
        purchase_value=request.purchase_value,
        failure_note=request.note,
        requested_amount=amount,
        allowed_amount=check.headroom,
        reason=reason,
        stopped_by=[{"limit": s.limit, "allows": str(s.allows), "reason": s.reason} for s in stops],
        requested_by=actor,
        requested_at=now,
        token=request.token,
        failure_id=request.failure_id,
        **quote_fields_of(priced),
    )
    try:
        with location_locked(request.location.pk):
            _record(escalation, "escalation.requested", actor=actor, at=now)
    except IntegrityError:
        return Escalation.objects.get(requested_by=actor, token=request.token)
    return escalation


@logs_action(
    "escalation.decide",
    fields=lambda kw: {"escalation_id": kw["escalation_id"], "approve": kw["approve"]},
    result_fields=lambda escalation: {"status": escalation.status, "grant_id": escalation.grant_id},
)
def escalation_decide(*, actor, roles: list[str], escalation_id: int, approve: bool, note: str) -> Escalation:
    """Approve (creating the grant) or decline an escalation, once.

    The row is locked, so two managers deciding at once give one decision and a
    clear message to the other. A manager approves within their own authority;
    the customer limits and the budget are what the approval overrides.
    """
    note = note.strip()
    if not approve and not note:
        raise RecoveryError(
            "note", gettext("Note: say why you decline, so the employee can explain it to the customer.")
        )
    now = timezone.now()
    with location_locked(location_id_of(Escalation, escalation_id)):
        escalation = (
            # The customer's row is locked in the same statement (after the location, as a counter grant locks
            # them): the approval adds to the customer's limits.
            Escalation.objects.select_for_update(of=("self", "customer"))
            .select_related("location", "customer")
            .get(pk=escalation_id)
        )
        if not escalation.is_pending:
            # The location's wall clock: the manager and the employee both work there.
            decided_at = wording.local(escalation.decided_at, escalation.location.timezone)
            raise RecoveryError(
                None,
                gettext("Escalation #%(escalation)s was already %(status)s by %(manager)s at %(time)s.")
                % {
                    "escalation": escalation.pk,
                    "status": str(escalation.get_status_display()).lower(),
                    "manager": escalation.decided_by,
                    "time": wording.clock(decided_at),
                },
            )
        if approve:
            # The manager's authority in the escalation's location's currency (`Policy.at_location`).
            policy = load_policy(now).at_location(escalation.location)
            if policy.unstated_currency:
                raise RecoveryError(None, currency_refusal(policy, escalation.location))
            authority = policy.authority_for(roles, actor.pk)
            if escalation.requested_amount > authority.limit:
                currency = escalation.currency
                raise RecoveryError(
                    None,
                    gettext("%(amount)s is above your own authority of %(limit)s: decline with a note, or ask ops.")
                    % {
                        "amount": wording.amount(escalation.requested_amount, currency),
                        "limit": wording.amount(authority.limit, currency),
                    },
                )
            _refuse_above_case_authority(escalation, authority, now=now)
            try:
                # grant_write's own atomic block is a savepoint: a refused insert leaves this transaction usable.
                escalation.grant = _grant_for_escalation(escalation, approver=actor, note=note, now=now)
            except IntegrityError as error:
                raise RecoveryError(
                    None,
                    gettext("This case was already granted by %(employee)s meanwhile: decline it.")
                    % {"employee": escalation.requested_by},
                ) from error
        escalation.status = Escalation.Status.APPROVED if approve else Escalation.Status.DECLINED
        escalation.decided_by = actor
        escalation.decided_at = now
        escalation.decision_note = note
        with translation.override("en"):  # the history is the record: English, whoever decides
            reason = note or str(escalation.get_status_display())
        _record(escalation, f"escalation.{escalation.status}", actor=actor, at=now, reason=reason)
        emit_escalation_decided(escalation)
    return escalation


def _record(escalation: Escalation, kind: str, *, actor, at, reason: str | None = None) -> None:
    """Save the escalation and journal `kind` with what the manager and the audit need to know."""
    record_with_history(
        escalation,
        actor=actor,
        kind=kind,
        subject_type="escalation",
        at=at,
        reason=reason,
        payload=lambda: escalation_payload(escalation),
    )


# Version 2 added the quote the manager approves (purchase value, note, cap and its steps, tenure, version).
ESCALATION_JOURNAL_VERSION = 2


def escalation_payload(escalation: Escalation) -> dict:
    """The escalation as it is at this step: what was asked and why, the quote shown, and the decision so far."""
    return {
        "v": ESCALATION_JOURNAL_VERSION,
        "customer_id": escalation.customer_id,
        "playbook_id": escalation.playbook_id,
        "requested_amount": escalation.requested_amount,
        "reason": escalation.reason,
        "requested_by_id": escalation.requested_by_id,
        "decision_note": escalation.decision_note,
        "grant_id": escalation.grant_id,
        "purchase_value": escalation.purchase_value,
        "failure_note": escalation.failure_note,
        "category": escalation.category,
        "allowed_amount": escalation.allowed_amount,
        "cap": escalation.cap,
        "cap_steps": list(escalation.cap_steps),
        "tenure_months": escalation.tenure_months,
        "tenure_tier": escalation.tenure_tier,
        "authority_role": escalation.authority_role,
        "authority_limit": escalation.authority_limit,
        "policy_version": escalation.policy_version.number if escalation.policy_version_id else None,
        "requested_at": escalation.requested_at,
    }


def _refuse_above_case_authority(escalation: Escalation, authority, *, now) -> None:
    """A manager approves an addition to a case within their own per-case authority: the case's
    active grants and this amount together (read under the location's lock, held here)."""
    if escalation.failure_id is None:
        return
    currency = escalation.currency
    used = authority_usage(
        authority=authority,
        employee_id=None,
        failure_id=escalation.failure_id,
        location=escalation.location,
        now=now,
        currency=currency,
    )
    if used.case_total + escalation.requested_amount > authority.per_case:
        raise RecoveryError(
            None,
            gettext("%(amount)s is above your own authority for this case: %(room)s Decline with a note, or ask ops.")
            % {
                "amount": wording.amount(escalation.requested_amount, currency),
                "room": case_room_text(authority, used.case_total, currency),
            },
        )


def _grant_for_escalation(escalation: Escalation, *, approver, note: str, now) -> Grant:
    request = GrantRequest(
        customer=escalation.customer,
        location=escalation.location,
        category=escalation.category,
        purchase_value=escalation.purchase_value,
        note=escalation.failure_note,
        playbook_id=escalation.playbook_id,
        amount=escalation.requested_amount,
        # The case's own token: `(granted_by, token)` is unique, so the case can never be paid twice.
        token=escalation.token,
        failure_id=escalation.failure_id,
    )
    stopped = " ".join(stop["reason"] for stop in escalation.stopped_by)
    approval = f"Approved above the limits by {approver.get_username()}: {stopped}"
    # The quote the employee was shown (and its version): the manager approves that request.
    fields = {name: getattr(escalation, name) for name in QUOTE_FIELDS}
    fields["cap_steps"] = [*escalation.cap_steps, approval + (f" Note: {note}" if note else "")]
    # The playbook as the escalation's version had it: the live row may be an unpublished draft.
    playbook = policy_from_document(escalation.policy_version.document).playbooks[escalation.playbook_id]
    return grant_write(
        actor=escalation.requested_by,
        request=request,
        playbook=playbook,
        quote_fields=fields,
        amount=escalation.requested_amount,
        now=now,
        approved_by=approver,
        logged_at=escalation.requested_at,  # the failure was met when the employee asked
    )
