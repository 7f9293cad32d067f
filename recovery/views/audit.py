"""The audit pages: the timeline with its filters, one grant's audit page, and voiding a grant.

The CSV downloads of the same filters are in `exports`.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from config.db_router import reads_from_replica
from recovery import selectors, services, timeline
from recovery.forms import TimelineFilterForm, VoidForm
from recovery.timeline import TimelineQuery
from recovery.views.access import grant_visible_to


def timeline_filter(request) -> TimelineFilterForm:
    locations = selectors.audit_locations_for(user=request.user)
    return TimelineFilterForm(request.GET or None, locations=locations)


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
@reads_from_replica
def audit(request):
    """Everything that happened at the reviewer's locations, newest first, with filters."""
    audit_filter = timeline_filter(request)
    invalid = audit_filter.is_bound and not audit_filter.is_valid()
    query = TimelineQuery() if invalid else audit_filter.query()
    page = timeline.timeline_page(
        user=request.user, query=query, cursor=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    filter_query = request.GET.copy()
    filter_query.pop("after", None)
    filter_query.pop("before", None)
    # The quick chips' days are the reader's calendar days (the zone the audit pages show times in).
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())  # Monday
    return render(
        request,
        "recovery/audit_list.html",
        {
            "filter": audit_filter,
            "entries": page.entries,
            "next_cursor": page.next_cursor,
            "newer_cursor": page.newer_cursor,
            "filter_query": filter_query.urlencode(),
            "filter_invalid": invalid,
            "today": today.isoformat(),
            "week_start": week_start.isoformat(),
        },
        status=400 if invalid else 200,
    )


def _audit_detail(request, grant, void_form, status=200):
    redemption = getattr(grant, "redemption", None)  # joined by the selector; None if not redeemed
    return render(
        request,
        "recovery/audit_detail.html",
        {
            "grant": grant,
            "failure": grant.failure,
            "escalation": getattr(grant, "escalation", None),  # joined by the selector; None if not escalated
            "grant_history": selectors.history_of(grant),
            "failure_history": selectors.history_of(grant.failure),
            "journal": selectors.journal_entries_for(grant),
            "void_form": void_form,
            "anomaly_flags": selectors.anomaly_flags_of_grant(grant=grant),
            "redemption": redemption,
            # A redeemed voucher is not voided (see services.grant_void): the form would only be refused.
            "can_void": request.user.has_perm("recovery.void_grant", grant) and not grant.is_voided and not redemption,
        },
        status=status,
    )


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def audit_detail(request, grant_id: int):
    grant = grant_visible_to(request, grant_id)
    # Having made a grant shows it at the counter, not its audit once the location is no longer yours.
    if not request.user.has_perm("recovery.review_grant", grant):
        raise PermissionDenied
    return _audit_detail(request, grant, VoidForm())


@require_POST
def grant_void(request, grant_id: int):
    grant = grant_visible_to(request, grant_id)
    if not request.user.has_perm("recovery.void_grant", grant):
        raise PermissionDenied
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.grant_void(actor=request.user, grant_id=grant.pk, reason=form.cleaned_data["reason"])
        except services.RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, gettext("Grant #%(number)s voided.") % {"number": grant.pk})
            return redirect(reverse("audit_detail", args=[grant.pk]))
    grant.refresh_from_db()
    return _audit_detail(request, grant, form, status=INVALID)
