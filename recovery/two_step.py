"""Two-step sign-in at the door: who must give a code (or enrol) before any page opens.

After the password (Django's LoginView), a session is signed in but not yet
*verified* (django-otp's `request.user.is_verified()`). `TwoStepMiddleware`
then sends the employee, on every page, to

- the code step (`two_step_verify`) when they have an authenticator app: anyone who
  turned two-step sign-in on gives a code, whatever their role;
- enrolment (`two_step`) when their role must use one (`must_use_two_step`,
  `MFA_REQUIRED_ROLES`) and they have none yet.

Left open: sign-out, the language switch, the step itself, pages without a
login (the login page, a customer's voucher, healthz) and static files (served
before Django). The integration API is never asked: its bearer tokens are
machines, and its requests carry no session.

Whether the employee has an app is read once, at sign-in, into the session
(`HAS_DEVICE_SESSION_KEY`), so pages of employees without one pay no query.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.urls import reverse

from compensation.predicates import must_use_two_step
from recovery.selectors.two_step import two_step_has_device

CODE_STEP = "two_step_verify"
ENROL_STEP = "two_step"
HAS_DEVICE_SESSION_KEY = "rd_two_step_device"
PENDING_KEY_SESSION_KEY = "rd_two_step_pending_key"
# Open while a step is pending: signing out, changing the language.
ALWAYS_OPEN = frozenset({"logout", "language_switch"})
API_PATH_PREFIX = "/api/"


def pending_step(request) -> str | None:
    """The step this signed-in session still owes (`CODE_STEP` or `ENROL_STEP`), or None if it may go on."""
    user = request.user
    if not user.is_authenticated:
        return None
    flagged = request.session.get(HAS_DEVICE_SESSION_KEY, False)
    required = must_use_two_step(user)
    if not flagged and not required:
        return None
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    if two_step_has_device(user=user):
        return CODE_STEP
    if flagged:  # the app was reset since this sign-in (a lost phone): nothing to ask for any more
        request.session.pop(HAS_DEVICE_SESSION_KEY, None)
    return ENROL_STEP if required else None


class TwoStepMiddleware:
    """Send a signed-in, unverified employee to the step they owe (after LoginRequiredMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or request.path_info.startswith(API_PATH_PREFIX):
            return None
        step = pending_step(request)
        if step is None:
            return None
        match = request.resolver_match
        if match is not None and (match.url_name in ALWAYS_OPEN or match.url_name == step):
            return None
        # A page asked for by GET is where the step sends the employee back; a form post is not repeated.
        back = request.get_full_path() if request.method == "GET" else reverse("home")
        return redirect_to_login(back, login_url=reverse(step))


@receiver(user_logged_in)
def remember_two_step_at_sign_in(sender, request, user, **kwargs):
    """Note in the new session whether the employee has an app, so the middleware asks for its code."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[HAS_DEVICE_SESSION_KEY] = two_step_has_device(user=user)
