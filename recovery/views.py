"""Counter and audit pages. Thin: check permission, validate, call a service, render."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import zoneinfo
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from compensation import wording
from compensation.caps import tier_reached
from compensation.policy import load_policy, tenure_in_months, tier_rules_in_force
from compensation.predicates import roles_of
from compensation.texts import language_shown, localized_text
from recovery import selectors, services, timeline, vouchers
from recovery.case_opened import case_opened_stamp
from recovery.filters import TimelineFilterForm
from recovery.forms import (
    CustomerSearchForm,
    DecisionForm,
    EscalateForm,
    ResolveForm,
    RuleFlagForm,
    VoidForm,
    VoucherCodeForm,
    VoucherRedeemForm,
    WalkInForm,
    money_in_currency,
    money_input,
)
from recovery.models import Customer, Escalation, Grant, RuleFlag
from recovery.timeline import TimelineQuery

COUNTER_LOCATION_KEY = "counter_location_id"
INVALID = 422  # a form sent back with errors: nothing was stored
# How the counter names each limit that stopped a grant, and the rule a flag about it concerns.
LIMIT_NAMES = {
    "cap": gettext_lazy("Playbook cap and your authority"),
    "customer_limit": gettext_lazy("Per-customer limit"),
    "location_budget": gettext_lazy("Location budget"),
}
LIMIT_FLAG_RULES = {
    "cap": RuleFlag.Rule.PLAYBOOK_CAP,
    "customer_limit": RuleFlag.Rule.CUSTOMER_LIMIT,
    "location_budget": RuleFlag.Rule.LOCATION_BUDGET,
}


def counter_view(view):
    """Counter pages: the user may serve customers and works at a location."""

    @wraps(view)
    @permission_required("recovery.use_counter", raise_exception=True)
    def wrapper(request, *args, **kwargs):
        location = selectors.counter_location_for(
            user=request.user, chosen_id=request.session.get(COUNTER_LOCATION_KEY)
        )
        if location is None:
            return render(request, "recovery/no_location.html", status=403)
        request.counter_location = location
        # Times on counter pages read as the location's wall clock.
        with timezone.override(zoneinfo.ZoneInfo(location.timezone)):
            return view(request, *args, **kwargs)

    return wrapper


@require_GET
def home(request):
    """Send each role to where its work is."""
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
    search = CustomerSearchForm(request.GET or None)
    currency = request.counter_location.currency
    customers = (
        selectors.customer_search(query=search.cleaned_data["q"], currency=currency) if search.is_valid() else []
    )
    if customers:
        tiers = tier_rules_in_force()
        today = request.counter_location.today()
        for customer in customers:
            customer.tenure_months = tenure_in_months(customer.customer_since, today)
            customer.tier = tier_reached(tiers, customer.tenure_months)
    return render(
        request,
        "recovery/counter_customer.html",
        {
            "search": search,
            "customers": customers,
            "walk_in": WalkInForm(),
            "searched": bool(request.GET.get("q")),
            "locations": selectors.counter_locations_for(user=request.user),
            "counter_currency": currency,
        },
    )


@require_POST
@counter_view
def customer_add(request):
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            customer = services.customer_add_walk_in(
                actor=request.user, location=request.counter_location, **form.cleaned_data
            )
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


# Each language named in itself (as in the language switch), for "Read in: English | Русский".
LANGUAGE_NAMES = dict(settings.LANGUAGES)


# --- screen 2: failure and playbook --------------------------------------------------


def _playbook_cards(request, customer: Customer, purchase_value, policy=None, tenure_months=None):
    """Every active playbook with its cap for this customer at this purchase value."""
    policy = policy or load_policy()
    authority = policy.authority_for(roles_of(request.user), request.user.pk)
    if tenure_months is None:
        tenure_months = tenure_in_months(customer.customer_since, request.counter_location.today())
    currency = request.counter_location.currency
    return {
        "cards": selectors.playbook_caps(
            policy=policy,
            authority=authority,
            tenure_months=tenure_months,
            purchase_value=purchase_value,
            currency=currency,
        ),
        "authority": authority,
        "quoted_purchase_value": purchase_value,
        "currency": currency,
        "money_input": money_input(currency),
    }


def _resolve_context(request, customer, form, purchase_value, *, above_limit=None):
    tenure_months = tenure_in_months(customer.customer_since, request.counter_location.today())
    policy = load_policy()
    return {
        "customer": customer,
        "tenure_months": tenure_months,
        "tier": policy.tier_for(tenure_months),
        "value": selectors.customer_value(customer=customer),
        "limits": selectors.counter_limits_for(customer=customer, location=request.counter_location, policy=policy),
        "form": form,
        "above_limit": above_limit,
        "flag_rules": RuleFlag.Rule.choices,
        "flag_playbooks": [(pk, localized_text(playbook, "name")) for pk, playbook in policy.playbooks.items()],
        **_playbook_cards(request, customer, purchase_value, policy, tenure_months),
    }


def _case_fields(data, playbook) -> list[tuple[str, str]]:
    """The resolve form's case as hidden copies, for the 'grant instead' and 'ask a manager' forms."""
    names = [*EscalateForm.CASE_FIELDS, f"quoted_cap_{playbook}"]
    return [(name, data[name]) for name in names if name in data]


