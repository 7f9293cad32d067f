"""Two-step sign-in reads: the employee's confirmed authenticator app, if any."""

from __future__ import annotations

from recovery.models import TwoStepDevice


def two_step_device_for(*, user) -> TwoStepDevice | None:
    """The user's confirmed TOTP device (one per user: enrolment refuses a second), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TwoStepDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_step_has_device(*, user) -> bool:
    """Whether the user turned two-step sign-in on (one EXISTS query, read at sign-in)."""
    return TwoStepDevice.objects.filter(user=user, confirmed=True).exists()
