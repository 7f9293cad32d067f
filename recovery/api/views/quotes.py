"""Quotes: every playbook's cap for a customer and purchase value, as the counter's cards show them."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from compensation.currencies import currency_refusal
from recovery import selectors, services
from recovery.api import serializers
from recovery.api.views.base import IntegrationView, customer_in_body, refused, validated


class QuoteView(IntegrationView):
    """Every playbook's cap for a customer and purchase value, as the counter's cards show them."""

    permissions = {"POST": "recovery.use_counter"}

    @extend_schema(
        operation_id="quotes_create",
        summary="Every playbook's cap for a customer and purchase value",
        description="What this token could grant now under the policy version in force: each active playbook's "
        "cap with how it was computed (percentage → floor/ceiling → tier multiplier, by tenure, status or lifetime "
        "spend, the highest applying → the role's authority), "
        "and what can be granted now within the per-customer limits and the location budget "
        "(`available_now`, `limited_by`). Every limit is checked again when granting.",
        request=serializers.QuoteRequest,
        responses={200: serializers.QuoteResponse},
    )
    def post(self, request):
        data = validated(serializers.QuoteRequest, request.data)
        customer = customer_in_body(data["customer"])
        try:
            services.purchase_value_check(data["purchase_value"], self.location.currency)
        except services.RecoveryError as error:
            raise refused(error) from None
        case = data["case"]
        if case is not None and not selectors.case_exists(customer=customer, location=self.location, case_id=case):
            raise refused(
                services.RecoveryError(
                    "case", gettext("Case: case #%(case)s is not this customer's at this location.") % {"case": case}
                )
            )
        quote = selectors.customer_quote_for(
            user=request.user,
            customer=customer,
            location=self.location,
            purchase_value=data["purchase_value"],
            failure_id=case,
        )
        if quote.policy.unstated_currency:
            # Never the policy currency's amounts read as this location's: refused, saying why.
            raise refused(services.RecoveryError(None, currency_refusal(quote.policy, self.location)))
        body = {
            "customer": customer.pk,
            "purchase_value": data["purchase_value"],
            "currency": quote.currency,
            "policy_version": quote.policy.version.number if quote.policy.version else None,
            "tenure_months": quote.tenure_months,
            "tenure_tier": quote.tier.name,
            "status": quote.standing.status,
            "lifetime_spend": quote.standing.lifetime_spend,
            "authority": {
                "role": quote.authority.role,
                "limit": quote.authority.limit,
                "per_case": quote.authority.per_case,
                "daily": quote.authority.daily_limit,
                "monthly": quote.authority.monthly_limit,
            },
            "case": None if case is None else {"id": case, "granted": quote.case_total},
            "authority_limits": [
                {"limit": stop.limit, "allows": stop.allows, "explanation": stop.text} for stop in quote.authority_stops
            ],
            "playbooks": [
                {
                    "id": cap.playbook.id,
                    "code": cap.playbook.code,
                    "name": cap.playbook.name,
                    "kind": cap.playbook.kind,
                    "offer": cap.playbook.offer,
                    "cap": cap.quote.cap,
                    "tenure_tier": cap.quote.tier.name,
                    "tier_source": cap.quote.tier.source,
                    "limited_by_authority": cap.quote.limited_by_authority,
                    "explanation": cap.quote.explanation,
                    "available_now": cap.available.amount,
                    "limited_by": cap.available.limited_by,
                    "limited_by_text": cap.available.line,
                }
                for cap in quote.caps
            ],
        }
        return Response(serializers.QuoteResponse(body).data)
