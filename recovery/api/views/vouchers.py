"""Vouchers: a voucher's status by its code, and redeeming it exactly once at the token's location."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from compensation.http import INVALID
from recovery.api import idempotency, serializers
from recovery.api.errors import ApiError
from recovery.api.views.base import IDEMPOTENCY_KEY, IntegrationView, validated
from recovery.vouchers import VoucherError, VoucherStatus, voucher_lookup, voucher_redeem

# VoucherError.code → (the API's code, status). Expired is a refusal of this request (422); redeemed
# and voided are the voucher's state (409); an unknown code names nothing (404).
VOUCHER_ERRORS = {
    VoucherError.NOT_A_VOUCHER: ("not_a_voucher", INVALID),
    VoucherError.NOT_FOUND: ("voucher_not_found", 404),
    VoucherError.ALREADY_REDEEMED: ("voucher_already_redeemed", 409),
    VoucherError.EXPIRED: ("voucher_expired", INVALID),
    VoucherError.VOIDED: ("voucher_voided", 409),
}


def redemption_body(redemption) -> dict:
    return {
        "location": {"code": redemption.location.code, "name": redemption.location.name},
        "redeemed_by": redemption.redeemed_by_username,
        "redeemed_at": redemption.redeemed_at,
    }


def voucher_refused(error: VoucherError) -> ApiError:
    code, status = VOUCHER_ERRORS.get(error.code, ("validation_error", INVALID))
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
