"""What the API reads and writes. Input serializers check formats only (the counter forms' rules);
whether a grant may be made is the services' decision. Money is a string with its currency's decimals
("12.50" euros, "158" yen): `AmountField` on the way out, `MoneyField` (up to two decimals) on the way in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compensation.money import quantize
from recovery.forms import MAX_MONEY
from recovery.models import Grant, ServiceFailure
from recovery.services import phone_normalize

MAX_ID = 2**63 - 1  # the database's bigint: a larger id names nothing (and must not reach the database)
EARLIEST_CUSTOMER_SINCE = dt.date(1900, 1, 1)


class TextField(serializers.CharField):
    """Text that must arrive as a JSON string: `0` or `true` for a name is a mistake, not "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class EmailAddressField(serializers.EmailField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


MONEY_SCHEMA = {
    "oneOf": [
        {"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$", "example": "48.00"},
        {"type": "number", "multipleOf": 0.01},
    ]
}


@extend_schema_field(MONEY_SCHEMA)
class MoneyField(serializers.DecimalField):
    """An amount as a string ("48.00") or a JSON number (read as an exact Decimal, never a float)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, Decimal)):
            self.fail("invalid")
        return super().to_internal_value(data)


class RecordIdField(serializers.IntegerField):
    """A record's id: a JSON integer (not "5", not 5.0, not true)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def api_amount(value, currency: str) -> str:
    """An amount as the API writes it: a string with exactly the currency's decimals ("12.50", "158").

    A yen amount is stored as 158.00 (every amount column has two decimals), but
    "158.00" would claim a precision the currency does not have; a till or a
    CRM formatting it by the currency's own rules reads "158" as is.
    """
    return f"{quantize(Decimal(value), currency):f}"


class InCurrency:
    """A serializer whose object carries a `currency` (a grant, a quote, a voucher): the `AmountField`s in it,
    nested ones included, are written with that currency's decimals."""

    def to_representation(self, instance):
        self._currency = instance["currency"] if isinstance(instance, dict) else instance.currency
        return super().to_representation(instance)


class AmountField(serializers.DecimalField):
    """An amount the API writes, with the decimals of the currency of the object it belongs to.

    The schema stays a decimal string of up to two decimals (both "12.50" and
    "158" match it); outside an `InCurrency` serializer it keeps two decimals.
    """

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_representation(self, value):
        node = getattr(self, "parent", None)
        while node is not None:
            currency = getattr(node, "_currency", None)
            if currency:
                return api_amount(value, currency)
            node = getattr(node, "parent", None)
        return super().to_representation(value)


def money(**kwargs) -> MoneyField:
    return MoneyField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_MONEY, **kwargs)


def record_id(**kwargs) -> RecordIdField:
    return RecordIdField(min_value=1, max_value=MAX_ID, **kwargs)


# --- customers ------------------------------------------------------------------------------


class CustomerIdentifiers(serializers.Serializer):
    """Phone (any format; stored as +44…), email and loyalty card, normalised as the counter stores them."""

    phone = TextField(max_length=40, required=False, allow_blank=True, default="")
    email = EmailAddressField(max_length=254, required=False, allow_blank=True, default="")
    loyalty_card = TextField(max_length=40, required=False, allow_blank=True, default="")

    def validate_phone(self, value):
        try:
            return phone_normalize(value)
        except ValueError:
            raise serializers.ValidationError(
                "Not a valid phone number (include the country code, e.g. +44…)."
            ) from None

    def validate_email(self, value):
        return value.strip().lower()

    def validate_loyalty_card(self, value):
        card = value.strip().upper()
        if len(card) > 40:  # some letters grow when upper-cased (ß → SS)
            raise serializers.ValidationError("At most 40 characters.")
        return card


class CustomerLookupQuery(CustomerIdentifiers):
    """`?phone=`, `?email=` or `?card=`: exactly one."""

    card = TextField(max_length=40, required=False, allow_blank=True, default="")
    loyalty_card = None

    def validate_card(self, value):
        return self.validate_loyalty_card(value)

    def validate(self, attrs):
        given = [name for name in ("phone", "email", "card") if attrs.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"phone": ["Send exactly one of phone, email or card to look a customer up by."]}
            )
        return attrs


class CustomerUpsertRequest(CustomerIdentifiers):
    name = TextField(max_length=120)
    customer_since = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the customer became a customer (tenure counts from it); default today, a walk-in.",
    )

    def validate_name(self, value):
        if not value.strip():
            raise serializers.ValidationError("Enter the customer's name.")
        return value.strip()

    def validate_customer_since(self, value):
        if value is not None and value < EARLIEST_CUSTOMER_SINCE:
            raise serializers.ValidationError("Must be 1900-01-01 or later.")
        return value


class CustomerSerializer(serializers.Serializer):
    """A customer with their tenure at the token's location today and the tier it reaches."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    loyalty_card = serializers.CharField()
    customer_since = serializers.DateField()
    tenure_months = serializers.IntegerField(help_text="Whole months since customer_since, at the location today.")
    tenure_tier = serializers.CharField(help_text="The tenure tier reached (by the tiers' default multipliers).")


class CustomerList(serializers.Serializer):
    results = CustomerSerializer(many=True)


# --- quotes ---------------------------------------------------------------------------------


class QuoteRequest(serializers.Serializer):
    customer = record_id(help_text="The customer's id.")
    purchase_value = money(help_text='What the customer paid, e.g. "48.00".')


class AuthoritySerializer(serializers.Serializer):
    role = serializers.CharField()
    limit = AmountField()


class PlaybookCapSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Send this as `playbook` to grant it.")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    offer = serializers.CharField()
    cap = AmountField(help_text="The most this playbook may give now.")
    tenure_tier = serializers.CharField()
    limited_by_authority = serializers.BooleanField()
    explanation = serializers.CharField(help_text="How the cap was computed, step by step.")


class QuoteResponse(InCurrency, serializers.Serializer):
    customer = serializers.IntegerField()
    purchase_value = AmountField()
    currency = serializers.CharField()
    policy_version = serializers.IntegerField(allow_null=True)
    tenure_months = serializers.IntegerField()
    tenure_tier = serializers.CharField()
    authority = AuthoritySerializer()
    playbooks = PlaybookCapSerializer(many=True)


# --- grants ---------------------------------------------------------------------------------


class GrantRequest(serializers.Serializer):
    """The failure met and the compensation to give for it, in one request (as at the counter)."""

    customer = record_id(help_text="The customer's id.")
    category = serializers.ChoiceField(choices=ServiceFailure.Category.choices, help_text="What went wrong.")
    purchase_value = money(help_text="What the customer paid.")
    playbook = record_id(help_text="The playbook's id, as the quote lists it.")
    amount = money(
        required=False, allow_null=True, default=None, help_text="Leave out (or null) to grant the full cap."
    )
    note = TextField(max_length=500, required=False, allow_blank=True, default="")
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
    reason = TextField(max_length=500, help_text="Why the grant is voided: kept in the audit.")

    def validate_reason(self, value):
        if not value.strip():
            raise serializers.ValidationError("Say why the grant is voided.")
        return value.strip()


# --- vouchers -------------------------------------------------------------------------------


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


# --- errors ---------------------------------------------------------------------------------


class LimitStopSerializer(serializers.Serializer):
    limit = serializers.CharField(help_text="cap, customer_limit or location_budget")
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
