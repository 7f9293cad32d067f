"""Ops and manager pages over the case data: replay of a draft, rule flags, location budgets.

They live in `recovery` (not in `compensation.views`) because they read grants
and flags, and `compensation` never imports `recovery`. Managers read them for
their own locations; ops read all and handle flags.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from compensation.limits import BudgetRule, budget_remaining, budget_state
from compensation.models import LocationBudget
from compensation.money import ZERO, quantize
from compensation.policy import draft_policy, load_policy
from compensation.predicates import is_ops
from recovery import services
from recovery.models import Grant, Location, RuleFlag
from recovery.predicates import location_ids_of
from recovery.replay import replay_draft

INVALID = 422  # a form sent back with errors: nothing was stored
REPLAY_DEFAULT_DAYS = 90
FLAG_LIST_LIMIT = 200


# --- forms (small, page-specific: field formats only) ----------------------------------


class ReplayForm(forms.Form):
    days = forms.IntegerField(
        label="Days back",
        required=False,
        min_value=1,
        max_value=366,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": "Days back: enter a whole number of days such as 90.",
            "min_value": "Days back: at least 1.",
            "max_value": "Days back: at most 366.",
        },
    )


class FlagFilterForm(forms.Form):
    STATUS_CHOICES = [("open", "Open"), ("handled", "Handled"), ("all", "All")]

    status = forms.ChoiceField(
        label="Show",
        choices=STATUS_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Show: choose open, handled or all."},
    )


class FlagHandleForm(forms.Form):
    handled_note = forms.CharField(
        label="What was done",
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "What was done: say how the flag was handled.",
            "max_length": "What was done: at most 500 characters.",
        },
    )


# --- reads behind these pages, restricted to what the user may see ---------------------


def _location_ids_for(user) -> frozenset[int] | None:
    """None for ops (every location); a manager's own locations otherwise."""
    return None if is_ops(user) else location_ids_of(user)


def _flags_for(user):
    flags = RuleFlag.objects.all()
    location_ids = _location_ids_for(user)
    if location_ids is not None:
        flags = flags.filter(location_id__in=location_ids)
    return flags


@dataclass(frozen=True)
class FlagCount:
    label: str
    count: int


def rule_flag_counts_for(*, user) -> tuple[list[FlagCount], list[FlagCount]]:
    """Open flags per rule kind and per playbook (two grouped queries), most flagged first."""
    open_flags = _flags_for(user).filter(status=RuleFlag.Status.OPEN).order_by()
    by_rule = [
        FlagCount(label=RuleFlag.Rule(row["rule"]).label, count=row["count"])
        for row in open_flags.values("rule").annotate(count=Count("id")).order_by("-count", "rule")
    ]
    by_playbook = [
        FlagCount(label=row["playbook__name"] or "No playbook named", count=row["count"])
        for row in open_flags.values("playbook_id", "playbook__name")
        .annotate(count=Count("id"))
        .order_by("-count", "playbook__name")
    ]
    return by_rule, by_playbook


def rule_flag_list_for(*, user, status: str, limit: int = FLAG_LIST_LIMIT) -> list[RuleFlag]:
    """The newest flags (open, handled or all), with everything the list shows, in one query."""
    flags = _flags_for(user)
    if status != "all":
        flags = flags.filter(status=status)
    flags = flags.select_related("location", "raised_by", "handled_by", "playbook", "customer")
    return list(flags.order_by("-raised_at", "-id")[: limit + 1])