def _above_limit(form, *, limit=None, escalate_form=None) -> dict:
    """The 'Above what you can grant now' panel: the limits that stopped the grant and the two ways on."""
    data = escalate_form.data if escalate_form is not None else form.data
    stops = limit.stops if limit is not None else ()
    # The limit that binds hardest (allows least) is the one a flag most likely concerns.
    tightest = min(stops, key=lambda stop: stop.allows, default=None)
    return {
        "limit": limit,
        "stops": [(LIMIT_NAMES.get(stop.limit, stop.limit), stop) for stop in stops],
        "flag_rule": LIMIT_FLAG_RULES.get(tightest.limit, "") if tightest else "",
        "case": _case_fields(data, data.get("playbook", "")),
        "asked": data.get("amount") or (limit.requested if limit is not None and limit.requested else ""),
        "reason": data.get("reason", ""),
        "escalate_form": escalate_form,
    }


@require_http_methods(["GET", "POST"])
@counter_view
def counter_resolve(request, customer_id: int):
    customer = get_object_or_404(Customer, pk=customer_id)
    if request.method == "GET":
        token = uuid.uuid4()
        # The case is met now: the signed moment comes back with the grant as the failure's time.
        form = ResolveForm(
            initial={"token": token, "opened": case_opened_stamp(token)}, currency=request.counter_location.currency
        )
        return render(request, "recovery/counter_resolve.html", _resolve_context(request, customer, form, None))

    form = ResolveForm(request.POST, currency=request.counter_location.currency)
    grant = _grant_from_form(request, customer, form) if form.is_valid() else None
    if grant is not None:
        return redirect("counter_granted", grant_id=grant.pk)
    # Re-price the cards for the value typed, even when that field itself was refused.
    purchase_value = getattr(form, "priced_purchase_value", None)
    limit = getattr(form, "limit_exceeded", None)
    above_limit = _above_limit(form, limit=limit) if limit is not None else None
    return render(
        request,
        "recovery/counter_resolve.html",
        _resolve_context(request, customer, form, purchase_value, above_limit=above_limit),
        status=INVALID,
    )


def _grant_from_form(request, customer, form) -> Grant | None:
    """Grant from a valid form, or put the service's refusal on the form and return None."""
    data = form.cleaned_data
    form.priced_purchase_value = data["purchase_value"]
    quoted_value = data["quoted_purchase_value"]
    if quoted_value is not None and quoted_value != data["purchase_value"]:
        form.add_error(
            "purchase_value",
            "Purchase value: the caps shown were for another amount; they are updated now. "
            "Check the cards and grant again.",
        )
        return None
    grant_request = _grant_request(request, customer, data, form.quoted_cap(), form.opened_at())
    try:
        return services.grant_issue(actor=request.user, roles=roles_of(request.user), request=grant_request).grant
    except services.LimitExceeded as error:
        form.add_error(error.field, error.message)
        form.limit_exceeded = error  # the page offers "grant what is allowed" or "ask a manager"
        return None
    except services.RecoveryError as error:
        form.add_error(error.field, error.message)
        return None


def _grant_request(request, customer, data, quoted_cap, opened_at=None) -> services.GrantRequest:
    return services.GrantRequest(
        customer=customer,
        location=request.counter_location,
        category=data["category"],
        purchase_value=data["purchase_value"],
        note=data["note"].strip(),
        playbook_id=data["playbook"],
        amount=data["amount"],
        token=data["token"],
        quoted_cap=quoted_cap,
        opened_at=opened_at,
    )


