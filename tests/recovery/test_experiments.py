"""Experiments: ops start and stop them, the counter suggests the playbook drawn per case, the grant records it."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compensation.models import AuditEvent
from recovery import services
from recovery.models import Experiment, ExperimentArm, ExperimentAssignment, Grant
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SPOILED, POCKET = "replace-spoiled", "out-of-pocket"  # both cap a 100.00 purchase at 100.00


@pytest.fixture
def running(ops):
    return factories.experiment(ops, "Replace or reimburse", "waiting", [SPOILED, POCKET])


def start(ops, codes, category="waiting", name="Trial"):
    return services.experiment_start(
        actor=ops, name=name, category=category, playbook_ids=[factories.playbook(code).pk for code in codes]
    )


def refusal(ops, codes, category="waiting", name="Trial"):
    with pytest.raises(services.RecoveryError) as refused:
        start(ops, codes, category, name)
    assert Experiment.objects.filter(name=name).count() == 0
    return refused.value


# --- starting: bad input refused, naming the field -------------------------------------------------


def test_one_playbook_is_refused_naming_playbooks(ops):
    error = refusal(ops, [SPOILED, SPOILED])
    assert error.field == "playbooks" and "at least two" in error.message


def test_a_playbook_not_offered_for_the_category_is_refused(ops):
    pocket = factories.playbook(POCKET)
    pocket.categories = ["missed_promise"]
    pocket.save()
    factories.publish("Out-of-pocket only for missed promises")
    error = refusal(ops, [SPOILED, POCKET])
    assert error.field == "playbooks"
    assert "not offered for “Waiting or delay”" in error.message


def test_playbooks_of_different_cost_are_refused_with_their_caps(ops):
    error = refusal(ops, [SPOILED, "free-drinks"])
    assert error.field == "playbooks"
    assert "not of similar cost" in error.message and "25%" in error.message


def test_a_second_running_experiment_on_a_category_is_refused(ops, running):
    error = refusal(ops, [SPOILED, POCKET], name="Again")
    assert error.field == "category"
    assert Experiment.objects.filter(category="waiting", stopped_at__isnull=True).count() == 1


def test_a_stopped_experiment_leaves_room_for_the_next(ops, running):
    services.experiment_stop(actor=ops, experiment=running, reason="Enough cases")
    assert start(ops, [SPOILED, POCKET], name="Next").is_running
    assert running.history.count() == 2  # started, stopped


def test_the_start_page_names_the_field_and_stores_nothing(ops):
    response = client_for(ops).post(
        reverse("ops_experiments"),
        {"name": "One arm", "category": "waiting", "playbooks": [factories.playbook(SPOILED).pk]},
    )
    assert response.status_code == 422
    assert "Playbooks: choose at least two different playbooks" in response.content.decode()
    assert not Experiment.objects.exists()


def test_the_start_page_starts_one_and_shows_its_comparison(ops):
    ids = [factories.playbook(code).pk for code in (SPOILED, POCKET)]
    client = client_for(ops)
    response = client.post(reverse("ops_experiments"), {"name": "Pilot", "category": "waiting", "playbooks": ids})
    experiment = Experiment.objects.get(name="Pilot")
    assert response["Location"] == reverse("ops_experiment", args=[experiment.pk])
    assert list(ExperimentArm.objects.filter(experiment=experiment).values_list("playbook_id", flat=True)) == ids
    page = client.get(response["Location"]).content.decode()
    assert "Too few cases to compare yet." in page


def test_stopping_needs_a_reason(ops, running):
    response = client_for(ops).post(reverse("ops_experiment_stop", args=[running.pk]), {"reason": " "})
    assert response.status_code == 422
    assert "Reason: say why the experiment stops." in response.content.decode()
    running.refresh_from_db()
    assert running.is_running


# --- the counter --------------------------------------------------------------------------------


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def quotes(client, customer, token, category="waiting", **extra):
    url = reverse("counter_quotes", args=[customer.pk])
    return client.get(url, {"category": category, "purchase_value": "100", "token": token, **extra})


def card_order(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-playbook="(\d+)"', response.content.decode())]


def test_the_drawn_playbook_comes_first_marked_and_is_the_same_on_reload(frontline, customer, running):
    client = client_for(frontline)
    token = token_of(client.get(reverse("counter_resolve", args=[customer.pk])))
    first = quotes(client, customer, token)
    assignment = ExperimentAssignment.objects.get(token=token)
    assert card_order(first)[0] == assignment.playbook_id
    assert "Suggested by experiment “Replace or reimburse”" in first.content.decode()
    assert 'name="experiment_reason"' in first.content.decode()
    for _ in range(3):
        again = quotes(client, customer, token)
        assert card_order(again)[0] == assignment.playbook_id
    assert ExperimentAssignment.objects.filter(token=token).count() == 1
    assert assignment.history.count() == 1  # the draw is recorded, with who drew it
    assert assignment.history.first().history_user == frontline


def test_each_case_is_drawn_at_random_between_the_arms(frontline, central, customer, running):
    drawn = {
        services.experiment_suggestion(
            actor=frontline, token=uuid.uuid4(), category="waiting", customer=customer, location=central
        ).playbook_id
        for _ in range(40)
    }
    # 40 fair draws all on one arm: 1 chance in 2^39.
    assert drawn == {factories.playbook(SPOILED).pk, factories.playbook(POCKET).pk}


def test_no_suggestion_for_another_category_or_after_the_stop(frontline, ops, customer, running):
    client = client_for(frontline)
    token = token_of(client.get(reverse("counter_resolve", args=[customer.pk])))
    assert "Suggested by experiment" not in quotes(client, customer, token, category="billing").content.decode()
    services.experiment_stop(actor=ops, experiment=running, reason="Done")
    assert "Suggested by experiment" not in quotes(client, customer, token).content.decode()
    assert not ExperimentAssignment.objects.exists()


def test_the_suggestion_costs_the_counter_at_most_one_query(frontline, customer, running):
    client = client_for(frontline)
    token = token_of(client.get(reverse("counter_resolve", args=[customer.pk])))
    quotes(client, customer, token)  # the draw
    with CaptureQueriesContext(connection) as without:
        quotes(client, customer, token, category="billing")
    with CaptureQueriesContext(connection) as with_suggestion:
        assert "Suggested by experiment" in quotes(client, customer, token).content.decode()
    assert len(with_suggestion) <= len(without) + 1


def grant_form(token, playbook_code, **extra):
    return {
        "category": "waiting",
        "purchase_value": "100.00",
        "note": "",
        "playbook": factories.playbook(playbook_code).pk,
        "amount": "",
        "token": token,
        **extra,
    }


def drawn_case(frontline, customer):
    """A case opened at the counter with its playbook drawn: (client, token, drawn code, the other code)."""
    client = client_for(frontline)
    token = token_of(client.get(reverse("counter_resolve", args=[customer.pk])))
    quotes(client, customer, token)
    drawn = ExperimentAssignment.objects.get(token=token).playbook.code
    return client, token, drawn, POCKET if drawn == SPOILED else SPOILED


def test_choosing_another_playbook_without_a_reason_is_refused_naming_the_field(frontline, customer, running):
    client, token, _drawn, other = drawn_case(frontline, customer)
    response = client.post(reverse("counter_resolve", args=[customer.pk]), grant_form(token, other))
    assert response.status_code == 422
    assert "Reason for another playbook: the experiment “Replace or reimburse” suggests" in response.content.decode()
    assert not Grant.objects.exists()
    assert ExperimentAssignment.objects.get(token=token).grant is None


def test_an_override_with_a_reason_is_recorded_on_the_grant_and_its_journal(frontline, manager, customer, running):
    client, token, drawn, other = drawn_case(frontline, customer)
    form = grant_form(token, other, experiment_reason="Customer asked for cash back")
    response = client.post(reverse("counter_resolve", args=[customer.pk]), form)
    assert response.status_code == 302
    grant = Grant.objects.get()
    assignment = grant.experiment_assignment
    assert assignment.playbook.code == drawn and assignment.chosen_playbook.code == other
    assert assignment.overridden and assignment.override_reason == "Customer asked for cash back"
    entry = AuditEvent.objects.get(kind="experiment.case", subject_type="grant", subject_id=grant.pk)
    assert entry.payload["followed"] is False
    assert entry.payload["override_reason"] == "Customer asked for cash back"
    page = client_for(manager).get(reverse("audit_detail", args=[grant.pk])).content.decode()
    assert "another playbook chosen, because: Customer asked for cash back" in page
    assert "Experiment&#x27;s suggestion followed or overridden" in page


def test_following_the_suggestion_needs_no_reason_and_the_counter_grants_exactly_once(frontline, customer, running):
    client, token, drawn, _other = drawn_case(frontline, customer)
    form = grant_form(token, drawn)
    first = client.post(reverse("counter_resolve", args=[customer.pk]), form)
    second = client.post(reverse("counter_resolve", args=[customer.pk]), form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    grant = Grant.objects.get()
    assert grant.experiment_assignment.overridden is False
    assert grant.experiment_assignment.override_reason == ""
    assert AuditEvent.objects.filter(kind="experiment.case").count() == 1


def test_the_comparison_counts_the_granted_case_in_its_drawn_arm(frontline, manager, customer, running):
    client, token, drawn, other = drawn_case(frontline, customer)
    client.post(reverse("counter_resolve", args=[customer.pk]), grant_form(token, other, experiment_reason="Asked"))
    page = client_for(manager).get(reverse("ops_experiment", args=[running.pk])).content.decode()
    assert "another playbook chosen: 1" in page
    assert "Too few cases to compare yet." in page
