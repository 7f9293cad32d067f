"""The customer's answer to a grant's follow-up: stored once, then announced after the commit.

The customer is not signed in: the signed link (`recovery.domain.surveys`)
is what names the grant, and the view has checked it before calling here.
`survey_answer` refuses a closed follow-up, then stores the answer in one
transaction holding the grant row (the row `grant_void` locks too); the
one-to-one constraint on `SurveyAnswer.grant` is the final guard, so two
submits at the same moment store one answer and the other gets
`SurveyError("already_answered")`. No location lock and no journal entry:
the answer moves no money and no budget (see `SurveyAnswer`), and it keeps
nothing else waiting. One log line per answer (`logs_action`).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from compensation.observability import logs_action
from recovery.domain.surveys import (
    SCORES,
    SurveyError,
    already_answered_error,
    bad_link_error,
    closed_error,
    score_message,
    survey_open_until,
    will_return_message,
)
from recovery.models import Grant, SurveyAnswer
from recovery.services.webhooks import emit_event

logger = logging.getLogger(__name__)

# What other systems hear about an answer (the hook below), when the webhooks module is there.
SURVEY_ANSWERED_EVENT = "survey.answered"


@logs_action(
    "survey.answer",
    fields=lambda kw: {"grant_id": kw["grant_id"]},
    result_fields=lambda answer: {"survey_answer_id": answer.pk, "score": answer.score},
)
def survey_answer(
    *, grant_id: int, score: int, will_return: str, comment: str = "", language: str = "", at=None
) -> SurveyAnswer:
    """Store the customer's one answer for `grant_id`, or raise SurveyError saying why not.

    `score` (1–5) and `will_return` (a `SurveyAnswer.WillReturn`) come cleaned
    from the form; they are checked again here (field named in the error) so
    an API or a command cannot store what the page would refuse. Raises
    SurveyError "bad_link" (no such grant), "closed" (past the open window,
    measured from the grant), "already_answered" (the grant has its answer).
    """
    if score not in SCORES:
        raise SurveyError(SurveyError.INVALID, score_message(), field="score")
    if will_return not in SurveyAnswer.WillReturn.values:
        raise SurveyError(SurveyError.INVALID, will_return_message(), field="will_return")
    now = at or timezone.now()
    try:
        with transaction.atomic():
            grant = Grant.objects.select_for_update().filter(pk=grant_id).only("pk", "granted_at").first()
            if grant is None:
                raise bad_link_error()
            if now > survey_open_until(grant.granted_at):
                raise closed_error()
            if SurveyAnswer.objects.filter(grant_id=grant_id).exists():
                raise already_answered_error()
            answer = SurveyAnswer.objects.create(
                grant=grant,
                score=score,
                will_return=will_return,
                comment=comment.strip(),
                language=language,
                answered_at=now,
            )
            # Other systems hear of it in the same transaction: the delivery rows commit with the answer
            # (a refused or rolled-back answer sends nothing), and the worker posts after the commit.
            emit_event(SURVEY_ANSWERED_EVENT, survey_answer_payload(answer), key=f"survey-answer:{answer.pk}")
    except IntegrityError:
        # Past the lock anyway (the one-to-one held): the other submit won.
        if SurveyAnswer.objects.filter(grant_id=grant_id).exists():
            raise already_answered_error() from None
        raise
    return answer


def survey_answer_payload(answer: SurveyAnswer) -> dict:
    """What an answer tells other systems: no comment (free text from the public stays here), no customer."""
    return {
        "survey_answer_id": answer.pk,
        "grant_id": answer.grant_id,
        "score": answer.score,
        "will_return": answer.will_return,
        "answered_at": answer.answered_at.isoformat(),
    }
