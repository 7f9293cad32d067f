"""Ops: the policy's amounts in another currency (`compensation.currencies`), one page per currency."""

from __future__ import annotations

from babel.numbers import get_currency_name, is_currency
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from compensation import wording
from compensation.currencies import policy_amounts
from compensation.documents import in_units
from compensation.forms.currency_amounts import CurrencyAmountsForm
from compensation.http import INVALID
from compensation.models import Location, PolicyCurrencyAmount, default_currency
from compensation.policy import draft_document
from compensation.services import currency_amounts_save

VIEW_POLICY = "compensation.view_policy"
CHANGE_POLICY = "compensation.change_policy"


def _form(request, currency: str):
    rows = policy_amounts(draft_document())
    stated = {
        (row.subject, row.key, row.field): in_units(row.amount, currency)
        for row in PolicyCurrencyAmount.objects.filter(currency=currency)
    }
    data = request.POST if request.method == "POST" else None
    return CurrencyAmountsForm(data, rows=rows, stated=stated, currency=currency, policy_currency=default_currency())


@require_http_methods(["GET", "POST"])
@permission_required(VIEW_POLICY, raise_exception=True)
def ops_currency_amounts(request, currency: str):
    """Every amount of the draft stated in `currency` (an ISO code other than the policy's own)."""
    if currency == default_currency() or not (len(currency) == 3 and currency.isupper() and is_currency(currency)):
        raise Http404("No such currency to state the policy in.")
    if request.method == "POST" and not request.user.has_perm(CHANGE_POLICY):
        raise PermissionDenied  # managers and auditors read the page, only ops change it
    form = _form(request, currency)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            currency_amounts_save(actor=request.user, currency=currency, statements=form.statements())
            messages.success(request, gettext("Saved to the draft. Nothing changes at the counter until you publish."))
            return redirect("ops_home")
        status = INVALID
    locations = list(Location.objects.filter(is_active=True, currency=currency).order_by("name"))
    return render(
        request,
        "compensation/currency_amounts.html",
        {
            "form": form,
            "currency": currency,
            "currency_name": get_currency_name(currency, locale=wording.locale()),
            "policy_currency": default_currency(),
            "locations": locations,
        },
        status=status,
    )
