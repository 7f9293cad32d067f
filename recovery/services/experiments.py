"""Experiments: ops start and stop them; the counter draws a playbook per case and records what was done.

Starting refuses, naming the field, anything the counter could not run fairly:
fewer than two playbooks, a playbook not active in the policy in force or not
offered for the category, playbooks of different cost (their caps at
`REFERENCE_PURCHASE` for a new customer differ by more than 25 %), or a second
running experiment for the category. The draw uses `secrets` (no seed anyone
can steer) and is stored per case, so a reload suggests the same playbook.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from compensation.caps import Authority
from compensation.categories import fits
from compensation.models.fields import default_currency
from compensation.money import quantize
from compensation.observability import logs_action
from compensation.policy import Policy, load_policy
from compensation.recording import save_with_history
from compensation.texts import localized_text
from recovery.domain.errors import RecoveryError
from recovery.domain.experiments import SIMILAR_COST, caps_similar
from recovery.models import Experiment, ExperimentArm, ExperimentAssignment, ServiceFailure
from recovery.services.recording import record_with_history

# The similar-cost check prices every arm for this purchase, a new customer, and no authority limit.
REFERENCE_PURCHASE = Decimal("100.00")
REFERENCE_AUTHORITY = Authority(role="reference", limit=Decimal("1000000000"))


def _similar_cost_problem(policy: Policy, playbook_ids: list[int], currency: str) -> str:
    caps = {
        pk: policy.quote(
            pk, purchase_value=REFERENCE_PURCHASE, tenure_months=0, authority=REFERENCE_AUTHORITY, currency=currency
        ).cap
        for pk in playbook_ids
    }
    if caps_similar(list(caps.values())):
        return ""
    listed = ", ".join(
        f"“{localized_text(policy.playbooks[pk], 'name')}” {quantize(cap, currency)}" for pk, cap in caps.items()
    )
    return gettext(
        "Playbooks: not of similar cost. For a purchase of %(purchase)s %(currency)s their caps are %(caps)s; "
        "they may differ by at most %(percent)s%% of the smallest."
    ) % {
        "purchase": REFERENCE_PURCHASE,
        "currency": currency,
        "caps": listed,
        "percent": int(SIMILAR_COST * 100),
    }


def _checked_playbooks(policy: Policy, category: str, playbook_ids) -> list[int]:
    ids = list(dict.fromkeys(int(pk) for pk in playbook_ids))
    if len(ids) < 2:
        raise RecoveryError("playbooks", gettext("Playbooks: choose at least two different playbooks to compare."))
    label = str(ServiceFailure.Category(category).label)
    for pk in ids:
        playbook = policy.playbooks.get(pk)
        if playbook is None:
            raise RecoveryError(
                "playbooks",
                gettext("Playbooks: playbook #%(id)s is not active in the policy in force.") % {"id": pk},
            )
        if not fits(getattr(playbook, "categories", None), category):
            raise RecoveryError(
                "playbooks",
                gettext("Playbooks: “%(playbook)s” is not offered for “%(category)s”.")
                % {"playbook": localized_text(playbook, "name"), "category": label},
            )
    return ids


def _running_refusal(category: str) -> RecoveryError:
    label = str(ServiceFailure.Category(category).label)
    return RecoveryError(
        "category",
        gettext("Failure category: an experiment is already running for “%(category)s”; stop it first.")
        % {"category": label},
    )


@logs_action("experiment.start", fields=lambda kw: {"category": kw["category"]})
def experiment_start(*, actor, name: str, category: str, playbook_ids, policy: Policy | None = None) -> Experiment:
    """Start comparing `playbook_ids` for failures of `category`; refuses naming the field, writes nothing then."""
    name = (name or "").strip()
    if not name:
        raise RecoveryError("name", gettext("Name: give the experiment a name."))
    if category not in ServiceFailure.Category.values:
        raise RecoveryError("category", gettext("Failure category: choose one of the list."))
    policy = policy or load_policy()
    ids = _checked_playbooks(policy, category, playbook_ids)
    problem = _similar_cost_problem(policy, ids, default_currency())
    if problem:
        raise RecoveryError("playbooks", problem)
    if Experiment.objects.filter(category=category, stopped_at__isnull=True).exists():
        raise _running_refusal(category)
    try:
        with transaction.atomic():
            experiment = Experiment(name=name, category=category, started_by=actor, started_at=timezone.now())
            save_with_history(experiment, actor=actor, reason=gettext("Experiment started"))
            for position, pk in enumerate(ids):
                save_with_history(ExperimentArm(experiment=experiment, playbook_id=pk, position=position), actor=actor)
    except IntegrityError:  # another ops user started one for this category at the same moment
        raise _running_refusal(category) from None
    return experiment


@logs_action("experiment.stop", fields=lambda kw: {"experiment_id": kw["experiment"].pk})
def experiment_stop(*, actor, experiment: Experiment, reason: str) -> Experiment:
    """Stop a running experiment with the reason; the counter stops suggesting at once."""
    reason = (reason or "").strip()
    if not reason:
        raise RecoveryError("reason", gettext("Reason: say why the experiment stops."))
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.stopped_at is not None:
            raise RecoveryError(None, gettext("This experiment was already stopped."))
        experiment.stopped_at, experiment.stopped_by, experiment.stop_reason = timezone.now(), actor, reason
        save_with_history(experiment, actor=actor, reason=reason)
    return experiment


@dataclass(frozen=True)
class Suggestion:
    """The playbook an experiment drew for this case."""

    experiment_id: int
    experiment_name: str
    playbook_id: int


def experiment_suggestion(
    *, actor, token, category: str | None, customer, location, draw: bool = True
) -> Suggestion | None:
    """The playbook drawn for this case if an experiment runs for `category`, drawing it the first time.

    One query when no experiment runs or the case was drawn already (the
    running experiment's arms with the case's earlier draw); the first draw adds its insert.
    `draw=False` only reads an earlier draw: a refused grant changes nothing.
    """
    if not category or token is None:
        return None
    earlier = ExperimentAssignment.objects.filter(experiment=OuterRef("experiment"), token=token).values("playbook_id")[
        :1
    ]
    arms = list(
        ExperimentArm.objects.filter(experiment__category=category, experiment__stopped_at__isnull=True)
        .select_related("experiment")
        .annotate(drawn=Subquery(earlier))
        .order_by("position")
    )
    if not arms:
        return None
    experiment = arms[0].experiment
    if arms[0].drawn is not None:
        return Suggestion(experiment.pk, experiment.name, arms[0].drawn)
    if not draw:
        return None
    drawn = secrets.choice(arms).playbook_id
    assignment = ExperimentAssignment(
        experiment=experiment,
        token=token,
        customer=customer,
        location=location,
        playbook_id=drawn,
        assigned_by=actor,
    )
    try:
        with transaction.atomic():
            save_with_history(assignment, actor=actor)
    except IntegrityError:  # the same case drawn at the same moment (two tabs): keep the first draw
        drawn = ExperimentAssignment.objects.get(experiment=experiment, token=token).playbook_id
    return Suggestion(experiment.pk, experiment.name, drawn)


def experiment_choice_check(assignment_id: int | None, *, drawn: int | None, playbook_id: int, reason: str) -> None:
    """Choosing another playbook than the one drawn for this case (`assignment_id`) needs the employee's reason."""
    if assignment_id is None or drawn == playbook_id or reason.strip():
        return
    name = ExperimentAssignment.objects.filter(pk=assignment_id).values_list("experiment__name", flat=True).first()
    raise RecoveryError(
        "experiment_reason",
        gettext(
            "Reason for another playbook: the experiment “%(experiment)s” suggests another playbook; "
            "say briefly why you chose this one."
        )
        % {"experiment": name},
    )


def experiment_case_record(*, actor, assignment_id: int, grant, reason: str, now) -> None:
    """Link the draw to its grant with the playbook chosen, in the grant's history and journal (its transaction)."""
    assignment = ExperimentAssignment.objects.select_related("experiment").get(pk=assignment_id)
    assignment.grant = grant
    assignment.chosen_playbook_id = grant.playbook_id
    assignment.override_reason = reason.strip() if assignment.overridden else ""
    record_with_history(
        assignment,
        actor=actor,
        kind="experiment.case",
        subject_type="grant",
        subject_id=grant.pk,
        at=now,
        history_date=now,
        reason=assignment.override_reason or None,
        payload={
            "experiment_id": assignment.experiment_id,
            "experiment": assignment.experiment.name,
            "drawn_playbook_id": assignment.playbook_id,
            "chosen_playbook_id": grant.playbook_id,
            "followed": not assignment.overridden,
            "override_reason": assignment.override_reason,
        },
    )
