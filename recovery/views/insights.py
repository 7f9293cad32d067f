"""Insight pages: the dashboard and the printable monthly report per location.

Managers see their own locations, ops and auditors all (`recovery.view_audit`
and the selectors' location scope); frontline staff none. Thin: validate the
filter, call the selector, render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from config.db_router import reads_from_replica
from recovery import insights, selectors
from recovery.forms import InsightFilterForm, MonthlyReportForm
from recovery.insight_charts import dashboard_chart_data, report_charts


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
@reads_from_replica
def insights_dashboard(request):
    form = InsightFilterForm(request.GET, locations=selectors.audit_locations_for(user=request.user))
    if not form.is_valid():
        return render(request, "recovery/insights_dashboard.html", {"form": form}, status=INVALID)
    data = form.cleaned_data
    scope = insights.insight_scope_for(
        user=request.user, start=data["start"], end=data["end"], location=data["location"], tz=data["tz"]
    )
    dashboard = insights.dashboard_for(user=request.user, scope=scope)
    return render(
        request,
        "recovery/insights_dashboard.html",
        {
            "form": form,
            "dashboard": dashboard,
            "window": (data["start"], data["end"]),
            "location": data["location"],
            "chart_data": dashboard_chart_data(dashboard),
            "fastest_min_grants": insights.FASTEST_MIN_GRANTS,
        },
    )


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
@reads_from_replica
def insights_report(request):
    form = MonthlyReportForm(request.GET, locations=selectors.audit_locations_for(user=request.user))
    if not form.is_valid():
        return render(request, "recovery/insights_report.html", {"form": form}, status=INVALID)
    report = insights.monthly_report_for(
        user=request.user, location=form.cleaned_data["location"], month=form.cleaned_data["month"]
    )
    return render(
        request,
        "recovery/insights_report.html",
        {
            "form": form,
            "report": report,
            "charts": report_charts(report),
            "fastest_min_grants": insights.FASTEST_MIN_GRANTS,
        },
    )


@require_POST
@permission_required("recovery.view_audit", raise_exception=True)
def insights_report_compute(request):
    """ "Compute again" on a monthly report: queue fresh "What recovery bought" figures for its location and month."""
    form = MonthlyReportForm(request.POST, locations=selectors.audit_locations_for(user=request.user))
    if not form.is_valid():
        return render(request, "recovery/insights_report.html", {"form": form}, status=INVALID)
    location, month = form.cleaned_data["location"], form.cleaned_data["month"]
    insights.recovery_bought_compute_again(user=request.user, location=location, month=month)
    messages.success(
        request, gettext("The figures are being computed again; this report shows them when they are ready.")
    )
    query = urlencode({"location": location.pk, "month": month.strftime("%Y-%m")})
    return redirect(f"{reverse('insights_report')}?{query}")
