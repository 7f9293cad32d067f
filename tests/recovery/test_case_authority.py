"""Authority per case and per period (issue 17): several grants on one case, bounded together."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from compensation.models import RoleAuthority
from compensation.policy import load_policy, policy_from_document
from compensation.services import PolicyError, policy_publish
from recovery.anomalies import anomalies_detect
from recovery.models import AnomalyFlag, Escalation, Grant
from recovery.services import (
    LimitExceeded,
    RecoveryError,
    escalation_decide,
    escalation_request,
    grant_issue,
    grant_void,
)
from tests.factories import airline_authorities, grant_request, make_customer, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def pos_for_check(central, ops):
    """A frontline point-of-sale token at the central location (as tests/api's `pos`)."""
    from tests.api.conftest import api_client, issue

    return api_client(issue(central, "frontline", "POS till 1", actor=ops).secret)


REFUND = {"code": "replace-spoiled", "purchase_value": "3000"}


def first_grant(actor, location, customer, amount="1500"):
    return grant_issue(
        actor=actor,
        roles=[*actor.groups.values_list("name", flat=True)],
        request=grant_request(customer, location, amount=amount, **REFUND),
    ).grant


def add_to_case(actor, location, customer, case_id, amount="1500"):
    request = grant_request(customer, location, amount=amount, failure_id=case_id, **REFUND)
    return grant_issue(actor=actor, roles=[*actor.groups.values_list("name", flat=True)], request=request).grant


def test_a_frontline_cannot_give_1500_twice_on_one_case_under_a_2000_per_case_authority(frontline, central, customer):
    airline_authorities()
    first = first_grant(frontline, central, customer)

    with pytest.raises(LimitExceeded) as error:
        add_to_case(frontline, central, customer, first.failure_id)

    assert error.value.allowed == Decimal("500.00")
    assert [stop.limit for stop in error.value.stops] == ["case_authority"]
    assert "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left." in str(
        error.value.message
    )
    assert Grant.objects.filter(failure_id=first.failure_id).count() == 1
    # What is left may still be granted on the case: then the case is full.
    assert add_to_case(frontline, central, customer, first.failure_id, amount="500").failure_id == first.failure_id
    with pytest.raises(LimitExceeded) as full:
        add_to_case(frontline, central, customer, first.failure_id, amount="0.01")
    assert full.value.allowed == 0


def test_a_manager_may_give_1500_twice_on_one_case_under_a_9950_per_case_authority(manager, central, customer):
    airline_authorities()
    first = first_grant(manager, central, customer)
    second = add_to_case(manager, central, customer, first.failure_id)

    case = first.failure
    assert list(case.grants.order_by("pk")) == [first, second]
    assert sum(grant.amount for grant in case.grants.all()) == Decimal("3000.00")
    # The further grant keeps the case's own facts: one failure, logged once.
    assert (second.category, second.purchase_value, second.failure_logged_at) == (
        first.category,
        first.purchase_value,
        first.failure_logged_at,
    )


def test_a_voided_grant_gives_its_room_back_to_the_case(frontline, manager, central, customer):
    airline_authorities()
    first = first_grant(frontline, central, customer)
    grant_void(actor=manager, grant_id=first.pk, reason="Wrong amount")
    assert add_to_case(frontline, central, customer, first.failure_id, amount="2000").amount == Decimal("2000.00")


def test_above_the_per_case_authority_a_manager_approves_onto_the_same_case(frontline, manager, central, customer):
    airline_authorities()
    first = first_grant(frontline, central, customer)
    request = grant_request(customer, central, amount="1500", failure_id=first.failure_id, **REFUND)

    escalation = escalation_request(actor=frontline, roles=["frontline"], request=request, reason="Second flight")
    assert escalation.failure_id == first.failure_id
    assert [stop["limit"] for stop in escalation.stopped_by] == ["case_authority"]
    decided = escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=True, note="")

    assert decided.status == Escalation.Status.APPROVED
    assert decided.grant.failure_id == first.failure_id and decided.grant.approved_by == manager
    assert first.failure.grants.count() == 2


