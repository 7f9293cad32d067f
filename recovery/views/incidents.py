"""Incident pages: the list, a new incident, and one incident's page (attach, preview, grant all).

Thin: forms parse, `rules` decides, the services write, the selectors read.
"Grant all" is one decision granted in chunks: each POST grants the next
`INCIDENT_CHUNK` customers and answers with the progress bar, which (with
htmx) posts the next chunk itself until none is left; without JavaScript
the page comes back with a "Continue" button. A refused decision grants nobody.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from rules.contrib.views import objectgetter, permission_required

from compensation import wording
from compensation.http import INVALID
from compensation.models import Location
from compensation.money import format_money
from compensation.policy import load_policy
from compensation.predicates import is_ops, roles_of
from recovery import selectors, services
from recovery.forms import AttachForm, CustomerSearchForm, IncidentForm
from recovery.models import Customer, Incident, IncidentCustomer
from recovery.selectors.incident_lines import lines_preview
from recovery.selectors.incidents import incident_detail_for, incident_preview, incidents_for
from recovery.services import incidents as incident_services

incident_of = objectgetter(Incident, "incident_id")


@require_GET
@permission_required("recovery.view_incidents", raise_exception=True)
def incident_list(request):
    return render(request, "recovery/incident_list.html", {"incidents": incidents_for(user=request.user)})


def _incident_form(request, data=None) -> IncidentForm:
    if is_ops(request.user):
        locations = list(Location.objects.filter(is_active=True).order_by("name"))
    else:
        locations = selectors.counter_locations_for(user=request.user)
    return IncidentForm(data, locations=locations, playbooks=load_policy().playbooks)


@require_http_methods(["GET", "POST"])
@permission_required("recovery.log_incident", raise_exception=True)
def incident_new(request):
    if request.method == "GET":
        return render(request, "recovery/incident_new.html", {"form": _incident_form(request)})
    form = _incident_form(request, request.POST)
    if form.is_valid():
        try:
            data = dict(form.cleaned_data)
            incident = incident_services.incident_log(actor=request.user, playbook_id=data.pop("playbook"), **data)
        except services.RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, gettext("Incident logged: now attach the customers it hit."))
            return redirect(reverse("incident_detail", args=[incident.pk]))
    return render(request, "recovery/incident_new.html", {"form": form}, status=INVALID)


def _detail(request, incident, *, attach_form=None, lines=None, status=200):
    search = CustomerSearchForm(request.GET or None)
    search.fields["q"].widget.attrs.pop("autofocus", None)  # the page opens on the incident, not the search
    found = []
    if search.is_bound and search.is_valid() and search.cleaned_data["q"]:
        found = selectors.customer_search(query=search.cleaned_data["q"], currency=incident.location.currency)
    preview = incident_preview(incident=incident, user=request.user)
    return render(
        request,
        "recovery/incident_detail.html",
        {
            "incident": incident,
            "preview": preview,
            "attach_form": attach_form or AttachForm(),
            "lines": lines,
            "search": search,
            "found": found,
            "attached_ids": {row.customer.pk for row in preview.rows},
            "can_act": request.user.has_perm("recovery.act_on_incident", incident),
        },
        status=status,
    )


@require_GET
@permission_required("recovery.review_incident", fn=incident_of, raise_exception=True)
def incident_detail(request, incident_id: int):
    return _detail(request, incident_detail_for(incident_id=incident_id))


@require_POST
@permission_required("recovery.act_on_incident", fn=incident_of, raise_exception=True)
def incident_attach(request, incident_id: int):
    """Attach one customer from the search, or a pasted list / CSV: any line naming nobody stops the whole list
    (nothing attached, every such line named) unless the manager chose to leave those lines out."""
    incident = incident_detail_for(incident_id=incident_id)
    back = reverse("incident_detail", args=[incident.pk])
    if "customer" in request.POST:
        customer = Customer.objects.filter(pk=_int_or_none(request.POST["customer"])).first()
        if customer is None:
            messages.error(request, gettext("Customer: no such customer; search again."))
            return redirect(back)
        incident_services.incident_attach(actor=request.user, incident=incident, customers=[customer], source="search")
        messages.success(request, gettext("%(name)s attached.") % {"name": customer.name})
        return redirect(back)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, incident, attach_form=form, status=INVALID)
    attached = set(IncidentCustomer.objects.filter(incident=incident).values_list("customer_id", flat=True))
    lines = lines_preview(form.cleaned_data["rows"], attached_ids=attached)
    if lines.problems and not form.cleaned_data["skip_problems"]:
        form.add_error(
            "lines",
            ngettext(
                "%(count)d line names no customer: nothing was attached. Correct it, or tick the box to leave it out.",
                "%(count)d lines name no customer: nothing was attached. Correct them, or tick the box to leave them out.",
                len(lines.problems),
            )
            % {"count": len(lines.problems)},
        )
        return _detail(request, incident, attach_form=form, lines=lines, status=INVALID)
    added = incident_services.incident_attach(
        actor=request.user, incident=incident, customers=lines.customers, source=form.cleaned_data["source"]
    )
    messages.success(
        request,
        ngettext("%(count)d customer attached.", "%(count)d customers attached.", added) % {"count": added},
    )
    for note in [*lines.repeats, *lines.problems]:
        messages.warning(request, note.text)
    return redirect(back)


@require_POST
@permission_required("recovery.act_on_incident", fn=incident_of, raise_exception=True)
def incident_grant_view(request, incident_id: int):
    """One chunk of the decision; htmx gets the progress bar (which asks for the next chunk), others the page."""
    incident = incident_detail_for(incident_id=incident_id)
    after = _int_or_none(request.POST.get("after", "0")) or 0
    try:
        outcome = incident_services.incident_grant(
            actor=request.user, roles=roles_of(request.user), incident=incident, after=after
        )
    except services.RecoveryError as error:
        if request.htmx:
            context = {"incident": incident, "error": error.message}
            return render(request, "recovery/_incident_progress.html", context, status=INVALID)
        messages.error(request, error.message)
        return redirect(reverse("incident_detail", args=[incident.pk]))
    if request.htmx and not outcome.done:
        preview = incident_preview(incident=incident, user=request.user)
        return render(
            request, "recovery/_incident_progress.html", {"incident": incident, "outcome": outcome, "preview": preview}
        )
    preview = incident_preview(incident=incident, user=request.user)
    messages.success(
        request,
        gettext("%(done)s of %(total)s customers granted, %(amount)s in all.")
        % {
            "done": len(preview.granted),
            "total": preview.progress_total,
            "amount": format_money(preview.granted_total, preview.currency, locale=wording.locale()),
        },
    )
    for customer, reason in outcome.refused:
        messages.warning(request, f"{customer.name}: {reason}")
    if request.htmx:  # the last chunk: the page again, every customer's row as granted
        return HttpResponseClientRedirect(reverse("incident_detail", args=[incident.pk]))
    return redirect(reverse("incident_detail", args=[incident.pk]))


def _int_or_none(raw) -> int | None:
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if 0 <= value < 2**31 else None
