"""Experiments for the ops pages: the list, and one experiment's running comparison for a reader.

The comparison reads the experiment's granted cases (each with the playbook
drawn for it, its grant's customer, day and amount) and those customers'
visits, at the locations the reader may see, and hands plain values to the
pure `recovery.domain.experiments`. Three queries whatever the number of cases.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from compensation.texts import localized_text
from recovery.domain.effect import MIN_CUSTOMERS, Case, VisitDay
from recovery.domain.experiments import ArmFigures, Difference, experiment_comparison
from recovery.models import Experiment, ExperimentArm, ExperimentAssignment, Visit
from recovery.selectors.scope import location_ids_for


def experiments_list() -> QuerySet[Experiment]:
    """Every experiment, newest first, with its arms' playbooks and who started and stopped it."""
    return Experiment.objects.select_related("started_by", "stopped_by").prefetch_related(
        Prefetch("arms", queryset=ExperimentArm.objects.select_related("playbook").order_by("position"))
    )


@dataclass(frozen=True)
class ArmRow:
    name: str
    figures: ArmFigures
    granted: int  # cases granted with this arm drawn (the customer's later cases included)
    overridden: int  # of those, where the employee chose another playbook

    @property
    def return_90(self):
        return self.figures.returns.percents()


@dataclass(frozen=True)
class ExperimentReport:
    rows: list[ArmRow]
    difference: Difference
    minimum: int


def experiment_report_for(
    *, experiment: Experiment, user, as_of: dt.date | None = None, minimum: int = MIN_CUSTOMERS
) -> ExperimentReport:
    """Each arm's cases, 90-day return share and spend, and the test of the difference, at the reader's locations."""
    arms = list(experiment.arms.select_related("playbook").order_by("position"))
    assignments = ExperimentAssignment.objects.filter(experiment=experiment, grant__isnull=False)
    location_ids = location_ids_for(user)
    if location_ids is not None:
        assignments = assignments.filter(location_id__in=location_ids)
    cases_by_arm: dict[int, list[Case]] = {arm.playbook_id: [] for arm in arms}
    granted, overridden = Counter(), Counter()
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    rows = assignments.values_list(
        "playbook_id",
        "chosen_playbook_id",
        "grant__customer_id",
        "grant__failure_logged_at",
        "grant__tenure_tier",
        "grant__amount",
        "location__timezone",
    )
    for drawn, chosen, customer_id, logged_at, tier, amount, zone_name in rows:
        zone = zones.setdefault(zone_name, zoneinfo.ZoneInfo(zone_name))
        day = timezone.localtime(logged_at, zone).date()
        cases_by_arm.setdefault(drawn, []).append(Case(customer_id, day, tier, amount, drawn))
        granted[drawn] += 1
        overridden[drawn] += chosen != drawn
    customer_ids = {case.customer_id for cases in cases_by_arm.values() for case in cases}
    by_customer: dict[int, list[VisitDay]] = defaultdict(list)
    if customer_ids:
        visits = Visit.objects.filter(customer_id__in=customer_ids)
        if location_ids is not None:
            visits = visits.filter(location_id__in=location_ids)
        for customer_id, day, amount in visits.values_list("customer_id", "visited_on", "amount").iterator():
            by_customer[customer_id].append(VisitDay(day, amount))
    comparison = experiment_comparison(cases_by_arm, by_customer, as_of=as_of or timezone.localdate(), minimum=minimum)
    names = {arm.playbook_id: localized_text(arm.playbook, "name") for arm in arms}
    return ExperimentReport(
        rows=[
            ArmRow(
                names.get(figures.playbook_id, f"#{figures.playbook_id}"),
                figures,
                granted[figures.playbook_id],
                overridden[figures.playbook_id],
            )
            for figures in comparison.arms
        ],
        difference=comparison.difference,
        minimum=minimum,
    )
