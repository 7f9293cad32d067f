"""Vouchers: redeeming one at the counter, and the customer's public voucher page (a signed link, no login).

`voucher_handover` (the link and its QR code) is shared with the granted page and the slip.
"""

from __future__ import annotations

import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from compensation import wording
from compensation.http import INVALID
from recovery import vouchers
from recovery.forms import VoucherCodeForm, VoucherRedeemForm
from recovery.models import Grant
from recovery.views.access import counter_view
from recovery.views.surveys import survey_handover


def _voucher_link(request, code: str) -> str:
    """The customer's voucher page, as an absolute link to hand over, print and put in the QR code."""
    return request.build_absolute_uri(reverse("voucher_public", args=[vouchers.voucher_link_token(code)]))


def _qr_svg(text: str) -> str:
    return segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=True)


def voucher_handover(request, grant: Grant) -> dict:
    """The link and its QR code: a phone opens the customer's page, the redeem screen's scanner reads the code."""
    if not grant.voucher_code:
        return {"voucher_link": "", "qr_svg": ""}
    link = _voucher_link(request, grant.voucher_code)
    return {"voucher_link": link, "qr_svg": _qr_svg(link)}


def _voucher_status_or_error(form, location):
    """The looked-up voucher, or None with the reason put on the form's code field."""
    try:
        return vouchers.voucher_lookup(code=form.cleaned_data["code"], location=location)
    except vouchers.VoucherError as error:
        form.add_error("code", error.message)
        return None


@require_http_methods(["GET", "POST"])
@counter_view
def voucher_redeem(request):
    """Scan or type a code, see what it is worth, for whom and whether it redeems; redeem in one click.

    GET `?code=` shows the voucher's card (htmx asks as the code is typed and
    gets the card alone); POST redeems it and comes back to the card (PRG).
    """
    location = request.counter_location
    if not request.user.has_perm("recovery.redeem_voucher", location):
        raise PermissionDenied
    if request.method == "POST":
        return _voucher_redeem_post(request, location)
    raw = request.GET.get("code")
    form = VoucherCodeForm(request.GET if raw is not None else None)
    context = {"form": form, "status": None, "token": uuid.uuid4()}
    if request.htmx and raw is not None and vouchers.voucher_code_incomplete(raw):
        # Half a code typed: say how far, rather than "not a voucher code" at every key.
        return render(request, "recovery/_voucher_status.html", {**context, "typed": vouchers.voucher_code_typed(raw)})
    if form.is_bound and form.is_valid():
        context["status"] = _voucher_status_or_error(form, location)
    template = "recovery/_voucher_status.html" if request.htmx else "recovery/voucher_redeem.html"
    return render(request, template, context, status=INVALID if form.errors else 200)


def _voucher_redeem_post(request, location):
    form = VoucherRedeemForm(request.POST)
    status = None
    if form.is_valid():
        code = form.cleaned_data["code"]
        try:
            redemption = vouchers.voucher_redeem(
                actor=request.user, code=code, location=location, token=form.cleaned_data["token"]
            )
        except vouchers.VoucherError as error:
            form.add_error("code", error.message)
            # The card again, as it stands now (who redeemed it first, when it expired), under the refusal.
            try:
                status = vouchers.voucher_lookup(code=code, location=location)
            except vouchers.VoucherError:
                status = None
        else:
            grant = redemption.grant
            messages.success(
                request,
                gettext("Voucher %(code)s redeemed: hand over %(playbook)s (%(amount)s %(currency)s).")
                % {
                    "code": grant.voucher_code,
                    "playbook": grant.playbook_text("name"),
                    "amount": wording.amount(grant.amount, grant.currency),
                    "currency": grant.currency,
                },
            )
            return redirect(f"{reverse('voucher_redeem')}?{urlencode({'code': grant.voucher_code})}")
    return render(
        request,
        "recovery/voucher_redeem.html",
        {"form": form, "status": status, "token": uuid.uuid4()},
        status=INVALID,
    )


@login_not_required
@never_cache
@require_GET
def voucher_public(request, token: str):
    """The customer's voucher page: no login, addressed by a signed link; nothing about the customer on it."""
    code = vouchers.voucher_code_from_link_token(token)
    if code is None:
        raise Http404("No such voucher.")
    try:
        status = vouchers.voucher_lookup(code=code)
    except vouchers.VoucherError:
        raise Http404("No such voucher.") from None
    link = _voucher_link(request, code)
    response = render(
        request,
        "recovery/voucher_public.html",
        {
            "status": status,
            "link": link,
            "qr_svg": _qr_svg(link) if status.is_redeemable else "",
            "redeemed_on": status.redemption.local_redeemed_at.date() if status.redemption else None,
            # The follow-up ("Did we put it right?"), while it asks: a link the customer taps on their phone.
            "survey_link": survey_handover(request, status.grant, qr=False)["survey_link"],
        },
    )
    # A bearer link: kept out of search engines, shared caches and other sites' referrer logs.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