def test_a_manager_cannot_approve_past_their_own_per_case_authority(frontline, manager, central, customer):
    airline_authorities()
    RoleAuthority.objects.filter(role="manager").update(case_limit=Decimal("2500"))
    publish("Smaller supervisor case authority")
    first = first_grant(frontline, central, customer)
    request = grant_request(customer, central, amount="1500", failure_id=first.failure_id, **REFUND)
    escalation = escalation_request(actor=frontline, roles=["frontline"], request=request, reason="Second flight")

    with pytest.raises(RecoveryError) as error:
        escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=True, note="")

    assert "manager per-case authority 2,500.00 → 1,000.00 left" in str(error.value.message)
    assert first.failure.grants.count() == 1


def test_a_case_of_another_customer_is_refused_by_its_field(frontline, central, customer):
    airline_authorities()
    first = first_grant(frontline, central, customer)
    other = make_customer("Other Person")
    with pytest.raises(RecoveryError) as error:
        add_to_case(frontline, central, other, first.failure_id, amount="10")
    assert error.value.field == "case"
    assert f"case #{first.failure_id} is not this customer's" in str(error.value.message)
    assert Grant.objects.count() == 1


def test_the_same_form_on_a_case_sent_twice_grants_once(manager, central, customer):
    airline_authorities()
    first = first_grant(manager, central, customer)
    request = grant_request(customer, central, amount="100", failure_id=first.failure_id, **REFUND)
    one = grant_issue(actor=manager, roles=["manager"], request=request)
    again = grant_issue(actor=manager, roles=["manager"], request=request)
    assert again.replayed and again.grant == one.grant
    assert first.failure.grants.count() == 2


def test_the_daily_authority_counts_the_employee_s_own_grants_today(frontline, central, customer, clock):
    clock.move_to(datetime(2027, 3, 10, 10, 0, tzinfo=UTC), tick=False)
    RoleAuthority.objects.filter(role="frontline").update(daily_limit=Decimal("15.00"))
    publish("Daily authority")
    grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="10"))

    with pytest.raises(LimitExceeded) as error:
        grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="10"))
    assert error.value.allowed == Decimal("5.00")
    assert "You granted 10.00 today; frontline daily authority 15.00 → 5.00 left." in str(error.value.message)

    clock.move_to(datetime(2027, 3, 11, 0, 5, tzinfo=UTC), tick=False)  # just past midnight in London
    assert grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="10"))


def test_the_monthly_authority_bounds_the_employee_s_month(frontline, central, customer, clock):
    clock.move_to(datetime(2027, 3, 31, 22, 0, tzinfo=UTC), tick=False)
    RoleAuthority.objects.filter(role="frontline").update(monthly_limit=Decimal("12.00"))
    publish("Monthly authority")
    grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="10"))
    with pytest.raises(LimitExceeded) as error:
        grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="5"))
    assert [stop.limit for stop in error.value.stops] == ["monthly_authority"]
    assert error.value.allowed == Decimal("2.00")
    clock.move_to(datetime(2027, 4, 1, 0, 30, tzinfo=UTC), tick=False)  # 01:30 on 1 April in London: a new month
    assert grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="10"))


def test_an_older_document_reads_the_per_case_authority_as_the_per_grant_one():
    policy = policy_from_document({"role_authorities": {"frontline": "250.00"}})
    authority = policy.authority_for(["frontline"])
    assert (authority.limit, authority.per_case, authority.daily_limit, authority.monthly_limit) == (
        Decimal("250.00"),
        Decimal("250.00"),
        None,
        None,
    )


def test_a_draft_without_bounds_publishes_the_same_document_as_before(ops):
    latest = load_policy().version
    assert "role_authority_bounds" not in latest.document
    with pytest.raises(PolicyError) as error:
        policy_publish(actor=ops, reason="Nothing changed")
    assert "Nothing to publish" in str(error.value.message)


def test_publishing_a_per_case_authority_below_the_per_grant_one_is_refused_naming_the_field(ops):
    RoleAuthority.objects.filter(role="frontline").update(case_limit=Decimal("100.00"))
    number = load_policy().version.number
    with pytest.raises(PolicyError) as error:
        policy_publish(actor=ops, reason="Too small")
    assert (
        "Role authority frontline, per case: 100.00 is below its per-grant limit 250.00; "
        "a case must allow at least one full grant." in str(error.value.message)
    )
    assert load_policy().version.number == number


