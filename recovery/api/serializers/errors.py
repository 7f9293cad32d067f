"""The error answer every operation can give (`Error` in the schema)."""

from __future__ import annotations

from rest_framework import serializers

from recovery.api.serializers.fields import AmountField
from recovery.api.serializers.vouchers import RedemptionRef


class LimitStopSerializer(serializers.Serializer):
    limit = serializers.CharField(
        help_text="cap, customer_limit, location_budget, case_authority, daily_authority or monthly_authority"
    )
    allows = AmountField()
    reason = serializers.CharField()


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField(help_text="Stable and machine-readable, e.g. validation_error, limit_exceeded.")
    message = serializers.CharField(help_text="For people: what was refused and why.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each refused field (or header) with its reasons.",
    )
    allowed = AmountField(required=False, help_text="limit_exceeded: what may be granted now.")
    requested = AmountField(required=False)
    stops = LimitStopSerializer(many=True, required=False, help_text="limit_exceeded: each limit that stops it.")
    redemption = RedemptionRef(required=False, help_text="voucher_already_redeemed: where, by whom and when.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetail()
