"""The programme check (issue #17): a "Flight delay" playbook pays 50 / 100 / 125 by status.

The simulator and the API quote the same amounts for each status; a top-status
customer of only three months gets the top amount (the status tier beats the
tenure tier); a grant stores the status it was made under in its snapshot.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from recovery import services
from tests import factories
from tests.api.conftest import api_client, issue
from tests.programme import EXPECTED_CAPS, flight_delay_programme, three_months_before

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(ops):
    return flight_delay_programme(actor=ops)


@pytest.fixture
def traveller(central):
    return factories.make_customer("Tia Traveller", since=three_months_before(central.today()), phone="+447700900333")


@pytest.mark.parametrize("status", ["", "Silver", "Gold", "Platinum"])
def test_the_simulator_quotes_the_amount_of_each_status(ops_client, programme, status):
    response = ops_client.get(
        reverse("ops_simulator"),
        {"purchase_value": "0", "tenure_months": "3", "status": status, "role": "frontline", "currency": "EUR"},
    )
    assert response.status_code == 200
    [row] = [row for row in response.context["simulation"].rows if row.name == "Flight delay"]
    assert row.in_force.cap == row.draft.cap == EXPECTED_CAPS[status]
    print(f"simulator: status {status or 'none'}: {row.in_force.cap}; {'; '.join(row.in_force.steps)}")


def test_the_simulator_refuses_a_status_no_policy_names(ops_client, programme):
    response = ops_client.get(
        reverse("ops_simulator"),
        {"purchase_value": "0", "tenure_months": "3", "status": "Bronze", "role": "frontline"},
    )
    assert response.status_code == 422
    assert "Status held: choose one of the statuses the policies name" in response.content.decode()


@pytest.mark.parametrize("status", ["", "Silver", "Gold", "Platinum"])
def test_the_api_quotes_the_amount_of_each_status(central, ops, programme, traveller, status):
    services.customer_status_set(actor=ops, customer_id=traveller.pk, status=status or "Gold", reason="CRM import")
    if not status:
        services.customer_status_set(actor=ops, customer_id=traveller.pk, status="", reason="Lapsed")
    pos = api_client(issue(central, "frontline", actor=ops).secret)

    body = pos.post("/api/v1/quotes/", {"customer": traveller.pk, "purchase_value": "0"}).json()

    assert body["tenure_months"] == 3 and body["status"] == status
    [row] = [row for row in body["playbooks"] if row["code"] == "flight-delay"]
    assert Decimal(row["cap"]) == EXPECTED_CAPS[status]
    assert row["tier_source"] == ("status" if status in ("Gold", "Platinum") else "tenure")
    print(f"API: status {status or 'none'}: {row['cap']}; {row['explanation']}")


def test_a_platinum_customer_of_three_months_gets_the_top_amount_and_the_grant_keeps_why(
    central, frontline, ops, programme, traveller
):
    services.customer_status_set(actor=ops, customer_id=traveller.pk, status="platinum", reason="CRM import")
    traveller.refresh_from_db()  # as the counter loads the customer
    playbook, version = programme

    grant = factories.grant_for(frontline, central, traveller, code="flight-delay", purchase_value="0")

    assert grant.cap == Decimal("125.00") and grant.tenure_tier == "Platinum"
    assert grant.policy_version == version
    assert grant.policy_snapshot["customer_status"] == "Platinum"
    assert "Platinum tier (Platinum status) ×2.5 = 125.00" in grant.cap_steps
    assert "Tiers reached: New (3 months) ×1, Platinum (Platinum status) ×2.5; the highest multiplier applies" in (
        grant.cap_steps
    )


def test_the_replay_reprices_a_grant_with_the_status_it_was_made_under(central, frontline, ops, programme, traveller):
    """Platinum 125 was granted; a draft lowering Platinum to ×2 would have capped it at 100."""
    from datetime import timedelta

    from django.utils import timezone

    from compensation.models import ProgrammeTier
    from compensation.policy import draft_policy
    from recovery.replay import replay_draft

    services.customer_status_set(actor=ops, customer_id=traveller.pk, status="Platinum", reason="CRM import")
    traveller.refresh_from_db()
    factories.grant_for(frontline, central, traveller, code="flight-delay", purchase_value="0")
    ProgrammeTier.objects.filter(status="Platinum").update(multiplier=Decimal("2.00"))

    result = replay_draft(policy=draft_policy(), since=timezone.now() - timedelta(days=1))

    [line] = [line for line in result.by_playbook if line.name == "Flight delay"]
    assert (line.grants, line.actual, line.draft, line.capped_lower) == (1, Decimal("125.00"), Decimal("100.00"), 1)
