"""Saving a tracked row so its history names who changed it, and why.

django-simple-history reads the author, the reason and (for backdated demo
data) the moment from attributes set on the instance just before `save()` or
`delete()`. Forgetting one leaves an anonymous or unexplained history row, so
every service sets them through these two functions. They live in
`compensation` because both apps write history and `compensation` may not
import `recovery`; `recovery.services.recording` builds its journal entries on them.
"""

from __future__ import annotations


def _name_change(instance, *, actor, reason: str | None, history_date) -> None:
    instance._history_user = actor
    if history_date is not None:
        instance._history_date = history_date
    if reason is not None:  # None: no reason at all ("" is recorded as an empty reason)
        instance._change_reason = reason


def save_with_history(instance, *, actor, reason: str | None = None, history_date=None) -> None:
    """Save `instance`, its history row naming `actor` (and `reason`, and `history_date` when given)."""
    _name_change(instance, actor=actor, reason=reason, history_date=history_date)
    instance.save()


def delete_with_history(instance, *, actor, reason: str | None = None) -> None:
    """Delete `instance`, its last history row naming `actor` and `reason`."""
    _name_change(instance, actor=actor, reason=reason, history_date=None)
    instance.delete()
