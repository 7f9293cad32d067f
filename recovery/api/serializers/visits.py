"""Visits in: a batch of lines checked for shape here, and for meaning line by line in the service.

Only the shape refuses the whole batch (not a list, a line that is not an
object, a value of the wrong JSON type, too many lines): that is a client's
bug. What a line means (a customer nobody has, a future date, a negative
amount) refuses that line alone, in the answer's per-line report, so the
schema keeps these values plain strings and numbers.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recovery.api.serializers.fields import TextField

MAX_VISIT_LINES = 1000


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "example": "24.50"})
class AmountValue(serializers.Field):
    """An amount as a string ("24.50") or a JSON number (read as an exact Decimal); checked per line."""

    default_error_messages = {"invalid": 'Send the amount as a string ("24.50") or a number.'}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, Decimal)):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return str(value)


class VisitLineRequest(serializers.Serializer):
    phone = TextField(required=False, allow_blank=True, help_text="Any format; +44… or a number of the desk's region.")
    email = TextField(required=False, allow_blank=True)
    card = TextField(required=False, allow_blank=True, help_text="The loyalty card number.")
    visited_on = TextField(help_text="The location's local day, YYYY-MM-DD; not in the future.")
    amount = AmountValue(required=False, help_text="What the customer spent (≥ 0, at most 2 decimals); 0 if left out.")
    external_id = TextField(
        required=False,
        allow_blank=True,
        help_text="The line's id in your system (e.g. a receipt number, up to 100 characters): a line whose id "
        "was already stored for this location is reported as a duplicate and not stored again.",
    )


class VisitBatchRequest(serializers.Serializer):
    visits = serializers.ListField(child=VisitLineRequest(), min_length=1, max_length=MAX_VISIT_LINES)


class VisitLineResult(serializers.Serializer):
    index = serializers.IntegerField(help_text="The line's position in `visits`, from 0.")
    status = serializers.ChoiceField(choices=["stored", "duplicate", "refused"])
    customer = serializers.IntegerField(allow_null=True, help_text="The customer the line was matched to.")
    visit = serializers.IntegerField(allow_null=True, help_text="The visit stored (stored lines only).")
    external_id = serializers.CharField(allow_blank=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Refused lines: each field with its reasons (`customer` when no identifier was sent).",
    )


class VisitBatchResult(serializers.Serializer):
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    refused = serializers.IntegerField()
    lines = VisitLineResult(many=True)
