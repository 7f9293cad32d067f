"""The monthly report's "What recovery bought": return rates against the baseline, value for money, root causes."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from compensation.money import Amounts
from recovery import insights
from recovery.insights.effect import costly_categories
from recovery.insights.spending import CategoryLine
from recovery.models import Location, Visit
from recovery.selectors.effect import effect_rows_for
from tests import factories
from tests.conftest import client_for


def test_the_costly_categories_are_the_most_compensated_with_their_share():
    lines = [
        CategoryLine("waiting", "Waiting", 9, Amounts({"EUR": Decimal("30.00")})),
        CategoryLine("billing", "Billing", 1, Amounts({"EUR": Decimal("60.00")})),
        CategoryLine("other", "Other", 4, Amounts()),  # nothing paid: not a cost to fix first
        CategoryLine("order_wrong", "Order", 2, Amounts({"EUR": Decimal("10.00"), "GBP": Decimal("500.00")})),
    ]
    costly = costly_categories(lines, currency="EUR", limit=2)
    assert [(item.line.key, item.percent) for item in costly] == [("billing", 60), ("waiting", 30)]


@pytest.mark.django_db
def test_a_reports_figures_stop_at_its_month_and_its_location(
    clock, ops, frontline, frontline_airport, central, airport
):
    clock.move_to("2027-01-04T10:00:00+00:00")
    for n, (location, actor) in enumerate([(central, frontline), (airport, frontline_airport)]):
        customer = factories.make_customer(f"Report {n}", phone=f"+4477007{n:05d}")
        factories.grant_for(actor, location, customer)
        Visit.objects.create(
            customer=customer,
            location=location,
            visited_on=dt.date(2027, 1, 20),
            amount="5",
            currency="EUR",
            source="api",
        )
    clock.move_to("2027-02-10T10:00:00+00:00")
    factories.grant_for(frontline, central, factories.make_customer("Report later", phone="+447700799999"))
    clock.move_to("2027-06-01T10:00:00+00:00")
    april = insights.monthly_report_for(user=ops, location=central, month=dt.date(2027, 4, 1))
    [row] = april.bought.playbooks
    assert april.bought.as_of == dt.date(2027, 4, 30)
    assert row.effect.customers == 2  # central's two customers, not the airport's
    january = insights.monthly_report_for(user=ops, location=central, month=dt.date(2027, 1, 1))
    [row] = january.bought.playbooks
    assert row.effect.customers == 1  # February's failure is not in January's figures
    assert row.effect.returns[90].customers == 0  # nor has a January case had its 90 days by the 31st
    everywhere = effect_rows_for(user=ops)
    assert [row.effect.customers for row in everywhere] == [3]


@pytest.mark.django_db
def test_the_demo_report_shows_each_main_playbooks_rate_baseline_and_value(ops, manager):
    call_command("seed_demo", weeks=1, stdout=StringIO())
    central = Location.objects.get(code="central")
    month = timezone.localdate()
    report = insights.monthly_report_for(user=ops, location=central, month=month)
    shown = [row for row in report.bought.playbooks if row.return_90 and row.baseline_90]
    assert len(shown) >= 3, [(row.name, row.effect.returns[90]) for row in report.bought.playbooks]
    assert report.bought.best is not None and report.bought.worst is not None
    assert report.bought.best.effect.points_per_100() > report.bought.worst.effect.points_per_100()
    assert report.bought.costly_categories

    response = client_for(manager).get(reverse("insights_report"), {"location": central.pk})
    page = response.content.decode()
    assert response.status_code == 200 and "What recovery bought" in page
    for row in shown:
        low, high = row.return_90[1:]
        assert f'<strong>{row.return_90[0]}%</strong> <span class="interval">({low}–{high}%)</span>' in page
        low, high = row.baseline_90[1:]
        assert f'{row.baseline_90[0]}% <span class="interval">({low}–{high}%)</span>' in page
    assert "(return rate − baseline rate) ÷ (amount granted per customer ÷ 100)" in page
    assert "Best value for money" in page and report.bought.best.name in page
    assert "Root causes that cost most this month" in page
