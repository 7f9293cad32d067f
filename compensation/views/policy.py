"""Ops: the draft, publishing and versions.

Ops edit the policy tables as a draft, review field by field what publishing
would change, and publish a version now or for later; the counter only ever
reads published versions. Managers see every page read-only, so they can
explain why a cap is what it is.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from compensation import wording
from compensation.currencies import FIELD_WORDS, currency_overview, policy_amounts, policy_currency, stated_currencies
from compensation.currencies import stated as stated_amount
from compensation.customer_limits import limit_entry_of
from compensation.forms import DRAFT_FORMS, PublishForm
from compensation.http import INVALID
from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    Location,
    LocationBudget,
    Playbook,
    PlaybookLocationOverride,
    PlaybookTierMultiplier,
    PolicyVersion,
    ProgrammeTier,
    RoleAuthority,
    TenureTier,
    default_currency,
)
from compensation.policy import draft_document, version_in_force
from compensation.services import PolicyError, document_problems, policy_publish, policy_rollback
from compensation.versions import customer_limit_item, document_diff

VIEW_POLICY = "compensation.view_policy"
CHANGE_POLICY = "compensation.change_policy"
DRAFT_SAVED = gettext_noop("Saved to the draft. Nothing changes at the counter until you publish.")

# Shown translated (`{% translate version.status %}`) and used as a CSS class: marked, never translated here.
IN_FORCE, SCHEDULED, SUPERSEDED = gettext_noop("in force"), gettext_noop("scheduled"), gettext_noop("superseded")


def _when(moment) -> str:
    """A version's start in the active language's words, on the site's clock with its zone: 3 Mar 2026 09:00 UTC."""
    return wording.moment_words(moment, zone=True)


# --- reads ---------------------------------------------------------------------------------


def _latest_version() -> PolicyVersion | None:
    """The newest version by number: what a publish is compared with (it may still be scheduled)."""
    return PolicyVersion.objects.order_by("-number").first()


def _scheduled_versions(now) -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(effective_at__gt=now).order_by("effective_at", "number").defer("document"))


def _draft_tables() -> dict:
    """Every draft policy table, one query each, with what their rows show on the page."""
    multipliers = PlaybookTierMultiplier.objects.select_related("tier").order_by("tier__min_months")
    tables = {
        "tiers": list(TenureTier.objects.order_by("min_months")),
        "programme_tiers": list(ProgrammeTier.objects.order_by("source", "multiplier", "id")),
        "playbooks": list(
            Playbook.objects.order_by("sort_order", "name", "id").prefetch_related(
                Prefetch("tier_multipliers", queryset=multipliers),
                Prefetch(
                    "location_overrides",
                    queryset=PlaybookLocationOverride.objects.select_related("location").order_by("location__code"),
                ),
            )
        ),
        "role_authorities": list(RoleAuthority.objects.order_by("role")),
        "employee_authorities": list(EmployeeAuthority.objects.select_related("user").order_by("user__username")),
        "customer_limits": list(CustomerLimit.objects.order_by("window_unit", "window_days", "pk")),
        "location_budgets": list(LocationBudget.objects.select_related("location").order_by("location__name")),
    }
    _limits_labelled(tables)
    return tables


def _limits_labelled(tables: dict) -> None:
    """Each draft customer limit's label ("12 months, “Reimburse costs”, Gold tier"), as the version page reads it."""
    names = {
        "playbooks": [{"id": p.id, "name": p.name} for p in tables["playbooks"]],
        "tiers": [{"id": t.id, "name": t.name} for t in tables["tiers"]],
        "programme_tiers": [{"id": t.id, "name": t.name} for t in tables["programme_tiers"]],
    }
    for limit in tables["customer_limits"]:
        limit.label = customer_limit_item(names, limit_entry_of(limit))[1][0]


