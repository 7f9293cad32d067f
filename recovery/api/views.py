"""The integration API's endpoints. Thin: check the rule, validate, call one service or selector, answer.

Every view authenticates with the integration's bearer token (never a session),
and every decision goes through the same `rules` permissions as the pages.
"""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from compensation.policy import load_policy, tenure_in_months
from compensation.predicates import roles_of
from recovery import selectors, services
from recovery.api import idempotency, serializers
from recovery.api.errors import ApiError
from recovery.models import ApiToken, Customer, Grant
from recovery.vouchers import VoucherError, VoucherStatus, voucher_lookup, voucher_redeem

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per grant or redemption (a UUID); send the same key again when retrying "
    "so it is never done twice. Remembered for at least 24 hours.",
)


class RulesPermission(BasePermission):
    """The token's user has the view's `rules` permission for this method (the object is checked in the view)."""

    message = "This token's role may not do this."

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        if not token.location.is_active:
            self.message = f"{token.location.name} is closed: this token may do nothing until it reopens."
            return False
        method = "GET" if request.method == "HEAD" else request.method
        if method not in view.permissions:
            return True  # a method the view does not have: it answers 405
        return request.user.has_perm(view.permissions[method])


class IntegrationView(APIView):
    """Base of every endpoint: `permissions` maps each method to the `rules` permission it needs.

    The API always answers in English: its clients are programs, which match
    its messages and log them for people who share no one language. Whatever
    the request's Accept-Language or cookie, and whatever language the token's
    user reads the pages in, the whole dispatch (authentication, the service's
    refusals, DRF's own messages, the exception handler) runs in English.
    """

    permission_classes = [RulesPermission]
    permissions: dict[str, str] = {}
    http_method_names = ["get", "post", "head"]  # no OPTIONS metadata: the OpenAPI schema describes the API

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
        # LocaleMiddleware would label the answer with the browser's language: say what it is.
        response.headers["Content-Language"] = "en"
        return response

    def check_object(self, request, permission: str, obj) -> None:
        if not request.user.has_perm(permission, obj):
            self.permission_denied(request, message=f"This token may not see or change {obj}.")

    @property
    def location(self):
        return self.request.auth.location


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def validated_query(serializer_class, request) -> dict:
    """The query string, checked: an unknown parameter (a typo such as `?phon=`) is refused, not ignored."""
    params = request.query_params.dict()  # '' is a value to check, not a parameter left out
    known = serializer_class().fields
    unknown = sorted(name for name in params if name not in known)
    if unknown:
        raise ApiError(
            "validation_error",
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Known: {', '.join(known)}.",
            fields={name: ["Unknown parameter."] for name in unknown},
        )
    return validated(serializer_class, params)


def refused(error: services.RecoveryError) -> ApiError:
    """A service's refusal as a 422 naming the field it concerns."""
    fields = {error.field: [error.message]} if error.field else {}
    return ApiError("validation_error" if error.field else "refused", error.message, fields=fields)


