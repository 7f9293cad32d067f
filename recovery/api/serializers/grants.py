"""Grants: the grant request, a grant as made (and voided), the reconciliation list and its query, voiding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recovery.api.serializers.fields import AmountField, InCurrency, MoneyField, TextField, api_amount, money, record_id
from recovery.api.serializers.quotes import AuthoritySerializer
from recovery.forms.money import MAX_MONEY
from recovery.models import Grant, ServiceFailure


class GrantRequest(serializers.Serializer):
    """The failure met and the compensation to give for it, in one request (as at the counter)."""

    customer = record_id(help_text="The customer's id.")
    category = serializers.ChoiceField(choices=ServiceFailure.Category.choices, help_text="What went wrong.")
    purchase_value = money(zero_allowed=True, help_text='What the customer paid; "0" when nothing was bought.')
    playbook = record_id(help_text="The playbook's id, as the quote lists it.")
    amount = money(
        required=False, allow_null=True, default=None, help_text="Leave out (or null) to grant the full cap."
    )
    note = TextField(multiline=True, max_length=500, required=False, allow_blank=True, default="")
    quoted_cap = MoneyField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_MONEY,
        required=False,
        allow_null=True,
        default=None,
        help_text="The cap the quote showed; if the policy changed since, the grant is refused instead of "
        "made at another cap.",
    )
    case = record_id(
        required=False,
        allow_null=True,
        default=None,
        help_text="A further grant on an existing case: its id (a grant's `failure.id`). The case's category, "
        "purchase value and note are kept; all its active grants together stay within the per-case authority.",
    )


class CustomerRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LocationRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FailureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    purchase_value = AmountField()
    note = serializers.CharField()
    logged_at = serializers.DateTimeField()


class PlaybookRef(serializers.Serializer):
    id = serializers.IntegerField(source="playbook_id")
    name = serializers.CharField(source="playbook_name")
    kind = serializers.CharField(source="playbook_kind")


class VoucherSerializer(serializers.Serializer):
    code = serializers.CharField()
    expires_on = serializers.DateField()


class GrantSerializer(InCurrency, serializers.Serializer):
    """A grant as made: the cap, its explanation and the policy values are those in force then."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Grant.Status.choices)
    customer = CustomerRef()
    location = LocationRef()
    failure = FailureSerializer()
    playbook = PlaybookRef(source="*")
    amount = AmountField()
    cap = AmountField()
    currency = serializers.CharField()
    tenure_months = serializers.IntegerField()
    tenure_tier = serializers.CharField()
    authority = serializers.SerializerMethodField()
    policy_version = serializers.SerializerMethodField()
    cap_steps = serializers.ListField(child=serializers.CharField())
    limit_notes = serializers.ListField(child=serializers.CharField())
    offer = serializers.SerializerMethodField()
    apology_script = serializers.SerializerMethodField()
    voucher = serializers.SerializerMethodField()
    granted_at = serializers.DateTimeField()
    granted_by = serializers.CharField(source="granted_by_username")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, read_only=True)
    voided_at = serializers.DateTimeField(allow_null=True)
    voided_by = serializers.CharField(source="voided_by.username", allow_null=True, read_only=True)
    void_reason = serializers.CharField()

    @extend_schema_field(AuthoritySerializer)
    def get_authority(self, grant):
        return {"role": grant.authority_role, "limit": api_amount(grant.authority_limit, grant.currency)}

    def get_policy_version(self, grant) -> int | None:
        return grant.policy_version.number if grant.policy_version_id else None

    def _snapshot(self, grant, name: str) -> str:
        # The words as published when the grant was made (the live playbook row is the ops draft).
        return (grant.policy_snapshot or {}).get(name) or ""

    def get_offer(self, grant) -> str:
        return self._snapshot(grant, "offer")

    def get_apology_script(self, grant) -> str:
        return self._snapshot(grant, "apology_script")

    @extend_schema_field(VoucherSerializer(allow_null=True))
    def get_voucher(self, grant):
        if not grant.voucher_code:
            return None
        return {"code": grant.voucher_code, "expires_on": grant.voucher_expires_on.isoformat()}


class GrantListQuery(serializers.Serializer):
    since = serializers.DateTimeField(required=False, help_text="Grants made at or after this time (ISO 8601).")
    until = serializers.DateTimeField(required=False, help_text="Grants made before this time (ISO 8601).")
    cursor = TextField(
        required=False, max_length=100, help_text="`next_cursor` of the previous page; leave out for the first."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)

    def validate_cursor(self, value):
        """'<granted_at ISO>_<id>' as `next_cursor` gives it → (aware datetime, id)."""
        stamp, _, last_id = value.rpartition("_")
        try:
            when = parse_datetime(stamp)
        except ValueError:
            when = None
        if when is None or not (last_id.isascii() and last_id.isdigit() and 0 < len(last_id) <= 18):
            raise serializers.ValidationError("Not a cursor this API gave: send `next_cursor` unchanged.")
        if timezone.is_naive(when):
            when = timezone.make_aware(when, dt.UTC)
        try:
            when = when.astimezone(dt.UTC)
        except OverflowError:
            raise serializers.ValidationError("Not a cursor this API gave: send `next_cursor` unchanged.") from None
        return when, int(last_id)

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since is not None and until is not None and until <= since:
            raise serializers.ValidationError({"until": ["Must be after since."]})
        return attrs


class GrantPage(serializers.Serializer):
    results = GrantSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Send as `cursor` for the next page; null on the last page."
    )


class VoidRequest(serializers.Serializer):
    reason = TextField(multiline=True, max_length=500, help_text="Why the grant is voided: kept in the audit.")

    def validate_reason(self, value):
        if not value.strip():
            raise serializers.ValidationError("Say why the grant is voided.")
        return value.strip()
