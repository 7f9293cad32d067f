"""The anomalies page: flags raised after the fact, why, and their review. Thin: check, validate, call, render.

Managers read and review their locations' flags; ops and auditors read every
location's; ops and managers may run the checks now (cron runs them anyway).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from recovery import anomalies, selectors, services
from recovery.forms import AnomalyFlagFilter, AnomalyReviewForm
from recovery.models import AnomalyFlag
from recovery.views.access import safe_next


@dataclass(frozen=True)
class FlagRow:
    """One flag as the page shows it: the flag, its figures, and the review form if the user may review it."""

    flag: AnomalyFlag
    figures: list[tuple[str, str]]
    form: AnomalyReviewForm | None
    concerns_you: bool


def _review_form(flag: AnomalyFlag, data=None) -> AnomalyReviewForm:
    # One form per flag on the page: ids carry the flag's number so labels and radios stay unique.
    return AnomalyReviewForm(data, auto_id=f"flag{flag.pk}_%s")


def _anomalies_page(
    request, *, failed: AnomalyReviewForm | None = None, failed_flag=None, page_error="", status=200, back=None
):
    locations = selectors.audit_locations_for(user=request.user)
    visible = selectors.anomaly_flags_for(user=request.user)
    flag_filter = AnomalyFlagFilter(request.GET or None, queryset=visible, locations=locations)
    filter_invalid = flag_filter.is_bound and not flag_filter.is_valid()
    flags = selectors.anomaly_list(flag_filter.qs if flag_filter.is_bound and not filter_invalid else visible)
    more = len(flags) > selectors.ANOMALY_LIST_LIMIT
    flags = flags[: selectors.ANOMALY_LIST_LIMIT]
    if failed_flag is not None and failed_flag.pk not in {flag.pk for flag in flags}:
        flags.insert(0, failed_flag)  # the review sent back is always on the page, with its errors
    rows = []
    for flag in flags:
        may_review = flag.is_open and request.user.has_perm("recovery.review_anomaly", flag)
        form = None
        if may_review:
            form = failed if failed_flag is not None and flag.pk == failed_flag.pk else _review_form(flag)
        rows.append(
            FlagRow(
                flag=flag,
                figures=anomalies.figure_rows(flag),
                form=form,
                concerns_you=flag.is_open and flag.employee_id == request.user.pk,
            )
        )
    return render(
        request,
        "recovery/anomaly_list.html",
        {
            "filter": flag_filter,
            "filter_invalid": filter_invalid,
            "rows": rows,
            "more": more,
            "list_limit": selectors.ANOMALY_LIST_LIMIT,
            "open_counts": selectors.anomaly_open_counts_for(user=request.user),
            "can_run_checks": request.user.has_perm("recovery.run_anomaly_checks"),
            "window_days": anomalies.WINDOW_DAYS,
            "page_error": page_error,
            "back": back or request.get_full_path(),
        },
        status=INVALID if filter_invalid else status,
    )


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def anomaly_list(request):
    return _anomalies_page(request)


@require_POST
@permission_required("recovery.view_audit", raise_exception=True)
def anomaly_review(request, anomaly_id: int):
    """Record the review of one flag, then back to the list the manager came from."""
    flag = get_object_or_404(AnomalyFlag.objects.select_related("location"), pk=anomaly_id)
    if not request.user.has_perm("recovery.review_anomaly", flag):
        raise PermissionDenied
    form = _review_form(flag, request.POST)
    if form.is_valid():
        try:
            # "Already reviewed … at 14:02" reads as the location's wall clock.
            with timezone.override(zoneinfo.ZoneInfo(flag.location.timezone)):
                reviewed = anomalies.anomaly_review(
                    actor=request.user,
                    flag_id=flag.pk,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
        except services.RecoveryError as error:
            if error.field in form.fields:
                form.add_error(error.field, error.message)
            page_error = gettext("Flag #%(number)s: %(message)s") % {"number": flag.pk, "message": error.message}
        else:
            messages.success(
                request,
                gettext("Flag #%(number)s reviewed: %(outcome)s.")
                % {"number": reviewed.pk, "outcome": reviewed.get_outcome_display()},
            )
            return redirect(safe_next(request, reverse("anomalies")))
    else:
        page_error = gettext("Flag #%(number)s was not reviewed: see its form below.") % {"number": flag.pk}
    failed_flag = selectors.anomaly_flags_for(user=request.user).get(pk=flag.pk)
    return _anomalies_page(
        request,
        failed=form,
        failed_flag=failed_flag,
        page_error=page_error,
        status=INVALID,
        back=safe_next(request, reverse("anomalies")),
    )


@require_POST
@permission_required("recovery.run_anomaly_checks", raise_exception=True)
def anomaly_checks_run(request):
    """Run the checks now instead of waiting for the next scheduled run."""
    raised = anomalies.anomalies_raise()
    location_ids = selectors.location_ids_for(request.user)
    yours = [flag for flag in raised if location_ids is None or flag.location_id in location_ids]
    if yours:
        messages.success(
            request,
            ngettext(
                "Checks run: %(count)d new flag to review.", "Checks run: %(count)d new flags to review.", len(yours)
            )
            % {"count": len(yours)},
        )
    else:
        messages.success(request, gettext("Checks run: nothing new."))
    return redirect(safe_next(request, reverse("anomalies")))
