"""Granting at the counter: log the failure and grant the compensation at once, exactly once.

`grant_issue` is the counter's one write: it prices the request under the
policy in force (never the amount the form shows), checks every limit under
the location's lock, and inserts the failure and its grant (`grant_write`, also
used when a manager approves an escalation). A form token sent again replays
its first grant, so a double click never pays twice.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from compensation.limits import Stop
from compensation.money import ZERO
from compensation.observability import logs_action
from compensation.policy import Policy, load_policy
from compensation.recording import save_with_history
from compensation.texts import localized_text
from recovery.domain.errors import LimitExceeded, RecoveryError
from recovery.domain.vouchers import voucher_code_new
from recovery.models import Escalation, Grant, ServiceFailure, journal_fact
from recovery.services.cases import case_request
from recovery.services.experiments import experiment_case_record, experiment_choice_check
from recovery.services.limits import limit_exceeded, limits_for
from recovery.services.pricing import GrantRequest, amount_checked, grant_request_price, quote_fields_of
from recovery.services.recording import record_with_history
from recovery.services.token_uses import TokenUse, token_uses
from recovery.services.totals import day_total_add, month_total_add
from recovery.services.webhooks import emit_grant_created

# A fresh code is drawn when one collides with an existing voucher (about 1 in 10^14); this many tries in all.
VOUCHER_CODE_ATTEMPTS = 3


@dataclass(frozen=True)
class GrantOutcome:
    """The grant a request ended with, and whether it was made now or is the first answer again."""

    grant: Grant
    replayed: bool  # True when the token had already been used for this very request


def _grant_for_token(*, actor, request: GrantRequest) -> GrantOutcome | None:
    existing = Grant.objects.filter(granted_by=actor, token=request.token).first()
    if existing is None:
        return None
    return _replayed(existing.pk, existing.request_fingerprint, request, grant=existing)


def _replayed(grant_id: int, fingerprint: str, request: GrantRequest, grant: Grant | None = None) -> GrantOutcome:
    """The first grant made with this token, if this is the same request again; else a clear refusal."""
    if fingerprint != request.fingerprint():
        raise RecoveryError(
            None,
            gettext(
                "This form was already used for grant #%(grant)s with other values. "
                "Start a new grant from the customer's page."
            )
            % {"grant": grant_id},
        )
    return GrantOutcome(grant=grant or Grant.objects.get(pk=grant_id), replayed=True)


@logs_action(
    "grant.issue",
    fields=lambda kw: {
        "location_id": kw["request"].location.pk,
        "customer_id": kw["request"].customer.pk,
        "playbook_id": kw["request"].playbook_id,
        "asked": kw["request"].amount,
    },
    result_fields=lambda outcome: {
        "grant_id": outcome.grant.pk,
        "amount": outcome.grant.amount,
        "replayed": outcome.replayed,
    },
)
def grant_issue(
    *, actor, roles: list[str], request: GrantRequest, policy: Policy | None = None, at=None
) -> GrantOutcome:
    """Log the failure and grant the compensation at once, exactly once.

    The cap is recomputed here from the policy version in force; the amount the
    form shows is never trusted. The per-customer limits and the location budget
    are checked under a row lock in the same transaction as the insert. Above any
    limit, `LimitExceeded` says which limit and what may be granted instead;
    nothing is written. A repeat of the same token returns the first grant
    (double click, browser retry); two simultaneous repeats are settled by the
    `(granted_by, token)` unique constraint. `at` backdates a grant (demo data only).
    """
    request = case_request(request)
    uses = token_uses(actor=actor, token=request.token, category=request.category)
    if uses.grant_id is not None:
        return _replayed(uses.grant_id, uses.grant_fingerprint, request)

    now = at or timezone.now()
    priced = grant_request_price(actor=actor, roles=roles, request=request, policy=policy or load_policy(now))
    currency = priced.currency
    if request.amount is None and priced.quote.cap <= 0:
        raise _nothing_allowed(priced)
    amount = amount_checked(priced.quote.cap if request.amount is None else request.amount, currency)
    if amount <= 0:
        raise RecoveryError("amount", gettext("Amount: enter an amount above zero."))
    _refuse_if_escalated(uses)
    # An experiment's draw for this case: another playbook than the one drawn needs the employee's reason.
    experiment_choice_check(
        uses.experiment_assignment_id,
        drawn=uses.experiment_playbook_id,
        playbook_id=int(request.playbook_id),
        reason=request.experiment_reason,
    )
    for attempt in range(VOUCHER_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                # The amount is counted in the month's total at once; a stop below rolls it back with the rest.
                check = limits_for(priced=priced, request=request, now=now, lock=True, reserve=amount)
                if check.stops_for(amount):
                    raise _Stopped(check)
                grant = grant_write(
                    actor=actor,
                    request=request,
                    playbook=priced.playbook,
                    quote_fields=quote_fields_of(priced),
                    amount=amount,
                    now=now,
                    limit_notes=check.warnings_for(amount),
                    savepoint=False,  # this transaction is the attempt: any error rolls it back whole
                    counted=True,  # limits_for added it to the month's total
                )
                if uses.experiment_assignment_id is not None:
                    experiment_case_record(
                        actor=actor,
                        assignment_id=uses.experiment_assignment_id,
                        grant=grant,
                        reason=request.experiment_reason,
                        now=now,
                    )
        except _Stopped as stopped:
            # A simultaneous submit of this very form may have taken the room while we waited.
            replay = _grant_for_token(actor=actor, request=request)
            if replay:
                return replay
            raise limit_exceeded(amount, stopped.check, currency) from None
        except IntegrityError:
            # A simultaneous submit of the same token won the race: answer with its grant.
            replay = _grant_for_token(actor=actor, request=request)
            if replay:
                return replay
            if not priced.playbook.issues_voucher or attempt == VOUCHER_CODE_ATTEMPTS - 1:
                raise
            # Otherwise a voucher code collided (about 1 in 10^14): draw another.
        else:
            return GrantOutcome(grant=grant, replayed=False)
    raise AssertionError("unreachable")


class _Stopped(Exception):
    """A limit stops the amount: raised inside the grant's transaction so the month total's reservation rolls back."""

    def __init__(self, check):
        super().__init__("stopped by a limit")
        self.check = check


def _nothing_allowed(priced) -> LimitExceeded:
    """The refusal of a playbook whose cap with this employee's authority is nothing."""
    message = (
        gettext(
            "“%(playbook)s” allows nothing for this customer with your authority: ask a manager to approve an amount."
        )
        if priced.quote.offered
        else gettext(
            "“%(playbook)s” is not offered when nothing was bought: choose another playbook, "
            "or ask a manager to approve an amount."
        )
    )
    return LimitExceeded(
        message % {"playbook": localized_text(priced.playbook, "name")},
        allowed=ZERO,
        stops=(
            Stop(
                limit="cap",
                allows=ZERO,
                reason=priced.quote.explanation,
                shown="; ".join(priced.shown_steps or priced.quote.steps),
            ),
        ),
    )


