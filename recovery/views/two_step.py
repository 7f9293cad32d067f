"""Two-step sign-in pages: turn it on (QR code, then a code), turn it off (a code), and the sign-in's code step.

Thin: the form checks the code's shape, `recovery.services.two_step` checks
the code itself (django-otp, throttled) and writes the device with history;
`recovery.two_step.TwoStepMiddleware` decides who is sent here.
"""

from __future__ import annotations

import django_otp
import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from compensation.http import INVALID
from compensation.predicates import must_use_two_step
from recovery.domain.errors import RecoveryError
from recovery.domain.two_step import secret_for_typing, secret_new
from recovery.forms import TwoStepCodeForm
from recovery.models import TwoStepDevice
from recovery.selectors.two_step import two_step_device_for
from recovery.services.two_step import two_step_enrol, two_step_remove, two_step_verify
from recovery.two_step import HAS_DEVICE_SESSION_KEY, PENDING_KEY_SESSION_KEY


def _safe_next(request, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _config_url(user, key: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code (django-otp builds it)."""
    return TwoStepDevice(user=user, key=key).config_url


def _enrol_page(request, *, form, key: str, next_url: str, status=200):
    return render(
        request,
        "registration/two_step.html",
        {
            "device": None,
            "form": form,
            "qr_svg": segno.make(_config_url(request.user, key), error="m").svg_inline(
                scale=4, border=2, omitsize=True
            ),
            "secret": secret_for_typing(key),
            "required": must_use_two_step(request.user),
            "next": next_url,
        },
        status=status,
    )


@never_cache  # the page shows a secret
@require_http_methods(["GET", "POST"])
def two_step(request):
    """Turn two-step sign-in on: scan or type the secret, then confirm with the app's current code.

    The secret waits in the session until a code proves the app holds it; then
    the device is stored and this session counts as verified. With a device,
    the page says since when, and offers to turn it off.
    """
    device = two_step_device_for(user=request.user)
    if device is not None:
        return render(
            request,
            "registration/two_step.html",
            {"device": device, "form": TwoStepCodeForm(), "required": must_use_two_step(request.user)},
        )
    key = request.session.get(PENDING_KEY_SESSION_KEY)
    if not key:
        key = request.session[PENDING_KEY_SESSION_KEY] = secret_new()
    if request.method == "GET":
        next_url = _safe_next(request, request.GET.get("next"), "")
        return _enrol_page(request, form=TwoStepCodeForm(initial={"next": next_url}), key=key, next_url=next_url)
    form = TwoStepCodeForm(request.POST)
    if form.is_valid():
        try:
            device = two_step_enrol(actor=request.user, key=key, code=form.cleaned_data["code"])
        except RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            request.session.pop(PENDING_KEY_SESSION_KEY, None)
            request.session[HAS_DEVICE_SESSION_KEY] = True
            django_otp.login(request, device)  # the code just given verifies this session
            messages.success(request, gettext("Two-step sign-in is on: each sign-in now asks for a code."))
            return redirect(_safe_next(request, form.cleaned_data.get("next"), "two_step"))
    next_url = _safe_next(request, request.POST.get("next"), "")
    return _enrol_page(request, form=form, key=key, next_url=next_url, status=INVALID)


@require_POST
def two_step_off(request):
    """Turn two-step sign-in off, with a current code (a stolen session alone cannot)."""
    device = two_step_device_for(user=request.user)
    if device is None:
        return redirect("two_step")
    form = TwoStepCodeForm(request.POST)
    if form.is_valid():
        try:
            two_step_remove(actor=request.user, code=form.cleaned_data["code"])
        except RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            request.session.pop(HAS_DEVICE_SESSION_KEY, None)
            request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
            messages.success(request, gettext("Two-step sign-in is off: signing in asks for your password only."))
            return redirect("two_step")
    return render(
        request,
        "registration/two_step.html",
        {"device": device, "form": form, "required": must_use_two_step(request.user)},
        status=INVALID,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_step_verify_page(request):
    """The sign-in's second step: the code from the employee's app, then on to the page they asked for."""
    back = _safe_next(request, request.POST.get("next") or request.GET.get("next"), "/")
    device = two_step_device_for(user=request.user)
    if device is None:  # reset since this sign-in (a lost phone): there is no code to ask for
        request.session.pop(HAS_DEVICE_SESSION_KEY, None)
        return redirect(back)
    if request.user.is_verified():
        return redirect(back)
    if request.method == "GET":
        form = TwoStepCodeForm(initial={"next": back}, autofocus=True)
        return render(request, "registration/two_step_verify.html", {"form": form})
    form = TwoStepCodeForm(request.POST, autofocus=True)
    if form.is_valid():
        try:
            device = two_step_verify(user=request.user, code=form.cleaned_data["code"])
        except RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            django_otp.login(request, device)
            return redirect(back)
    return render(request, "registration/two_step_verify.html", {"form": form}, status=INVALID)
