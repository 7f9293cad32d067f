"""Visits: a point of sale or CRM sends its customers' visits in batches, each line matched or refused alone."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from recovery import services
from recovery.api import idempotency, serializers
from recovery.api.errors import ApiError
from recovery.api.views.base import IntegrationView, validated
from recovery.models import Visit

OPTIONAL_IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key per batch (a UUID); the same key and body again returns the first answer. "
    "Required unless every line has an `external_id`.",
)


def batch_answer(outcomes) -> Response:
    lines = [
        {
            "index": outcome.number,
            "status": outcome.status,
            "customer": outcome.customer_id,
            "visit": outcome.visit_id,
            "external_id": outcome.external_id,
            "errors": outcome.errors,
        }
        for outcome in outcomes
    ]
    counts = {status: sum(line["status"] == status for line in lines) for status in ("stored", "duplicate", "refused")}
    body = {"stored": counts["stored"], "duplicates": counts["duplicate"], "refused": counts["refused"], "lines": lines}
    return Response(serializers.VisitBatchResult(body).data, status=201 if counts["stored"] else 200)


class VisitCollection(IntegrationView):
    """Visits and purchases in, in batches, at the token's location."""

    permissions = {"POST": "recovery.add_visit"}

    @extend_schema(
        operation_id="visits_record",
        summary="Record customers' visits and purchases, in batches",
        description="Each line names the customer by phone (any format), email or loyalty card, exactly as the "
        "counter finds them; a line that matches nobody, or identifiers of two customers, is refused, never "
        "guessed. A future date, a negative amount or a bad value refuses that line alone, with the field and "
        "the reason; the other lines are stored. Answers 201 when a line was stored, else 200, with a report "
        "per line. A batch sent again stores nothing twice: send an `Idempotency-Key`, or an `external_id` on "
        f"every line. At most {serializers.MAX_VISIT_LINES} lines per batch.",
        request=serializers.VisitBatchRequest,
        parameters=[OPTIONAL_IDEMPOTENCY_KEY],
        responses={200: serializers.VisitBatchResult, 201: serializers.VisitBatchResult},
    )
    def post(self, request):
        keyed = bool(request.headers.get(idempotency.HEADER))
        attempt, replay = idempotency.replay_if_seen(request) if keyed else (None, None)
        if replay is not None:
            return replay
        data = validated(serializers.VisitBatchRequest, request.data)
        if not keyed and not all(line.get("external_id", "").strip() for line in data["visits"]):
            raise ApiError(
                "idempotency_key_required",
                f"{idempotency.HEADER}: send a unique key (e.g. a UUID) with a batch whose lines lack an "
                "external_id, and the same key when you retry it, so no visit is stored twice.",
                status_code=400,
                fields={idempotency.HEADER: ["Required unless every line has an external_id."]},
            )

        def record():
            outcomes = services.visits_record(
                actor=request.user,
                source=Visit.Source.API,
                lines=enumerate(data["visits"]),
                location=self.location,
            )
            return batch_answer(list(outcomes))

        if attempt is not None:
            return idempotency.respond_once(attempt, record)
        with transaction.atomic():
            return record()