@dataclass(frozen=True)
class BudgetRow:
    """One location's budget this month (its own calendar month), what is spent and what is left."""

    location: Location
    month_start: datetime
    budget: BudgetRule | None
    spent: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else budget_remaining(self.budget, self.spent)

    @property
    def state(self) -> str:
        return budget_state(self.budget, self.spent)

    @property
    def percent_used(self) -> int | None:
        if self.budget is None:
            return None
        if self.budget.monthly_amount <= ZERO:
            return 100
        share = self.spent * 100 / self.budget.monthly_amount
        return int(share.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def bar_percent(self) -> int:
        return min(self.percent_used or 0, 100)

    @property
    def when_exhausted(self) -> str:
        if self.budget is None:
            return ""
        mode = LocationBudget.WhenExhausted.ESCALATE if self.budget.escalate_when_exhausted else "warn"
        return LocationBudget.WhenExhausted(mode).label


def _month_start(location: Location, now: datetime) -> datetime:
    local = timezone.localtime(now, zoneinfo.ZoneInfo(location.timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def budget_rows_for(*, user, now: datetime | None = None) -> list[BudgetRow]:
    """This month's budget, spent and remaining for every location the user may see.

    Spending is one grouped query for all locations: each location's month
    starts at midnight on the 1st in its own time zone, so the locations are
    grouped by month start (few distinct ones: one per time zone offset) and
    each group is one `location in (...) and granted_at >= start` condition.
    """
    now = now or timezone.now()
    locations = Location.objects.filter(is_active=True).order_by("name")
    location_ids = _location_ids_for(user)
    if location_ids is not None:
        locations = locations.filter(id__in=location_ids)
    locations = list(locations)
    policy = load_policy(now)
    starts = {location.id: _month_start(location, now) for location in locations}
    spent: dict[int, Decimal] = {}
    if locations:
        by_start: dict[datetime, list[int]] = defaultdict(list)
        for location_id, start in starts.items():
            by_start[start].append(location_id)
        in_month = Q()
        for start, ids in by_start.items():
            in_month |= Q(location_id__in=ids, granted_at__gte=start)
        rows = (
            Grant.objects.filter(in_month, status=Grant.Status.ACTIVE, granted_at__lte=now)
            .order_by()
            .values("location_id")
            .annotate(spent=Sum("amount"))
        )
        spent = {row["location_id"]: quantize(row["spent"] or ZERO, policy.currency) for row in rows}
    return [
        BudgetRow(
            location=location,
            month_start=starts[location.id],
            budget=policy.budget_for(location.id),
            spent=spent.get(location.id, ZERO),
        )
        for location in locations
    ]


# --- replay -------------------------------------------------------------------------------


@require_GET
@permission_required("compensation.view_policy", raise_exception=True)
def ops_replay(request):
    """The draft applied to the last N days of grants: what they would have cost."""
    form = ReplayForm(request.GET)
    result = None
    days = REPLAY_DEFAULT_DAYS
    if form.is_valid():
        days = form.cleaned_data["days"] or REPLAY_DEFAULT_DAYS
        now = timezone.now()
        result = replay_draft(
            policy=draft_policy(),
            since=now - timedelta(days=days),
            until=now,
            location_ids=_location_ids_for(request.user),
        )
    return render(
        request,
        "recovery/ops_replay.html",
        {
            "form": form,
            "result": result,
            "days": days,
            "all_locations": is_ops(request.user),
            "breakdowns": [
                ("By playbook", "Playbook", result.by_playbook),
                ("By location", "Location", result.by_location),
            ]
            if result
            else [],
        },
        status=200 if form.is_valid() else INVALID,
    )


# --- rule flags ---------------------------------------------------------------------------


def _flags_page(request, *, filter_form, handle_form=None, error_flag_id=None, page_error="", status=200):
    shown = filter_form.cleaned_data.get("status") if filter_form.is_valid() else ""
    shown = shown or "open"
    flags = rule_flag_list_for(user=request.user, status=shown)
    by_rule, by_playbook = rule_flag_counts_for(user=request.user)
    return render(
        request,
        "recovery/ops_flags.html",
        {
            "filter_form": filter_form,
            "shown": shown,
            "status_choices": FlagFilterForm.STATUS_CHOICES,
            "flags": flags[:FLAG_LIST_LIMIT],
            "more_flags": len(flags) > FLAG_LIST_LIMIT,
            "flag_list_limit": FLAG_LIST_LIMIT,
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
    filter_form = FlagFilterForm(request.GET)
    return _flags_page(request, filter_form=filter_form, status=200 if filter_form.is_valid() else INVALID)


@require_POST
@permission_required("compensation.change_policy", raise_exception=True)
def ops_flag_handle(request, flag_id: int):
    """Ops say what they did about a flag; a refusal re-renders the list so the note is not lost."""
    flag = get_object_or_404(RuleFlag, pk=flag_id)  # the service would raise DoesNotExist (a 500)
    form = FlagHandleForm(request.POST)
    if form.is_valid():
        try:
            services.rule_flag_handle(actor=request.user, flag_id=flag.pk, note=form.cleaned_data["handled_note"])
        except services.RecoveryError as error:
            if error.field is not None:
                form.add_error(error.field, error.message)
            page_error = f"Flag #{flag.pk}: {error.message}"
        else:
            messages.success(request, f"Flag #{flag.pk} marked handled.")
            return redirect("ops_flags")
    else:
        # The flag's form may be far down the list: say at the top which one needs attention.
        page_error = f"Flag #{flag.pk} was not marked handled: see its form below."
    return _flags_page(
        request,
        filter_form=FlagFilterForm({}),
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
    rows = budget_rows_for(user=request.user)
    return render(
        request,
        "recovery/budgets.html",
        {"rows": rows, "all_locations": is_ops(request.user), "currency": settings.RECOVERY_CURRENCY},
    )
