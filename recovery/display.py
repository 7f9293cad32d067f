"""Stored English records worded again in the reader's language, when a page shows them.

A grant's cap steps and an escalation's stop reasons are kept in English: they
are the audit record (history, journal, API, CSV) and are never rewritten. A
page words them again from the record's own stored values with the same pure
functions the counter uses, so a Russian manager reads Russian with figures
written the Russian way. Nothing here queries the database; whatever cannot be
worded again from what was stored is shown as stored.
"""

from __future__ import annotations

from django.utils.translation import gettext

from compensation import wording
from compensation.caps import steps_from_snapshot
from compensation.texts import localized_text


def _english() -> bool:
    return wording.language().split("-")[0] == "en"


def cap_steps_shown(record) -> list[str]:
    """The cap steps of a grant or an escalation in the active language (the stored ones for English)."""
    if _english():
        return list(record.cap_steps)
    steps = steps_from_snapshot(
        record.policy_snapshot or {},
        purchase_value=record.purchase_value,
        tenure_months=record.tenure_months,
        cap=record.cap,
        tier=record.tenure_tier,
    )
    if steps is None:
        return list(record.cap_steps)
    # A grant approved above the limits keeps one more stored line after the engine's steps (who
    # approved, why the limits stopped it, the manager's note): it is a record, shown as stored.
    return [*steps, *record.cap_steps[len(steps) :]]


def stop_reason_shown(stop: dict, escalation) -> str:
    """Why one limit stopped an escalated grant, in the active language.

    The cap's reason is worded again from the escalation's snapshot (as the
    counter worded it); a customer limit or budget reason depends on usage that
    was not stored, so it is shown as stored.
    """
    if _english() or stop.get("limit") != "cap":
        return stop.get("reason", "")
    snapshot = escalation.policy_snapshot or {}
    steps = steps_from_snapshot(
        snapshot,
        purchase_value=escalation.purchase_value,
        tenure_months=escalation.tenure_months,
        cap=escalation.cap,
        tier=escalation.tenure_tier,
    )
    if steps is None:
        return stop.get("reason", "")
    return gettext("The cap of “%(playbook)s” for this customer is %(cap)s (%(steps)s).") % {
        "playbook": localized_text(snapshot, "playbook"),
        "cap": wording.amount(escalation.cap, escalation.currency),
        "steps": "; ".join(steps),
    }