def customer_in_body(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ApiError(
            "validation_error",
            "customer: no customer with this id.",
            fields={"customer": ["No customer with this id."]},
        )
    return customer


def grant_in_path(grant_id: int) -> Grant:
    if grant_id > serializers.MAX_ID:
        raise ApiError("not_found", "Not found: no grant with this id.", status_code=404)
    try:
        return selectors.api_grant_detail(grant_id=grant_id)
    except Grant.DoesNotExist:
        raise ApiError("not_found", "Not found: no grant with this id.", status_code=404) from None


# --- customers ------------------------------------------------------------------------------


def customer_rows(customers, location) -> list[dict]:
    """Customers with their tenure at the location today and the tier it reaches (one policy query)."""
    policy = load_policy()
    today = location.today()
    rows = []
    for customer in customers:
        tenure = tenure_in_months(customer.customer_since, today)
        rows.append(
            {
                "id": customer.pk,
                "name": customer.name,
                "phone": customer.phone,
                "email": customer.email,
                "loyalty_card": customer.loyalty_card,
                "customer_since": customer.customer_since,
                "tenure_months": tenure,
                "tenure_tier": policy.tier_for(tenure).name,
            }
        )
    return serializers.CustomerSerializer(rows, many=True).data


class CustomerCollection(IntegrationView):
    """Customers by phone, email or loyalty card; find-or-add for a point of sale or CRM."""

    permissions = {"GET": "recovery.view_customer", "POST": "recovery.add_customer"}

    @extend_schema(
        operation_id="customers_lookup",
        summary="Look a customer up by phone, email or loyalty card",
        parameters=[
            OpenApiParameter("phone", str, description="Any format; +44… or a number of the desk's region."),
            OpenApiParameter("email", str),
            OpenApiParameter("card", str, description="The loyalty card number."),
        ],
        responses={200: serializers.CustomerList},
    )
    def get(self, request):
        query = validated_query(serializers.CustomerLookupQuery, request)
        customers = selectors.customers_by_identifier(
            phone=query["phone"], email=query["email"], loyalty_card=query["card"]
        )
        return Response({"results": customer_rows(customers, self.location)})

    @extend_schema(
        operation_id="customers_upsert",
        summary="Find the customer by phone, email or card, or add them",
        description="Returns 200 with the customer found (unchanged), or 201 with the customer added. "
        "A found customer whose other details differ is refused (403 `customer_change_not_allowed`): "
        "only ops change a customer's details. Tenure counts from `customer_since` (default today).",
        request=serializers.CustomerUpsertRequest,
        responses={200: serializers.CustomerSerializer, 201: serializers.CustomerSerializer},
    )
    def post(self, request):
        data = validated(serializers.CustomerUpsertRequest, request.data)
        try:
            outcome = services.customer_upsert(actor=request.user, location=self.location, **data)
        except services.RecoveryError as error:
            if error.field is None:
                raise ApiError("customer_conflict", error.message, status_code=409) from None
            raise refused(error) from None
        if outcome.differences and not request.user.has_perm("recovery.change_customer", outcome.customer):
            raise ApiError(
                "customer_change_not_allowed",
                f"Customer #{outcome.customer.pk} exists with other details; only ops change a customer's "
                "details, so nothing was changed. The desk has: "
                + "; ".join(f"{field} “{value}”" for field, value in outcome.differences.items())
                + ".",
                status_code=403,
                fields={field: [f"The desk has “{value}”."] for field, value in outcome.differences.items()},
            )
        return Response(customer_rows([outcome.customer], self.location)[0], status=201 if outcome.created else 200)


class CustomerDetail(IntegrationView):
    """One customer with their tenure at the token's location today."""

    permissions = {"GET": "recovery.view_customer"}

    @extend_schema(
        operation_id="customers_read",
        summary="One customer with their tenure",
        responses=serializers.CustomerSerializer,
    )
    def get(self, request, customer_id: int):
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id <= serializers.MAX_ID else None
        if customer is None:
            raise ApiError("not_found", "Not found: no customer with this id.", status_code=404)
        self.check_object(request, "recovery.view_customer", customer)
        return Response(customer_rows([customer], self.location)[0])


# --- quotes ---------------------------------------------------------------------------------


class QuoteView(IntegrationView):
    """Every playbook's cap for a customer and purchase value, as the counter's cards show them."""

    permissions = {"POST": "recovery.use_counter"}

    @extend_schema(
        operation_id="quotes_create",
        summary="Every playbook's cap for a customer and purchase value",
        description="What this token could grant now under the policy version in force: each active playbook's "
        "cap with how it was computed (percentage → floor/ceiling → tenure multiplier → the role's authority). "
        "The per-customer limits and the location budget are checked when granting.",
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
        quote = selectors.customer_quote_for(
            user=request.user, customer=customer, location=self.location, purchase_value=data["purchase_value"]
        )
        body = {
            "customer": customer.pk,
            "purchase_value": data["purchase_value"],
            "currency": quote.currency,
            "policy_version": quote.policy.version.number if quote.policy.version else None,
            "tenure_months": quote.tenure_months,
            "tenure_tier": quote.tier.name,
            "authority": {"role": quote.authority.role, "limit": quote.authority.limit},
            "playbooks": [
                {
                    "id": cap.playbook.id,
                    "code": cap.playbook.code,
                    "name": cap.playbook.name,
                    "kind": cap.playbook.kind,
                    "offer": cap.playbook.offer,
                    "cap": cap.quote.cap,
                    "tenure_tier": cap.quote.tier.name,
                    "limited_by_authority": cap.quote.limited_by_authority,
                    "explanation": cap.quote.explanation,
                }
                for cap in quote.caps
            ],
        }
        return Response(serializers.QuoteResponse(body).data)


# --- grants ---------------------------------------------------------------------------------


def limit_exceeded(error: services.LimitExceeded, currency: str) -> ApiError:
    """422 `limit_exceeded`, its amounts written with the location's currency's decimals."""

    def amount(value):
        return serializers.api_amount(value, currency)

    return ApiError(
        "limit_exceeded",
        error.message,
        fields={"amount": [error.message]},
        extra={
            "allowed": amount(error.allowed),
            "requested": None if error.requested is None else amount(error.requested),
            "stops": [{"limit": s.limit, "allows": amount(s.allows), "reason": s.reason} for s in error.stops],
        },
    )


class GrantCollection(IntegrationView):
    """Grants: made exactly once per Idempotency-Key, listed for reconciliation."""

    permissions = {"GET": "recovery.use_counter", "POST": "recovery.add_grant"}

    @extend_schema(
        operation_id="grants_list",
        summary="Grants for reconciliation, oldest first",
        description="A manager token lists every grant of its location (also those made at the counter); a "
        "frontline token lists the grants it made. Keyset pages: pass `next_cursor` as `cursor` until it is null.",
        parameters=[serializers.GrantListQuery],
        responses={200: serializers.GrantPage},
    )
    def get(self, request):
        query = validated_query(serializers.GrantListQuery, request)
        page, more = selectors.api_grant_page(
            user=request.user,
            since=query.get("since"),
            until=query.get("until"),
            after=query.get("cursor"),
            limit=query["limit"],
        )
        next_cursor = f"{page[-1].granted_at.isoformat()}_{page[-1].pk}" if more else None
        return Response({"results": serializers.GrantSerializer(page, many=True).data, "next_cursor": next_cursor})

    @extend_schema(
        operation_id="grants_create",
        summary="Log the failure and grant compensation, exactly once",
        description="The cap is recomputed from the policy in force; above the cap, the customer's rolling limits "
        "or the location budget the grant is refused (422 `limit_exceeded`, with what may be granted and each "
        "limit that stops more). The same Idempotency-Key and body again returns the first answer.",
        request=serializers.GrantRequest,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: serializers.GrantSerializer, 422: serializers.ErrorSerializer},
    )
    def post(self, request):
        attempt, replay = idempotency.replay_if_seen(request)
        if replay is not None:
            return replay
        data = validated(serializers.GrantRequest, request.data)
        grant_request = services.GrantRequest(
            customer=customer_in_body(data["customer"]),
            location=self.location,
            category=data["category"],
            purchase_value=data["purchase_value"],
            note=data["note"].strip(),
            playbook_id=data["playbook"],
            amount=data["amount"],
            token=idempotency.derived_uuid(attempt.token, attempt.key),
            quoted_cap=data["quoted_cap"],
        )

        def grant():
            # The key's grant after its record was pruned (over 24 h): the grant's own token still knows it.
            earlier = Grant.objects.filter(granted_by=request.user, token=grant_request.token).first()
            if earlier is not None and earlier.request_fingerprint != grant_request.fingerprint():
                raise idempotency.key_reused(attempt, earlier.granted_at)
            try:
                outcome = services.grant_issue(actor=request.user, roles=roles_of(request.user), request=grant_request)
            except services.LimitExceeded as error:
                raise limit_exceeded(error, self.location.currency) from None
            except services.RecoveryError as error:
                raise refused(error) from None
            grant = selectors.api_grant_detail(grant_id=outcome.grant.pk)
            response = Response(serializers.GrantSerializer(grant).data, status=201)
            if outcome.replayed:
                response[idempotency.REPLAYED_HEADER] = "true"
            return response

        return idempotency.respond_once(attempt, grant)


class GrantDetail(IntegrationView):
    """One grant as it was made (and voided), if the token may see it."""

    permissions = {"GET": "recovery.use_counter"}

    @extend_schema(operation_id="grants_read", summary="One grant", responses=serializers.GrantSerializer)
    def get(self, request, grant_id: int):
        grant = grant_in_path(grant_id)
        self.check_object(request, "recovery.view_grant", grant)
        return Response(serializers.GrantSerializer(grant).data)


class GrantVoid(IntegrationView):
    """Void a grant with a reason: a manager token of the grant's location only."""

    # Reviewing grants (a manager token) first; then the rule for this very grant: a manager of its location.
    permissions = {"POST": "recovery.view_audit"}

    @extend_schema(
        operation_id="grants_void",
        summary="Void a grant with a reason (a manager token of the grant's location)",
        request=serializers.VoidRequest,
        responses={200: serializers.GrantSerializer},
    )
    def post(self, request, grant_id: int):
        grant = grant_in_path(grant_id)
        self.check_object(request, "recovery.void_grant", grant)
        data = validated(serializers.VoidRequest, request.data)
        try:
            services.grant_void(actor=request.user, grant_id=grant.pk, reason=data["reason"])
        except services.RecoveryError as error:
            if error.field is not None:
                raise refused(error) from None
            grant.refresh_from_db(fields=["status"])
            # Either someone voided it first, or its voucher was redeemed: the customer has had it.
            code = "already_voided" if grant.is_voided else "voucher_already_redeemed"
            raise ApiError(code, error.message, status_code=409) from None
        return Response(serializers.GrantSerializer(selectors.api_grant_detail(grant_id=grant.pk)).data)


# --- vouchers -------------------------------------------------------------------------------

# VoucherError.code → (the API's code, status). Expired is a refusal of this request (422); redeemed
# and voided are the voucher's state (409); an unknown code names nothing (404).
VOUCHER_ERRORS = {
    VoucherError.NOT_A_VOUCHER: ("not_a_voucher", 422),
    VoucherError.NOT_FOUND: ("voucher_not_found", 404),
    VoucherError.ALREADY_REDEEMED: ("voucher_already_redeemed", 409),
    VoucherError.EXPIRED: ("voucher_expired", 422),
    VoucherError.VOIDED: ("voucher_voided", 409),
}


def redemption_body(redemption) -> dict:
    return {
        "location": {"code": redemption.location.code, "name": redemption.location.name},
        "redeemed_by": redemption.redeemed_by_username,
        "redeemed_at": redemption.redeemed_at,
    }


def voucher_refused(error: VoucherError) -> ApiError:
    code, status = VOUCHER_ERRORS.get(error.code, ("validation_error", 422))
    extra = {"redemption": redemption_body(error.redemption)} if error.redemption is not None else {}
    return ApiError(code, error.message, status_code=status, fields={"code": [error.message]}, extra=extra)


def voucher_body(status: VoucherStatus) -> dict:
    grant = status.grant
    return {
        "code": status.code,
        "state": status.state.value,
        "message": status.message,
        "amount": status.amount,
        "currency": status.currency,
        "item": status.item,
        "offer": status.offer,
        "customer_name": status.customer_name,
        "expires_on": status.expires_on,
        "grant": grant.pk,
        "issued_at": {"code": grant.location.code, "name": grant.location.name},
        "redemption": redemption_body(status.redemption) if status.redemption is not None else None,
    }


class VoucherDetail(IntegrationView):
    """A voucher's status by its code: what it is worth and whether it redeems now (changes nothing)."""

    permissions = {"GET": "recovery.use_counter"}

    @extend_schema(
        operation_id="vouchers_read",
        summary="Look a voucher up by its code",
        description="Any case, with or without the dash. An expired, voided or redeemed voucher is a state "
        "(200), not an error; an unknown code is 404.",
        responses={200: serializers.VoucherStatusSerializer},
    )
    def get(self, request, code: str):
        try:
            status = voucher_lookup(code=code[: serializers.MAX_VOUCHER_INPUT], location=self.location)
        except VoucherError as error:
            raise voucher_refused(error) from None
        return Response(serializers.VoucherStatusSerializer(voucher_body(status)).data)


class VoucherRedeem(IntegrationView):
    """Redeem a voucher at the token's location (any location, not only the issuing one), exactly once."""

    permissions = {"POST": "recovery.use_counter"}

    @extend_schema(
        operation_id="vouchers_redeem",
        summary="Redeem a voucher at this token's location, exactly once",
        description="A voucher redeems once, anywhere: a second redemption is 409 `voucher_already_redeemed` "
        "naming where, by whom and when. The same Idempotency-Key and body again returns the first answer.",
        request=serializers.RedeemRequest,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: serializers.RedemptionSerializer},
    )
    def post(self, request):
        attempt, replay = idempotency.replay_if_seen(request)
        if replay is not None:
            return replay
        data = validated(serializers.RedeemRequest, request.data)

        def redeem():
            try:
                redemption = voucher_redeem(
                    actor=request.user,
                    code=data["code"],
                    location=self.location,
                    # The key's own token: after the key is pruned, a late retry still gets this redemption.
                    token=idempotency.derived_uuid(attempt.token, attempt.key),
                )
            except VoucherError as error:
                raise voucher_refused(error) from None
            status = voucher_lookup(code=redemption.grant.voucher_code, location=self.location)
            return Response(serializers.RedemptionSerializer(voucher_body(status)).data, status=201)

        return idempotency.respond_once(attempt, redeem)
