"""A manager's review of an anomaly flag: recorded once, in the history and the location's audit journal."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext

from compensation import wording
from compensation.observability import logs_action
from recovery.domain.errors import RecoveryError
from recovery.models import AnomalyFlag
from recovery.services.locking import location_id_of, location_locked
from recovery.services.recording import record_with_history


@logs_action("anomaly.review", fields=lambda kw: {"flag_id": kw["flag_id"], "review_outcome": kw["outcome"]})
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
    location_id = location_id_of(AnomalyFlag, flag_id)
    now = timezone.now()
    with location_locked(location_id):
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
        with translation.override("en"):  # the history is the record: English, whoever reviews
            reason = f"Reviewed: {flag.get_outcome_display()}" + (f" — {note}" if note else "")
        record_with_history(
            flag,
            actor=actor,
            kind="anomaly.reviewed",
            subject_type="anomaly_flag",
            at=now,
            history_date=now,
            reason=reason,
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
