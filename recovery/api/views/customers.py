"""Customers: look one up by phone, email or card, find-or-add, read one with their tenure."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from compensation.policy import load_policy, tenure_in_months
from recovery import selectors, services
from recovery.api import serializers
from recovery.api.errors import ApiError
from recovery.api.views.base import IntegrationView, refused, validated, validated_query
from recovery.models import Customer


def customer_rows(customers, location) -> list[dict]:
    """Customers with their tenure at the location today and the tier it reaches (one policy query)."""
    policy = load_policy()
    today = location.today()
    rows = []
    for customer in customers:
        tenure = tenure_in_months(customer.customer_since, today)
        rows.append(
            {
                "id": customer.pk,
                "name": customer.name,
                "phone": customer.phone,
                "email": customer.email,
                "loyalty_card": customer.loyalty_card,
                "customer_since": customer.customer_since,
                "tenure_months": tenure,
                "tenure_tier": policy.tier_for(tenure).name,
                "status": customer.status,
            }
        )
    return serializers.CustomerSerializer(rows, many=True).data


class CustomerCollection(IntegrationView):
    """Customers by phone, email or loyalty card; find-or-add for a point of sale or CRM."""

    permissions = {"GET": "recovery.view_customer", "POST": "recovery.add_customer"}

    @extend_schema(
        operation_id="customers_lookup",
        summary="Look a customer up by phone, email or loyalty card",
        parameters=[
            OpenApiParameter("phone", str, description="Any format; +44… or a number of the desk's region."),
            OpenApiParameter("email", str),
            OpenApiParameter("card", str, description="The loyalty card number."),
        ],
        responses={200: serializers.CustomerList},
    )
    def get(self, request):
        query = validated_query(serializers.CustomerLookupQuery, request)
        customers = selectors.customers_by_identifier(
            phone=query["phone"], email=query["email"], loyalty_card=query["card"]
        )
        return Response({"results": customer_rows(customers, self.location)})

    @extend_schema(
        operation_id="customers_upsert",
        summary="Find the customer by phone, email or card, or add them",
        description="Returns 200 with the customer found (unchanged), or 201 with the customer added. "
        "A found customer whose other details differ is refused (403 `customer_change_not_allowed`): "
        "only ops change a customer's details. Tenure counts from `customer_since` (default today); only a token "
        "ops allowed to set tenure (a trusted CRM) may send another date, or correct a found customer's tenure "
        "(403 `tenure_not_allowed` otherwise). Every tenure set is journalled.",
        request=serializers.CustomerUpsertRequest,
        responses={200: serializers.CustomerSerializer, 201: serializers.CustomerSerializer},
    )
    def post(self, request):
        data = validated(serializers.CustomerUpsertRequest, request.data)
        may_set_tenure = request.user.has_perm("recovery.set_customer_tenure")
        since = data.get("customer_since")
        if since is not None and since < self.location.today() and not may_set_tenure:  # a future date: 422 below
            # A tenure raises the customer's tier and caps: only ops or a token trusted with it may send one.
            raise ApiError(
                "tenure_not_allowed",
                "customer_since: this token may not set a customer's tenure (ops allow it per token, for a "
                "trusted CRM); send no customer_since and the customer starts today, as a walk-in.",
                status_code=403,
                fields={"customer_since": ["This token may not set a customer's tenure."]},
            )
        try:
            outcome = services.customer_upsert(actor=request.user, location=self.location, **data)
        except services.RecoveryError as error:
            if error.field is None:
                raise ApiError("customer_conflict", error.message, status_code=409) from None
            raise refused(error) from None
        if (
            "customer_since" in outcome.differences
            and may_set_tenure
            and set(outcome.differences) == {"customer_since"}
        ):
            # The trusted CRM corrects only the tenure: journalled like an ops change.
            customer = services.customer_tenure_set(
                actor=request.user,
                customer_id=outcome.customer.pk,
                customer_since=since,
                reason=f"Sent by {request.auth.name}",
                location=self.location,
            )
            return Response(customer_rows([customer], self.location)[0])
        if outcome.differences and not request.user.has_perm("recovery.change_customer", outcome.customer):
            raise ApiError(
                "customer_change_not_allowed",
                f"Customer #{outcome.customer.pk} exists with other details; only ops change a customer's "
                "details, so nothing was changed. The desk has: "
                + "; ".join(f"{field} “{value}”" for field, value in outcome.differences.items())
                + ".",
                status_code=403,
                fields={field: [f"The desk has “{value}”."] for field, value in outcome.differences.items()},
            )
        return Response(customer_rows([outcome.customer], self.location)[0], status=201 if outcome.created else 200)


class CustomerDetail(IntegrationView):
    """One customer with their tenure at the token's location today; a trusted CRM sets their status."""

    permissions = {"GET": "recovery.view_customer", "PATCH": "recovery.set_customer_status"}
    http_method_names = ["get", "patch", "head"]

    @extend_schema(
        operation_id="customers_read",
        summary="One customer with their tenure",
        responses=serializers.CustomerSerializer,
    )
    def get(self, request, customer_id: int):
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id <= serializers.MAX_ID else None
        if customer is None:
            raise ApiError("not_found", "Not found: no customer with this id.", status_code=404)
        self.check_object(request, "recovery.view_customer", customer)
        return Response(customer_rows([customer], self.location)[0])

    @extend_schema(
        operation_id="customers_status_set",
        summary="Set the customer's programme status (a trusted CRM)",
        description='Sets or clears ("") the status the customer holds, e.g. Gold: a status tier of the policy '
        "multiplies their caps. Only a token ops allowed to set statuses may (403 otherwise). Only a status the "
        "policy in force names is accepted (422 naming `status`, with the statuses it names). Every change is "
        "kept in the customer's history and journalled with the reason; the same status again changes nothing.",
        request=serializers.CustomerStatusRequest,
        responses={200: serializers.CustomerSerializer},
    )
    def patch(self, request, customer_id: int):
        data = validated(serializers.CustomerStatusRequest, request.data)
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id <= serializers.MAX_ID else None
        if customer is None:
            raise ApiError("not_found", "Not found: no customer with this id.", status_code=404)
        self.check_object(request, "recovery.view_customer", customer)
        try:
            customer = services.customer_status_set(
                actor=request.user,
                customer_id=customer.pk,
                status=data["status"],
                reason=data["reason"].strip() or f"Sent by {request.auth.name}",
                location=self.location,
            )
        except services.RecoveryError as error:
            raise refused(error) from None
        return Response(customer_rows([customer], self.location)[0])
