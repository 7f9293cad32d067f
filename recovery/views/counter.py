"""The counter's first screen (find or add the customer), the location chosen, my grants, and rule flags.

Screen 2 (resolve) is in `resolve`, screen 3 (granted) in `granted`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from compensation.caps import tier_reached
from compensation.http import INVALID
from compensation.policy import tenure_in_months, tier_rules_in_force
from recovery import selectors, services
from recovery.forms import CustomerSearchForm, RuleFlagForm, WalkInForm
from recovery.views.access import COUNTER_LOCATION_KEY, counter_view, plain_refusal, safe_next


@require_GET
def home(request):
    """Send each role to where its work is: managers first to what waits for them, which may be a customer."""
    if request.user.has_perm("recovery.view_needs_you"):
        return redirect("needs_you")
    if request.user.has_perm("recovery.use_counter"):
        return redirect("counter")
    if request.user.has_perm("recovery.view_audit"):
        return redirect("audit")
    if request.user.has_perm("compensation.change_playbook"):
        return redirect("admin:index")
    raise PermissionDenied


# --- screen 1: customer ------------------------------------------------------------


@require_GET
@counter_view
def counter(request):
    location = request.counter_location
    search = CustomerSearchForm(request.GET or None)
    customers = []
    if search.is_valid() and search.cleaned_data["q"]:
        customers = selectors.customer_search(query=search.cleaned_data["q"], currency=location.currency)
        if len(customers) == 1 and search.is_phone:
            # A phone (or its last digits) that only one customer has: that customer, without another tap.
            return redirect("counter_resolve", customer_id=customers[0].pk)
        if not customers and search.phone_hint():
            search.add_error("q", search.phone_hint())
    today_customers = selectors.counter_customers_today(location=location)
    _with_tier(customers + today_customers, location)
    return render(
        request,
        "recovery/counter_customer.html",
        {
            "search": search,
            "customers": customers,
            "today_customers": today_customers,
            "walk_in": WalkInForm(),
            "searched": search.is_bound and search.is_valid() and bool(search.cleaned_data["q"]),
            "locations": selectors.counter_locations_for(user=request.user),
            "counter_currency": location.currency,
        },
    )


def _with_tier(customers, location) -> None:
    """Give each listed customer their tenure in months and tier today (from the policy in force, cached)."""
    if not customers:
        return
    tiers = tier_rules_in_force()
    today = location.today()
    for customer in customers:
        customer.tenure_months = tenure_in_months(customer.customer_since, today)
        customer.tier = tier_reached(tiers, customer.tenure_months)


@require_POST
@counter_view
def customer_add(request):
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            customer = services.customer_add_walk_in(
                actor=request.user, location=request.counter_location, **form.cleaned_data
            )
        except services.DuplicateCustomer as error:
            link = format_html(
                '<a href="{}">{}</a>',
                reverse("counter_resolve", args=[error.customer.pk]),
                gettext("Open %(name)s") % {"name": error.customer.name},
            )
            form.add_error(error.field, format_html("{} {}", error.message, link))
        except services.RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            return redirect("counter_resolve", customer_id=customer.pk)
    return render(
        request,
        "recovery/counter_customer.html",
        {"search": CustomerSearchForm(), "customers": [], "walk_in": form},
        status=INVALID,
    )


@require_GET
@counter_view
def my_grants(request):
    return render(
        request,
        "recovery/my_grants.html",
        {
            "grants": selectors.grant_recent_by(user=request.user),
            "escalations": selectors.escalation_recent_by(user=request.user),
        },
    )


@require_POST
@permission_required("recovery.use_counter", raise_exception=True)
def counter_location_choose(request):
    allowed = {location.id for location in selectors.counter_locations_for(user=request.user)}
    try:
        chosen = int(request.POST.get("location", ""))
    except ValueError:
        chosen = None
    if chosen not in allowed:
        return plain_refusal(gettext("Location: choose one of your locations."))
    request.session[COUNTER_LOCATION_KEY] = chosen
    return redirect("counter")


@require_POST
@counter_view
def rule_flag_raise(request):
    """'A rule stood in my way': stored for ops, then back to the page the employee was on."""
    back = safe_next(request, reverse("counter"))
    form = RuleFlagForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, gettext("Not sent.") + " " + " ".join(error for errors in form.errors.values() for error in errors)
        )
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    try:
        services.rule_flag_raise(
            actor=request.user,
            location=request.counter_location,
            rule=data["rule"],
            note=data["note"],
            playbook_id=data["playbook"],
            customer=data["customer"],
        )
    except services.RecoveryError as error:
        messages.error(request, gettext("Not sent.") + f" {error.message}")
    else:
        messages.success(request, gettext("Thanks — ops will see this when they tune the rules."))
    return HttpResponseRedirect(back)