def grant_refusal(*, actor, roles: list[str], request: GrantRequest) -> LimitExceeded | None:
    """What `grant_issue` would refuse for this request now, without writing or locking anything.

    The counter's "Ask a manager" on a card that can give nothing opens the
    escalation panel with the limits that stop it, without trying a grant first.
    None: the request would be granted (the room came back since the page was drawn).
    Pricing refusals (an unknown playbook, a changed cap) are raised as `RecoveryError`.
    """
    now = timezone.now()
    request = case_request(request)
    priced = grant_request_price(actor=actor, roles=roles, request=request, policy=load_policy(now))
    if request.amount is None and priced.quote.cap <= 0:
        return _nothing_allowed(priced)
    amount = priced.quote.cap if request.amount is None else request.amount
    check = limits_for(priced=priced, request=request, now=now, lock=False)
    return limit_exceeded(amount, check, priced.currency) if check.stops_for(amount) else None


def _refuse_if_escalated(uses: TokenUse) -> None:
    """One case is either granted within the limits or escalated, never both (no double payout)."""
    if uses.escalation_id is not None:
        status = str(Escalation.Status(uses.escalation_status).label)
        raise RecoveryError(
            None,
            gettext(
                "You already asked a manager about this case (escalation #%(escalation)s, %(status)s): "
                "follow it there instead of granting again."
            )
            % {"escalation": uses.escalation_id, "status": status.lower()},
        )


