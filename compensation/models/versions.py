"""A published policy version: the whole document, immutable once published."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from compensation import predicates


class PolicyVersion(RulesModel):
    """A published, immutable snapshot of the whole policy, in force from `effective_at`.

    Ops edit the policy tables above as a draft; publishing copies them into
    `document`. The counter reads only published versions, so a half-finished
    edit never reaches a customer, and a grant names the version it used.
    """

    number = models.PositiveIntegerField(unique=True)
    effective_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=500)
    document = models.JSONField(help_text=_("Every playbook, tier and limit of this version."))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by_username = models.CharField(max_length=150)
    published_at = models.DateTimeField(default=timezone.now)
    restores = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text=_("Rolled back to this.")
    )

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        rules_permissions = {
            "view": predicates.can_view_policy,
            # Published versions are facts: only the publish service creates them.
            "add": predicates.rules.always_deny,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        indexes = [models.Index(fields=["-effective_at", "-number"], name="policy_version_in_force")]

    def __str__(self):
        return f"Version {self.number}"

    @property
    def is_scheduled(self) -> bool:
        return self.effective_at > timezone.now()
