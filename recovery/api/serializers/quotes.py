"""Quotes: a customer and purchase value in, every playbook's cap out."""

from __future__ import annotations

from rest_framework import serializers

from compensation.availability import LIMITS
from recovery.api.serializers.fields import AmountField, InCurrency, money, record_id


class QuoteRequest(serializers.Serializer):
    customer = record_id(help_text="The customer's id.")
    purchase_value = money(
        zero_allowed=True, help_text='What the customer paid, e.g. "48.00"; "0" when nothing was bought.'
    )


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
    tenure_tier = serializers.CharField(
        help_text="The tier whose multiplier applied (kept under its old name: it may come from a status or spend)."
    )
    tier_source = serializers.ChoiceField(
        choices=["tenure", "status", "spend"],
        help_text="Where that tier came from: tenure, the customer's status, or their lifetime spend. "
        "When several give a tier, the highest multiplier applies.",
    )
    limited_by_authority = serializers.BooleanField()
    explanation = serializers.CharField(help_text="How the cap was computed, step by step.")
    available_now = AmountField(
        help_text="What can be granted with this playbook now: the lowest of the cap, the customer's rolling "
        "allowance and the location's budget. 0: nothing without a manager's approval (an escalation)."
    )
    limited_by = serializers.ChoiceField(choices=list(LIMITS), help_text="The limit that decides `available_now`.")
    limited_by_text = serializers.CharField(help_text='That limit in words, e.g. "Limited by: your authority €250.00".')


class QuoteResponse(InCurrency, serializers.Serializer):
    customer = serializers.IntegerField()
    purchase_value = AmountField()
    currency = serializers.CharField()
    policy_version = serializers.IntegerField(allow_null=True)
    tenure_months = serializers.IntegerField()
    tenure_tier = serializers.CharField()
    status = serializers.CharField(help_text='The programme status the customer holds ("" none).')
    lifetime_spend = AmountField(help_text="Their spend recorded in the desk, in this location's currency.")
    authority = AuthoritySerializer()
    playbooks = PlaybookCapSerializer(many=True)
