"""The OpenAPI schema's shared parts: the error answers every operation can give.

Added by a drf-spectacular post-processing hook instead of on each view, so no
operation can forget one (schemathesis checks every status against the schema).
"""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/Error"}

COMMON_ERRORS = {
    "400": "Malformed JSON, or a missing or invalid Idempotency-Key.",
    "401": "No token, an unknown one, or a revoked one.",
    "403": "The token's role or location may not do this.",
    "404": "No such record or endpoint.",
    "406": "Only application/json answers are available.",
    "422": "Refused: each field with the reason (validation_error), or a limit (limit_exceeded).",
    "429": "Too many requests for this token: wait Retry-After seconds.",
}
WITH_BODY = {
    "409": "Conflicts with the current state (e.g. already voided).",
    "415": "Send the body as application/json.",
}


def add_error_responses(result, generator, request, public):
    """Every operation answers errors as `Error`; operations with a body can also answer 409 and 415."""
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(COMMON_ERRORS)
            if method in ("post", "put", "patch"):
                errors.update(WITH_BODY)
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
            operation["responses"]["429"].setdefault(
                "headers", {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
            )
    return result
