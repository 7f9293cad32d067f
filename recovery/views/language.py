"""The language switch in the header and on the login page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from compensation.http import INVALID
from recovery import languages
from recovery.forms import LanguageForm


@login_not_required  # the login page offers the switch too
@require_POST
def language_switch(request):
    """Switch the language: on the profile (signed in), in the session and in the cookie, then back to the page."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return render(request, "registration/language_switch.html", {"form": form}, status=INVALID)
    language = form.cleaned_data["language"]
    back = form.cleaned_data["next"] or "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    if request.user.is_authenticated:
        languages.staff_language_set(actor=request.user, language=language)
        request.session[languages.SESSION_KEY] = language
    else:
        # Chosen on the login page by whoever signs in next: it wins over their profile at sign-in.
        request.session[languages.CHOSEN_BEFORE_SIGN_IN] = language
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
