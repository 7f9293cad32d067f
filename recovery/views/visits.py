"""Ops pages over visits: the CSV import with its dry run and per-line report, and what recovery buys."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from compensation.http import INVALID
from recovery import services
from recovery.domain.effect import MIN_CUSTOMERS
from recovery.forms import EffectFilterForm, VisitImportForm, csv_lines
from recovery.models import Visit
from recovery.selectors.effect import DIMENSIONS, effect_currency_for, effect_rows_for


@require_http_methods(["GET", "POST"])
@permission_required("recovery.import_visits", raise_exception=True)
def ops_visit_import(request):
    """Upload a CSV of visits; a dry run (the default) checks and matches every line and stores nothing."""
    if request.method == "GET":
        return render(request, "recovery/ops_visit_import.html", {"form": VisitImportForm()})
    form = VisitImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "recovery/ops_visit_import.html", {"form": form}, status=INVALID)
    dry_run = form.cleaned_data["dry_run"]
    outcomes = services.visits_record(
        actor=request.user,
        source=Visit.Source.CSV,
        lines=csv_lines(form.cleaned_data["file"].file),
        dry_run=dry_run,
    )
    report = services.visits_import_report(outcomes, dry_run=dry_run)
    # A dry run offers the same file again for real; after an import the form starts over as a dry run.
    return render(
        request,
        "recovery/ops_visit_import.html",
        {"form": VisitImportForm(initial={"dry_run": False} if dry_run else None), "report": report},
    )


@require_GET
@permission_required("recovery.view_effect", raise_exception=True)
def recovery_effect(request):
    """Per playbook, location, failure category or policy version: return rates against the baseline, spend."""
    form = EffectFilterForm(request.GET)
    context = {"form": form, "minimum": MIN_CUSTOMERS}
    if not form.is_valid():
        return render(request, "recovery/recovery_effect.html", context, status=INVALID)
    dimension = form.cleaned_data["by"]
    return render(
        request,
        "recovery/recovery_effect.html",
        {
            **context,
            "rows": effect_rows_for(user=request.user, dimension=dimension),
            "currency": effect_currency_for(user=request.user),
            "dimension": dimension,
            "dimension_label": DIMENSIONS[dimension],
        },
    )
