"""What recovery buys: the cases and visits the effect figures are computed from, for one reader.

Reads grants (active ones with their playbook and amount; voided ones as
"granted nothing") and the visits of those customers, at the locations the
reader may see, and hands plain values to the pure `recovery.domain.effect`.
With them, the customers' answers to the follow-ups of those grants (voided
ones left out, as their playbook is). Three queries whatever the number of
grants; the playbooks' names come from the grants' own snapshot, as the audit
shows them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from recovery.domain.effect import MIN_CUSTOMERS, Answer, Case, PlaybookEffect, VisitDay, playbook_effect
from recovery.models import Grant, SurveyAnswer, Visit
from recovery.selectors.scope import location_ids_for


@dataclass(frozen=True)
class PlaybookEffectRow:
    name: str
    effect: PlaybookEffect

    @property
    def return_90(self):
        return self.effect.returns[90].percents()

    @property
    def baseline_90(self):
        return self.effect.baseline[90].percents()

    @property
    def verdict(self):
        return self.effect.verdict

    @property
    def will_return(self):
        return self.effect.verdict.will_return.percents() if self.effect.verdict else None


def effect_currency_for(*, user) -> str | None:
    """The one currency of the visits the reader sees, or None if several (spends are then not added up)."""
    visits = Visit.objects.all()
    location_ids = location_ids_for(user)
    if location_ids is not None:
        visits = visits.filter(location_id__in=location_ids)
    currencies = list(visits.order_by().values_list("currency", flat=True).distinct()[:2])
    return currencies[0] if len(currencies) == 1 else None


def effect_rows_for(*, user, as_of: dt.date | None = None, minimum: int = MIN_CUSTOMERS) -> list[PlaybookEffectRow]:
    """Each playbook granted at the reader's locations with its return shares, baseline and spend change."""
    grants = Grant.objects.all()
    visits = Visit.objects.all()
    said = SurveyAnswer.objects.exclude(grant__status=Grant.Status.VOIDED)
    location_ids = location_ids_for(user)
    if location_ids is not None:
        grants = grants.filter(location_id__in=location_ids)
        visits = visits.filter(location_id__in=location_ids)
        said = said.filter(grant__location_id__in=location_ids)
    cases, names = [], {}
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    for grant in grants.select_related("location").only(
        "customer_id",
        "failure_logged_at",
        "tenure_tier",
        "amount",
        "status",
        "playbook_id",
        "playbook_name",
        "location__timezone",
    ):
        zone = zones.setdefault(grant.location.timezone, zoneinfo.ZoneInfo(grant.location.timezone))
        voided = grant.status == Grant.Status.VOIDED
        cases.append(
            Case(
                customer_id=grant.customer_id,
                day=timezone.localtime(grant.failure_logged_at, zone).date(),
                tier=grant.tenure_tier,
                amount=Decimal("0") if voided else grant.amount,
                playbook_id=None if voided else grant.playbook_id,
            )
        )
        if not voided:
            names.setdefault(grant.playbook_id, grant.playbook_name)
    by_customer: dict[int, list[VisitDay]] = defaultdict(list)
    for customer_id, day, amount in visits.values_list("customer_id", "visited_on", "amount").iterator():
        by_customer[customer_id].append(VisitDay(day, amount))
    answers = [
        Answer(playbook_id, score, will_return == SurveyAnswer.WillReturn.YES)
        for playbook_id, score, will_return in said.values_list("grant__playbook_id", "score", "will_return").iterator()
    ]
    today = as_of or timezone.localdate()
    return sorted(
        (
            PlaybookEffectRow(
                name, playbook_effect(pk, cases, by_customer, as_of=today, minimum=minimum, answers=answers)
            )
            for pk, name in names.items()
        ),
        key=lambda row: row.name,
    )
