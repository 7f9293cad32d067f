"""Two-step sign-in: the only code that writes `TwoStepDevice` (django-otp's `TOTPDevice`).

Enrolment, removal and a reset are history rows on the device (who, for whom,
why: `recovery.models.two_step` says why history and not the journal). A code
is checked by django-otp itself (`TOTPDevice.verify_token`), so its throttling
applies: after a wrong code the next attempt must wait 1, 2, 4, 8… seconds
(`OTP_TOTP_THROTTLE_FACTOR`), and a code accepted once is never accepted again.
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from compensation.recording import delete_with_history, save_with_history
from recovery.domain.errors import RecoveryError
from recovery.domain.two_step import CODE_DIGITS, CODE_PATTERN, STEP_SECONDS, TOLERANCE_STEPS, code_step
from recovery.models import TwoStepDevice

DEVICE_NAME = "Authenticator app"
REASON_ENROLLED = "Two-step sign-in turned on"
REASON_REMOVED = "Two-step sign-in turned off by the employee"


def _wrong_code() -> RecoveryError:
    return RecoveryError(
        "code",
        gettext("Code: this is not the current code from your authenticator app. Check the app and try again."),
    )


def _throttled(locked_until) -> RecoveryError:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return RecoveryError(
        "code",
        ngettext(
            "Code: too many wrong codes. Wait %(seconds)d second and try again.",
            "Code: too many wrong codes. Wait %(seconds)d seconds and try again.",
            seconds,
        )
        % {"seconds": seconds},
    )


def _checked_device(*, user, code: str) -> TwoStepDevice:
    """The user's device if `code` is its current code; the refusal (wrong, or wait) otherwise.

    The device row is locked, so two tabs cannot both try a code inside one
    throttling delay. The throttle's count is saved before the refusal is
    raised (outside the transaction), so a wrong code always counts.
    """
    refusal = None
    with transaction.atomic():
        device = TwoStepDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise RecoveryError("code", gettext("Code: two-step sign-in is not turned on for you."))
        allowed, details = device.verify_is_allowed()
        if not allowed:
            refusal = _throttled(details["locked_until"])
        else:
            # A verification saves the device (last step, throttle): no history row for that.
            device.skip_history_when_saving = True
            try:
                if CODE_PATTERN.fullmatch(code):
                    verified = device.verify_token(code)  # counts a wrong code in the throttle itself
                else:  # django-otp would read "１２３４５６" as a number: not a code, and it counts
                    device.throttle_increment(commit=True)
                    verified = False
            finally:
                del device.skip_history_when_saving
            if not verified:
                refusal = _wrong_code()
    if refusal is not None:
        raise refusal
    return device


def two_step_verify(*, user, code: str) -> TwoStepDevice:
    """Check the sign-in's second step; the device that accepted the code (give it to `django_otp.login`)."""
    return _checked_device(user=user, code=code.strip())


def two_step_enrol(*, actor, key: str, code: str) -> TwoStepDevice:
    """Turn two-step sign-in on for `actor` with the secret their app now has, proved by its current code.

    The secret was shown on the enrolment page and kept in the session only; it
    is stored once the code proves the app holds it. Refused if the employee
    already has a device (remove it first: one app per employee).
    """
    step = code_step(key, code.strip())
    if step is None:
        raise _wrong_code()
    with transaction.atomic():
        if TwoStepDevice.objects.select_for_update().filter(user=actor, confirmed=True).exists():
            raise RecoveryError("code", gettext("Code: two-step sign-in is already on. Turn it off first."))
        device = TwoStepDevice(
            user=actor,
            name=DEVICE_NAME,
            key=key,
            step=STEP_SECONDS,
            digits=CODE_DIGITS,
            tolerance=TOLERANCE_STEPS,
            confirmed=True,
            last_t=step,  # the confirming code cannot sign in again
        )
        save_with_history(device, actor=actor, reason=REASON_ENROLLED)
    return device


def two_step_remove(*, actor, code: str) -> None:
    """Turn two-step sign-in off for `actor`, who proves they still hold the app with a current code."""
    device = _checked_device(user=actor, code=code.strip())
    with transaction.atomic():
        delete_with_history(device, actor=actor, reason=REASON_REMOVED)


def two_step_reset(*, user, actor=None, reason: str) -> int:
    """Remove every device of `user` (a lost phone), each with a history row naming `actor` and `reason`.

    Their next sign-in has no second step; if their role requires one they are
    asked to enrol a new app first. Returns how many devices were removed.
    """
    with transaction.atomic():
        devices = list(TwoStepDevice.objects.select_for_update().filter(user=user).order_by("pk"))
        for device in devices:
            delete_with_history(device, actor=actor, reason=reason)
    return len(devices)
