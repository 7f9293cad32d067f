"""What the header shows on every page: the location a counter page serves, and what waits for a manager."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from recovery import selectors
from recovery.views.access import COUNTER_LOCATION_KEY

# The header's location chip, remembered in the session ({"id": …, "name": …}), so pages other than
# the counter's show it without a query of their own.
LOCATION_CHIP_KEY = "location_chip"


@dataclass(frozen=True)
class LocationChip:
    id: int | None
    name: str


def counter_location(request):
    """The location the employee serves at, for the header's chip on every page they open.

    Counter pages know it (`counter_view` sets it) and keep the session's copy up
    to date; any other page reads that copy, or works it out once (one query) for
    an employee who has not opened the counter yet this session. Staff without a
    location (ops, auditors) get no chip.
    """
    location = getattr(request, "counter_location", None)
    session = getattr(request, "session", None)
    if location is not None:
        if session is not None and session.get(LOCATION_CHIP_KEY, {}).get("id") != location.pk:
            session[LOCATION_CHIP_KEY] = {"id": location.pk, "name": location.name}
        return {"counter_location": location}
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return {"counter_location": None}
    chip = session.get(LOCATION_CHIP_KEY)
    if chip is None:  # a session from before the chip was remembered at sign-in
        chip = _chip_remembered(session, user)
    return {"counter_location": LocationChip(**chip) if chip["id"] else None}


def _chip_remembered(session, user) -> dict:
    found = selectors.counter_location_for(user=user, chosen_id=session.get(COUNTER_LOCATION_KEY))
    chip = {"id": found.pk, "name": found.name} if found else {"id": None, "name": ""}
    session[LOCATION_CHIP_KEY] = chip
    return chip


def location_chip_at_login(sender, request, user, **kwargs):
    """`user_logged_in` receiver: the chip is worked out once, at sign-in (one query), not on a page."""
    if request is not None and hasattr(request, "session"):
        _chip_remembered(request.session, user)


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
