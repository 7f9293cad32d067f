"""What several page modules share: who may reach a page, where it may send you back, plain refusals.

The counter decorator (`counter_view`) with the chosen location's session key,
the visibility of a grant (`grant_visible_to`), the page's own `next` checked
(`safe_next`) and the plain-text 400 for a link or bare form post (`plain_refusal`).
"""

from __future__ import annotations

import zoneinfo
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from rules.contrib.views import permission_required

from recovery import selectors
from recovery.models import Grant

COUNTER_LOCATION_KEY = "counter_location_id"


def counter_view(view):
    """Counter pages: the user may serve customers and works at a location."""

    @permission_required("recovery.use_counter", raise_exception=True)
    def permitted(request, *args, **kwargs):
        location = selectors.counter_location_for(
            user=request.user, chosen_id=request.session.get(COUNTER_LOCATION_KEY)
        )
        if location is None:
            return render(request, "recovery/no_location.html", status=403)
        request.counter_location = location
        # Times on counter pages read as the location's wall clock.
        with timezone.override(zoneinfo.ZoneInfo(location.timezone)):
            return view(request, *args, **kwargs)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # The employee's locations and roles in one query, before the permission check reads the roles.
        selectors.counter_locations_for(user=request.user)
        return permitted(request, *args, **kwargs)

    return wrapper


def grant_visible_to(request, grant_id: int) -> Grant:
    try:
        grant = selectors.grant_detail_for(grant_id=grant_id)
    except Grant.DoesNotExist:
        raise Http404("No such grant.") from None
    if not request.user.has_perm("recovery.view_grant", grant):
        raise PermissionDenied
    return grant


def safe_next(request, default: str) -> str:
    """Where to go back to: the page's own `next` if it stays on this site, else `default`."""
    target = request.POST.get("next", "")
    # Only a path on this site: anything else (a URL name, another host) falls back to `default`.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def plain_refusal(message: str) -> HttpResponse:
    """A 400 as plain text, read by a person in a browser tab (a download link, a bare form post):
    in their language, and marked as such so the browser picks the right font and a screen reader the voice."""
    response = HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    response["Content-Language"] = translation.get_language()
    return response
