"""Ops manage staff assignments and customer records here (locations: `compensation.admin`).

Grants and failures are not in the admin: they are reviewed in the audit
history and can never be edited or deleted.
"""

from django.contrib import admin
from django.db import transaction

from compensation.admin import PolicyAdmin
from recovery.models import Customer, StaffProfile
from recovery.services.tenure import tenure_journal, tenure_needs_entry


@admin.register(StaffProfile)
class StaffProfileAdmin(PolicyAdmin):
    list_display = ["user", "location_names"]
    filter_horizontal = ["locations"]
    autocomplete_fields = []

    @admin.display(description="Locations")
    def location_names(self, profile):
        return ", ".join(location.name for location in profile.locations.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("locations")


@admin.register(Customer)
class CustomerAdmin(PolicyAdmin):
    list_display = ["name", "phone", "email", "loyalty_card", "customer_since"]
    search_fields = ["name", "phone", "email", "loyalty_card"]

    def save_model(self, request, obj, form, change):
        """Save with history, and journal a tenure set here: it raises the customer's tier and caps."""
        previous = Customer.objects.values_list("customer_since", flat=True).get(pk=obj.pk) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if (change and obj.customer_since != previous) or (not change and tenure_needs_entry(obj)):
                tenure_journal(actor=request.user, customer=obj, previous=previous, reason="Set by ops in the admin")
