"""The limit checks beyond the cap: rolling per-customer windows and location budgets (pure)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compensation.limits import (
    BudgetRule,
    CustomerLimitRule,
    WindowUsage,
    budget_state,
    limits_check,
)

D = Decimal
money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
windows = st.integers(min_value=1, max_value=3650)


def check(cap="100.00", rules=(), usage=None, budget=None, spent="0"):
    return limits_check(
        cap=D(cap),
        cap_reason="cap reason",
        customer_rules=tuple(rules),
        usage=usage or {},
        budget=budget,
        budget_spent=D(spent),
        currency="EUR",
    )


def test_within_every_limit_the_cap_is_the_headroom():
    result = check(rules=[CustomerLimitRule(30, 3, D("500"))], usage={30: WindowUsage(1, D("50"))})
    assert result.headroom == D("100.00")
    assert result.stops_for(D("100.00")) == ()


def test_count_limit_reached_allows_nothing_and_says_why():
    result = check(rules=[CustomerLimitRule(30, 2, None)], usage={30: WindowUsage(2, D("20"))})
    assert result.headroom == 0
    (stop,) = [s for s in result.stops_for(D("1")) if s.limit == "customer_limit"]
    assert stop.reason == "The customer already had 2 grants in the last 30 days (limit 2)."


def test_total_limit_leaves_the_rest_of_the_window():
    result = check(rules=[CustomerLimitRule(90, None, D("300"))], usage={90: WindowUsage(4, D("260.50"))})
    assert result.headroom == D("39.50")
    (stop,) = result.stops_for(D("40"))
    assert stop.reason == "The customer already received 260.50 in the last 90 days (limit 300.00): 39.50 left."


def test_the_tightest_of_several_windows_binds():
    rules = [CustomerLimitRule(30, None, D("100")), CustomerLimitRule(90, None, D("150"))]
    usage = {30: WindowUsage(1, D("20")), 90: WindowUsage(3, D("120"))}
    assert check(rules=rules, usage=usage).headroom == D("30")


def test_budget_in_escalate_mode_stops_above_the_remainder():
    result = check(budget=BudgetRule(D("1000"), escalate_when_exhausted=True), spent="950")
    assert result.headroom == D("50")
    assert [s.limit for s in result.stops_for(D("60"))] == ["location_budget"]


def test_budget_in_warn_mode_never_stops_but_warns():
    result = check(budget=BudgetRule(D("1000"), escalate_when_exhausted=False), spent="990")
    assert result.headroom == D("100.00")
    assert result.stops_for(D("100")) == ()
    assert result.warnings_for(D("100")) == ["This location has 10.00 left of its monthly budget of 1,000.00."]
    assert result.warnings_for(D("5")) == []


@pytest.mark.parametrize(
    "spent, state", [("0", "ok"), ("899.99", "ok"), ("900.01", "low"), ("1000", "exhausted"), ("1200", "exhausted")]
)
def test_budget_state_hint(spent, state):
    assert budget_state(BudgetRule(D("1000"), False), D(spent)) == state


def test_no_budget_has_no_hint():
    assert budget_state(None, D("5")) == "none"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"window_days": 0, "max_grants": 1, "max_total": None},
        {"window_days": 30, "max_grants": 0, "max_total": None},
        {"window_days": 30, "max_grants": None, "max_total": D("-1")},
    ],
)
def test_inconsistent_rules_are_refused(kwargs):
    with pytest.raises(ValueError):
        CustomerLimitRule(**kwargs)


@given(
    cap=money,
    max_total=money,
    used=money,
    count=st.integers(0, 50),
    max_grants=st.integers(1, 50),
    window=windows,
    monthly=money,
    spent=money,
    escalate=st.booleans(),
)
def test_headroom_never_exceeds_any_limit(cap, max_total, used, count, max_grants, window, monthly, spent, escalate):
    """Whatever the usage, granting the headroom keeps every limit (and never goes negative)."""
    rule = CustomerLimitRule(window, max_grants, max_total)
    budget = BudgetRule(monthly, escalate)
    result = limits_check(
        cap=cap,
        cap_reason="",
        customer_rules=(rule,),
        usage={window: WindowUsage(count, used)},
        budget=budget,
        budget_spent=spent,
        currency="EUR",
    )
    headroom = result.headroom
    assert 0 <= headroom <= cap
    if headroom > 0:
        assert count + 1 <= max_grants
        assert used + headroom <= max_total
        if escalate:
            assert spent + headroom <= monthly
    assert result.stops_for(headroom) == ()
    # One cent more than the headroom is always stopped by some limit, unless the cap itself is the bound and 0.
    assert result.stops_for(headroom + D("0.01")) != ()


@given(used=money, extra=money, window=windows)
def test_more_usage_never_raises_the_headroom(used, extra, window):
    """Monotone: a customer who received more can never be allowed more."""
    rule = CustomerLimitRule(window, None, D("500"))

    def headroom(total):
        return check(cap="1000", rules=[rule], usage={window: WindowUsage(1, total)}).headroom

    assert headroom(used + extra) <= headroom(used)
