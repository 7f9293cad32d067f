"""The replay bounds several grants on one case by the draft's per-case authority, as the counter
would (issue 17), and says plainly that it does not re-draw experiments."""

import html
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation.models import RoleAuthority
from compensation.policy import draft_policy
from recovery.models import Experiment, ExperimentAssignment
from recovery.replay import replay_draft
from recovery.replay_pending import replay_against_version_in_force
from tests.factories import airline_authorities, grant_for, playbook

pytestmark = pytest.mark.django_db

REFUND = {"code": "replace-spoiled", "purchase_value": "3000"}
EXPERIMENT_NOTE = "Experiments are not replayed. A grant made while an experiment ran counts with the playbook"


def visible(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def one_case_two_grants(manager, central, customer):
    """A supervisor (9,950 a case) grants 1,500 twice on one case, and 300 on a case of its own."""
    airline_authorities()
    first = grant_for(manager, central, customer, amount="1500", **REFUND)
    second = grant_for(manager, central, customer, amount="1500", failure_id=first.failure_id, **REFUND)
    alone = grant_for(manager, central, customer, amount="300", **REFUND)
    assert second.failure_id == first.failure_id != alone.failure_id
    return first, second, alone


def supervisor_case_limit_in_draft(limit: str):
    RoleAuthority.objects.filter(role="manager").update(case_limit=Decimal(limit))


def window():
    now = timezone.now()
    return {"since": now - timedelta(days=1), "until": now + timedelta(minutes=1)}


def test_the_second_grant_on_a_case_is_capped_by_the_drafts_per_case_authority(one_case_two_grants):
    supervisor_case_limit_in_draft("2000")
    result = replay_draft(policy=draft_policy(), **window())

    total = result.total
    assert (total.grants, total.actual, total.draft) == (3, Decimal("3300.00"), Decimal("2300.00"))
    assert total.case_capped == 1 and total.capped_lower == 1
    first, second, alone = one_case_two_grants
    [cut] = result.grants["case_capped"].shown
    assert (cut.grant_id, cut.before, cut.after) == (second.pk, Decimal("1500.00"), Decimal("500.00"))


def test_a_per_case_bound_below_one_grant_refuses_the_second_entirely(one_case_two_grants):
    supervisor_case_limit_in_draft("1500")
    result = replay_draft(policy=draft_policy(), **window())
    first, second, alone = one_case_two_grants
    after = {grant.grant_id: grant.after for grant in result.grants["changed"].shown}
    assert after == {second.pk: Decimal("0.00")}  # the first and the lone grant fit the bound
    assert result.total.draft == Decimal("1800.00")


def test_the_pending_changes_against_the_version_in_force_name_the_per_case_cut(ops_client, one_case_two_grants):
    supervisor_case_limit_in_draft("2000")
    comparison = replay_against_version_in_force(**window())
    pending = comparison.pending.total
    assert (pending.actual, pending.draft, pending.case_capped) == (Decimal("3300.00"), Decimal("2300.00"), 1)
    # The version in force (9,950 a case) keeps both grants of the case as they were.
    assert comparison.in_force.total.case_capped == 0
    assert comparison.in_force.total.draft == Decimal("3300.00")

    page = visible(ops_client.get(reverse("ops_replay")))
    assert "Capped by the authority per case: 1 grant" in page
    assert "Several grants on one case are bounded together by the draft's authority per case" in page


def test_a_live_grant_the_per_case_bound_refused_is_not_in_the_replay_to_be_cut(frontline, central, customer):
    """The replay's bound is the counter's: what the counter let through under the same bound stays."""
    airline_authorities()
    first = grant_for(frontline, central, customer, amount="1500", **REFUND)
    grant_for(frontline, central, customer, amount="500", failure_id=first.failure_id, **REFUND)
    result = replay_draft(policy=draft_policy(), **window())
    assert result.total.case_capped == 0 and result.total.draft == result.total.actual == Decimal("2000.00")


def test_grants_made_in_an_experiment_are_counted_and_said_not_to_be_redrawn(
    ops, ops_client, frontline, central, customer
):
    grant = grant_for(frontline, central, customer, code="free-drinks", purchase_value="100")
    experiment = Experiment.objects.create(name="Drinks or dessert", category="waiting", started_by=ops)
    ExperimentAssignment.objects.create(
        experiment=experiment,
        token=uuid.uuid4(),
        customer=customer,
        location=central,
        playbook=playbook("free-drinks"),
        assigned_by=frontline,
        grant=grant,
        chosen_playbook=playbook("free-drinks"),
    )
    grant_for(frontline, central, customer, code="free-drinks", purchase_value="100")

    result = replay_draft(policy=draft_policy(), **window())
    assert result.total.grants == 2 and result.total.in_experiment == 1
    assert [row.grant_id for row in result.grants["in_experiment"].shown] == [grant.pk]

    page = visible(ops_client.get(reverse("ops_replay")))
    assert EXPERIMENT_NOTE in page
    assert "Made in an experiment (not re-drawn) 1 grant, replayed with the playbook actually granted" in page
