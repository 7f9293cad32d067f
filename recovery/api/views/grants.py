"""Grants: made exactly once per Idempotency-Key, listed for reconciliation, read, voided."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from compensation.predicates import roles_of
from recovery import selectors, services
from recovery.api import idempotency, serializers
from recovery.api.errors import ApiError
from recovery.api.views.base import (
    IDEMPOTENCY_KEY,
    IntegrationView,
    customer_in_body,
    refused,
    validated,
    validated_query,
)
from recovery.models import Grant


def grant_in_path(grant_id: int) -> Grant:
    if grant_id > serializers.MAX_ID:
        raise ApiError("not_found", "Not found: no grant with this id.", status_code=404)
    try:
        return selectors.api_grant_detail(grant_id=grant_id)
    except Grant.DoesNotExist:
        raise ApiError("not_found", "Not found: no grant with this id.", status_code=404) from None


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
            failure_id=data["case"],
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