def _versions_with_status(now) -> list[PolicyVersion]:
    """All versions newest first, each with its grant count and status, in one query."""
    versions = list(
        PolicyVersion.objects.select_related("restores")
        .defer("document", "restores__document")
        .annotate(grant_count=Count("grants"))
        .order_by("-number")
    )
    started = [version for version in versions if version.effective_at <= now]
    # The same rule as version_in_force(): the latest start wins, a higher number breaks a tie.
    in_force = max(started, key=lambda version: (version.effective_at, version.number), default=None)
    for version in versions:
        version.status = _status(version, in_force, now)
    return versions


def _status(version: PolicyVersion, in_force: PolicyVersion | None, now) -> str:
    if version.effective_at > now:
        return SCHEDULED
    return IN_FORCE if in_force is not None and version.pk == in_force.pk else SUPERSEDED


def _label(choices, value) -> str:
    return dict(choices).get(value, value)


def _readable_document(document: dict) -> dict:
    """A version document with names instead of ids and codes, for people to read."""
    tiers = document.get("tiers", [])
    tier_names = {str(tier["id"]): tier["name"] for tier in tiers}
    playbooks = []
    for entry in document.get("playbooks", []):
        overrides = [
            f"{tier_names.get(tier_id, f'tier #{tier_id}')} ×{multiplier}"
            for tier_id, multiplier in entry.get("multipliers", {}).items()
        ]
        playbooks.append(
            entry | {"kind_label": _label(Playbook.Kind.choices, entry.get("kind")), "overrides": overrides}
        )
    return {
        "tiers": tiers,
        "programme_tiers": document.get("programme_tiers") or [],
        "playbooks": playbooks,
        "role_authorities": [
            {"role": _label(RoleAuthority.Role.choices, role), "limit": limit}
            | document.get("role_authority_bounds", {}).get(role, {})
            for role, limit in document.get("role_authorities", {}).items()
        ],
        "employee_authorities": list(document.get("employee_authorities", {}).values()),
        "customer_limits": [
            entry | {"label": customer_limit_item(document, entry)[1][0]}
            for entry in document.get("customer_limits", [])
        ],
        "location_budgets": [
            entry | {"when_exhausted_label": _label(LocationBudget.WhenExhausted.choices, entry.get("when_exhausted"))}
            for entry in document.get("location_budgets", {}).values()
        ],
        "policy_currency": policy_currency(document, default_currency()),
        "currency_amounts": [
            {
                "currency": currency,
                "item": label,
                "field": gettext(FIELD_WORDS[field]),
                "amount": stated_amount(document, currency, subject, key, field),
                "policy_amount": value,
            }
            for currency in stated_currencies(document)
            for subject, key, field, label, value in policy_amounts(document)
        ],
    }


# --- overview ------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW_POLICY, raise_exception=True)
def ops_home(request):
    now = timezone.now()
    latest = _latest_version()
    draft = draft_document()
    location_currencies = set(Location.objects.filter(is_active=True).values_list("currency", flat=True))
    return render(
        request,
        "compensation/ops_home.html",
        {
            "in_force": version_in_force(now),
            "scheduled": _scheduled_versions(now),
            "latest": latest,
            "changes": document_diff(latest.document if latest else {}, draft),
            "currencies": currency_overview(draft, default=default_currency(), location_currencies=location_currencies),
            "policy_currency": default_currency(),
            **_draft_tables(),
        },
    )


# --- the draft -----------------------------------------------------------------------------


def _draft_form_class(kind: str):
    try:
        return DRAFT_FORMS[kind]
    except KeyError:
        raise Http404("No such draft table.") from None


def _draft_form_page(request, kind: str, form):
    """Show the form; on a valid POST save the row to the draft and go back to the overview."""
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.save_to_draft(actor=request.user) is not None:
            messages.success(request, gettext(DRAFT_SAVED))
            return redirect("ops_home")
        status = INVALID
    return render(request, "compensation/draft_form.html", {"form": form, "kind": kind}, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_POLICY, raise_exception=True)
def ops_draft_add(request, kind: str):
    form_class = _draft_form_class(kind)
    form = form_class(request.POST) if request.method == "POST" else form_class()
    return _draft_form_page(request, kind, form)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_POLICY, raise_exception=True)
