"""`room_left`: the one answer to "what is left of this rolling rule" (grant check, counter cards, demo printout)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from compensation.limits import CustomerLimitRule, WindowUsage, customer_allowance, room_left


def test_room_left_counts_down_and_stops_at_zero():
    rule = CustomerLimitRule(window_days=30, max_grants=8, max_total=Decimal("600.00"))
    room = room_left(rule, WindowUsage(grants=3, total=Decimal("150.00")))
    assert (room.grants_left, room.total_left, room.used_up) == (5, Decimal("450.00"), False)
    over = room_left(rule, WindowUsage(grants=9, total=Decimal("700.00")))
    assert (over.grants_left, over.total_left, over.used_up) == (0, Decimal("0"), True)


def test_a_rule_without_a_bound_leaves_none_of_it():
    room = room_left(CustomerLimitRule(window_days=90, max_grants=None, max_total=Decimal("1500")), WindowUsage(4))
    assert room.grants_left is None and room.total_left == Decimal("1500") and not room.used_up


@given(
    max_grants=st.one_of(st.none(), st.integers(1, 20)),
    max_total=st.one_of(st.none(), st.decimals(0, 5000, places=2)),
    grants=st.integers(0, 30),
    total=st.decimals(0, 9000, places=2),
)
def test_the_grant_check_and_the_room_agree(max_grants, max_total, grants, total):
    rule = CustomerLimitRule(window_days=30, max_grants=max_grants, max_total=max_total)
    usage = WindowUsage(grants=grants, total=total)
    room, stop = room_left(rule, usage), customer_allowance(rule, usage, "EUR")
    assert (room.grants_left or 0) >= 0 and (room.total_left or Decimal(0)) >= 0
    if room.grants_left == 0:
        assert stop is not None and stop.allows == 0
    elif room.total_left is not None:
        assert stop is not None and stop.allows == room.total_left
    else:
        assert stop is None
