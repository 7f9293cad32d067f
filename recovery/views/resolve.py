"""The counter's second screen: the failure, the playbook cards priced for the purchase, and granting.

Its context helpers (`resolve_context`, `above_limit_panel`, `counter_grant_request`) are
public: an escalation refused shows this page again (`escalations`).
"""

from __future__ import annotations

import uuid

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from compensation.currencies import currency_refusal
from compensation.http import INVALID
from compensation.policy import load_policy
from compensation.predicates import roles_of
from compensation.texts import localized_text
from recovery import selectors, services
from recovery.case_opened import case_opened_stamp
from recovery.forms import EscalateForm, ResolveForm, money_in_currency, money_input
from recovery.models import Customer, Grant, RuleFlag, ServiceFailure
from recovery.views.access import counter_view
from recovery.views.resolve_case import case_for_page, case_shown

# How the counter names each limit that stopped a grant, and the rule a flag about it concerns.
LIMIT_NAMES = {
    "cap": gettext_lazy("Playbook cap and your authority"),
    "customer_limit": gettext_lazy("Per-customer limit"),
    "location_budget": gettext_lazy("Location budget"),
    "case_authority": gettext_lazy("Your authority for this case"),
    "daily_authority": gettext_lazy("Your authority for today"),
    "monthly_authority": gettext_lazy("Your authority for this month"),
}
LIMIT_FLAG_RULES = {
    "cap": RuleFlag.Rule.PLAYBOOK_CAP,
    "customer_limit": RuleFlag.Rule.CUSTOMER_LIMIT,
    "location_budget": RuleFlag.Rule.LOCATION_BUDGET,
    # The authority's sums are the authority's rule, as the cap's last step is.
    "case_authority": RuleFlag.Rule.PLAYBOOK_CAP,
    "daily_authority": RuleFlag.Rule.PLAYBOOK_CAP,
    "monthly_authority": RuleFlag.Rule.PLAYBOOK_CAP,
}


def _chosen_category(data) -> str | None:
    """The failure category the page was sent with, if it is one (anything else: none chosen yet)."""
    category = data.get("category") or ""
    return category if category in ServiceFailure.Category.values else None


def _case_token(data) -> uuid.UUID | None:
    """The case's one-time form token as sent, if it is one (an experiment's draw is stored per case)."""
    try:
        return uuid.UUID(str(data.get("token") or ""))
    except ValueError:
        return None


def _suggested_first(cards, other_cards, suggestion):
    """The experiment's playbook first among the cards (from "other playbooks" too, should ops have unlinked it)."""
    if suggestion is None:
        return cards, other_cards
    picked = [card for card in [*cards, *other_cards] if card.playbook.pk == suggestion.playbook_id]
    rest = [card for card in cards if card.playbook.pk != suggestion.playbook_id]
    return picked + rest, [card for card in other_cards if card.playbook.pk != suggestion.playbook_id]


def _playbook_cards(
    request,
    customer: Customer,
    purchase_value,
    policy=None,
    standing=None,
    usage=None,
    *,
    category=None,
    token=None,
    experiment_reason="",
    draw=True,
    failure_id=None,
):
    """Every active playbook with its cap for this customer at this purchase value, and what it
    can give now (the customer's and the location's usage, read once); those that suit the
    failure's `category` first, the others apart ("Other playbooks"); on a case (`failure_id`), what each
    can give is bounded by the per-case authority left on it. With a running experiment
    for the category, the playbook it drew for this case (`token`) comes first, marked; the draw
    is made when the cards are first shown for the category (`draw`), never by a refused grant."""
    location = request.counter_location
    policy = (policy or load_policy()).at_location(location)
    authority = policy.authority_for(roles_of(request.user), request.user.pk)
    if standing is None:
        standing = selectors.standing_of(customer, location)
    if usage is None:
        usage = selectors.counter_usage_for(
            customer=customer,
            location=location,
            policy=policy,
            authority=authority,
            employee_id=request.user.pk,
            failure_id=failure_id,
        )
    currency = location.currency
    cards, other_cards = selectors.cards_by_fit(
        selectors.playbook_caps(
            policy=policy,
            authority=authority,
            tenure_months=standing.tenure_months,
            status=standing.status,
            lifetime_spend=standing.lifetime_spend,
            purchase_value=purchase_value,
            currency=currency,
            usage=usage,
            location_id=location.pk,
            category=category,
        )
    )
    suggestion = services.experiment_suggestion(
        actor=request.user, token=token, category=category, customer=customer, location=location, draw=draw
    )
    cards, other_cards = _suggested_first(cards, other_cards, suggestion)
    return {
        "cards": cards,
        "other_cards": other_cards,
        "suggestion": suggestion,
        "experiment_reason": experiment_reason,
        "chosen_category": category,
        "authority": authority,
        "quoted_purchase_value": purchase_value,
        "currency": currency,
        "money_input": money_input(currency),
        # The version in force does not state the location's currency: why no card is shown.
        "currency_refusal": currency_refusal(policy, location),
    }


