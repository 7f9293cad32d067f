"""Vouchers: the redeem request, a voucher's status and a redemption."""

from __future__ import annotations

from rest_framework import serializers

from recovery.api.serializers.fields import AmountField, InCurrency, TextField
from recovery.api.serializers.grants import LocationRef

MAX_VOUCHER_INPUT = 200  # a code, or the customer's voucher link as a QR code reader types it


class RedeemRequest(serializers.Serializer):
    code = TextField(
        max_length=MAX_VOUCHER_INPUT,
        help_text="The voucher code, e.g. 7KQ4M-XR9TB (any case, dash optional), or the customer's voucher link.",
    )


class RedemptionRef(serializers.Serializer):
    location = LocationRef()
    redeemed_by = serializers.CharField()
    redeemed_at = serializers.DateTimeField()


class VoucherStatusSerializer(InCurrency, serializers.Serializer):
    code = serializers.CharField()
    state = serializers.ChoiceField(choices=["valid", "redeemed", "expired", "voided"])
    message = serializers.CharField(help_text="The state in words, e.g. “Valid until 3 March 2027.”")
    amount = AmountField()
    currency = serializers.CharField()
    item = serializers.CharField(help_text="The playbook's name.")
    offer = serializers.CharField(help_text="What the customer was promised.")
    customer_name = serializers.CharField(help_text="First name and initial: enough to greet the right person.")
    expires_on = serializers.DateField(allow_null=True)
    grant = serializers.IntegerField()
    issued_at = LocationRef()
    redemption = RedemptionRef(allow_null=True)


class RedemptionSerializer(VoucherStatusSerializer):
    """The voucher just redeemed here (state "redeemed", with this redemption)."""
