"""What recovery buys, as the background job last computed it for one reader's locations and one grouping."""

from django.db import models
from picklefield.fields import PickledObjectField
from rules.contrib.models import RulesModel

from recovery import predicates


class EffectFigures(RulesModel):
    """The effect rows (`recovery.selectors.effect.EffectRow`) for a scope and a grouping, with when they were made.

    Computed by a job (`recovery.tasks.effect_figures_compute`), never by a page:
    the figures read every grant and visit of the scope, which grows with the
    chain's history. The rows are kept pickled (plain dataclasses of Decimals
    and shares, written only by that job); a row that no longer unpickles (the
    code changed) is simply computed again.
    """

    scope = models.CharField(max_length=400, help_text="'all', or the location ids the reader sees, comma-separated.")
    dimension = models.CharField(max_length=20)
    computed_at = models.DateTimeField(null=True, help_text="When the rows were computed; empty: not yet.")
    rows = PickledObjectField(null=True)
    # When a page last asked for fresh rows (cleared by the job): a page that polls does not queue the job again.
    requested_at = models.DateTimeField(null=True)

    class Meta:
        rules_permissions = {
            "view": predicates.can_view_audit,
            "add": predicates.rules.always_deny,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["scope", "dimension"], name="one_effect_figures_per_scope_and_grouping"),
        ]

    def __str__(self):
        return f"effect by {self.dimension} for {self.scope} at {self.computed_at or 'not yet'}"
