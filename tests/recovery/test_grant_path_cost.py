"""What the grant path no longer pays for (issue #20), and that what it keeps still reads the same.

- The history manager's class is built once per model, not on every `instance.history` access.
- The grant's policy snapshot stays on the grant; its history rows no longer copy it (it never changes).
- The customer's lifetime spend is summed only for a policy with programme tiers (only they read it).
"""

import datetime as dt
from decimal import Decimal

import pytest

from compensation.history import PreparedHistoryDescriptor
from compensation.models import ProgrammeTier
from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery.models import Grant, ServiceFailure, Visit
from recovery.selectors import history_of, standing_of
from recovery.services.grants import grant_issue
from recovery.services.pricing import grant_request_price
from recovery.services.voids import grant_void
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_history_manager_class_is_built_once_per_model(frontline, central, customer):
    grant = factories.grant_for(frontline, central, customer)
    for model in (Grant, ServiceFailure):
        assert isinstance(vars(model)["history"], PreparedHistoryDescriptor)
    assert type(grant.history) is type(grant.history) is type(Grant.history)
    assert type(grant.failure.history) is type(ServiceFailure.history)
    # The managers still answer as simple-history's: the instance's rows, the model's rows.
    assert list(grant.history.values_list("history_type", flat=True)) == ["+"]
    assert Grant.history.filter(id=grant.pk).count() == 1
    assert grant.failure.history.get().history_user_id == frontline.pk


def test_the_snapshot_stays_on_the_grant_and_its_history_rows_keep_every_other_field(
    frontline, manager, central, customer
):
    grant = factories.grant_for(frontline, central, customer)
    assert "policy_snapshot" not in {field.name for field in Grant.history.model._meta.fields}
    grant.refresh_from_db()
    assert grant.policy_snapshot["currency"] == grant.currency and grant.policy_snapshot["offer"]
    created = grant.history.get()
    tracked = [f.attname for f in Grant._meta.fields if f.name != "policy_snapshot"]
    assert {name: getattr(created, name) for name in tracked} == {name: getattr(grant, name) for name in tracked}
    assert (created.history_type, created.history_user_id) == ("+", frontline.pk)

    grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    voided = grant.history.latest("history_date")
    assert (voided.history_type, voided.status, voided.void_reason) == ("~", "voided", "Entered twice")
    [void_entry, _created_entry] = history_of(grant)
    assert "status" in {change.field for change in void_entry.changes}


def _price(frontline, central, customer):
    request = factories.grant_request(customer, central)
    return grant_request_price(actor=frontline, roles=roles_of(frontline), request=request, policy=load_policy())


def test_without_programme_tiers_the_spend_is_not_summed(frontline, central, customer, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert standing_of(customer, central, spend=False).lifetime_spend == 0
    Visit.objects.create(
        customer=customer,
        location=central,
        visited_on=dt.date(2026, 1, 5),
        amount="80",
        currency=central.currency,
        source="api",
    )
    priced = _price(frontline, central, customer)
    assert priced.standing.lifetime_spend == 0  # nothing reads it: no programme tier
    assert "lifetime_spend" not in priced.policy.snapshot(
        priced.playbook.id, priced.authority, central.currency, lifetime_spend=priced.standing.lifetime_spend
    )


def test_with_a_spend_tier_the_spend_is_summed_and_chooses_the_tier(frontline, central, customer):
    ProgrammeTier.objects.create(name="Big spender", source="spend", min_spend=Decimal("50"), multiplier=Decimal("2"))
    factories.publish("Spend tier")
    before = _price(frontline, central, customer).quote
    Visit.objects.create(
        customer=customer,
        location=central,
        visited_on=dt.date(2026, 1, 5),
        amount="80",
        currency=central.currency,
        source="api",
    )
    priced = _price(frontline, central, customer)
    assert priced.standing.lifetime_spend == Decimal("80")
    assert (before.tier.name, priced.quote.tier.name) != ("Big spender", "Big spender")
    assert priced.quote.tier.name == "Big spender" and priced.quote.cap != before.cap
    outcome = grant_issue(
        actor=frontline, roles=roles_of(frontline), request=factories.grant_request(customer, central)
    )
    assert outcome.grant.amount == priced.quote.cap
    assert Decimal(outcome.grant.policy_snapshot["lifetime_spend"]) == Decimal("80")
