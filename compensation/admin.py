"""Ops edit the policy here; simple-history's admin shows who changed what."""

from django.contrib import admin
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsTabularInline
from simple_history.admin import SimpleHistoryAdmin

from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    Location,
    LocationBudget,
    Playbook,
    PlaybookTierMultiplier,
    PolicyVersion,
    RoleAuthority,
    TenureTier,
)


class PolicyAdmin(ObjectPermissionsModelAdmin, SimpleHistoryAdmin):
    """Permissions from `rules`, history from simple-history, never deletion."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class PlaybookTierMultiplierInline(ObjectPermissionsTabularInline):
    model = PlaybookTierMultiplier
    extra = 0


@admin.register(Playbook)
class PlaybookAdmin(PolicyAdmin):
    list_display = ["name", "kind", "percent", "floor", "ceiling", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    inlines = [PlaybookTierMultiplierInline]


@admin.register(TenureTier)
class TenureTierAdmin(PolicyAdmin):
    list_display = ["name", "min_months", "multiplier"]


@admin.register(RoleAuthority)
class RoleAuthorityAdmin(PolicyAdmin):
    list_display = ["role", "limit"]


@admin.register(EmployeeAuthority)
class EmployeeAuthorityAdmin(PolicyAdmin):
    list_display = ["user", "limit", "note"]
    autocomplete_fields = ["user"]


@admin.register(CustomerLimit)
class CustomerLimitAdmin(PolicyAdmin):
    list_display = ["window_days", "window_unit", "playbook", "tier", "max_grants", "max_total"]


@admin.register(Location)
class LocationAdmin(PolicyAdmin):
    list_display = ["name", "code", "kind", "timezone", "currency", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(LocationBudget)
class LocationBudgetAdmin(PolicyAdmin):
    list_display = ["location", "monthly_amount", "when_exhausted"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ObjectPermissionsModelAdmin):
    """Read-only: versions are published from the ops section, with a reason and a date."""

    list_display = ["number", "effective_at", "reason", "published_by_username", "published_at"]
    readonly_fields = [f.name for f in PolicyVersion._meta.fields]
