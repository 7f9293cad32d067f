"""The authority's per-case and per-period sums (compensation.limits.authority_stops): pure, property-tested."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from compensation.caps import Authority
from compensation.limits import AuthorityUsage, authority_stops, bound_room, case_room_text, limits_check

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2, allow_nan=False)
optional_money = st.none() | money


@st.composite
def authorities(draw):
    limit = draw(money)
    case_limit = draw(st.none() | st.decimals(min_value=limit, max_value=Decimal("200000"), places=2))
    return Authority(
        role="frontline",
        limit=limit,
        case_limit=case_limit,
        daily_limit=draw(optional_money),
        monthly_limit=draw(optional_money),
    )


usages = st.builds(AuthorityUsage, case_total=money, day_total=money, month_total=money)


@given(authorities(), usages)
def test_room_is_never_negative_nor_above_any_stated_bound(authority, usage):
    for stop in authority_stops(authority, usage, "EUR"):
        assert stop.allows >= 0
        bound = {
            "case_authority": authority.per_case,
            "daily_authority": authority.daily_limit,
            "monthly_authority": authority.monthly_limit,
        }[stop.limit]
        assert stop.allows <= bound
        used = {
            "case_authority": usage.case_total,
            "daily_authority": usage.day_total,
            "monthly_authority": usage.month_total,
        }[stop.limit]
        # What is left plus what was used never passes the bound (unless the bound was passed already).
        assert stop.allows == 0 or stop.allows + used <= bound


@given(authorities(), usages, money)
def test_the_headroom_never_passes_the_cap_nor_any_authority_sum(authority, usage, cap):
    check = limits_check(
        cap=cap,
        cap_reason="cap",
        customer_rules=(),
        usage={},
        budget=None,
        budget_spent=Decimal("0"),
        currency="EUR",
        authority=authority,
        authority_usage=usage,
    )
    assert 0 <= check.headroom <= cap
    if usage.case_total > 0:
        assert check.headroom + usage.case_total <= max(authority.per_case, usage.case_total)
    if authority.daily_limit is not None:
        assert check.headroom + usage.day_total <= max(authority.daily_limit, usage.day_total)
    if authority.monthly_limit is not None:
        assert check.headroom + usage.month_total <= max(authority.monthly_limit, usage.month_total)


def test_an_authority_without_bounds_adds_nothing_to_a_new_case():
    """Every policy before issue 17: per case = per grant, no periods, so a new case is checked as before."""
    assert authority_stops(Authority(role="frontline", limit=Decimal("250")), AuthorityUsage(), "EUR") == ()


def test_the_per_case_room_is_explained_step_by_step():
    authority = Authority(role="frontline", limit=Decimal("2000"), case_limit=Decimal("2000"))
    (stop,) = authority_stops(authority, AuthorityUsage(case_total=Decimal("1500")), "EUR")
    assert stop.limit == "case_authority" and stop.allows == Decimal("500.00")
    assert stop.reason == "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left."
    assert case_room_text(authority, Decimal("2500"), "EUR").endswith("→ 0.00 left.")


def test_room_rounds_the_bound_down_to_the_currency():
    assert bound_room(Decimal("1000.50"), Decimal("0"), "JPY") == Decimal("1000")
    assert bound_room(Decimal("10"), Decimal("12"), "EUR") == 0