def resolve_context(request, customer, form, purchase_value, *, above_limit=None, case_found=None):
    """The resolve page's context; on a case (the form's `case`, or `case_found` already read as
    (case, refusal)) the case and the per-case room left on it, or why it cannot be added to."""
    data = form.data if form.is_bound else form.initial
    case, case_error = case_found or case_for_page(request, customer, data.get("case"))
    standing = selectors.standing_of(customer, request.counter_location)
    policy = load_policy().at_location(request.counter_location)
    authority = policy.authority_for(roles_of(request.user), request.user.pk)
    usage = selectors.counter_usage_for(
        customer=customer,
        location=request.counter_location,
        policy=policy,
        authority=authority,
        employee_id=request.user.pk,
        failure_id=case.pk if case else None,
    )
    context = {
        "case": case_shown(case, authority, usage, request.counter_location.currency) if case else None,
        "case_error": case_error,
        "customer": customer,
        "tenure_months": standing.tenure_months,
        "tier": policy.tier_of(standing),
        "value": selectors.customer_value(customer=customer),
        "limits": selectors.counter_limits_for(
            customer=customer, location=request.counter_location, policy=policy, usage=usage, standing=standing
        ),
        "form": form,
        "above_limit": above_limit,
        "flag_rules": RuleFlag.Rule.choices,
        "flag_playbooks": [(pk, localized_text(playbook, "name")) for pk, playbook in policy.playbooks.items()],
        **_playbook_cards(
            request,
            customer,
            purchase_value,
            policy,
            standing,
            usage,
            category=_chosen_category(data),
            token=_case_token(data),
            experiment_reason=form.data.get("experiment_reason", ""),
            draw=False,  # a page sent back only shows an earlier draw: a refused grant stores nothing
        ),
        "experiment_reason_errors": form.errors.get("experiment_reason", []) if form.is_bound else [],
    }
    context["other_selected"] = _other_selected(context, form.data.get("playbook"))
    context["grant_amount"] = _amount_chosen(form)
    return context


def _amount_chosen(form):
    """The amount the grant bar names before any script runs: the one sent back, if it was valid."""
    if not form.is_bound:
        return None
    return getattr(form, "cleaned_data", {}).get("amount")


def _other_selected(context, selected) -> bool:
    """Whether the playbook picked is one of the folded "other playbooks" (then they open)."""
    return str(selected or "") in {str(card.playbook.pk) for card in context["other_cards"]}


def _case_fields(data, playbook) -> list[tuple[str, str]]:
    """The resolve form's case as hidden copies, for the 'grant instead' and 'ask a manager' forms."""
    names = [*EscalateForm.CASE_FIELDS, f"quoted_cap_{playbook}"]
    return [(name, data[name]) for name in names if name in data]


