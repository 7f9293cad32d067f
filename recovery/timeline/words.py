"""The wording of timeline entries: one function per kind of event turns its row into a `TimelineEntry`.

Each is worded in the active language when the entry is built (the page in the
reviewer's language, the CSV export in English). `sources` names which of these
builds each kind's entries.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext, pgettext

from compensation import wording
from compensation.caps import role_word
from compensation.models import PolicyVersion
from compensation.texts import tier_name_shown
from recovery.anomalies import reason_shown
from recovery.models import AnomalyFlag, Escalation, Grant, ServiceFailure, VoucherRedemption
from recovery.timeline.shapes import TimelineEntry


def failure_entry(failure: ServiceFailure, flagged: bool) -> TimelineEntry:
    # The grant that opened the case, annotated by the source (`failures_with_first_grant`): no query per row.
    grant_id = getattr(failure, "first_grant_id", None)
    return TimelineEntry(
        kind="failure.logged",
        label=gettext("Failure logged"),
        at=failure.logged_at,
        rank=1,
        pk=failure.pk,
        summary=(
            (
                gettext("%(category)s, purchase %(value)s: “%(note)s”")
                if failure.note
                else gettext("%(category)s, purchase %(value)s")
            )
            if failure.purchase_value
            # A wait or a missed flight: the record says so rather than "purchase 0.00".
            else (
                gettext("%(category)s, nothing bought: “%(note)s”")
                if failure.note
                else gettext("%(category)s, nothing bought")
            )
        )
        % {
            "category": failure.get_category_display(),
            "value": wording.amount(
                failure.purchase_value, failure.first_currency if grant_id else failure.location.currency
            ),
            "note": failure.note,
        },
        url=reverse("audit_detail", args=[grant_id]) if grant_id else "",
        location=failure.location.name,
        zone=failure.location.timezone,
        actor=failure.logged_by.get_username(),
        customer=failure.customer.name,
        playbook=failure.first_playbook_name if grant_id else "",
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


def grant_entry(grant: Grant, flagged: bool) -> TimelineEntry:
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


def void_entry(grant: Grant, flagged: bool) -> TimelineEntry:
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
        "url": reverse("escalation_audit", args=[escalation.pk]),  # its audit story, where a manager also decides
        "location": escalation.location.name,
        "zone": escalation.location.timezone,
        "customer": escalation.customer.name,
        "playbook": escalation.playbook.name,
        "category": escalation.get_category_display(),
        "amount": escalation.requested_amount,
        "currency": escalation.currency,
        "flagged": flagged,
    }


def escalation_requested_entry(escalation: Escalation, flagged: bool) -> TimelineEntry:
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


def escalation_decided_entry(escalation: Escalation, flagged: bool) -> TimelineEntry:
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


def policy_entry(version: PolicyVersion, flagged: bool) -> TimelineEntry:
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


def flag_raised_entry(flag: AnomalyFlag, flagged: bool) -> TimelineEntry:
    return TimelineEntry(
        kind="anomaly.raised",
        label=gettext("Anomaly flagged"),
        at=flag.raised_at,
        rank=8,
        summary=gettext("%(kind)s: %(reason)s") % {"kind": flag.get_kind_display(), "reason": reason_shown(flag)},
        actor=flag.employee.get_username() if flag.employee_id else "",
        **_flag_fields(flag),
    )


def flag_reviewed_entry(flag: AnomalyFlag, flagged: bool) -> TimelineEntry:
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


def redemption_entry(redemption: VoucherRedemption, flagged: bool) -> TimelineEntry:
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


def tenure_entry(event, flagged: bool) -> TimelineEntry:
    """A customer's tenure set (a CRM's date, an ops correction): its journal entry, with the customer's name."""
    payload = event.payload
    figures = {
        "since": payload.get("customer_since", ""),
        "previous": payload.get("previous") or "",
        "reason": payload.get("reason", ""),
    }
    summary = (
        gettext("Customer since %(since)s (was %(previous)s): “%(reason)s”")
        if figures["previous"]
        else gettext("Customer since %(since)s: “%(reason)s”")
    ) % figures
    name = getattr(event, "customer_name", "") or ""
    return TimelineEntry(
        kind="customer.tenure_set",
        label=gettext("Tenure set"),
        at=event.at,
        rank=10,
        pk=event.pk,
        summary=summary,
        url=reverse("audit") + "?" + urlencode({"customer": name}) if name else reverse("audit"),
        location=event.location.name if event.location_id else "",
        zone=event.location.timezone if event.location_id else "UTC",
        actor=event.actor_username,
        customer=name,
    )