def test_the_ops_page_shows_the_refusal_and_publishes_nothing(ops_client):
    RoleAuthority.objects.filter(role="frontline").update(case_limit=Decimal("100.00"))
    number = load_policy().version.number
    response = ops_client.post("/ops/publish/", {"reason": "Too small"})
    assert "per case: 100.00 is below its per-grant limit 250.00" in response.content.decode()
    assert load_policy().version.number == number


def test_split_grants_flags_two_grants_on_one_case(manager, central):
    airline_authorities()
    customer = make_customer("Casey Case")
    first = first_grant(manager, central, customer)
    add_to_case(manager, central, customer, first.failure_id)
    anomalies_detect()
    (flag,) = AnomalyFlag.objects.filter(kind=AnomalyFlag.Kind.SPLIT_GRANTS)
    assert flag.reason.endswith("together 3,000.00: more than one grant's authority of 2,000.00. All on one case.")
    assert flag.figures["one_case"] is True


def test_split_grants_flags_two_cases_of_one_customer(frontline, central):
    airline_authorities()
    customer = make_customer("Sam Split")
    first_grant(frontline, central, customer)
    first_grant(frontline, central, customer)  # a second case: each within the per-case authority
    anomalies_detect()
    (flag,) = AnomalyFlag.objects.filter(kind=AnomalyFlag.Kind.SPLIT_GRANTS)
    assert flag.reason.endswith("2,000.00. A split of one case?") and flag.figures["one_case"] is False


def test_programme_check_airline_authorities(frontline, manager, central, ops_client, pos_for_check):
    """Issue 17's closing note: agent 2,000/2,000, supervisor 2,000/9,950; 1,500 + 1,500 on one case.

    Run with -s to read the texts the counter's refusal, the API quote and the simulator give."""
    airline_authorities()
    agent_case = first_grant(frontline, central, make_customer("Agent Case"))
    with pytest.raises(LimitExceeded) as refused:
        add_to_case(frontline, central, agent_case.customer, agent_case.failure_id)
    supervisor_case = first_grant(manager, central, make_customer("Supervisor Case"))
    allowed = add_to_case(manager, central, supervisor_case.customer, supervisor_case.failure_id)
    assert allowed.failure_id == supervisor_case.failure_id

    quote = pos_for_check.post(
        "/api/v1/quotes/",
        {"customer": agent_case.customer_id, "purchase_value": "3000.00", "case": agent_case.failure_id},
    ).json()
    page = ops_client.get(
        "/ops/simulator/", {"purchase_value": "3000", "tenure_months": "0", "role": "frontline", "case_granted": "1500"}
    ).content.decode()
    room = "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left."
    assert room in str(refused.value.message)
    assert quote["authority_limits"][0]["explanation"] == room
    assert room in page and "500.00 on this case" in page
    print("\nREFUSED (frontline, 1,500 + 1,500 on one case):", refused.value.message)
    print("ALLOWED (manager): case total", sum(grant.amount for grant in supervisor_case.failure.grants.all()))
    print("API QUOTE authority:", quote["authority"], "case:", quote["case"])
    print("API QUOTE authority_limits:", quote["authority_limits"])
    refund = next(row for row in quote["playbooks"] if row["code"] == "replace-spoiled")
    print("API QUOTE replace-spoiled:", refund["cap"], refund["available_now"], refund["limited_by_text"])
    print("API QUOTE explanation:", refund["explanation"])
    for line in page.splitlines():
        if "per-case authority" in line or "on this case" in line:
            print("SIMULATOR:", " ".join(line.split()))


def test_the_granted_page_shows_the_case_total(frontline, frontline_client, central, customer):
    from django.urls import reverse

    airline_authorities()
    first = first_grant(frontline, central, customer)
    second = add_to_case(frontline, central, customer, first.failure_id, amount="500")
    page = frontline_client.get(reverse("counter_granted", args=[second.pk])).content.decode()
    assert f"Case #{first.failure_id}: 2 active grants, together €2,000.00." in page
    alone = frontline_client.get(reverse("counter_granted", args=[first.pk]))
    assert "active grants, together" in alone.content.decode()  # the first grant's page shows the case too
