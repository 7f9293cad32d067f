"""Escalations: the counter asks a manager, follows the request's status; the manager's queue and decision."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from compensation import wording
from compensation.http import INVALID
from compensation.predicates import roles_of
from recovery import selectors, services
from recovery.domain.waiting import minutes_waited
from recovery.forms import DecisionForm, EscalateForm, ResolveForm
from recovery.models import Customer, Escalation
from recovery.views.access import counter_view, safe_next
from recovery.views.resolve import above_limit_panel, counter_grant_request, resolve_context


@require_POST
@counter_view
def counter_escalate(request, customer_id: int):
    """Above a limit: record the request for a manager and follow it on its status page."""
    customer = get_object_or_404(Customer, pk=customer_id)
    form = EscalateForm(request.POST, currency=request.counter_location.currency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            escalation = services.escalation_request(
                actor=request.user,
                roles=roles_of(request.user),
                request=counter_grant_request(request, customer, data, form.quoted_cap()),
                reason=data["reason"],
            )
        except services.RecoveryError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("escalation_status", escalation_id=escalation.pk)
    return _escalation_refused(request, customer, form)


def _escalation_refused(request, customer, escalate_form):
    """The resolve page again (422) with the refusal on the field it concerns.

    The case travels as hidden copies, so its errors are also put on the
    visible resolve form's fields, where the employee can correct them.
    """
    case = request.POST.copy()
    for name in ("amount", "reason"):
        case.pop(name, None)
    form = ResolveForm(case, currency=request.counter_location.currency)
    form.is_valid()
    for field, errors in escalate_form.errors.items():
        if field in EscalateForm.CASE_FIELDS and field not in form.errors:
            for error in errors:
                form.add_error(field, error)
    purchase_value = form.cleaned_data.get("purchase_value") if "purchase_value" not in form.errors else None
    return render(
        request,
        "recovery/counter_resolve.html",
        resolve_context(
            request, customer, form, purchase_value, above_limit=above_limit_panel(form, escalate_form=escalate_form)
        ),
        status=INVALID,
    )


def _escalation_visible_to(request, escalation_id: int) -> Escalation:
    try:
        escalation = selectors.escalation_detail_for(escalation_id=escalation_id)
    except Escalation.DoesNotExist:
        raise Http404("No such escalation.") from None
    if not request.user.has_perm("recovery.view_escalation", escalation):
        raise PermissionDenied
    return escalation


def _review_context(request, escalation: Escalation, *, on_story: bool) -> dict:
    """What a reviewer sees beside the request: the decision if theirs to make, coming back to this page."""
    return {
        "escalation": escalation,
        "history": selectors.history_of(escalation),
        "reviews": request.user.has_perm("recovery.view_escalations"),
        "can_decide": escalation.is_pending and request.user.has_perm("recovery.decide_escalation", escalation),
        "decide_next": request.path,
        "on_story": on_story,
    }


@require_GET
def escalation_status(request, escalation_id: int):
    """What was asked and what was decided; while pending, htmx polls this page for its panel.

    The employee who asked follows it here; a manager who opens the same link
    decides here too (the decision sits outside the polled panel, so a note
    being typed is never replaced).
    """
    escalation = _escalation_visible_to(request, escalation_id)
    if request.htmx:
        return render(request, "recovery/_escalation_status.html", {"escalation": escalation})
    return render(request, "recovery/escalation_status.html", _review_context(request, escalation, on_story=False))


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def escalation_audit(request, escalation_id: int):
    """An escalation's audit story: the request, its decision (or the buttons to make it), history and journal."""
    escalation = _escalation_visible_to(request, escalation_id)
    # Having asked is not enough for the audit: like a grant's audit page, it is a reviewer's page.
    if not request.user.has_perm("recovery.review_grant", escalation):
        raise PermissionDenied
    context = _review_context(request, escalation, on_story=True)
    context["journal"] = selectors.escalation_journal_for(escalation)
    if escalation.is_pending:
        context["waited"] = wording.minutes(minutes_waited(escalation.requested_at, timezone.now()))
    return render(request, "recovery/escalation_audit.html", context)


@require_GET
@permission_required("recovery.view_escalations", raise_exception=True)
def escalations(request):
    """The manager queue: pending requests of the manager's locations (ops: all, read-only)."""
    queue = selectors.escalation_queue_for(user=request.user)
    return render(request, "recovery/escalation_list.html", {"pending": queue.pending, "decided": queue.decided})


@require_POST
@permission_required("recovery.view_escalations", raise_exception=True)
def escalation_decide(request, escalation_id: int):
    """Approve or decline from the queue, the escalation's page or its audit story; every outcome is a flash
    back where the manager decided (`next`, else the queue)."""
    escalation = get_object_or_404(Escalation.objects.select_related("location"), pk=escalation_id)
    # A manager of another location, ops, or the manager who asked: the object rule says no.
    if not request.user.has_perm("recovery.decide_escalation", escalation):
        raise PermissionDenied
    back = safe_next(request, reverse("escalations"))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(back)
    try:
        # "Already approved by … at 14:02" reads as the location's wall clock.
        with timezone.override(zoneinfo.ZoneInfo(escalation.location.timezone)):
            decided = services.escalation_decide(
                actor=request.user,
                roles=roles_of(request.user),
                escalation_id=escalation.pk,
                approve=form.approve,
                note=form.cleaned_data["note"],
            )
    except services.RecoveryError as error:
        messages.error(request, error.message)
    else:
        if decided.grant_id:
            messages.success(
                request,
                gettext("Escalation #%(number)s approved: grant #%(grant)s made.")
                % {"number": decided.pk, "grant": decided.grant_id},
            )
        else:
            messages.success(
                request,
                gettext("Escalation #%(number)s declined; %(employee)s will see your note.")
                % {"number": decided.pk, "employee": decided.requested_by.get_username()},
            )
    return redirect(back)
