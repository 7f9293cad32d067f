"""Ops and manager pages over the case data: replay of a draft, rule flags, location budgets.

They live in `recovery` (not in `compensation.views`) because they read grants
and flags, and `compensation` never imports `recovery`. Managers read them for
their own locations; ops read all and handle flags.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from compensation.predicates import sees_every_location
from recovery import forms, selectors, services
from recovery.models import RuleFlag
from recovery.replay_pending import replay_against_version_in_force

REPLAY_DEFAULT_DAYS = 90


# --- replay -------------------------------------------------------------------------------


@require_GET
@permission_required("compensation.view_policy", raise_exception=True)
def ops_replay(request):
    """The draft against the version in force, and the version in force against what was granted."""
    form = forms.ReplayForm(request.GET)
    comparison = None
    days = REPLAY_DEFAULT_DAYS
    if form.is_valid():
        days = form.cleaned_data["days"] or REPLAY_DEFAULT_DAYS
        now = timezone.now()
        comparison = replay_against_version_in_force(
            since=now - timedelta(days=days), until=now, location_ids=selectors.location_ids_for(request.user)
        )
    return render(
        request,
        "recovery/ops_replay.html",
        {
            "form": form,
            "comparison": comparison,
            "days": days,
            "all_locations": sees_every_location(request.user),
        },
        status=200 if form.is_valid() else INVALID,
    )


# --- rule flags ---------------------------------------------------------------------------


def _flags_page(request, *, filter_form, handle_form=None, error_flag_id=None, page_error="", status=200):
    shown = filter_form.cleaned_data.get("status") if filter_form.is_valid() else ""
    shown = shown or "open"
    flags = selectors.rule_flag_list_for(user=request.user, status=shown)
    by_rule, by_playbook = selectors.rule_flag_counts_for(user=request.user)
    return render(
        request,
        "recovery/ops_flags.html",
        {
            "filter_form": filter_form,
            "shown": shown,
            "status_choices": forms.FlagFilterForm.STATUS_CHOICES,
            "flags": flags[: selectors.FLAG_LIST_LIMIT],
            "more_flags": len(flags) > selectors.FLAG_LIST_LIMIT,
            "flag_list_limit": selectors.FLAG_LIST_LIMIT,
            "by_rule": by_rule,
            "by_playbook": by_playbook,
            "open_total": sum(row.count for row in by_rule),
            "can_handle": request.user.has_perm("compensation.change_policy"),
            "handle_form": handle_form,
            "error_flag_id": error_flag_id,
            "page_error": page_error,
        },
        status=status,
    )


@require_GET
@permission_required("compensation.view_policy", raise_exception=True)
def ops_flags(request):
    """The "a rule stood in my way" flags, counted by rule and playbook, then listed newest first."""
    filter_form = forms.FlagFilterForm(request.GET)
    return _flags_page(request, filter_form=filter_form, status=200 if filter_form.is_valid() else INVALID)


@require_POST
@permission_required("compensation.change_policy", raise_exception=True)
def ops_flag_handle(request, flag_id: int):
    """Ops say what they did about a flag; a refusal re-renders the list so the note is not lost."""
    flag = get_object_or_404(RuleFlag, pk=flag_id)  # the service would raise DoesNotExist (a 500)
    form = forms.FlagHandleForm(request.POST)
    if form.is_valid():
        try:
            services.rule_flag_handle(actor=request.user, flag_id=flag.pk, note=form.cleaned_data["handled_note"])
        except services.RecoveryError as error:
            if error.field is not None:
                form.add_error(error.field, error.message)
            page_error = gettext("Flag #%(number)s: %(message)s") % {"number": flag.pk, "message": error.message}
        else:
            messages.success(request, gettext("Flag #%(number)s marked handled.") % {"number": flag.pk})
            return redirect("ops_flags")
    else:
        # The flag's form may be far down the list: say at the top which one needs attention.
        page_error = gettext("Flag #%(number)s was not marked handled: see its form below.") % {"number": flag.pk}
    return _flags_page(
        request,
        filter_form=forms.FlagFilterForm({}),
        handle_form=form,
        error_flag_id=flag.pk,
        page_error=page_error,
        status=INVALID,
    )


# --- budgets ------------------------------------------------------------------------------


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def budgets(request):
    """Each visible location's monthly budget: spent, left, and what happens once it is used up."""
    rows = selectors.budget_rows_for(user=request.user)
    return render(
        request,
        "recovery/budgets.html",
        # Each row is in its own location's currency (row.currency): budgets of different currencies never add up.
        {"rows": rows, "all_locations": sees_every_location(request.user)},
    )
