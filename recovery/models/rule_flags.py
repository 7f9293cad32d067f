"""'A rule stood in my way': an employee's report that the policy prevented good service."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.models import Location, Playbook
from compensation.predicates import can_change_policy
from compensation.predicates import can_view_policy as can_view_policy_rule
from recovery import predicates
from recovery.models.customers import Customer


class RuleFlag(RulesModel):
    """'A rule stood in my way': an employee's report that a limit or playbook prevented good service."""

    class Rule(models.TextChoices):
        PLAYBOOK_CAP = "playbook_cap", _("A playbook's cap")
        AUTHORITY = "authority", _("My authority limit")
        CUSTOMER_LIMIT = "customer_limit", _("The per-customer limit")
        LOCATION_BUDGET = "location_budget", _("The location budget")
        MISSING_PLAYBOOK = "missing_playbook", _("No playbook fits this case")
        OTHER = "other", _("Another rule")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")

    rule = models.CharField(max_length=20, choices=Rule.choices)
    playbook = models.ForeignKey(Playbook, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    note = models.CharField(max_length=500)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rule_flags")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rule_flags")
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        rules_permissions = {
            "view": can_view_policy_rule,
            "add": predicates.can_use_counter,
            "change": can_change_policy,
            "delete": predicates.rules.always_deny,
        }
        indexes = [models.Index(fields=["status", "rule", "-raised_at"], name="rule_flag_open")]

    def __str__(self):
        return f"{self.get_rule_display()}: {self.note[:40]}"
