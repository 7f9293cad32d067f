"""The ops page for integration tokens: create one (the secret is shown once), list them, revoke one.

Ops create and revoke; managers see their locations' tokens and auditors all,
read-only. Every decision is a `rules` permission on `ApiToken`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from recovery import selectors
from recovery.api.services import api_token_create, api_token_revoke
from recovery.forms import ApiTokenForm
from recovery.models import ApiToken
from recovery.services import RecoveryError


def _page(request, form, issued=None, status=200):
    return render(
        request,
        "recovery/ops_integrations.html",
        {
            "tokens": selectors.api_tokens_for(user=request.user),
            "form": form,
            "issued": issued,
            "can_add": request.user.has_perm("recovery.add_apitoken"),
            "can_revoke": request.user.has_perm("recovery.change_apitoken"),
        },
        status=status,
    )


@never_cache  # the page that shows a new secret must never be kept by a browser or proxy
@require_http_methods(["GET", "POST"])
@permission_required("recovery.view_apitoken", raise_exception=True)
def ops_integrations(request):
    """List the tokens; ops create one here, and see its secret on this answer only."""
    if request.method == "GET":
        return _page(request, ApiTokenForm())
    if not request.user.has_perm("recovery.add_apitoken"):
        raise PermissionDenied
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            issued = api_token_create(actor=request.user, **form.cleaned_data)
        except RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            return _page(request, ApiTokenForm(), issued=issued)
    return _page(request, form, status=INVALID)


@require_POST
@permission_required("recovery.change_apitoken", raise_exception=True)
def ops_integration_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id)
    try:
        api_token_revoke(actor=request.user, token_id=token.pk)
    except RecoveryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("“%(name)s” revoked: its next request is refused.") % {"name": token.name})
    return redirect("ops_integrations")
