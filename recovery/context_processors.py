"""What the header shows on every page: the location a counter page serves, and what waits for a manager."""

from __future__ import annotations

from functools import cached_property

from recovery import selectors


def counter_location(request):
    """The location a counter page serves (set by `counter_view`), for the header."""
    return {"counter_location": getattr(request, "counter_location", None)}


class WaitingEscalations:
    """The header's count of escalations waiting for this user's decision.

    Counted only when a template reads `count` (the header, once per page: the
    value is cached), with one COUNT query, and only for users who decide
    escalations; everyone else reads 0 without a query beyond their roles.
    """

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        if not self.user.has_perm("recovery.view_needs_you"):
            return 0
        return selectors.escalations_waiting_count(user=self.user)


def escalations_waiting(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"escalations_waiting": WaitingEscalations(user)}