def grant_write(
    *,
    actor,
    request,
    playbook,
    quote_fields,
    amount,
    now,
    limit_notes=(),
    approved_by=None,
    logged_at=None,
    savepoint=True,
    counted=False,
) -> Grant:
    """Insert the failure and its grant, with history naming who did it, and count it in its month's total.

    A request naming its case (`failure_id`) adds the grant to that failure instead of logging a new one.

    `playbook` is the version's playbook (built from its document), never the
    live row, which is the ops' unpublished draft. `savepoint=False` when the
    caller's own transaction rolls back as a whole on any error (saves two round trips).
    `counted=True` when the caller already added the amount to the location's
    month total under the lock (`limits_for(reserve=…)`); else it is added here.
    The caller holds the location's lock either way.
    """
    history_user = approved_by or actor
    with transaction.atomic(savepoint=savepoint):
        if request.failure_id is not None:
            failure = ServiceFailure.objects.get(pk=request.failure_id)
        else:
            failure = _failure_logged(actor, request, now=now, logged_at=logged_at, history_user=history_user)
        grant = Grant(
            failure=failure,
            customer=request.customer,
            location=request.location,
            playbook_id=playbook.id,
            playbook_name=playbook.name,
            playbook_kind=playbook.kind,
            # The currency the quote was made in (an escalation's, when it was asked), which is the location's.
            currency=quote_fields["policy_snapshot"].get("currency") or request.location.currency,
            amount=amount,
            purchase_value=request.purchase_value,
            category=failure.category,
            failure_logged_at=failure.logged_at,
            limit_notes=list(limit_notes),
            approved_by=approved_by,
            granted_by=actor,
            granted_by_username=actor.get_username(),
            granted_at=now,
            token=request.token,
            request_fingerprint=request.fingerprint(),
            **quote_fields,
        )
        if playbook.issues_voucher:
            grant.voucher_code = voucher_code_new()
            valid_days = grant.policy_snapshot.get("voucher_valid_days") or playbook.voucher_valid_days
            # Counted from the day it was granted, on the location's calendar (demo data is backdated).
            local_day = timezone.localdate(now, zoneinfo.ZoneInfo(request.location.timezone))
            grant.voucher_expires_on = local_day + timedelta(days=valid_days)
        if not counted:
            month_total_add(location=request.location, at=now, currency=grant.currency, amount=amount, grants=1)
        day_total_add(grant, location=request.location)
        record_with_history(
            grant,
            actor=history_user,
            history_date=now,
            at=now,
            kind="grant.issued",
            subject_type="grant",
            payload=lambda: grant_issued_payload(grant, failure),
        )
        # Inside the savepoint: a grant rolled back (a limit, a race) reports nothing to other systems.
        emit_grant_created(grant)
    return grant


def _failure_logged(actor, request, *, now, logged_at, history_user) -> ServiceFailure:
    """The case a first grant opens: the failure as the counter met it."""
    failure = ServiceFailure(
        customer=request.customer,
        location=request.location,
        category=request.category,
        purchase_value=request.purchase_value,
        note=request.note,
        logged_by=actor,
        # An escalation's request time, else when the counter opened the case (never after the grant).
        logged_at=logged_at or min(request.opened_at or now, now),
        incident=getattr(request, "incident", None),
    )
    save_with_history(failure, actor=history_user, history_date=now)
    return failure


# Version 2 of the "grant.issued" payload added what a changed row could otherwise hide (verify_audit compares it).
GRANT_JOURNAL_VERSION = 2


def grant_issued_payload(grant: Grant, failure: ServiceFailure) -> dict:
    """What the journal keeps of a new grant and its failure: every fact that decides the money, and who and when.

    Public so the synthetic data generator journals exactly what the service does.
    """
    incident = {"incident_id": failure.incident_id} if failure.incident_id else {}
    return {
        **incident,
        "v": GRANT_JOURNAL_VERSION,
        **grant.journal_facts(),
        "currency": grant.currency,
        "token": str(grant.token),
        "policy_version": grant.policy_version.number if grant.policy_version_id else None,
        "approved_by_id": grant.approved_by_id,
        "failure_id": failure.pk,
        "purchase_value": journal_fact(grant.purchase_value),
        "cap_steps": list(grant.cap_steps),
        "note": failure.note,
        "category": grant.category,
        "failure_logged_at": failure.logged_at,
        "logged_by_id": failure.logged_by_id,
        "tenure_months": grant.tenure_months,
        "tenure_tier": grant.tenure_tier,
        "authority_role": grant.authority_role,
        "authority_limit": journal_fact(grant.authority_limit),
    }
