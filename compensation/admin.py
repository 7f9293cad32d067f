"""Ops edit the policy here; simple-history's admin shows who changed what."""

from django.contrib import admin
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsTabularInline
from simple_history.admin import SimpleHistoryAdmin

from compensation.models import Playbook, PlaybookTierMultiplier, RoleAuthority, TenureTier


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
