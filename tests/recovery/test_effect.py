"""What recovery buys: return shares with Wilson intervals, the matched baseline, 'too few' below the threshold."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse

from recovery.domain.effect import Case, VisitDay, baseline_cases, group_effect, share, spend_change
from recovery.models import Visit
from tests import factories
from tests.conftest import client_for

START = dt.date(2027, 1, 4)
AS_OF = dt.date(2027, 12, 31)


def planted(rate_treated: float, rate_baseline: float, n: int = 400, seed: int = 7):
    """n treated customers (playbook 1, 20.00) and n baseline ones (playbook 2, 5.00 or nothing), same tier and
    month; exactly the planted share of each comes back, on day 10."""
    rng = random.Random(seed)
    # Exactly the planted share of each group comes back, chosen at random.
    returners = set(rng.sample(range(n), round(rate_treated * n))) | {
        n + i for i in rng.sample(range(n), round(rate_baseline * n))
    }
    cases, visits = [], {}
    for index in range(2 * n):
        treated = index < n
        amount = Decimal("20.00") if treated else (Decimal("5.00") if index % 2 else Decimal("0"))
        day = START + dt.timedelta(days=index % 20)
        cases.append(Case(index, day, "Regular", amount, 1 if treated else (2 if amount else None)))
        if index in returners:
            visits[index] = [VisitDay(day + dt.timedelta(days=10), Decimal("30.00"))]
    return cases, visits


def test_the_planted_return_rate_lies_in_its_interval_and_beats_the_baseline():
    cases, visits = planted(0.7, 0.4)
    effect = group_effect(1, cases, visits, as_of=AS_OF)

    treated, baseline = effect.returns[90], effect.baseline[90]
    assert treated.customers == 400 and baseline.customers == 400
    assert treated.low < 0.7 < treated.high and baseline.low < 0.4 < baseline.high
    assert baseline.high < treated.low  # the planted difference shows: the intervals do not overlap
    assert effect.returns[30].returned == treated.returned  # everyone who came back did so on day 10


def test_a_null_difference_gives_overlapping_intervals():
    cases, visits = planted(0.5, 0.5, seed=11)
    effect = group_effect(1, cases, visits, as_of=AS_OF)
    treated, baseline = effect.returns[90], effect.baseline[90]
    assert treated.low < baseline.high and baseline.low < treated.high


def test_the_interval_is_wilsons():
    result = share(7, 20)
    assert (round(result.low, 4), round(result.high, 4)) == (0.1812, 0.5671)
    assert result.percents() == (35, 18, 57)


def test_too_few_customers_gives_no_number():
    cases, visits = planted(0.7, 0.4, n=10)
    effect = group_effect(1, cases, visits, as_of=AS_OF)
    assert effect.returns[90].too_few and effect.returns[90].rate is None and effect.returns[90].percents() is None
    assert effect.returns[90].customers == 10
    assert effect.spend.too_few


def test_a_window_counts_only_cases_it_has_fully_seen():
    cases, visits = planted(0.7, 0.4)
    effect = group_effect(1, cases, visits, as_of=START + dt.timedelta(days=60))
    assert effect.returns[30].customers == 400
    assert effect.returns[90].too_few and effect.returns[90].customers == 0


def test_the_baseline_is_matched_by_tier_and_month_and_granted_less():
    day = START
    cases = [
        Case(1, day, "Regular", Decimal("20"), 1),
        Case(2, day, "Regular", Decimal("5"), 2),  # less, same tier and month: in
        Case(3, day, "Regular", Decimal("0"), None),  # nothing (voided): in
        Case(4, day, "Loyal", Decimal("5"), 2),  # another tier: out
        Case(5, day + dt.timedelta(days=40), "Regular", Decimal("5"), 2),  # another month: out
        Case(6, day, "Regular", Decimal("25"), 2),  # granted more: out
        Case(1, day + dt.timedelta(days=3), "Regular", Decimal("5"), 2),  # a treated customer: out
    ]
    assert sorted(case.customer_id for case in baseline_cases(1, cases)) == [2, 3]


def test_spend_after_against_before_with_its_interval():
    cases = [Case(n, START, "Regular", Decimal("20"), 1) for n in range(30)]
    visits = {
        n: [
            VisitDay(START - dt.timedelta(days=30), Decimal("10.00")),
            VisitDay(START + dt.timedelta(days=30), Decimal(10 + n % 5)),
        ]
        for n in range(30)
    }
    change = spend_change(cases, visits, AS_OF, 20)
    assert (change.customers, change.before, change.after) == (30, Decimal("10.00"), Decimal("12.00"))
    assert change.change_low < Decimal("2.00") < change.change_high


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_playbooks_rate_or_too_few(clock, manager, frontline, central):
    clock.move_to("2027-01-04T10:00:00+00:00")
    customers = [factories.make_customer(f"Effect {n}", phone=f"+4477009{n:05d}") for n in range(3)]
    for customer in customers:
        factories.grant_for(frontline, central, customer)
        Visit.objects.create(
            customer=customer,
            location=central,
            visited_on=dt.date(2027, 1, 20),
            amount="5",
            currency="GBP",
            source="api",
        )
    clock.move_to("2027-06-01T10:00:00+00:00")
    response = client_for(manager).get(reverse("recovery_effect"))
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.effect.returns[90].customers == 3 and row.effect.returns[90].returned == 3
    assert "Too few customers (3)" in response.content.decode()


@pytest.mark.django_db
def test_the_demo_shows_real_figures_with_a_baseline(ops):
    from io import StringIO

    from django.core.management import call_command

    from recovery.selectors.effect import effect_rows_for

    call_command("seed_demo", weeks=1, stdout=StringIO())
    rows = {row.name: row for row in effect_rows_for(user=ops)}
    shown = [row for row in rows.values() if row.return_90 and row.baseline_90]
    assert len(shown) >= 2, {name: row.effect.returns[90] for name, row in rows.items()}
    response = client_for(ops).get(reverse("recovery_effect"))
    page = response.content.decode()
    assert response.status_code == 200 and "%" in page and "€" in page  # one currency: spend is added up
