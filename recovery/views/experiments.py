"""Ops pages for experiments: the list with "start" and "stop", and one experiment's running comparison.

Ops start and stop experiments; managers (their locations' cases) and
auditors read them; frontline never see them. Every decision is a `rules` permission.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from compensation.policy import load_policy
from recovery import services
from recovery.forms.experiments import ExperimentStartForm, ExperimentStopForm
from recovery.models import Experiment
from recovery.selectors.effect import effect_currency_for
from recovery.selectors.experiments import experiment_report_for, experiments_list


def _list_page(request, form, status=200):
    return render(
        request,
        "recovery/ops_experiments.html",
        {
            "experiments": experiments_list(),
            "form": form,
            "can_change": request.user.has_perm("recovery.change_experiment"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@permission_required("recovery.view_experiment", raise_exception=True)
def ops_experiments(request):
    """The experiments, running first; ops start one here (refused, naming the field, if it cannot run fairly)."""
    policy = load_policy()
    if request.method == "GET":
        return _list_page(request, ExperimentStartForm(policy=policy))
    if not request.user.has_perm("recovery.add_experiment"):
        raise PermissionDenied
    form = ExperimentStartForm(request.POST, policy=policy)
    if form.is_valid():
        data = form.cleaned_data
        try:
            experiment = services.experiment_start(
                actor=request.user,
                name=data["name"],
                category=data["category"],
                playbook_ids=data["playbooks"],
                policy=policy,
            )
        except services.RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, gettext("Experiment “%(name)s” started.") % {"name": experiment.name})
            return redirect("ops_experiment", experiment_id=experiment.pk)
    return _list_page(request, form, status=INVALID)


@require_GET
@permission_required("recovery.view_experiment", raise_exception=True)
def ops_experiment(request, experiment_id: int):
    """The running comparison: per arm its cases, 90-day return share, spend after, and whether they differ."""
    experiment = get_object_or_404(Experiment.objects.select_related("started_by", "stopped_by"), pk=experiment_id)
    return _detail_page(request, experiment, ExperimentStopForm())


def _detail_page(request, experiment, stop_form, status=200):
    return render(
        request,
        "recovery/ops_experiment.html",
        {
            "experiment": experiment,
            "report": experiment_report_for(experiment=experiment, user=request.user),
            "currency": effect_currency_for(user=request.user),
            "stop_form": stop_form,
            "can_change": request.user.has_perm("recovery.change_experiment"),
        },
        status=status,
    )


@require_POST
@permission_required("recovery.change_experiment", raise_exception=True)
def ops_experiment_stop(request, experiment_id: int):
    """Stop a running experiment with a reason; the counter stops suggesting at once."""
    experiment = get_object_or_404(Experiment, pk=experiment_id)
    form = ExperimentStopForm(request.POST)
    if form.is_valid():
        try:
            services.experiment_stop(actor=request.user, experiment=experiment, reason=form.cleaned_data["reason"])
        except services.RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, gettext("Experiment “%(name)s” stopped.") % {"name": experiment.name})
            return redirect("ops_experiment", experiment_id=experiment.pk)
    return _detail_page(request, experiment, form, status=INVALID)
