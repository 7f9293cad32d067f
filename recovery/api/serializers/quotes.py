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
    case = record_id(
        required=False,
        allow_null=True,
        default=None,
        help_text="Quote a further grant on this case (a grant's `failure.id`): its per-case room is explained.",
    )


class AuthoritySerializer(serializers.Serializer):
    role = serializers.CharField()
    limit = AmountField(help_text="Per grant.")


class QuoteAuthoritySerializer(AuthoritySerializer):
    per_case = AmountField(help_text="All active grants on one case together (the per-grant limit when not set).")
    daily = AmountField(allow_null=True, help_text="What this employee may grant in a day; null: no daily bound.")
    monthly = AmountField(allow_null=True, help_text="What this employee may grant in a month; null: no bound.")


class AuthorityLimitSerializer(serializers.Serializer):
    limit = serializers.CharField(help_text="case_authority, daily_authority or monthly_authority")
    allows = AmountField(help_text="What it still allows.")
    explanation = serializers.CharField(
        help_text='Step by step, e.g. "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → '
        '500.00 left."'
    )


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    granted = AmountField(help_text="The case's active grants together.")


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
    authority = QuoteAuthoritySerializer()
    case = CaseSerializer(allow_null=True, help_text="The case quoted for a further grant; null: a new case.")
    authority_limits = AuthorityLimitSerializer(
        many=True, help_text="The authority's per-case and per-period sums that bound a further grant now."
    )
    playbooks = PlaybookCapSerializer(many=True)