def ops_draft_edit(request, kind: str, pk: int):
    form_class = _draft_form_class(kind)
    instance = get_object_or_404(form_class._meta.model, pk=pk)
    form = form_class(request.POST, instance=instance) if request.method == "POST" else form_class(instance=instance)
    return _draft_form_page(request, kind, form)


# --- publish -------------------------------------------------------------------------------


def _publish_page(request, form, status=200):
    latest = _latest_version()
    draft = draft_document()
    return render(
        request,
        "compensation/publish.html",
        {
            "form": form,
            "latest": latest,
            "changes": document_diff(latest.document if latest else {}, draft),
            "problems": document_problems(draft),
            "scheduled": _scheduled_versions(timezone.now()),
            "time_zone": timezone.get_current_timezone_name(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@permission_required(VIEW_POLICY, raise_exception=True)
def ops_publish(request):
    if request.method == "GET":
        return _publish_page(request, PublishForm())
    # Managers may read what would be published, never publish it.
    if not request.user.has_perm(CHANGE_POLICY):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            version = policy_publish(
                actor=request.user,
                reason=form.cleaned_data["reason"],
                effective_at=form.cleaned_data["effective_at"],
            )
        except PolicyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                gettext("Version %(number)s published, in force from %(when)s.")
                % {"number": version.number, "when": _when(version.effective_at)},
            )
            return redirect("ops_version", number=version.number)
    return _publish_page(request, form, status=INVALID)


# --- versions ------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW_POLICY, raise_exception=True)
def ops_versions(request):
    return render(request, "compensation/versions.html", {"versions": _versions_with_status(timezone.now())})


def _comparison(request, version: PolicyVersion) -> dict:
    """The `?compare=<m>` diff between versions m and n, older to newer, or why there is none."""
    raw = request.GET.get("compare", "").strip()
    if not raw:
        return {}
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        return {"compare_error": gettext("Compare with: choose a version number.")}
    other = PolicyVersion.objects.filter(number=int(raw)).first()
    if other is None:
        return {"compare_error": gettext("Compare with: there is no version %(number)s.") % {"number": int(raw)}}
    older, newer = sorted((other, version), key=lambda v: v.number)
    return {
        "compare_with": other,
        "compare_older": older,
        "compare_newer": newer,
        "compare_changes": document_diff(older.document, newer.document),
    }


def _version_page(request, version: PolicyVersion, rollback_form, status=200):
    now = timezone.now()
    previous = PolicyVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    numbers = list(PolicyVersion.objects.order_by("-number").values_list("number", flat=True))
    return render(
        request,
        "compensation/version_detail.html",
        {
            "version": version,
            "status": _status(version, version_in_force(now), now),
            "grant_count": version.grants.count(),
            "document": _readable_document(version.document),
            "previous": previous,
            "changes": document_diff(previous.document if previous else {}, version.document),
            "numbers": [number for number in numbers if number != version.number],
            "is_latest": not numbers or numbers[0] == version.number,
            "rollback_form": rollback_form,
            "time_zone": timezone.get_current_timezone_name(),
            **_comparison(request, version),
        },
        status=status,
    )


def _version_or_404(number: int) -> PolicyVersion:
    return get_object_or_404(PolicyVersion.objects.select_related("restores"), number=number)


@require_GET
@permission_required(VIEW_POLICY, raise_exception=True)
def ops_version(request, number: int):
    return _version_page(request, _version_or_404(number), PublishForm())


@require_POST
@permission_required(CHANGE_POLICY, raise_exception=True)
def ops_version_rollback(request, number: int):
    version = _version_or_404(number)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            restored = policy_rollback(
                actor=request.user,
                version=version,
                reason=form.cleaned_data["reason"],
                effective_at=form.cleaned_data["effective_at"],
            )
        except PolicyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                gettext(
                    "Version %(number)s published, restoring version %(restored)s, in force from %(when)s. "
                    "The draft now matches it."
                )
                % {"number": restored.number, "restored": version.number, "when": _when(restored.effective_at)},
            )
            return redirect("ops_version", number=restored.number)
    return _version_page(request, version, form, status=INVALID)
