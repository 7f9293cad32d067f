"""Per-customer rolling limits, location budgets and escalations in the grant service."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from compensation.models import CustomerLimit, LocationBudget
from compensation.predicates import roles_of
from recovery.models import Escalation, Grant, ServiceFailure
from recovery.services import (
    LimitExceeded,
    RecoveryError,
    escalation_decide,
    escalation_request,
    grant_issue,
    grant_void,
)
from tests.factories import grant_for, grant_request, publish

pytestmark = pytest.mark.django_db


def customer_limit(window_days=30, max_grants=None, max_total=None):
    CustomerLimit.objects.create(
        window_days=window_days, max_grants=max_grants, max_total=None if max_total is None else Decimal(max_total)
    )
    publish("Customer limit")


def budget(location, monthly, when_exhausted="escalate"):
    LocationBudget.objects.create(location=location, monthly_amount=Decimal(monthly), when_exhausted=when_exhausted)
    publish("Budget")


def test_rolling_count_limit_counts_every_location(frontline, frontline_airport, central, airport, customer):
    customer_limit(max_grants=2)
    grant_for(frontline, central, customer, amount="5")
    grant_for(frontline_airport, airport, customer, amount="5")
    with pytest.raises(LimitExceeded) as error:
        grant_for(frontline, central, customer, amount="5")
    assert error.value.allowed == 0
    assert "The customer already had 2 grants in the last 30 days (limit 2)." in error.value.message
    assert "ask a manager to approve 5.00" in error.value.message
    assert Grant.objects.count() == 2 and ServiceFailure.objects.count() == 2


def test_rolling_total_limit_allows_the_rest(frontline, central, customer):
    customer_limit(max_total="20.00")
    grant_for(frontline, central, customer, amount="12.50")
    with pytest.raises(LimitExceeded) as error:
        grant_for(frontline, central, customer, amount="10.00")
    assert error.value.allowed == Decimal("7.50")
    assert "You can grant up to 7.50 now" in error.value.message
    assert grant_for(frontline, central, customer, amount="7.50").amount == Decimal("7.50")


def test_voided_and_old_grants_do_not_count(frontline, manager, central, customer):
    customer_limit(window_days=30, max_grants=1)
    old = grant_issue(
        actor=frontline,
        roles=["frontline"],
        request=grant_request(customer, central, amount="5"),
        at=timezone.now() - timedelta(days=31),
    ).grant
    assert old.pk
    voided = grant_for(frontline, central, customer, amount="5")
    grant_void(actor=manager, grant_id=voided.pk, reason="Entered twice")
    assert grant_for(frontline, central, customer, amount="5").amount == Decimal("5.00")


def test_budget_that_requires_escalation_stops_above_the_remainder(frontline, central, customer):
    budget(central, "20.00", "escalate")
    grant_for(frontline, central, customer, amount="15")
    with pytest.raises(LimitExceeded) as error:
        grant_for(frontline, central, customer, amount="10")
    assert error.value.allowed == Decimal("5.00")
    assert [stop.limit for stop in error.value.stops] == ["location_budget"]


def test_budget_that_only_warns_lets_the_grant_through_with_a_note(frontline, central, customer):
    budget(central, "20.00", "warn")
    grant_for(frontline, central, customer, amount="15")
    grant = grant_for(frontline, central, customer, amount="10")
    assert grant.limit_notes == ["This location has 5.00 left of its monthly budget of 20.00."]


def test_budget_of_another_location_is_not_touched(frontline_airport, airport, central, customer):
    budget(central, "1.00", "escalate")
    assert grant_for(frontline_airport, airport, customer, amount="10").amount == Decimal("10.00")


def test_escalation_approved_creates_one_grant_above_the_limit(frontline, manager, central, customer):
    customer_limit(max_grants=1)
    grant_for(frontline, central, customer, amount="5")
    token = uuid.uuid4()
    request = grant_request(customer, central, amount="14", token=token, note="Second failure today")
    escalation = escalation_request(actor=frontline, roles=["frontline"], request=request, reason="Waited 2 hours")
    again = escalation_request(actor=frontline, roles=["frontline"], request=request, reason="Waited 2 hours")
    assert again.pk == escalation.pk and Escalation.objects.count() == 1
    assert escalation.allowed_amount == 0 and escalation.stopped_by[0]["limit"] == "customer_limit"

    decided = escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note="Fair"
    )
    grant = decided.grant
    assert grant.amount == Decimal("14.00") and grant.approved_by == manager and grant.granted_by == frontline
    assert grant.policy_version == escalation.policy_version
    assert grant.failure.logged_at == escalation.requested_at and grant.granted_at == decided.decided_at
    assert grant.cap_steps[-1].startswith("Approved above the limits by maria")
    assert grant.history.first().history_user == manager
    assert decided.history.first().history_change_reason == "Fair"

    with pytest.raises(RecoveryError, match="already approved by maria"):
        escalation_decide(actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note="")
    assert Grant.objects.filter(approved_by=manager).count() == 1


def test_escalation_within_the_limits_is_refused(frontline, central, customer):
    with pytest.raises(RecoveryError, match="within every limit, so grant it now"):
        escalation_request(
            actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="5"), reason="x"
        )


def test_declining_needs_a_note_and_creates_nothing(frontline, manager, central, customer):
    escalation = escalation_request(
        actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="400"), reason="Angry"
    )
    with pytest.raises(RecoveryError) as error:
        escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=False, note=" ")
    assert error.value.field == "note"
    escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=False, note="Too much")
    escalation.refresh_from_db()
    assert escalation.status == "declined" and escalation.grant is None and not Grant.objects.exists()


def test_manager_cannot_approve_above_their_own_authority(frontline, manager, central, customer):
    escalation = escalation_request(
        actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="1500"), reason="Big"
    )
    with pytest.raises(RecoveryError, match="above your own authority of 1,000.00"):
        escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=True, note="")
    escalation.refresh_from_db()
    assert escalation.is_pending


def test_grant_issue_runs_a_constant_number_of_queries(frontline, central, customer, django_assert_max_num_queries):
    """With a customer limit and a budget: replay and escalation checks, version, two locks, two sums,
    the writes and the journal entry (chain head + insert)."""
    customer_limit(window_days=30, max_grants=50, max_total="5000")
    CustomerLimit.objects.create(window_days=90, max_grants=90)
    budget(central, "100000", "escalate")
    for _ in range(3):
        grant_for(frontline, central, customer, amount="1")
    # 14, the webhook subscribers (grant.created), the daily rollup; no lifetime spend without programme
    # tiers (issue #20).
    with django_assert_max_num_queries(14 + 1 + 1):
        grant_for(frontline, central, customer, amount="1")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_grants_never_exceed_the_customer_limit(installed_policy, central, frontline, customer):
    """Eight counters grant to one customer at once; the limit allows three."""
    customer_limit(max_grants=3)
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            grant_for(frontline, central, customer, amount="1")
            outcomes.append("granted")
        except LimitExceeded:
            outcomes.append("stopped")
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["granted"] * 3 + ["stopped"] * 5
    assert Grant.objects.filter(customer=customer).count() == 3


def test_approved_grant_takes_the_playbook_from_its_version_not_the_draft(frontline, manager, central, customer):
    escalation = escalation_request(
        actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="400"), reason="Angry"
    )
    from tests.factories import playbook

    drinks = playbook("free-drinks")
    drinks.name = "Draft name nobody published"
    drinks.save()
    decided = escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=True, note="")
    assert decided.grant.playbook_name == "Free drinks while you wait"


def test_a_case_is_either_escalated_or_granted_never_both(frontline, manager, central, customer):
    """The above-limit panel offers both actions with the same token: only one may pay out."""
    token = uuid.uuid4()
    escalation_request(
        actor=frontline,
        roles=["frontline"],
        request=grant_request(customer, central, amount="400", token=token),
        reason="Angry",
    )
    with pytest.raises(RecoveryError, match=r"You already asked a manager about this case \(escalation #\d+"):
        grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, token=token))
    assert not Grant.objects.exists()

    other = uuid.uuid4()
    grant_for(frontline, central, customer, token=other)
    with pytest.raises(RecoveryError, match=r"This case was already granted \(grant #\d+\)"):
        escalation_request(
            actor=frontline,
            roles=["frontline"],
            request=grant_request(customer, central, amount="400", token=other),
            reason="More",
        )
    assert Escalation.objects.count() == 1


def test_after_a_decline_the_case_may_be_granted_up_to_the_limit(frontline, manager, central, customer):
    token = uuid.uuid4()
    escalation = escalation_request(
        actor=frontline,
        roles=["frontline"],
        request=grant_request(customer, central, amount="400", token=token),
        reason="Angry",
    )
    escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=False, note="No")
    grant = grant_issue(actor=frontline, roles=["frontline"], request=grant_request(customer, central, token=token))
    assert grant.grant.amount == Decimal("15.00")


def test_the_approved_grant_uses_the_cases_token(frontline, manager, central, customer):
    token = uuid.uuid4()
    escalation = escalation_request(
        actor=frontline,
        roles=["frontline"],
        request=grant_request(customer, central, amount="400", token=token),
        reason="Angry",
    )
    decided = escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=True, note="")
    assert decided.grant.token == token and decided.grant.granted_by == frontline


def test_an_escalation_token_reused_with_other_values_is_refused(frontline, central, customer):
    token = uuid.uuid4()
    escalation_request(
        actor=frontline,
        roles=["frontline"],
        request=grant_request(customer, central, amount="400", token=token),
        reason="Angry",
    )
    with pytest.raises(RecoveryError, match="already used for escalation"):
        escalation_request(
            actor=frontline,
            roles=["frontline"],
            request=grant_request(customer, central, amount="500", token=token),
            reason="Angrier",
        )


def test_a_zero_amount_is_refused_by_the_service_itself(frontline, central, customer):
    with pytest.raises(RecoveryError) as error:
        grant_for(frontline, central, customer, amount="0")
    assert error.value.field == "amount" and not Grant.objects.exists()


def test_long_reasons_are_kept_whole_in_the_history(frontline, manager, central, customer):
    """Reasons up to 500 characters (void, decline) fit the history's change reason on PostgreSQL too."""
    reason = "Customer explained at length. " * 16
    grant = grant_for(frontline, central, customer)
    grant_void(actor=manager, grant_id=grant.pk, reason=reason[:500])
    assert grant.history.first().history_change_reason == reason[:500].strip()
    escalation = escalation_request(
        actor=frontline, roles=["frontline"], request=grant_request(customer, central, amount="400"), reason="x"
    )
    escalation_decide(actor=manager, roles=["manager"], escalation_id=escalation.pk, approve=False, note=reason[:500])
    assert escalation.history.first().history_change_reason == reason[:500].strip()
