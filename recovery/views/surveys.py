"""The customer's follow-up page (no login, a signed link) and its link and QR code for the slip and voucher page.

"Did we put it right?" (1–5) and "Will you come back?" (yes / not sure / no),
answered once per grant. The page speaks the customer's language the way the
voucher page does (the language cookie, then the browser's Accept-Language,
through LocaleMiddleware); the voucher page has no language switch, so
neither has this one.
"""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from compensation.http import INVALID
from recovery import services
from recovery.domain.surveys import SurveyError, bad_link_error, closed_error, survey_grant_id, survey_link_token
from recovery.forms import SurveyAnswerForm
from recovery.models import Grant
from recovery.selectors.surveys import SurveyState, survey_state

TEMPLATE = "recovery/survey_public.html"
# Statuses of the pages that store nothing: a link we did not sign, a follow-up that has closed, a second answer.
NOT_OURS, CLOSED, ALREADY = 404, 410, 409


def survey_link(request, grant_id: int) -> str:
    """The follow-up page as an absolute link, to print on the slip and put in its QR code."""
    return request.build_absolute_uri(reverse("survey_public", args=[survey_link_token(grant_id)]))


def survey_handover(request, grant: Grant, *, qr: bool = True) -> dict:
    """The follow-up's link (and QR code, for the slip), or nothing once it no longer asks (voided, closed, answered)."""
    state = survey_state(grant.pk)
    if state is None or not state.asks():
        return {"survey_link": "", "survey_qr_svg": ""}
    link = survey_link(request, grant.pk)
    qr_svg = segno.make(link, error="m").svg_inline(scale=3, border=2, omitsize=True) if qr else ""
    return {"survey_link": link, "survey_qr_svg": qr_svg}


def _page(request, context: dict, status: int = 200):
    response = render(request, TEMPLATE, context, status=status)
    # A bearer link, as the voucher page: out of search engines, shared caches and other sites' referrer logs.
    # "same-origin", not the voucher page's "no-referrer": under that a browser sends `Origin: null` with the
    # form's POST, and Django's CSRF check refuses it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _refused(request, error: SurveyError, status: int, state: SurveyState | None = None):
    return _page(request, {"refusal": error.message, "code": error.code, "state": state}, status=status)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey_public(request, survey_token: str):
    """Ask the two questions (GET), store the one answer (POST, then back here: the thank-you)."""
    grant_id = survey_grant_id(survey_token)
    state = survey_state(grant_id) if grant_id is not None else None
    if state is None:
        return _refused(request, bad_link_error(), NOT_OURS)
    if state.answered:
        # The thank-you after an answer, and what a second visit sees: the first answer stands.
        already = request.method == "POST"
        return _page(request, {"state": state, "thanks": True, "already": already}, status=ALREADY if already else 200)
    if not state.is_open():
        return _refused(request, closed_error(), CLOSED, state)
    if request.method == "GET":
        return _page(request, {"state": state, "form": SurveyAnswerForm()})
    form = SurveyAnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, {"state": state, "form": form}, status=INVALID)
    try:
        services.survey_answer(
            grant_id=state.grant_id,
            score=form.cleaned_data["score"],
            will_return=form.cleaned_data["will_return"],
            comment=form.cleaned_data["comment"],
            language=translation.get_language() or "",
        )
    except SurveyError as error:
        if error.code == SurveyError.ALREADY_ANSWERED:
            return _page(request, {"state": survey_state(grant_id), "thanks": True, "already": True}, status=ALREADY)
        if error.field:
            form.add_error(error.field, error.message)
            return _page(request, {"state": state, "form": form}, status=INVALID)
        return _refused(request, error, CLOSED if error.code == SurveyError.CLOSED else NOT_OURS, state)
    return redirect(request.path)
