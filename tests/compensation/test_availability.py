"""`available_now`: the lowest of the cap, the authority, the customer's rolling allowance and the budget.

Pure (no database): the counter's cards and the API's quotes both rest on it.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from compensation.availability import available_now
from compensation.limits import BudgetRule, CustomerLimitRule, WindowUsage, limits_check

D = Decimal
CAP = D("120.00")
RULE = CustomerLimitRule(window_days=30, max_grants=8, max_total=D("600.00"))


def available(
    *,
    cap=CAP,
    by_authority=False,
    authority="250.00",
    rules=(RULE,),
    usage=None,
    budget=None,
    spent="0",
    currency="EUR",
):
    return available_now(
        cap=cap,
        limited_by_authority=by_authority,
        authority_limit=D(authority),
        customer_rules=rules,
        usage=usage or {},
        budget=budget,
        budget_spent=D(spent),
        currency=currency,
    )


def test_the_cap_binds_when_every_limit_has_room():
    result = available(usage={30: WindowUsage(grants=2, total=D("100.00"))})
    assert (result.amount, result.limited_by, result.blocked) == (D("120.00"), "cap", False)
    assert result.line == "Limited by: this playbook's cap for this customer €120.00"


def test_a_used_up_count_allows_nothing_and_is_named():
    result = available(usage={30: WindowUsage(grants=8, total=D("10.00"))})
    assert result.blocked and result.amount == 0
    assert result.limited_by == "customer_grants"
    assert result.line == "Limited by: 0 of 8 grants left in 30 days"


def test_what_is_left_of_the_rolling_total_lowers_the_amount():
    result = available(usage={30: WindowUsage(grants=3, total=D("530.91"))})
    assert (result.amount, result.limited_by) == (D("69.09"), "customer_total")
    assert result.line == "Limited by: €69.09 left for this customer in 30 days"


def test_the_authority_is_named_when_it_cut_the_cap():
    result = available(cap=D("250.00"), by_authority=True)
    assert (result.amount, result.limited_by) == (D("250.00"), "authority")
    assert result.line == "Limited by: your authority €250.00"


def test_an_escalating_budget_binds_but_a_warning_budget_never_does():
    escalate = BudgetRule(monthly_amount=D("500.00"), escalate_when_exhausted=True)
    result = available(budget=escalate, spent="460.00")
    assert (result.amount, result.limited_by) == (D("40.00"), "location_budget")
    assert result.line == "Limited by: location budget €40.00 left this month"
    assert available(budget=escalate, spent="520.00").blocked
    warn = BudgetRule(monthly_amount=D("500.00"), escalate_when_exhausted=False)
    assert available(budget=warn, spent="520.00").amount == D("120.00")


def test_before_a_purchase_value_only_a_limit_at_zero_is_reported():
    assert available(cap=None).amount is None and available(cap=None).line == ""
    blocked = available(cap=None, usage={30: WindowUsage(grants=8)})
    assert blocked.blocked and blocked.limited_by == "customer_grants"
    nobody = available(cap=None, authority="0")
    assert nobody.blocked and nobody.line == "Limited by: your authority €0.00"


def test_a_bound_is_rounded_down_never_past():
    rule = CustomerLimitRule(window_days=30, max_grants=None, max_total=D("100.50"))
    result = available(cap=D("5000"), rules=(rule,), currency="JPY")
    assert result.amount == D("100")


def test_on_a_tie_the_limit_outside_the_playbook_is_named():
    rule = CustomerLimitRule(window_days=7, max_grants=None, max_total=D("120.00"))
    assert available(rules=(rule,)).limited_by == "customer_total"


money = st.decimals(min_value=0, max_value=10000, places=2)


@given(cap=money, left=money, spent=money, monthly=money, grants=st.integers(0, 10))
def test_never_more_than_the_grant_service_would_allow(cap, left, spent, monthly, grants):
    """Whatever the figures, the amount shown passes `limits_check` (what the grant re-checks)."""
    rule = CustomerLimitRule(window_days=30, max_grants=8, max_total=D("600.00"))
    usage = {30: WindowUsage(grants=grants, total=D("600.00") - min(left, D("600.00")))}
    budget = BudgetRule(monthly_amount=monthly, escalate_when_exhausted=True)
    result = available(cap=cap, rules=(rule,), usage=usage, budget=budget, spent=spent)
    check = limits_check(
        cap=cap, cap_reason="", customer_rules=(rule,), usage=usage, budget=budget, budget_spent=spent, currency="EUR"
    )
    assert result.amount == check.headroom
    assert not check.stops_for(result.amount)
