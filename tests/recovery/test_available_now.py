"""Available now, before the tap: each card shows what can be granted to this customer now.

The lowest of the playbook's cap, the employee's authority, the customer's
rolling allowance and the location's budget, with the limit that decides it
named; a card that can give nothing is disabled with its reason and the way to
a manager, never the default. The grant still re-checks everything.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compensation.models import CustomerLimit, LocationBudget, Playbook
from recovery.models import Grant
from tests import factories
from tests.recovery.test_counter_limits import form_by_class, resolve_url, token_of

pytestmark = pytest.mark.django_db


def limit(max_grants=8, max_total="600.00"):
    CustomerLimit.objects.create(window_days=30, max_grants=max_grants, max_total=Decimal(max_total))
    factories.publish("Customer limit")


def cards(client, customer, purchase_value="120.00"):
    response = client.get(reverse("counter_quotes", args=[customer.pk]), {"purchase_value": purchase_value})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def card_of(page: str, code: str) -> str:
    """The markup of one playbook's card."""
    pk = factories.playbook(code).pk
    for chunk in re.split(r'(?=<(?:label class="card"|div class="card card-disabled"))', page):
        if f'name="playbook" value="{pk}"' in chunk:
            return chunk
    raise AssertionError(f"no card for {code}")


def radios(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="playbook"[^>]*>', page)


def test_a_customer_at_the_rolling_count_sees_every_card_disabled_with_the_limit_named(
    frontline, frontline_client, central, customer
):
    limit(max_grants=2)
    for _ in range(2):
        factories.grant_for(frontline, central, customer, amount="5")

    for page in (
        html.unescape(frontline_client.get(resolve_url(customer)).content.decode()),
        cards(frontline_client, customer),
    ):
        assert radios(page) and all(" disabled" in radio and "checked" not in radio for radio in radios(page))
        assert page.count("Limited by: 0 of 2 grants left in 30 days") == len(Playbook.objects.filter(is_active=True))
        assert page.count('name="ask_manager"') == len(radios(page))
        assert "data-available" not in page  # nothing to default the amount to


def test_ask_a_manager_on_a_disabled_card_opens_the_escalation_without_granting(
    frontline, frontline_client, central, customer
):
    limit(max_grants=2)
    for _ in range(2):
        factories.grant_for(frontline, central, customer, amount="5")
    screen = frontline_client.get(resolve_url(customer))
    playbook = factories.playbook("free-drinks")
    before = Grant.objects.count()

    response = frontline_client.post(
        resolve_url(customer),
        {
            "category": "waiting",
            "purchase_value": "120.00",
            "note": "",
            "token": token_of(screen),
            "quoted_purchase_value": "120.00",
            f"quoted_cap_{playbook.pk}": "18.00",
            "ask_manager": playbook.pk,
        },
    )

    assert response.status_code == 200
    assert Grant.objects.count() == before
    page = html.unescape(response.content.decode())
    assert "Above what you can grant now" in page
    assert "The customer already had 2 grants in the last 30 days (limit 2)." in page
    escalate = dict(form_by_class(response, "escalate")["fields"])
    assert escalate["playbook"] == str(playbook.pk) and escalate["amount"] == "18.00"


def test_what_is_left_for_the_customer_lowers_every_card_and_granting_it_succeeds(
    frontline, frontline_client, central, customer
):
    limit(max_grants=8, max_total="600.00")
    factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="200", amount="230.91")
    factories.grant_for(frontline, central, customer, code="replace-spoiled", amount="150.00")
    factories.grant_for(frontline, central, customer, code="replace-spoiled", amount="150.00")

    page = cards(frontline_client, customer)

    # Replace spoiled goods at 120.00 for a Loyal customer: 120.00 × 1.5 = 180.00, but 69.09 is left.
    spoiled = card_of(page, "replace-spoiled")
    assert 'data-available="69.09"' in spoiled and " disabled" not in spoiled
    assert "Available now: <strong>€69.09</strong>" in spoiled
    assert "Limited by: €69.09 left for this customer in 30 days" in spoiled
    assert "Cap for this customer: €180.00" in spoiled
    # A card whose own cap is lower keeps it: free drinks 10% of 120 × 1.5 = 18.00.
    drinks = card_of(page, "free-drinks")
    assert 'data-available="18.00"' in drinks and "Limited by: this playbook's cap for this customer €18.00" in drinks

    screen = frontline_client.get(resolve_url(customer))
    playbook = factories.playbook("replace-spoiled")
    response = frontline_client.post(
        resolve_url(customer),
        {
            "category": "product_defective",
            "purchase_value": "120.00",
            "note": "",
            "playbook": playbook.pk,
            "amount": "69.09",
            "token": token_of(screen),
            "quoted_purchase_value": "120.00",
            f"quoted_cap_{playbook.pk}": "180.00",
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())
    assert Grant.objects.latest("pk").amount == Decimal("69.09")


def test_the_authority_is_named_when_it_binds(frontline_client, customer):
    # Replace spoiled goods at 200.00 for a Loyal customer: 300.00, above the frontline authority 250.00.
    spoiled = card_of(cards(frontline_client, customer, "200.00"), "replace-spoiled")
    assert 'data-available="250.00"' in spoiled
    assert "Limited by: your authority €250.00" in spoiled


def test_the_location_budget_is_named_when_it_binds(frontline, frontline_client, central, customer):
    LocationBudget.objects.create(
        location=central, monthly_amount=Decimal("100.00"), when_exhausted=LocationBudget.WhenExhausted.ESCALATE
    )
    factories.publish("Budget")
    factories.grant_for(frontline, central, factories.make_customer("Bob"), code="replace-spoiled", amount="60.00")

    page = cards(frontline_client, customer)
    spoiled = card_of(page, "replace-spoiled")
    assert 'data-available="40.00"' in spoiled
    assert "Limited by: location budget €40.00 left this month" in spoiled

    factories.grant_for(frontline, central, factories.make_customer("Carl"), code="replace-spoiled", amount="40.00")
    page = cards(frontline_client, customer)
    assert all(" disabled" in radio for radio in radios(page))
    assert "Limited by: location budget €0.00 left this month" in page


def test_the_cards_cost_the_same_queries_with_1_or_12_grants_and_3_more_playbooks(
    frontline, frontline_client, central, customer
):
    limit(max_grants=50, max_total="5000.00")
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("9000.00"))
    factories.publish("Budget")
    frontline_client.get(resolve_url(customer))

    def cost():
        counts = []
        for url, data in (
            (resolve_url(customer), None),
            (reverse("counter_quotes", args=[customer.pk]), {"purchase_value": "80"}),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert frontline_client.get(url, data).status_code == 200
            counts.append(len(captured))
        return counts

    factories.grant_for(frontline, central, customer, amount="1")
    few = cost()
    for _ in range(11):
        factories.grant_for(frontline, central, customer, amount="1")
    for number in range(3):
        template = factories.playbook("free-drinks")
        template.pk, template.code, template.sort_order = None, f"extra-{number}", 900 + number
        template.save()
    factories.publish("More playbooks")
    cost()  # the new version's document is read and built once per process
    many = cost()
    assert many == few
    # The quotes fragment reads the usage once: session, user, location, policy version, usage.
    assert few[1] <= 8
