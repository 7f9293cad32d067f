"""What recovery buys: the cases and visits the effect figures are computed from, for one reader.

Reads grants (active ones with their group's key and amount; voided ones as
"granted nothing") and the visits of those customers, at the locations the
reader may see, and hands plain values to the pure `recovery.domain.effect`.
The grants are grouped by one dimension: playbook (the default), location,
failure category or policy version; with them, the customers' answers to the
follow-ups of those grants (voided ones left out, as their grant is), grouped the
same way. Three queries whatever the dimension and the number of groups or grants:
every group's key and name ride on the grant row (the playbook's name from the
grant's own snapshot, as the audit shows it).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from recovery.domain.effect import MIN_CUSTOMERS, Answer, Case, GroupEffect, VisitDay, group_effect
from recovery.models import Grant, ServiceFailure, SurveyAnswer, Visit
from recovery.selectors.scope import location_ids_for

# The page's dimensions: key → label. Playbook first: it is what ops change.
DIMENSIONS = {
    "playbook": gettext_lazy("Playbook"),
    "location": gettext_lazy("Location"),
    "category": gettext_lazy("Failure category"),
    "version": gettext_lazy("Policy version"),
}
DEFAULT_DIMENSION = "playbook"


@dataclass(frozen=True)
class EffectRow:
    """One group (a playbook, location, category or policy version) and its figures."""

    name: str
    effect: GroupEffect

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


def _group_of(grant: dict, dimension: str, categories: dict) -> tuple[object, str]:
    """The grant's key and display name under `dimension` (all read from the one grants query)."""
    if dimension == "location":
        return grant["location_id"], grant["location__name"]
    if dimension == "category":
        return grant["category"], str(categories.get(grant["category"], grant["category"]))
    if dimension == "version":
        number = grant["policy_version__number"]
        return number, gettext("Policy version %(number)s") % {"number": number}
    return grant["playbook_id"], grant["playbook_name"]


def effect_rows_for(
    *,
    user,
    dimension: str = DEFAULT_DIMENSION,
    as_of: dt.date | None = None,
    minimum: int = MIN_CUSTOMERS,
    location_ids: frozenset[int] | None = None,
    currency: str | None = None,
    logged_before: dt.datetime | None = None,
) -> list[EffectRow]:
    """Each group of grants at the reader's locations with its return shares, baseline and spend change.

    `location_ids` narrows the reader's locations further (a report's one
    location; never widens them), `currency` keeps grants made in it only (a
    report adds amounts up, so one currency), `logged_before` leaves out failures
    logged after a report's month (they would move its medians and strata).
    Rows come sorted by name.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension: {dimension}")
    grants = Grant.objects.all()
    visits = Visit.objects.all()
    said = SurveyAnswer.objects.exclude(grant__status=Grant.Status.VOIDED)
    # No reader (the background job): `location_ids` alone is the scope (None: every location).
    for ids in (None if user is None else location_ids_for(user), location_ids):
        if ids is not None:
            grants = grants.filter(location_id__in=ids)
            visits = visits.filter(location_id__in=ids)
            said = said.filter(grant__location_id__in=ids)
    if currency is not None:
        grants = grants.filter(currency=currency)
        said = said.filter(grant__currency=currency)
    if logged_before is not None:
        grants = grants.filter(failure_logged_at__lt=logged_before)
        said = said.filter(grant__failure_logged_at__lt=logged_before)
    cases, names = [], {}
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    categories = dict(ServiceFailure.Category.choices)
    for grant in grants.order_by().values(
        "customer_id",
        "failure_logged_at",
        "tenure_tier",
        "amount",
        "status",
        "playbook_id",
        "playbook_name",
        "category",
        "location_id",
        "location__name",
        "location__timezone",
        "policy_version__number",
    ):
        zone = zones.setdefault(grant["location__timezone"], zoneinfo.ZoneInfo(grant["location__timezone"]))
        voided = grant["status"] == Grant.Status.VOIDED
        key, name = _group_of(grant, dimension, categories)
        cases.append(
            Case(
                customer_id=grant["customer_id"],
                day=timezone.localtime(grant["failure_logged_at"], zone).date(),
                tier=grant["tenure_tier"],
                amount=Decimal("0") if voided else grant["amount"],
                group=None if voided else key,
            )
        )
        if not voided:
            names.setdefault(key, name)
    by_customer: dict[int, list[VisitDay]] = defaultdict(list)
    for customer_id, day, amount in visits.order_by().values_list("customer_id", "visited_on", "amount").iterator():
        by_customer[customer_id].append(VisitDay(day, amount))
    columns = ("playbook_id", "playbook_name", "location_id", "location__name", "category", "policy_version__number")
    answers = [
        Answer(
            _group_of(dict(zip(columns, row, strict=True)), dimension, categories)[0],
            score,
            will_return == SurveyAnswer.WillReturn.YES,
        )
        for score, will_return, *row in said.order_by()
        .values_list("score", "will_return", *(f"grant__{column}" for column in columns))
        .iterator()
    ]
    today = as_of or timezone.localdate()
    return sorted(
        (
            EffectRow(name, group_effect(key, cases, by_customer, as_of=today, minimum=minimum, answers=answers))
            for key, name in names.items()
        ),
        # Versions by number (version 10 after 9), the others by name.
        key=lambda row: (row.effect.group, "") if dimension == "version" else (0, row.name),
    )
