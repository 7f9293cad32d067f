"""An incident prices each customer's tier as their own counter grant would (issue 17): status and
lifetime spend count, not tenure alone, and the preview and the grant agree."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from compensation.models import ProgrammeTier
from compensation.predicates import roles_of
from recovery import selectors, services
from recovery.models import Grant, Visit
from recovery.selectors.incidents import READY, incident_preview
from recovery.services.incidents import incident_attach, incident_grant, incident_log
from tests import factories
from tests.programme import flight_delay_programme, three_months_before

pytestmark = pytest.mark.django_db


def delayed_flight(manager, location, playbook, customers):
    incident = incident_log(
        actor=manager,
        location=location,
        title="Flight LX 345 delayed 4 hours",
        category="waiting",
        happened_at=timezone.now() - timedelta(hours=2),
        playbook_id=playbook.pk,
        purchase_value=Decimal("0"),
    )
    incident_attach(actor=manager, incident=incident, customers=customers, source="list")
    return incident


def counter_cap(manager, customer, location, playbook) -> Decimal:
    """What the counter would quote this customer, granting alone."""
    quote = selectors.customer_quote_for(user=manager, customer=customer, location=location, purchase_value=Decimal(0))
    return next(cap.quote.cap for cap in quote.caps if cap.playbook.id == playbook.pk)


def test_a_gold_customer_in_an_incident_is_previewed_and_granted_the_gold_amount(ops, manager, central):
    playbook, _ = flight_delay_programme(actor=ops)
    since = three_months_before(central.today())  # a newcomer by tenure: only the status makes them Gold
    gold = factories.make_customer("Gold Flyer", since=since, phone="+447700900201")
    plain = factories.make_customer("Plain Flyer", since=since, phone="+447700900202")
    services.customer_status_set(actor=ops, customer_id=gold.pk, status="Gold", reason="Elite member")
    incident = delayed_flight(manager, central, playbook, [gold, plain])

    preview = incident_preview(incident=incident, user=manager)
    amounts = {row.customer.name: (row.status, row.amount) for row in preview.rows}
    assert amounts == {"Gold Flyer": (READY, Decimal("100.00")), "Plain Flyer": (READY, Decimal("50.00"))}
    gold.refresh_from_db()
    assert counter_cap(manager, gold, central, playbook) == Decimal("100.00")  # the preview is the counter's

    outcome = incident_grant(actor=manager, roles=roles_of(manager), incident=incident)
    assert outcome.granted == 2 and not outcome.refused
    granted = {grant.customer.name: grant for grant in Grant.objects.select_related("customer")}
    assert granted["Gold Flyer"].amount == Decimal("100.00") and granted["Plain Flyer"].amount == Decimal("50.00")
    assert any("Gold" in step for step in granted["Gold Flyer"].cap_steps)


def test_a_customer_whose_spend_reached_a_tier_is_previewed_and_granted_its_amount(ops, manager, central):
    playbook, _ = flight_delay_programme(actor=ops)
    ProgrammeTier.objects.create(name="Big spender", source="spend", min_spend=Decimal("1000"), multiplier=Decimal("3"))
    factories.publish("Big spenders ×3", actor=ops)
    since = three_months_before(central.today())
    spender = factories.make_customer("Big Spender", since=since, phone="+447700900203")
    plain = factories.make_customer("Plain Flyer", since=since, phone="+447700900204")
    for day, amount in enumerate(["600", "400"]):
        Visit.objects.create(
            customer=spender,
            location=central,
            visited_on=central.today() - timedelta(days=day + 1),
            amount=Decimal(amount),
            currency=central.currency,
            source=Visit.Source.CSV,
            external_id=f"r-{day}",
        )
    incident = delayed_flight(manager, central, playbook, [spender, plain])

    preview = incident_preview(incident=incident, user=manager)
    amounts = {row.customer.name: row.amount for row in preview.rows}
    assert amounts == {"Big Spender": Decimal("150.00"), "Plain Flyer": Decimal("50.00")}
    assert counter_cap(manager, spender, central, playbook) == Decimal("150.00")

    incident_grant(actor=manager, roles=roles_of(manager), incident=incident)
    assert Grant.objects.get(customer=spender).amount == Decimal("150.00")
