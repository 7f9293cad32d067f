"""The customer's follow-up page: which grant a link names, and where its one answer stands."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from recovery.domain.surveys import survey_open_until
from recovery.models import Grant, SurveyAnswer


@dataclass(frozen=True)
class SurveyState:
    """A grant's follow-up as the customer's page shows it: the visit it is about and whether it still asks."""

    grant_id: int
    location_name: str
    visit_day: dt.date  # the location's local day of the grant
    open_until: dt.datetime
    answer: SurveyAnswer | None
    voided: bool

    @property
    def answered(self) -> bool:
        return self.answer is not None

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.open_until

    def asks(self, now: dt.datetime | None = None) -> bool:
        """Whether a slip or voucher page should invite an answer: open, unanswered, and not voided."""
        return self.is_open(now) and not self.answered and not self.voided


def survey_state(grant_id: int) -> SurveyState | None:
    """The follow-up of `grant_id` in one query, or None when there is no such grant."""
    grant = Grant.objects.select_related("location", "survey_answer").filter(pk=grant_id).first()
    if grant is None:
        return None
    zone = zoneinfo.ZoneInfo(grant.location.timezone)
    return SurveyState(
        grant_id=grant.pk,
        location_name=grant.location.name,
        visit_day=timezone.localtime(grant.granted_at, zone).date(),
        open_until=survey_open_until(grant.granted_at),
        answer=getattr(grant, "survey_answer", None),
        voided=grant.status == Grant.Status.VOIDED,
    )