@require_GET
@counter_view
def counter_quotes(request, customer_id: int):
    """htmx fragment: the playbook cards re-priced as the purchase value is typed."""
    customer = get_object_or_404(Customer, pk=customer_id)
    field = ResolveForm.base_fields["purchase_value"]
    raw = request.GET.get("purchase_value", "").strip()
    error = None
    purchase_value = None
    if raw:
        try:
            purchase_value = field.clean(raw)
            money_in_currency(purchase_value, request.counter_location.currency, field.label)
        except Exception as validation_error:  # noqa: BLE001 - any refusal is shown, never a 500
            purchase_value = None
            error = " ".join(getattr(validation_error, "messages", ["Purchase value: not valid."]))
    context = _playbook_cards(request, customer, purchase_value)
    context["quote_error"] = error
    context["selected_playbook"] = request.GET.get("playbook", "")
    return render(request, "recovery/_playbook_cards.html", context, status=INVALID if error else 200)


# --- screen 3: granted ------------------------------------------------------------------


def _grant_visible_to(request, grant_id: int) -> Grant:
    try:
        grant = selectors.grant_detail_for(grant_id=grant_id)
    except Grant.DoesNotExist:
        raise Http404("No such grant.") from None
    if not request.user.has_perm("recovery.view_grant", grant):
        raise PermissionDenied
    return grant


def _voucher_link(request, code: str) -> str:
    """The customer's voucher page, as an absolute link to hand over, print and put in the QR code."""
    return request.build_absolute_uri(reverse("voucher_public", args=[vouchers.voucher_link_token(code)]))


def _qr_svg(text: str) -> str:
    return segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=True)


def _voucher_handover(request, grant: Grant) -> dict:
    """The link and its QR code: a phone opens the customer's page, the redeem screen's scanner reads the code."""
    if not grant.voucher_code:
        return {"voucher_link": "", "qr_svg": ""}
    link = _voucher_link(request, grant.voucher_code)
    return {"voucher_link": link, "qr_svg": _qr_svg(link)}


def _granted_words(grant: Grant) -> dict:
    """The playbook's name, offer and apology as published when the grant was made, in the page's language.

    The live playbook row is the ops draft, which may be unpublished; the
    snapshot is what the customer was promised (`Grant.playbook_texts`). The
    apology is offered in its other published languages too: the customer may
    not speak the employee's.
    """
    scripts = grant.playbook_texts("apology_script")
    shown = language_shown(scripts)
    return {
        "playbook_title": grant.playbook_text("name"),
        "offer": grant.playbook_text("offer"),
        "script": scripts.get(shown, ""),
        "script_language": shown,
        "other_scripts": [
            (language, LANGUAGE_NAMES.get(language, language), text)
            for language, text in scripts.items()
            if language != shown and text != scripts.get(shown)
        ],
    }


@require_GET
def counter_granted(request, grant_id: int):
    grant = _grant_visible_to(request, grant_id)
    return render(
        request,
        "recovery/counter_granted.html",
        {
            "grant": grant,
            "redemption": getattr(grant, "redemption", None),  # joined by the selector
            "flag_rules": RuleFlag.Rule.choices,
            "flag_playbooks": [(grant.playbook_id, grant.playbook_text("name"))],
            **_voucher_handover(request, grant),
            **_granted_words(grant),
        },
    )


