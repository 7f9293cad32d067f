"""Recording a change twice, as every audited write must: in the row's history and in the journal.

simple-history keeps the readable history the review screens show (who, why,
when); the journal (`compensation.journal`) is the tamper-evident proof, one
hash-chained entry per change on the location's chain. A service that saves
one without the other leaves the audit screens and the proof disagreeing, so
both go through `record_with_history`, called inside the transaction holding
the location's lock (`recovery.services.locking.location_locked`).
"""

from __future__ import annotations

from collections.abc import Callable

from compensation.journal import journal_append, location_chain
from compensation.models import AuditEvent
from compensation.recording import save_with_history


def record_with_history(
    instance,
    *,
    actor,
    kind: str,
    subject_type: str,
    payload: dict | Callable[[], dict],
    at=None,
    history_date=None,
    reason: str | None = None,
    subject_id: int | None = None,
) -> AuditEvent:
    """Save `instance` with `actor` (and `reason`) in its history, then journal `kind` on its location's chain.

    `payload` may be a function, called after the save, when the entry needs
    what the save gives (the new row's id). The entry's subject is `instance`
    unless `subject_id` names another row of `subject_type` (a redemption is
    journalled on its grant). `at` is the journal entry's moment;
    `history_date` backdates the history row too (left out, it is the save's time).
    """
    save_with_history(instance, actor=actor, reason=reason, history_date=history_date)
    return journal_append(
        chain=location_chain(instance.location_id),
        kind=kind,
        subject_type=subject_type,
        subject_id=instance.pk if subject_id is None else subject_id,
        actor=actor,
        location_id=instance.location_id,
        at=at,
        payload=payload() if callable(payload) else payload,
    )
