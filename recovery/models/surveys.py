"""The customer's own verdict on a grant: "Did we put it right?" and "Will you come back?", once per grant."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from recovery import predicates
from recovery.domain.surveys import COMMENT_MAX_LENGTH, SCORES
from recovery.models.grants import Grant


class SurveyAnswer(RulesModel):
    """One customer's answer to the follow-up of one grant: at most one per grant, enforced by the database.

    The customer answers without an account through a signed link
    (`recovery.domain.surveys`), so there is no user to name and nothing to
    review: no simple-history (a row nobody edits has no history to keep) and
    no journal entry (the journal proves decisions about money and trust made
    by staff; an opinion moves no money, and like visits and rule flags it is
    left out). The one-to-one on `grant` is the guard of "answered once": two
    submits at the same moment store one answer, and the other is told so
    (`recovery.services.surveys.survey_answer`). `language` is the page's
    language when the customer answered, for reading the comment.
    """

    class WillReturn(models.TextChoices):
        YES = "yes", _("Yes")
        NOT_SURE = "not_sure", _("Not sure")
        NO = "no", _("No")

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="survey_answer")
    score = models.PositiveSmallIntegerField(help_text=_("Did we put it right? 1 (not at all) to 5 (completely)."))
    will_return = models.CharField(max_length=10, choices=WillReturn.choices)
    comment = models.CharField(max_length=COMMENT_MAX_LENGTH, blank=True)
    language = models.CharField(max_length=10, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-id"]
        rules_permissions = {
            "view": predicates.can_view_audit,
            # Only the customer answers, through the signed link (no account, so no permission to hold).
            "add": predicates.rules.always_deny,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=min(SCORES), score__lte=max(SCORES)), name="survey_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(will_return__in=["yes", "not_sure", "no"]), name="survey_will_return_known"
            ),
        ]

    def __str__(self):
        return f"Follow-up of grant #{self.grant_id}: {self.score}/5, will return: {self.will_return}"