@require_GET
def grant_slip(request, grant_id: int):
    grant = _grant_visible_to(request, grant_id)
    return render(
        request,
        "recovery/grant_slip.html",
        {"grant": grant, **_voucher_handover(request, grant), **_granted_words(grant)},
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
        return _plain_refusal(gettext("Location: choose one of your locations."))
    request.session[COUNTER_LOCATION_KEY] = chosen
    return redirect("counter")


# --- audit -----------------------------------------------------------------------------


def _timeline_filter(request) -> TimelineFilterForm:
    locations = selectors.audit_locations_for(user=request.user)
    return TimelineFilterForm(request.GET or None, locations=locations)


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def audit(request):
    """Everything that happened at the reviewer's locations, newest first, with filters."""
    audit_filter = _timeline_filter(request)
    invalid = audit_filter.is_bound and not audit_filter.is_valid()
    query = TimelineQuery() if invalid else audit_filter.query()
    page = timeline.timeline_page(user=request.user, query=query, cursor=request.GET.get("after", ""))
    filter_query = request.GET.copy()
    filter_query.pop("after", None)
    return render(
        request,
        "recovery/audit_list.html",
        {
            "filter": audit_filter,
            "entries": page.entries,
            "next_cursor": page.next_cursor,
            "filter_query": filter_query.urlencode(),
            "filter_invalid": invalid,
        },
        status=400 if invalid else 200,
    )


CSV_ROWS_PER_CHUNK = 500


def _csv_chunks(rows):
    """The rows as CSV text in chunks of a few hundred rows: streamed (constant memory), but not one
    write to the socket per row (a hundred thousand rows were a hundred thousand sends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value):
    """Plain text for spreadsheets: times in ISO UTC, and no cell a spreadsheet would run as a formula."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


def _plain_refusal(message: str) -> HttpResponse:
    """A 400 as plain text, read by a person in a browser tab (a download link, a bare form post):
    in their language, and marked as such so the browser picks the right font and a screen reader the voice."""
    response = HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    response["Content-Language"] = translation.get_language()
    return response


def _invalid_filters() -> HttpResponse:
    return _plain_refusal(gettext("The filters are not valid: fix them on the audit page."))


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def audit_export(request):
    """The filtered grants with every detail as CSV, streamed: a million rows never sit in memory."""
    audit_filter = _timeline_filter(request)
    if audit_filter.is_bound and not audit_filter.is_valid():
        return _invalid_filters()
    grants = timeline.grants_for_export(user=request.user, query=audit_filter.query())
    return _csv_response(selectors.grant_export_rows(grants), "grants")


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def audit_timeline_export(request):
    """The filtered timeline (every kind of event) as CSV, streamed."""
    audit_filter = _timeline_filter(request)
    if audit_filter.is_bound and not audit_filter.is_valid():
        return _invalid_filters()
    entries = timeline.timeline_stream(user=request.user, query=audit_filter.query())
    return _csv_response(selectors.timeline_export_rows(entries), "timeline")


def _audit_detail(request, grant, void_form, status=200):
    redemption = getattr(grant, "redemption", None)  # joined by the selector; None if not redeemed
    return render(
        request,
        "recovery/audit_detail.html",
        {
            "grant": grant,
            "failure": grant.failure,
            "escalation": getattr(grant, "escalation", None),  # joined by the selector; None if not escalated
            "grant_history": selectors.history_of(grant),
            "failure_history": selectors.history_of(grant.failure),
            "journal": selectors.journal_entries_for(grant),
            "void_form": void_form,
            "anomaly_flags": selectors.anomaly_flags_of_grant(grant=grant),
            "redemption": redemption,
            # A redeemed voucher is not voided (see services.grant_void): the form would only be refused.
            "can_void": request.user.has_perm("recovery.void_grant", grant) and not grant.is_voided and not redemption,
        },
        status=status,
    )


@require_GET
@permission_required("recovery.view_audit", raise_exception=True)
def audit_detail(request, grant_id: int):
    grant = _grant_visible_to(request, grant_id)
    # Having made a grant shows it at the counter, not its audit once the location is no longer yours.
    if not request.user.has_perm("recovery.review_grant", grant):
        raise PermissionDenied
    return _audit_detail(request, grant, VoidForm())


@require_POST
def grant_void(request, grant_id: int):
    grant = _grant_visible_to(request, grant_id)
    if not request.user.has_perm("recovery.void_grant", grant):
        raise PermissionDenied
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.grant_void(actor=request.user, grant_id=grant.pk, reason=form.cleaned_data["reason"])
        except services.RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, gettext("Grant #%(number)s voided.") % {"number": grant.pk})
            return redirect(reverse("audit_detail", args=[grant.pk]))
    grant.refresh_from_db()
    return _audit_detail(request, grant, form, status=INVALID)


