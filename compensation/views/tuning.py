"""Ops: the simulator (a draft's caps beside the version in force)."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from compensation.forms_simulator import SimulatorForm
from compensation.policy import draft_policy, load_policy
from compensation.simulation import simulate

INVALID = 422  # a form sent back with errors


@require_GET
@permission_required("compensation.view_policy", raise_exception=True)
def ops_simulator(request, **kwargs):
    """Managers and ops try a case against the draft before anyone publishes it; nothing is stored."""
    # An empty query string is the first visit: show the form, not a page of errors.
    form = SimulatorForm(request.GET or None)
    simulation = None
    in_force = None
    if form.is_valid():
        in_force = load_policy()
        # Quoted in the deployment's currency: the policy's numbers are the same at every location.
        simulation = simulate(
            in_force=in_force, draft=draft_policy(), currency=settings.RECOVERY_CURRENCY, **form.cleaned_data
        )
    return render(
        request,
        "compensation/simulator.html",
        {
            "form": form,
            "simulation": simulation,
            "version_label": in_force.version_label if in_force else "",
        },
        status=INVALID if form.is_bound and not form.is_valid() else 200,
    )
