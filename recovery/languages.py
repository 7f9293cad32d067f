"""Each employee's language: chosen once, kept on their profile, used on every page after sign-in.

The choice lives on `StaffProfile.language` (so it follows the employee to any
tablet) and is copied into the session at sign-in, so pages never pay a query
to learn it; a language picked on the login page just before signing in wins
over the profile (and becomes it). Signed-out pages (the login page, the customer's voucher page)
use the language cookie the switch sets, then the browser's Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.utils import translation

from recovery.models import StaffProfile

SESSION_KEY = "rd_language"
# A language picked on the login page (signed out), in that browser session only; read once at sign-in.
CHOSEN_BEFORE_SIGN_IN = "rd_language_chosen"
KNOWN = {code for code, _ in settings.LANGUAGES}


class StaffLanguageMiddleware:
    """Activate the signed-in employee's own language (kept in the session) over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if language not in KNOWN:
            return self.get_response(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
            # LocaleMiddleware's response step (Content-Language) runs outside this block: name it here.
            response.headers.setdefault("Content-Language", language)
        return response


@receiver(user_logged_in)
def remember_language_at_sign_in(sender, request, user, **kwargs):
    """Choose the new session's language: one picked on the login page just now, else the profile's.

    A pick on the login page is the employee's explicit choice for this sign-in
    (made in this browser session, so it is never a previous user's leftover
    cookie): it wins, and is saved to the profile so it follows them as any
    switch in the menu does. Without one, the profile's language wins over the
    tablet's cookie and browser.
    """
    if request is None or not hasattr(request, "session"):
        return
    chosen = request.session.pop(CHOSEN_BEFORE_SIGN_IN, None)
    if chosen in KNOWN:
        staff_language_set(actor=user, language=chosen)
        request.session[SESSION_KEY] = chosen
        return
    language = StaffProfile.objects.filter(user=user).values_list("language", flat=True).first()
    if language in KNOWN:
        request.session[SESSION_KEY] = language


def staff_language_set(*, actor, language: str) -> StaffProfile | None:
    """Keep `actor`'s language on their profile (with history), so it follows them to the next sign-in.

    Users without a profile (a bare admin account) keep the choice in the session and cookie only.
    """
    if language not in KNOWN:
        raise ValueError(f"Unknown language {language!r}")
    with transaction.atomic():
        profile = StaffProfile.objects.select_for_update().filter(user=actor).first()
        if profile is None or profile.language == language:
            return profile
        profile.language = language
        profile._history_user = actor
        profile._change_reason = f"Language set to {language}"
        profile.save(update_fields=["language"])
        return profile
