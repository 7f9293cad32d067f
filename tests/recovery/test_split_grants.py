"""Several grants by one employee to one customer within minutes that together pass one grant's authority."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from compensation.models import RoleAuthority
from recovery.anomalies import anomalies_detect
from recovery.anomalies.detectors import detector_for
from recovery.anomalies.detectors.split_grants import split_bursts
from recovery.models import AnomalyFlag
from recovery.services import grant_issue
from tests.factories import grant_request, make_customer, publish

NOW = timezone.now()


def row(minutes, amount, *, customer=1, employee=1, authority="2000", currency="EUR"):
    return {
        "customer_id": customer,
        "granted_by_id": employee,
        "currency": currency,
        "granted_at": NOW + timedelta(minutes=minutes),
        "amount": Decimal(amount),
        "authority_limit": Decimal(authority),
    }


def test_two_grants_of_1500_within_minutes_under_a_2000_authority_are_one_burst():
    assert [len(burst) for burst in split_bursts([row(0, "1500"), row(4, "1500")])] == [2]


@pytest.mark.parametrize(
    "rows",
    [
        [row(0, "1500"), row(16, "1500")],  # further apart than the window
        [row(0, "900"), row(4, "900")],  # together within the authority
        [row(0, "1500"), row(4, "1500", employee=2)],  # two employees
        [row(0, "1500"), row(4, "1500", customer=2)],  # two customers
        [row(0, "1500"), row(4, "1500", currency="JPY")],  # amounts of two currencies are never added
        [row(0, "2500", authority="9950"), row(3, "2500", authority="9950")],  # a supervisor's authority
    ],
)
def test_what_is_not_a_split(rows):
    rows.sort(key=lambda r: (r["customer_id"], r["granted_by_id"], r["currency"], r["granted_at"]))
    assert split_bursts(rows) == []


@pytest.mark.django_db
def test_a_split_at_the_counter_is_flagged_once_and_worded_in_russian(frontline, central):
    RoleAuthority.objects.filter(role="frontline").update(limit=Decimal("20.00"))
    publish("Small authority")
    customer = make_customer("Sam Split")
    for note in ("first half", "second half"):
        request = grant_request(customer, central, code="free-drinks", purchase_value="100", amount="15.00", note=note)
        grant_issue(actor=frontline, roles=["frontline"], request=request)
    anomalies_detect()
    (flag,) = AnomalyFlag.objects.filter(kind=AnomalyFlag.Kind.SPLIT_GRANTS)
    assert flag.reason == (
        "frank made 2 grants to Sam Split within 0 minutes, together 30.00: more than one grant's authority of "
        "20.00. A split of one case?"
    )
    anomalies_detect()
    assert AnomalyFlag.objects.filter(kind=AnomalyFlag.Kind.SPLIT_GRANTS).count() == 1
    with translation.override("ru"):
        assert "Sam Split" in detector_for(flag.kind).reason_words(flag, flag.figures)
