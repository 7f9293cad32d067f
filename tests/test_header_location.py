"""The header's location chip shows on every page for staff who work at a location, not only on the counter."""

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CHIP = '<span class="location" title="Serving at">'


@pytest.mark.parametrize("name", ["needs_you", "audit", "escalations", "insights", "budgets"])
def test_a_manager_sees_the_location_chip_on_each_page(manager, name):
    page = client_for(manager).get(reverse(name)).content.decode()
    assert CHIP in page
    assert page[page.index(CHIP) :].split("</span>", 2)[1].strip().endswith("Central Store")


def test_the_chip_follows_the_location_chosen_at_the_counter(frontline, central, airport):
    frontline.staff_profile.locations.add(airport)
    client = client_for(frontline)
    assert "Airport Desk</span>" in client.get(reverse("my_grants")).content.decode()  # the first, by name
    client.post(reverse("counter_location_choose"), {"location": central.pk})
    client.get(reverse("counter"))
    assert "Central Store</span>" in client.get(reverse("my_grants")).content.decode()


def test_staff_without_a_location_get_no_chip(ops):
    assert CHIP not in client_for(ops).get(reverse("ops_home")).content.decode()
