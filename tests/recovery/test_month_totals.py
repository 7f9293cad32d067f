"""The running month totals the budget check reads: kept by grants and voids, refused grants leave them alone."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compensation.models import LocationBudget
from recovery.audit_verify.totals import totals_mismatches
from recovery.domain.errors import LimitExceeded
from recovery.models import LocationMonthTotal
from recovery.services import grant_void
from recovery.services.totals import month_totals_rebuild
from tests.factories import grant_for, publish

pytestmark = pytest.mark.django_db


def total_of(location):
    row = LocationMonthTotal.objects.get(location=location, month=location.month_start().date())
    return row.amount, row.grants


def test_grants_add_to_the_month_total_and_a_void_takes_its_grant_back(frontline, manager, central, customer):
    first = grant_for(frontline, central, customer, amount="5")
    grant_for(frontline, central, customer, amount="7.50")
    assert total_of(central) == (Decimal("12.50"), 2)
    grant_void(actor=manager, grant_id=first.pk, reason="Entered twice")
    assert total_of(central) == (Decimal("7.50"), 1)
    assert totals_mismatches(central) == []


def test_a_refused_grant_leaves_the_total_as_it_was(frontline, central, customer):
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("10"), when_exhausted="escalate")
    publish("Budget")
    grant_for(frontline, central, customer, amount="8")
    with pytest.raises(LimitExceeded):
        grant_for(frontline, central, customer, amount="5")
    assert total_of(central) == (Decimal("8.00"), 1)


def test_the_budget_check_does_not_read_the_months_grants(frontline, central, customer):
    """The location's month is one row: no statement of a grant sums or counts the grant table."""
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("100000"), when_exhausted="escalate")
    publish("Budget")
    for _ in range(3):
        grant_for(frontline, central, customer, amount="1")
    with CaptureQueriesContext(connection) as queries:
        grant_for(frontline, central, customer, amount="1")
    # No sum or count over the grants (the customer's lifetime spend sums their visits, not the month's grants).
    assert not [
        q["sql"]
        for q in queries
        if ("SUM(" in q["sql"].upper() or "COUNT(" in q["sql"].upper()) and '"recovery_grant"' in q["sql"]
    ]
    assert total_of(central) == (Decimal("4.00"), 4)


def test_a_rebuild_recomputes_a_changed_total(frontline, central, customer):
    grant_for(frontline, central, customer, amount="5")
    LocationMonthTotal.objects.filter(location=central).update(amount=Decimal("99"))
    assert totals_mismatches(central)
    month_totals_rebuild(location_ids=[central.pk])
    assert totals_mismatches(central) == []
    assert total_of(central) == (Decimal("5.00"), 1)