def above_limit_panel(form, *, limit=None, escalate_form=None) -> dict:
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
        # The counter found the customer: they came today (at most one visit a day here). The visit feeds the
        # return rates (what recovery buys) and puts the customer in today's customers at this counter.
        services.visit_record_at_counter(actor=request.user, customer=customer, location=request.counter_location)
        token = uuid.uuid4()
        # The case is met now: the signed moment comes back with the grant as the failure's time.
        initial = {"token": token, "opened": case_opened_stamp(token)}
        # "Add another compensation to this case": the case's facts prefilled, the cards priced for them.
        case, case_error = case_for_page(request, customer, request.GET.get("case"))
        if case is not None:
            initial |= {
                "case": case.pk,
                "category": case.category,
                "purchase_value": case.purchase_value,
                "note": case.note,
            }
        form = ResolveForm(initial=initial, currency=request.counter_location.currency)
        return render(
            request,
            "recovery/counter_resolve.html",
            resolve_context(
                request,
                customer,
                form,
                case.purchase_value if case else None,
                case_found=(case, case_error),
            ),
            status=INVALID if case_error else 200,
        )

    if request.POST.get("ask_manager"):
        return _ask_manager(request, customer)
    form = ResolveForm(request.POST, currency=request.counter_location.currency)
    grant = _grant_from_form(request, customer, form) if form.is_valid() else None
    if grant is not None:
        return redirect("counter_granted", grant_id=grant.pk)
    # Re-price the cards for the value typed, even when that field itself was refused.
    purchase_value = getattr(form, "priced_purchase_value", None)
    limit = getattr(form, "limit_exceeded", None)
    above_limit = above_limit_panel(form, limit=limit) if limit is not None else None
    return render(
        request,
        "recovery/counter_resolve.html",
        resolve_context(request, customer, form, purchase_value, above_limit=above_limit),
        status=INVALID,
    )


def _ask_manager(request, customer):
    """'Ask a manager' on a card that can give nothing now: the same page with the escalation panel
    for that playbook and the limits that stop it; nothing is granted."""
    data = request.POST.copy()
    data["playbook"], data["amount"] = data["ask_manager"], ""
    form = ResolveForm(data, currency=request.counter_location.currency)
    limit = None
    if form.is_valid():
        form.priced_purchase_value = form.cleaned_data["purchase_value"]
        grant_request = counter_grant_request(request, customer, form.cleaned_data, form.quoted_cap(), form.opened_at())
        try:
            limit = services.grant_refusal(actor=request.user, roles=roles_of(request.user), request=grant_request)
        except services.RecoveryError as error:
            form.add_error(error.field, error.message)
    purchase_value = getattr(form, "priced_purchase_value", None)
    above_limit = above_limit_panel(form, limit=limit) if limit is not None else None
    return render(
        request,
        "recovery/counter_resolve.html",
        resolve_context(request, customer, form, purchase_value, above_limit=above_limit),
        status=INVALID if form.errors else 200,
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
    grant_request = counter_grant_request(request, customer, data, form.quoted_cap(), form.opened_at())
    try:
        return services.grant_issue(actor=request.user, roles=roles_of(request.user), request=grant_request).grant
    except services.LimitExceeded as error:
        form.add_error(error.field, error.message)
        form.limit_exceeded = error  # the page offers "grant what is allowed" or "ask a manager"
        return None
    except services.RecoveryError as error:
        form.add_error(error.field, error.message)
        return None


def counter_grant_request(request, customer, data, quoted_cap, opened_at=None) -> services.GrantRequest:
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
        experiment_reason=data.get("experiment_reason", ""),
        failure_id=data.get("case"),
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
    case, case_error = case_for_page(request, customer, request.GET.get("case"))
    error = error or case_error or None
    context = _playbook_cards(
        request,
        customer,
        purchase_value,
        category=_chosen_category(request.GET),
        token=_case_token(request.GET),
        experiment_reason=request.GET.get("experiment_reason", ""),
        failure_id=case.pk if case else None,
    )
    context["quote_error"] = error
    context["selected_playbook"] = request.GET.get("playbook", "")
    context["other_selected"] = _other_selected(context, context["selected_playbook"])
    return render(request, "recovery/_playbook_cards.html", context, status=INVALID if error else 200)
