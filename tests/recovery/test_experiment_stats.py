"""An experiment's comparison, pure: a planted difference is found significant, a null one is not, few cases say so."""

import datetime as dt
import random
from decimal import Decimal

from recovery.domain.effect import Case, VisitDay
from recovery.domain.experiments import Verdict, caps_similar, difference_test, experiment_comparison

START = dt.date(2027, 1, 4)
AS_OF = dt.date(2027, 12, 31)
SEED = 18


def generated(rates: dict[int, float], per_arm: int = 400, seed: int = SEED):
    """`per_arm` customers per arm (playbook id → return probability), each coming back on day 20 with that chance."""
    rng = random.Random(seed)
    cases = {arm: [] for arm in rates}
    visits = {}
    customer = 0
    for arm, rate in rates.items():
        for index in range(per_arm):
            customer += 1
            day = START + dt.timedelta(days=index % 60)
            cases[arm].append(Case(customer, day, "Regular", Decimal("20.00"), arm))
            before = [VisitDay(day - dt.timedelta(days=30), Decimal("40.00"))]
            after = [VisitDay(day + dt.timedelta(days=20), Decimal("50.00"))] if rng.random() < rate else []
            visits[customer] = before + after
    return cases, visits


def test_a_planted_difference_of_45_against_30_percent_is_significant():
    cases, visits = generated({1: 0.45, 2: 0.30})
    comparison = experiment_comparison(cases, visits, as_of=AS_OF)
    print(f"planted 45% vs 30%: p = {comparison.difference.p_value:.3g} ({comparison.difference.method})")
    first, second = comparison.arms
    assert (first.cases, second.cases) == (400, 400)
    assert 0.40 < first.returns.rate < 0.50 and 0.25 < second.returns.rate < 0.35
    assert first.returns.low < 0.45 < first.returns.high  # the planted rate lies in its Wilson interval
    assert comparison.difference.verdict == Verdict.SIGNIFICANT
    assert comparison.difference.p_value < 0.001


def test_no_planted_difference_is_not_significant():
    cases, visits = generated({1: 0.35, 2: 0.35})
    comparison = experiment_comparison(cases, visits, as_of=AS_OF)
    print(f"null 35% vs 35%: p = {comparison.difference.p_value:.3g} ({comparison.difference.method})")
    assert comparison.difference.verdict == Verdict.NOT_YET
    assert comparison.difference.p_value > 0.05


def test_three_arms_are_tested_together_with_chi_square():
    cases, visits = generated({1: 0.45, 2: 0.30, 3: 0.30}, per_arm=300)
    difference = experiment_comparison(cases, visits, as_of=AS_OF).difference
    assert difference.method == "chi-square"
    assert difference.verdict == Verdict.SIGNIFICANT


def test_an_arm_below_the_minimum_says_too_few_cases():
    cases, visits = generated({1: 0.9, 2: 0.1}, per_arm=19)
    comparison = experiment_comparison(cases, visits, as_of=AS_OF)
    assert comparison.difference.verdict == Verdict.TOO_FEW
    assert comparison.difference.p_value is None
    assert all(arm.returns.too_few for arm in comparison.arms)


def test_cases_whose_90_days_have_not_passed_are_not_counted_yet():
    cases, visits = generated({1: 0.45, 2: 0.30})
    comparison = experiment_comparison(cases, visits, as_of=START + dt.timedelta(days=95))
    # Only the cases of the first 6 days (of 60) have seen their 90 days.
    assert all(arm.returns.customers < 50 for arm in comparison.arms)


def test_a_customer_counts_once_in_the_arm_of_their_first_case():
    cases = {
        1: [Case(7, START, "Regular", Decimal("10"), 1)],
        2: [Case(7, START + dt.timedelta(days=3), "Regular", Decimal("10"), 2)],
    }
    comparison = experiment_comparison(cases, {}, as_of=AS_OF, minimum=1)
    assert [arm.cases for arm in comparison.arms] == [1, 0]


def test_small_tables_use_fishers_exact_test():
    difference = difference_test([(0, 20), (7, 20)])
    assert difference.method == "fisher"
    assert difference.verdict == Verdict.SIGNIFICANT


def test_nobody_or_everybody_returning_is_no_difference():
    assert difference_test([(0, 30), (0, 30)]).p_value == 1.0
    assert difference_test([(30, 30), (25, 25)]).verdict == Verdict.NOT_YET


def test_similar_cost_allows_25_percent_of_the_smaller_cap():
    assert caps_similar([Decimal("20.00"), Decimal("25.00")])
    assert not caps_similar([Decimal("20.00"), Decimal("25.01")])
    assert not caps_similar([Decimal("0.00"), Decimal("5.00")])
