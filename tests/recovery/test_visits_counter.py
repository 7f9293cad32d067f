"""The counter records a visit when it finds the customer: once per customer, location and local day."""

import pytest
from django.urls import reverse

from recovery.models import Visit
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_finding_the_customer_records_one_visit_a_day_per_location(clock, frontline, central, customer):
    url = reverse("counter_resolve", args=[customer.pk])
    clock.move_to("2027-03-10T08:00:00+00:00")
    client = client_for(frontline)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    clock.move_to("2027-03-11T08:00:00+00:00")
    client = client_for(frontline)
    assert client.get(url).status_code == 200

    visits = Visit.objects.order_by("visited_on").values_list("visited_on", "location", "source", "amount")
    assert [(str(day), loc, source, str(amount)) for day, loc, source, amount in visits] == [
        ("2027-03-10", central.pk, "counter", "0.00"),
        ("2027-03-11", central.pk, "counter", "0.00"),
    ]


def test_the_local_day_is_the_locations(clock, frontline, central, customer):
    """23:30 UTC on 31 March is already 1 April in London (BST): the visit is April's."""
    clock.move_to("2027-03-31T23:30:00+00:00")
    client = client_for(frontline)
    assert client.get(reverse("counter_resolve", args=[customer.pk])).status_code == 200
    assert str(Visit.objects.get().visited_on) == "2027-04-01"


def test_a_failed_search_or_the_customer_list_records_nothing(clock, frontline, central, customer):
    clock.move_to("2027-03-10T08:00:00+00:00")
    client = client_for(frontline)
    assert client.get(reverse("counter"), {"q": "Moreau"}).status_code == 200
    assert not Visit.objects.exists()
