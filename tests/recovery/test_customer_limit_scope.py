"""Customer limits per playbook, per tier and in calendar months, at the grant (issue #17).

"At most 6 grants per 6 months, and at most 1 out-of-pocket reimbursement a year": a second
reimbursement is refused by its own rule, naming it, while another playbook is still allowed; a
6-months window ends on the same day 6 months back in the location's calendar; a Gold customer's
rule replaces everyone's.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from compensation.models import CustomerLimit, Playbook, ProgrammeTier
from recovery.models import Customer, Grant
from recovery.selectors import counter_limits_for, counter_usage_for, playbook_caps
from recovery.services import LimitExceeded
from recovery.services import grant_issue as issue
from tests import factories
from tests.factories import grant_for, grant_request, publish

pytestmark = pytest.mark.django_db

NOON = datetime(2027, 8, 31, 12, 0, tzinfo=UTC)  # 13:00 in London, the location's calendar


def reimburse() -> Playbook:
    return Playbook.objects.get(code="out-of-pocket")


def programme(every_six_months=6, gold=None):
    """6 grants per 6 months for everyone (Gold: `gold`), 1 out-of-pocket reimbursement per 12 months."""
    CustomerLimit.objects.create(window_days=6, window_unit="months", max_grants=every_six_months)
    CustomerLimit.objects.create(window_days=12, window_unit="months", max_grants=1, playbook=reimburse())
    if gold is not None:
        tier = ProgrammeTier.objects.create(name="Gold", source="status", status="Gold", multiplier=Decimal("1.00"))
        CustomerLimit.objects.create(window_days=6, window_unit="months", max_grants=gold, tier=f"programme:{tier.pk}")
    return publish("A programme's limits")


def test_a_second_reimbursement_in_a_year_is_refused_while_drinks_are_still_allowed(
    frontline, central, customer, clock
):
    clock.move_to(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False)
    programme()
    grant_for(frontline, central, customer, code="out-of-pocket", amount="20")
    clock.move_to(NOON, tick=False)  # 9 months later: still in the year

    with pytest.raises(LimitExceeded) as error:
        grant_for(frontline, central, customer, code="out-of-pocket", amount="20")
    assert [stop.limit for stop in error.value.stops] == ["customer_limit"]
    assert (
        "The customer already had 1 “Reimburse out-of-pocket costs, no receipt” grant in the last 12 months (limit 1)."
        in error.value.message
    )
    # The every-playbook rule counts the reimbursement too, but has room: drinks go through.
    assert grant_for(frontline, central, customer, code="free-drinks", amount="5").amount == Decimal("5.00")
    assert Grant.objects.filter(customer=customer).count() == 2
    assert {entry.get("playbook") for entry in Grant.objects.last().policy_snapshot["customer_limits"]} == {
        None,
        reimburse().pk,
    }


def test_the_counter_cards_and_panel_say_the_same_as_the_grant(frontline, central, customer, clock):
    clock.move_to(NOON, tick=False)
    policy_version = programme()
    grant_for(frontline, central, customer, code="out-of-pocket", amount="20")
    from compensation.policy import load_policy

    policy = load_policy().at_location(central)
    authority = policy.authority_for(["frontline"])
    usage = counter_usage_for(customer=customer, location=central, policy=policy)
    cards = {
        card.playbook.code: card.available
        for card in playbook_caps(
            policy=policy,
            authority=authority,
            tenure_months=0,
            purchase_value=Decimal("100"),
            currency="EUR",
            usage=usage,
            location_id=central.pk,
        )
    }
    assert cards["out-of-pocket"].blocked and cards["out-of-pocket"].limited_by == "customer_grants"
    assert "0 of 1 grant left in 12 months (“Reimburse out-of-pocket costs, no receipt”)" in cards["out-of-pocket"].line
    assert not cards["free-drinks"].blocked
    panel = [window.text for window in counter_limits_for(customer=customer, location=central, policy=policy).windows]
    assert panel == [
        "1 of 6 grants used in 6 months",
        "1 of 1 grant used in 12 months (“Reimburse out-of-pocket costs, no receipt”)",
    ]
    assert policy_version.document["customer_limits"][1] == {
        "window_days": 12,
        "max_grants": 1,
        "max_total": None,
        "window_unit": "months",
        "playbook": reimburse().pk,
    }


@pytest.mark.parametrize(
    "granted_at, counts",
    [
        # 6 calendar months before 31 August 13:00 in London is 28 February 13:00: a day earlier is out.
        (datetime(2027, 2, 27, 13, 0, tzinfo=UTC), False),
        (datetime(2027, 3, 1, 13, 0, tzinfo=UTC), True),
    ],
    ids=["6-months-and-a-day-ago", "6-months-less-a-day-ago"],
)
def test_a_months_window_ends_on_the_same_day_months_back(frontline, central, customer, clock, granted_at, counts):
    clock.move_to(datetime(2027, 1, 1, 12, 0, tzinfo=UTC), tick=False)
    CustomerLimit.objects.create(window_days=6, window_unit="months", max_grants=1)
    publish("One grant per 6 months")
    clock.move_to(granted_at, tick=False)
    grant_for(frontline, central, customer, amount="5")
    clock.move_to(NOON, tick=False)

    if counts:
        with pytest.raises(LimitExceeded) as error:
            grant_for(frontline, central, customer, amount="5")
        assert "The customer already had 1 grant in the last 6 months (limit 1)." in error.value.message
    else:
        assert grant_for(frontline, central, customer, amount="5").amount == Decimal("5.00")


def test_a_gold_customer_s_rule_replaces_everyone_s(frontline, central, customer, clock):
    clock.move_to(NOON, tick=False)
    programme(every_six_months=1, gold=2)
    other = factories.make_customer("Bob Plain", phone="+447700900199")
    Customer.objects.filter(pk=customer.pk).update(status="Gold")
    customer.refresh_from_db()

    grant_for(frontline, central, customer, amount="5")
    grant_for(frontline, central, other, amount="5")
    assert grant_for(frontline, central, customer, amount="5")  # Gold: 2 per 6 months
    with pytest.raises(LimitExceeded) as error:
        grant_for(frontline, central, other, amount="5")  # everyone else: 1
    assert "The customer already had 1 grant in the last 6 months (limit 1)." in error.value.message
    with pytest.raises(LimitExceeded) as error:
        grant_for(frontline, central, customer, amount="5")
    assert "The customer already had 2 grants in the last 6 months (limit 2)." in error.value.message


def test_a_voided_reimbursement_does_not_count(frontline, manager, central, customer, clock):
    from recovery.services import grant_void

    clock.move_to(NOON, tick=False)
    programme()
    first = grant_for(frontline, central, customer, code="out-of-pocket", amount="20")
    grant_void(actor=manager, grant_id=first.pk, reason="Entered twice")
    outcome = issue(
        actor=frontline,
        roles=["frontline"],
        request=grant_request(customer, central, code="out-of-pocket", amount="20"),
    )
    assert outcome.grant.amount == Decimal("20.00")
