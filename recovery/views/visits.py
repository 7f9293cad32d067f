"""Ops pages over visits: the CSV import with its dry run and per-line report, and what recovery buys."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from recovery import services
from recovery.domain.effect import MIN_CUSTOMERS
from recovery.forms import EffectFilterForm, VisitImportForm, csv_lines
from recovery.models import Visit
from recovery.selectors.effect import DIMENSIONS, effect_currency_for
from recovery.selectors.effect_figures import effect_figures_for
from recovery.selectors.scope import location_ids_for
from recovery.services.effect_figures import effect_figures_request, effect_figures_stale


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
    """Per playbook, location, failure category or policy version: return rates against the baseline, spend.

    The figures come from the background job (`recovery.services.effect_figures`): missing or older than an
    hour, they are asked for and the page says so (it shows the last ones meanwhile, and refreshes itself)."""
    form = EffectFilterForm(request.GET)
    context = {"form": form, "minimum": MIN_CUSTOMERS}
    if not form.is_valid():
        return render(request, "recovery/recovery_effect.html", context, status=INVALID)
    dimension = form.cleaned_data["by"]
    figures = effect_figures_for(user=request.user, dimension=dimension)
    computing = effect_figures_stale(figures)
    if computing:
        effect_figures_request(location_ids=location_ids_for(request.user), dimension=dimension)
        # With the cluster in sync mode (tests, Q_SYNC) the job has run already.
        figures = effect_figures_for(user=request.user, dimension=dimension) or figures
        computing = effect_figures_stale(figures)
    return render(
        request,
        "recovery/recovery_effect.html",
        {
            **context,
            "rows": None if figures is None or figures.computed_at is None else figures.rows,
            "computed_at": None if figures is None else figures.computed_at,
            "computing": computing,
            "currency": effect_currency_for(user=request.user),
            "dimension": dimension,
            "dimension_label": DIMENSIONS[dimension],
        },
    )


@require_POST
@permission_required("recovery.view_effect", raise_exception=True)
def recovery_effect_compute(request):
    """ "Compute again": queue fresh figures for the reader's locations and the grouping shown."""
    form = EffectFilterForm(request.POST)
    if not form.is_valid():
        return render(
            request, "recovery/recovery_effect.html", {"form": form, "minimum": MIN_CUSTOMERS}, status=INVALID
        )
    dimension = form.cleaned_data["by"]
    effect_figures_request(location_ids=location_ids_for(request.user), dimension=dimension, force=True)
    messages.success(
        request, gettext("The figures are being computed again; this page shows them when they are ready.")
    )
    return redirect(f"{reverse('recovery_effect')}?{urlencode({'by': dimension})}")
