"""The counter adds another compensation to an existing case (issue 17): the link, the prefilled
screen 2 with the per-case room left, the grant landing on the same case, and the refusals."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from recovery.models import Grant, ServiceFailure
from tests.conftest import client_for
from tests.factories import airline_authorities, grant_for, make_customer, playbook

pytestmark = pytest.mark.django_db

REFUND = {"code": "replace-spoiled", "purchase_value": "3000", "category": "product_defective", "note": "Torn box"}


@pytest.fixture
def first(frontline, central, customer):
    """A frontline grant of 1,500 on a new case, under the airline desk's 2,000 per-case authority."""
    airline_authorities()
    return grant_for(frontline, central, customer, amount="1500", **REFUND)


def resolve_url(customer, case) -> str:
    return reverse("counter_resolve", args=[customer.pk]) + f"?case={case}"


def case_form(page: str, case, amount: str) -> dict:
    """What the prefilled page posts: its hidden case facts, the refund card and `amount`."""
    refund = playbook("replace-spoiled").pk

    def hidden(name):
        return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)

    return {
        "case": case,
        "category": hidden("category"),
        "purchase_value": hidden("purchase_value"),
        "playbook": refund,
        "amount": amount,
        "token": hidden("token"),
        "quoted_purchase_value": hidden("quoted_purchase_value"),
        f"quoted_cap_{refund}": hidden(f"quoted_cap_{refund}"),
    }


def test_the_granted_page_links_to_adding_another_compensation_to_its_case(frontline_client, first, customer):
    page = frontline_client.get(reverse("counter_granted", args=[first.pk])).content.decode()
    assert "Add another compensation to this case" in page
    assert f'href="{resolve_url(customer, first.failure_id)}"' in page


def test_the_customers_recent_grants_link_to_their_case_at_this_counter(frontline_client, first, customer):
    page = frontline_client.get(reverse("counter_resolve", args=[customer.pk])).content.decode()
    assert f'href="{resolve_url(customer, first.failure_id)}"' in page


def test_the_auditor_who_may_not_grant_sees_no_link(auditor_client, first, customer):
    page = auditor_client.get(reverse("counter_granted", args=[first.pk]))
    assert "Add another compensation to this case" not in page.content.decode()


def test_the_case_opens_prefilled_with_the_room_left_on_it(frontline_client, first, customer):
    response = frontline_client.get(resolve_url(customer, first.failure_id))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Adding to case #{first.failure_id}" in page
    assert "€500.00 left on this case" in page and "€1,500.00 granted on it so far" in page
    assert f'name="case" value="{first.failure_id}"' in page
    assert 'name="category" value="product_defective"' in page and 'name="purchase_value" value="3000.00"' in page
    assert "Torn box" in page
    # The cards are priced for the case's purchase value and can give no more than the room left.
    assert 'name="quoted_purchase_value" value="3000.00"' in page
    assert "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left." in page


def test_the_grant_lands_on_the_same_case(frontline_client, first, customer):
    page = frontline_client.get(resolve_url(customer, first.failure_id)).content.decode()
    response = frontline_client.post(
        reverse("counter_resolve", args=[customer.pk]), case_form(page, first.failure_id, "400")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    second = Grant.objects.exclude(pk=first.pk).get()
    assert second.failure_id == first.failure_id and second.amount == Decimal("400.00")
    assert ServiceFailure.objects.count() == 1
    assert response["Location"] == reverse("counter_granted", args=[second.pk])
    granted = frontline_client.get(response["Location"]).content.decode()
    assert f"Case #{first.failure_id}: 2 active grants, together €1,900.00." in granted


def test_above_the_room_left_on_the_case_the_grant_is_refused_with_the_per_case_reason(
    frontline_client, first, customer
):
    page = frontline_client.get(resolve_url(customer, first.failure_id)).content.decode()
    response = frontline_client.post(
        reverse("counter_resolve", args=[customer.pk]), case_form(page, first.failure_id, "1500")
    )
    assert response.status_code == 422
    refused = response.content.decode()
    assert "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left." in refused
    assert "Your authority for this case" in refused
    assert f'name="case" value="{first.failure_id}"' in refused  # still on the case, to grant what is left
    assert Grant.objects.count() == 1


def test_a_case_opened_at_another_location_is_refused_naming_where(
    frontline_client, frontline_airport, airport, customer, first
):
    elsewhere = grant_for(frontline_airport, airport, customer, amount="100", **REFUND)
    response = frontline_client.get(resolve_url(customer, elsewhere.failure_id))
    page = response.content.decode()
    assert response.status_code == 422
    assert (
        f"Case: case #{elsewhere.failure_id} was opened at Airport Desk; add to it there, or start a new case here."
        in page
    )
    assert 'name="case"' not in page  # the page is a new case's
    # Posted anyway (a copied form): refused, nothing saved.
    form = case_form(frontline_client.get(resolve_url(customer, first.failure_id)).content.decode(), "", "100")
    response = frontline_client.post(
        reverse("counter_resolve", args=[customer.pk]), form | {"case": elsewhere.failure_id}
    )
    assert response.status_code == 422
    assert "was opened at Airport Desk" in response.content.decode()
    assert Grant.objects.count() == 2


@pytest.mark.parametrize("case", ["other", "999999", "12ab", "-3", "٣"])
def test_a_case_of_another_customer_or_no_case_at_all_is_refused(frontline_client, first, customer, case):
    other = make_customer("Other Person")
    case = str(first.failure_id) if case == "other" else case
    response = frontline_client.get(resolve_url(other, case))
    assert response.status_code == 422
    page = response.content.decode()
    assert "start a new case instead" in page and "Case:" in page
    assert 'name="case"' not in page


def test_the_cards_refreshed_on_a_case_keep_to_its_room(frontline_client, first, customer):
    response = frontline_client.get(
        reverse("counter_quotes", args=[customer.pk]),
        {"purchase_value": "3000", "category": "product_defective", "case": first.failure_id},
    )
    assert response.status_code == 200
    assert "500.00 left" in response.content.decode()


def test_a_manager_may_add_more_to_the_same_case(manager, first, customer):
    client = client_for(manager)
    page = client.get(resolve_url(customer, first.failure_id)).content.decode()
    assert "€8,450.00 left on this case" in page  # supervisor 9,950 per case − 1,500
