"""Experiments ops run: for one failure category, the counter rotates between playbooks of similar cost.

Every customer is still compensated; only which playbook is suggested varies,
drawn at random per case (`ExperimentAssignment`), and the employee may always
choose another for a reason. The arms are their own rows (`ExperimentArm`) so
the counter reads a running experiment, its arms and the case's earlier draw in
one query. Experiments are never deleted: ops stop one with a reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.models import Location, Playbook
from recovery import predicates
from recovery.models.customers import Customer
from recovery.models.failures import ServiceFailure
from recovery.models.grants import Grant


class Experiment(RulesModel):
    """A comparison ops started for one failure category; running until `stopped_at`."""

    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("failure category"), max_length=30, choices=ServiceFailure.Category.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stop_reason = models.CharField(_("reason"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        rules_permissions = {
            "view": predicates.can_view_experiments,
            "add": predicates.can_run_experiments,
            "change": predicates.can_run_experiments,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            # One running experiment per category: the counter suggests one playbook, never two.
            models.UniqueConstraint(
                fields=["category"], condition=Q(stopped_at__isnull=True), name="experiment_one_running_per_category"
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True, stopped_by__isnull=True)
                | (Q(stopped_at__isnull=False, stopped_by__isnull=False) & ~Q(stop_reason="")),
                name="experiment_stop_consistent",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None


class ExperimentArm(RulesModel):
    """One playbook an experiment rotates through, in the order ops listed them."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="arms")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["experiment", "position"]
        rules_permissions = {
            "view": predicates.can_view_experiments,
            "add": predicates.can_run_experiments,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["experiment", "playbook"], name="experiment_arm_once"),
        ]


class ExperimentAssignment(RulesModel):
    """The playbook drawn for one case (the resolve form's token), and what the employee did with it.

    Drawn when the counter first shows the case's playbooks for the category,
    stored so a reload suggests the same one. When the case is granted it is
    linked to its grant with the playbook chosen: followed, or overridden with
    the employee's reason (required, held by a constraint).
    """

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="assignments")
    token = models.UUIDField(help_text=_("The resolve form's token: one case at the counter."))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    grant = models.OneToOneField(
        Grant, null=True, blank=True, on_delete=models.PROTECT, related_name="experiment_assignment"
    )
    chosen_playbook = models.ForeignKey(Playbook, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    override_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assigned_at", "-id"]
        rules_permissions = {
            "view": predicates.can_view_experiments,
            "add": predicates.can_use_counter,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["experiment", "token"], name="experiment_assignment_once_per_case"),
            # Choosing another playbook than the one drawn always carries the employee's reason.
            models.CheckConstraint(
                condition=Q(chosen_playbook__isnull=True) | Q(chosen_playbook=F("playbook")) | ~Q(override_reason=""),
                name="experiment_override_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["token"], name="experiment_assignment_token")]

    @property
    def overridden(self) -> bool | None:
        """None until granted; then whether the employee chose another playbook than the one drawn."""
        if self.chosen_playbook_id is None:
            return None
        return self.chosen_playbook_id != self.playbook_id
