"""What every endpoint shares: the `rules` permission per method, the English-only base view, and
checking a body or query string, a service's refusal as an answer, a customer named in a body.
"""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from recovery import services
from recovery.api import idempotency
from recovery.api.errors import ApiError
from recovery.models import ApiToken, Customer

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per grant or redemption (a UUID); send the same key again when retrying "
    "so it is never done twice. Remembered for at least 24 hours.",
)


class RulesPermission(BasePermission):
    """The token's user has the view's `rules` permission for this method (the object is checked in the view)."""

    message = "This token's role may not do this."

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        if not token.location.is_active:
            self.message = f"{token.location.name} is closed: this token may do nothing until it reopens."
            return False
        method = "GET" if request.method == "HEAD" else request.method
        if method not in view.permissions:
            return True  # a method the view does not have: it answers 405
        return request.user.has_perm(view.permissions[method])


class IntegrationView(APIView):
    """Base of every endpoint: `permissions` maps each method to the `rules` permission it needs.

    The API always answers in English: its clients are programs, which match
    its messages and log them for people who share no one language. Whatever
    the request's Accept-Language or cookie, and whatever language the token's
    user reads the pages in, the whole dispatch (authentication, the service's
    refusals, DRF's own messages, the exception handler) runs in English.
    """

    permission_classes = [RulesPermission]
    permissions: dict[str, str] = {}
    http_method_names = ["get", "post", "head"]  # no OPTIONS metadata: the OpenAPI schema describes the API

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
        # LocaleMiddleware would label the answer with the browser's language: say what it is.
        response.headers["Content-Language"] = "en"
        return response

    def check_object(self, request, permission: str, obj) -> None:
        if not request.user.has_perm(permission, obj):
            self.permission_denied(request, message=f"This token may not see or change {obj}.")

    @property
    def location(self):
        return self.request.auth.location


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def validated_query(serializer_class, request) -> dict:
    """The query string, checked: an unknown parameter (a typo such as `?phon=`) is refused, not ignored."""
    params = request.query_params.dict()  # '' is a value to check, not a parameter left out
    known = serializer_class().fields
    unknown = sorted(name for name in params if name not in known)
    if unknown:
        raise ApiError(
            "validation_error",
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Known: {', '.join(known)}.",
            fields={name: ["Unknown parameter."] for name in unknown},
        )
    return validated(serializer_class, params)


def refused(error: services.RecoveryError) -> ApiError:
    """A service's refusal as a 422 naming the field it concerns."""
    fields = {error.field: [error.message]} if error.field else {}
    return ApiError("validation_error" if error.field else "refused", error.message, fields=fields)


def customer_in_body(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ApiError(
            "validation_error",
            "customer: no customer with this id.",
            fields={"customer": ["No customer with this id."]},
        )
    return customer
