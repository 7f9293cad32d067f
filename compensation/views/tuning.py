"""Ops: the simulator (a draft's caps beside the version in force)."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from compensation.currencies import in_currency
from compensation.forms import SimulatorForm
from compensation.http import INVALID
from compensation.models import Location
from compensation.policy import draft_policy, load_policy
from compensation.simulation import simulate


def _version_words(policy) -> str:
    """ "version 3" (or "unpublished draft") in the page's language, for the simulator's heading."""
    if policy is None:
        return ""
    if policy.version is None:
        return gettext("unpublished draft")
    return gettext("version %(number)s") % {"number": policy.version.number}


@require_GET
@permission_required("compensation.view_policy", raise_exception=True)
def ops_simulator(request, **kwargs):
    """Managers and ops try a case against the draft before anyone publishes it; nothing is stored."""
    # An empty query string is the first visit: show the form, not a page of errors.
    locations = list(Location.objects.filter(is_active=True).order_by("name"))
    in_force = load_policy()
    # With its customer limits (one query): each row says which would bound a grant.
    draft = draft_policy(caps_only=True, customer_limits=True)
    statuses = in_force.statuses + [name for name in draft.statuses if name not in in_force.statuses]
    form = SimulatorForm(
        request.GET or None,
        currencies=sorted({location.currency for location in locations}),
        default_currency=settings.RECOVERY_CURRENCY,
        statuses=statuses,
        locations=locations,
    )
    simulation, unstated = None, []
    if form.is_valid():
        question = dict(form.cleaned_data)
        location = question.pop("location")
        if location is not None:
            # As that location's counter sees them: the playbooks offered there, with its own values, in its currency.
            in_force, draft = in_force.at_location(location), draft.at_location(location)
        else:
            # The amounts stated in the currency chosen (`compensation.currencies`).
            in_force, draft = in_currency(in_force, question["currency"]), in_currency(draft, question["currency"])
        simulation = simulate(in_force=in_force, draft=draft, **question)
        unstated = [
            gettext(
                "%(policy)s does not state its amounts in %(currency)s: a location granting in it is offered nothing."
            )
            % {"policy": _version_words(policy).capitalize(), "currency": policy.unstated_currency}
            for policy in (in_force, draft)
            if policy.unstated_currency
        ]
    return render(
        request,
        "compensation/simulator.html",
        {
            "form": form,
            "simulation": simulation,
            "unstated": unstated,
            "version_label": _version_words(in_force),
        },
        status=INVALID if form.is_bound and not form.is_valid() else 200,
    )
