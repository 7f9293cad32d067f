"""Ops set a customer's programme status (Silver, Gold…): the page and its one form.

Thin: the form reads the fields, the selector finds the customer, the service
checks the status against the policy in force and journals the change.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from compensation.http import INVALID
from compensation.policy import load_policy
from recovery import selectors, services
from recovery.forms import CustomerStatusForm


@require_http_methods(["GET", "POST"])
@permission_required("recovery.set_customer_status", raise_exception=True)
def ops_customer_status(request):
    """Find a customer by phone, email or card and set (or clear) the status they hold."""
    statuses = load_policy().statuses
    form = CustomerStatusForm(request.POST or None, statuses=statuses)
    context = {"form": form, "statuses": statuses}
    if request.method == "GET":
        return render(request, "recovery/ops_customer_status.html", context)
    if form.is_valid():
        customer = selectors.customer_by_any_identifier(form.cleaned_data["customer"])
        if customer is None:
            form.add_error("customer", gettext("Customer: nobody has this phone, email or loyalty card."))
        else:
            try:
                customer = services.customer_status_set(
                    actor=request.user,
                    customer_id=customer.pk,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                )
            except services.RecoveryError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    gettext("%(customer)s now holds: %(status)s.")
                    % {"customer": customer.name, "status": customer.status or gettext("no status")},
                )
                return redirect("ops_customer_status")
    return render(request, "recovery/ops_customer_status.html", context, status=INVALID)
