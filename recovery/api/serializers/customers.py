"""Customers: the lookup query, find-or-add, and a customer with their tenure."""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from recovery.api.serializers.fields import EmailAddressField, TextField
from recovery.domain.phones import phone_normalize

EARLIEST_CUSTOMER_SINCE = dt.date(1900, 1, 1)


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
    status = serializers.CharField(help_text='The programme status the customer holds (e.g. "Gold"; "" none).')


class CustomerStatusRequest(serializers.Serializer):
    """A trusted CRM (or ops) sets the customer's programme status; journalled with the reason."""

    status = serializers.CharField(
        allow_blank=True,
        max_length=40,
        trim_whitespace=True,
        help_text='One of the statuses the policy in force names (e.g. "Gold"), matched without regard to case; '
        '"" clears it. Any other status is refused (422, naming `status`).',
    )
    reason = serializers.CharField(
        max_length=500, required=False, default="", help_text="Why it changes; default: sent by this integration."
    )


class CustomerList(serializers.Serializer):
    results = CustomerSerializer(many=True)
