"""A manager's review of an anomaly flag: recorded once, in the history and the location's audit journal."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from compensation import wording
from compensation.journal import journal_append, location_chain
from recovery.models import AnomalyFlag

# TODO(merge): `_lock_location` becomes public as `recovery.services.lock_location` in a parallel branch.
from recovery.services import RecoveryError, _lock_location


def anomaly_review(*, actor, flag_id: int, outcome: str, note: str) -> AnomalyFlag:
    """Record a manager's review of a flag, once, in the location's audit journal.

    The location row is locked first (it orders the location's journal chain,
    as for a void), then the flag row, so two managers reviewing at once get
    one review and a clear message for the other. "Other" needs a note: the
    outcome alone would not say what was found. Permission (a manager of the
    flag's location, not the employee it concerns) is the view's check.
    """
    note = note.strip()
    if outcome not in AnomalyFlag.Outcome.values:
        raise RecoveryError("outcome", gettext("Outcome: choose fine, talked to the employee, or other."))
    if outcome == AnomalyFlag.Outcome.OTHER and not note:
        raise RecoveryError("note", gettext("Note: say what you found or did (required for “Other”)."))
    location_id = AnomalyFlag.objects.values_list("location_id", flat=True).get(pk=flag_id)
    now = timezone.now()
    with transaction.atomic():
        _lock_location(location_id)
        flag = (
            AnomalyFlag.objects.select_for_update(of=("self",))
            .select_related("reviewed_by", "location")
            .get(pk=flag_id)
        )
        if not flag.is_open:
            raise RecoveryError(
                None,
                gettext("Flag #%(flag)s was already reviewed by %(manager)s at %(when)s: %(outcome)s.")
                % {
                    "flag": flag.pk,
                    "manager": flag.reviewed_by,
                    # The flag's location's wall clock: that is where its manager works.
                    "when": wording.moment_words(flag.reviewed_at, flag.location.timezone),
                    "outcome": flag.get_outcome_display(),
                },
            )
        flag.outcome = outcome
        flag.outcome_note = note
        flag.reviewed_by = actor
        flag.reviewed_at = now
        flag._history_user = actor
        flag._history_date = now
        with translation.override("en"):  # the history is the record: English, whoever reviews
            flag._change_reason = f"Reviewed: {flag.get_outcome_display()}" + (f" — {note}" if note else "")
        flag.save()
        journal_append(
            chain=location_chain(location_id),
            kind="anomaly.reviewed",
            subject_type="anomaly_flag",
            subject_id=flag.pk,
            actor=actor,
            location_id=location_id,
            at=now,
            payload={
                "flag_kind": flag.kind,
                "outcome": outcome,
                "note": note,
                "reason": flag.reason,
                "grant_id": flag.grant_id,
                "customer_id": flag.customer_id,
                "employee_id": flag.employee_id,
                "dedupe_key": flag.dedupe_key,
            },
        )
    return flag
