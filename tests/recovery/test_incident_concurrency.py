"""An incident decided twice at once (two managers, or a double submit): every customer granted exactly once.

Transactional, with real threads (as tests/test_concurrency.py): runs on SQLite and on
PostgreSQL (`DATABASE_URL=postgres://…`), where the two decisions really interleave
and the failure's unique (incident, customer) decides each race.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from compensation.predicates import roles_of
from recovery.models import Customer, Grant, ServiceFailure
from recovery.services.incidents import incident_attach, incident_grant, incident_log
from tests import factories
from tests.test_concurrency import at_once, unexpected

pytestmark = pytest.mark.django_db(transaction=True)


def decide_all(actor, incident) -> int:
    """One manager's whole decision, chunk after chunk as the progress bar asks; how many they granted."""
    granted, after = 0, 0
    while True:
        outcome = incident_grant(actor=actor, roles=roles_of(actor), incident=incident, after=after, chunk=5)
        granted, after = granted + outcome.granted, outcome.next_after
        if outcome.done:
            return granted


@pytest.mark.parametrize("deciders", [2, 3])
def test_decisions_made_at_once_grant_each_customer_exactly_once(installed_policy, central, deciders):
    managers = [factories.make_user(f"manager{i}", "manager", [central]) for i in range(deciders)]
    customers = Customer.objects.bulk_create(
        Customer(name=f"Passenger {n}", phone=f"+4477009{n:05d}", customer_since=date(2020, 1, 1)) for n in range(20)
    )
    incident = incident_log(
        actor=managers[0],
        location=central,
        title="Flight delayed",
        category="waiting",
        happened_at=timezone.now() - timedelta(hours=1),
        playbook_id=factories.playbook("free-drinks").pk,
        purchase_value=Decimal("0"),
    )
    incident_attach(actor=managers[0], incident=incident, customers=customers, source="list")

    results = at_once(deciders, lambda i: decide_all(managers[i], incident))

    assert unexpected(results) == []
    assert sum(results) == 20  # between them, each customer once
    grants = Grant.objects.filter(failure__incident=incident)
    assert grants.count() == 20
    assert sorted(grants.values_list("customer_id", flat=True)) == sorted(c.pk for c in customers)
    assert ServiceFailure.objects.filter(incident=incident).count() == 20
    # And a retry afterwards grants nothing more.
    assert decide_all(managers[0], incident) == 0
    assert Grant.objects.count() == 20
