"""One error shape for every API answer that is not a success.

    {"error": {"code": "validation_error",
               "message": "purchase_value: Must be more than 0.",
               "fields": {"purchase_value": ["Must be more than 0."]}}}

`code` is for programs (stable, snake_case), `message` for people, `fields`
names each refused field with its reasons. Bad input is never a 500.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from compensation.http import INVALID

API_PREFIX = "/api/"

# DRF's exception classes → our codes (DRF's own codes where they already say it).
CODES = {
    exceptions.ParseError: "malformed_json",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


class ApiError(exceptions.APIException):
    """A refusal with its own code, status, fields and extra facts (e.g. what a limit allows)."""

    def __init__(self, code: str, message: str, *, status_code: int = INVALID, fields=None, extra=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status_code = status_code
        self.fields = fields or {}
        self.extra = extra or {}


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"field" or "field.sub": [messages]}."""
    if isinstance(detail, dict):
        fields = {}
        for name, value in detail.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            fields.update(_flatten(value, key))
        return fields
    if isinstance(detail, list) and detail and all(not isinstance(item, (dict, list)) for item in detail):
        return {prefix or "non_field_errors": [str(item) for item in detail]}
    if isinstance(detail, list):
        fields = {}
        for index, value in enumerate(detail):
            fields.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return fields
    return {prefix or "non_field_errors": [str(detail)]}


def validation_error_body(detail) -> dict:
    fields = _flatten(detail)
    general = fields.pop("non_field_errors", [])
    parts = [*general, *(f"{name}: {' '.join(messages)}" for name, messages in fields.items())]
    return error_body("validation_error", " ".join(parts) or "The request is not valid.", fields)


def api_exception_handler(exc, context):
    """Every exception a view raises, as the one error shape (DRF calls this for every API view)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: no such record, or not one this token may see.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApiError):
        response = Response(error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status_code)
    elif isinstance(exc, exceptions.ValidationError):
        response = Response(validation_error_body(exc.detail), status=INVALID)
    elif isinstance(exc, exceptions.APIException):
        response = exception_handler(exc, context)  # keeps WWW-Authenticate, Retry-After, Allow
        code = CODES.get(type(exc)) or next((c for k, c in CODES.items() if isinstance(exc, k)), exc.default_code)
        message = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else str(exc.default_detail)
        if isinstance(exc, exceptions.NotAuthenticated):
            message = "Authorization: send “Bearer <token>” with the token ops created for this integration."
        if isinstance(exc, exceptions.Throttled):
            message = f"Too many requests for this token: try again in {exc.wait:.0f} seconds."
        response.data = error_body(code, message)
    else:
        return None  # a real bug: Django's 500 handler answers (JSON for /api/, see `server_error`)
    return response


def is_api_path(request) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request, exception=None):
    """Django's 404 handler: JSON under /api/ (a URL no endpoint matches), the usual page elsewhere."""
    if is_api_path(request):
        return JsonResponse(error_body("not_found", "Not found: no such API endpoint."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Django's 500 handler: JSON under /api/, the usual page elsewhere. Retrying with the same
    Idempotency-Key is safe: a grant or redemption is never made twice."""
    if is_api_path(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side. Retry with the same Idempotency-Key."),
            status=500,
        )
    return defaults.server_error(request)