# --- escalations and rule flags -------------------------------------------------------------


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
                request=_grant_request(request, customer, data, form.quoted_cap()),
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
        _resolve_context(
            request, customer, form, purchase_value, above_limit=_above_limit(form, escalate_form=escalate_form)
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


@require_GET
def escalation_status(request, escalation_id: int):
    """What was asked and what was decided; while pending, htmx polls this page for its panel."""
    escalation = _escalation_visible_to(request, escalation_id)
    if request.htmx:
        return render(request, "recovery/_escalation_status.html", {"escalation": escalation})
    history = selectors.history_of(escalation)
    return render(request, "recovery/escalation_status.html", {"escalation": escalation, "history": history})


def _safe_next(request, default: str) -> str:
    """Where to go back to: the page's own `next` if it stays on this site, else `default`."""
    target = request.POST.get("next", "")
    # Only a path on this site: anything else (a URL name, another host) falls back to `default`.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@counter_view
def rule_flag_raise(request):
    """'A rule stood in my way': stored for ops, then back to the page the employee was on."""
    back = _safe_next(request, reverse("counter"))
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


@require_GET
@permission_required("recovery.view_escalations", raise_exception=True)
def escalations(request):
    """The manager queue: pending requests of the manager's locations (ops: all, read-only)."""
    queue = selectors.escalation_queue_for(user=request.user)
    return render(request, "recovery/escalation_list.html", {"pending": queue.pending, "decided": queue.decided})


@require_POST
@permission_required("recovery.view_escalations", raise_exception=True)
def escalation_decide(request, escalation_id: int):
    """Approve or decline from the queue; every outcome is a flash on the queue (no page of its own)."""
    escalation = get_object_or_404(Escalation.objects.select_related("location"), pk=escalation_id)
    # A manager of another location, ops, or the manager who asked: the object rule says no.
    if not request.user.has_perm("recovery.decide_escalation", escalation):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("escalations")
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
    return redirect("escalations")


# --- vouchers ------------------------------------------------------------------------------------


def _voucher_status_or_error(form, location):
    """The looked-up voucher, or None with the reason put on the form's code field."""
    try:
        return vouchers.voucher_lookup(code=form.cleaned_data["code"], location=location)
    except vouchers.VoucherError as error:
        form.add_error("code", error.message)
        return None


@require_http_methods(["GET", "POST"])
@counter_view
def voucher_redeem(request):
    """Scan or type a code, see what it is worth, for whom and whether it redeems; redeem in one click.

    GET `?code=` shows the voucher's card (htmx asks as the code is typed and
    gets the card alone); POST redeems it and comes back to the card (PRG).
    """
    location = request.counter_location
    if not request.user.has_perm("recovery.redeem_voucher", location):
        raise PermissionDenied
    if request.method == "POST":
        return _voucher_redeem_post(request, location)
    raw = request.GET.get("code")
    form = VoucherCodeForm(request.GET if raw is not None else None)
    context = {"form": form, "status": None, "token": uuid.uuid4()}
    if request.htmx and raw is not None and vouchers.voucher_code_incomplete(raw):
        # Half a code typed: say how far, rather than "not a voucher code" at every key.
        return render(request, "recovery/_voucher_status.html", {**context, "typed": vouchers.voucher_code_typed(raw)})
    if form.is_bound and form.is_valid():
        context["status"] = _voucher_status_or_error(form, location)
    template = "recovery/_voucher_status.html" if request.htmx else "recovery/voucher_redeem.html"
    return render(request, template, context, status=INVALID if form.errors else 200)


def _voucher_redeem_post(request, location):
    form = VoucherRedeemForm(request.POST)
    status = None
    if form.is_valid():
        code = form.cleaned_data["code"]
        try:
            redemption = vouchers.voucher_redeem(
                actor=request.user, code=code, location=location, token=form.cleaned_data["token"]
            )
        except vouchers.VoucherError as error:
            form.add_error("code", error.message)
            # The card again, as it stands now (who redeemed it first, when it expired), under the refusal.
            try:
                status = vouchers.voucher_lookup(code=code, location=location)
            except vouchers.VoucherError:
                status = None
        else:
            grant = redemption.grant
            messages.success(
                request,
                gettext("Voucher %(code)s redeemed: hand over %(playbook)s (%(amount)s %(currency)s).")
                % {
                    "code": grant.voucher_code,
                    "playbook": grant.playbook_text("name"),
                    "amount": wording.amount(grant.amount, grant.currency),
                    "currency": grant.currency,
                },
            )
            return redirect(f"{reverse('voucher_redeem')}?{urlencode({'code': grant.voucher_code})}")
    return render(
        request,
        "recovery/voucher_redeem.html",
        {"form": form, "status": status, "token": uuid.uuid4()},
        status=INVALID,
    )


@login_not_required
@never_cache
@require_GET
def voucher_public(request, token: str):
    """The customer's voucher page: no login, addressed by a signed link; nothing about the customer on it."""
    code = vouchers.voucher_code_from_link_token(token)
    if code is None:
        raise Http404("No such voucher.")
    try:
        status = vouchers.voucher_lookup(code=code)
    except vouchers.VoucherError:
        raise Http404("No such voucher.") from None
    link = _voucher_link(request, code)
    response = render(
        request,
        "recovery/voucher_public.html",
        {
            "status": status,
            "link": link,
            "qr_svg": _qr_svg(link) if status.is_redeemable else "",
            "redeemed_on": status.redemption.local_redeemed_at.date() if status.redemption else None,
        },
    )
    # A bearer link: kept out of search engines, shared caches and other sites' referrer logs.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
