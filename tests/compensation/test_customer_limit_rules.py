"""The customer limit rules' pure engine (issue #17): windows in days or calendar months, rules of one
playbook, rules of one tier, and what each leaves — with properties over many cases."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from compensation.customer_limits import (
    DAYS,
    MONTHS,
    CustomerLimitRule,
    WindowUsage,
    months_before,
    rule_words,
    rules_applying,
    rules_for_tiers,
    window_start,
    window_starts,
)
from compensation.limits import customer_allowance, limits_check, room_left
from recovery.selectors.usage import windows_used

REIMBURSE = 7
DRINKS = 3
GOLD = "programme:5"

EVERY_6_MONTHS = CustomerLimitRule(window_days=6, window_unit=MONTHS, max_grants=6, max_total=None)
GOLD_6_MONTHS = CustomerLimitRule(window_days=6, window_unit=MONTHS, max_grants=10, max_total=None, tier=GOLD)
REIMBURSE_A_YEAR = CustomerLimitRule(
    window_days=12,
    window_unit=MONTHS,
    max_grants=1,
    max_total=None,
    playbook_id=REIMBURSE,
    playbook_name="Reimburse costs",
    playbook_name_ru="Возмещение расходов",
)
PROGRAMME = (EVERY_6_MONTHS, GOLD_6_MONTHS, REIMBURSE_A_YEAR)


# --- calendar months ----------------------------------------------------------------------------


def test_six_months_before_the_31st_of_august_is_the_end_of_february():
    assert months_before(date(2027, 8, 31), 6) == date(2027, 2, 28)
    assert months_before(date(2028, 8, 31), 6) == date(2028, 2, 29)  # a leap year
    assert months_before(date(2027, 3, 15), 12) == date(2026, 3, 15)
    assert months_before(date(2027, 1, 10), 1) == date(2026, 12, 10)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(min_value=0, max_value=240))
def test_months_before_goes_back_exactly_that_many_months_never_past_the_day(day, months):
    back = months_before(day, months)
    assert (day.year * 12 + day.month) - (back.year * 12 + back.month) == months
    assert back.day <= day.day
    assert back.day == day.day or back.day in (28, 29, 30)  # clamped only to a month's end


def test_a_months_window_starts_on_the_same_day_in_the_location_calendar():
    # 00:30 on 1 July in London is still 30 June in UTC: the location's calendar decides the day.
    now = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)
    start = window_start(now, 6, MONTHS, "Europe/London")
    assert start.astimezone(UTC) == datetime(2027, 1, 1, 0, 30, tzinfo=UTC)  # 1 January 00:30 GMT
    assert window_start(now, 6, MONTHS, "UTC") == datetime(2026, 12, 30, 23, 30, tzinfo=UTC)
    assert window_start(now, 30, DAYS, "Europe/London") == now - timedelta(days=30)


# --- which rules apply --------------------------------------------------------------------------


def test_a_playbook_rule_applies_only_when_granting_that_playbook():
    assert rules_applying(PROGRAMME, REIMBURSE, frozenset()) == (EVERY_6_MONTHS, REIMBURSE_A_YEAR)
    assert rules_applying(PROGRAMME, DRINKS, frozenset()) == (EVERY_6_MONTHS,)


def test_a_tier_rule_replaces_the_every_tier_rule_of_its_window_and_playbook():
    assert rules_applying(PROGRAMME, DRINKS, frozenset({GOLD})) == (GOLD_6_MONTHS,)
    assert rules_applying(PROGRAMME, REIMBURSE, frozenset({GOLD, "tenure:1"})) == (GOLD_6_MONTHS, REIMBURSE_A_YEAR)
    # Another tier's rule is not the customer's.
    assert rules_applying(PROGRAMME, DRINKS, frozenset({"programme:6"})) == (EVERY_6_MONTHS,)


def test_a_tier_rule_without_an_every_tier_counterpart_applies_to_that_tier_only():
    gold_only = CustomerLimitRule(window_days=30, max_grants=2, max_total=None, tier=GOLD)
    assert rules_applying((EVERY_6_MONTHS, gold_only), DRINKS, frozenset({GOLD})) == (EVERY_6_MONTHS, gold_only)
    assert rules_applying((EVERY_6_MONTHS, gold_only), DRINKS, frozenset()) == (EVERY_6_MONTHS,)


def test_a_customer_in_two_tiers_with_rules_of_one_window_gets_the_more_generous():
    loyal = CustomerLimitRule(window_days=6, window_unit=MONTHS, max_grants=8, max_total=None, tier="tenure:3")
    assert rules_for_tiers((EVERY_6_MONTHS, loyal, GOLD_6_MONTHS), frozenset({"tenure:3", GOLD})) == (GOLD_6_MONTHS,)


# --- usage and what is left ----------------------------------------------------------------------


def test_a_reimbursement_counts_toward_its_own_rule_and_the_every_playbook_rule():
    now = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
    rules = (EVERY_6_MONTHS, REIMBURSE_A_YEAR)
    grants = [
        (now - timedelta(days=300), Decimal("40"), "EUR", REIMBURSE),  # in the year, not in the 6 months
        (now - timedelta(days=10), Decimal("5"), "EUR", DRINKS),
        (now - timedelta(days=5), Decimal("20"), "EUR", REIMBURSE),
    ]
    used = windows_used(grants, rules, window_starts(rules, now, "UTC"), "EUR")
    assert used[EVERY_6_MONTHS.usage_key] == WindowUsage(grants=2, total=Decimal("25.00"))
    assert used[REIMBURSE_A_YEAR.usage_key] == WindowUsage(grants=2, total=Decimal("60.00"))


def test_a_tier_rule_and_its_every_tier_rule_share_one_count():
    now = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
    grants = [(now - timedelta(days=3), Decimal("5"), "EUR", DRINKS)]
    used = windows_used(grants, PROGRAMME, window_starts(PROGRAMME, now, "UTC"), "EUR")
    assert used[EVERY_6_MONTHS.usage_key] == WindowUsage(grants=1, total=Decimal("5.00"))
    assert GOLD_6_MONTHS.usage_key == EVERY_6_MONTHS.usage_key


def test_the_refusal_names_the_playbook_and_the_window_in_english_and_in_the_active_language():
    from django.utils import translation

    with translation.override("ru"):
        stop = customer_allowance(REIMBURSE_A_YEAR, WindowUsage(grants=1), "EUR")
    assert stop.allows == 0
    assert stop.reason == "The customer already had 1 “Reimburse costs” grant in the last 12 months (limit 1)."
    assert stop.shown == "Клиент уже получил 1 компенсацию «Возмещение расходов» за 12 месяцев (предел 1)."


def test_a_day_rule_for_every_playbook_reads_as_before():
    rule = CustomerLimitRule(window_days=30, max_grants=2, max_total=None)
    assert rule.usage_key == 30
    stop = customer_allowance(rule, WindowUsage(grants=2), "EUR")
    assert stop.reason == "The customer already had 2 grants in the last 30 days (limit 2)."


def test_rule_words_say_which_rule_applies():
    assert rule_words(REIMBURSE_A_YEAR, "EUR") == "at most 1 “Reimburse costs” grant in 12 months"
    gold = CustomerLimitRule(
        window_days=6, window_unit=MONTHS, max_grants=10, max_total=None, tier=GOLD, tier_name="Gold"
    )
    assert rule_words(gold, "EUR") == "at most 10 grants in 6 months (Gold tier)"


bounds = st.one_of(st.none(), st.integers(min_value=1, max_value=20))
totals = st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2))
amounts = st.decimals(min_value=Decimal("0.01"), max_value=500, places=2)
history = st.lists(
    st.tuples(st.integers(min_value=0, max_value=800), amounts, st.sampled_from([REIMBURSE, DRINKS])), max_size=25
)


@given(bounds, totals, st.integers(min_value=0, max_value=40), st.decimals(min_value=0, max_value=5000, places=2))
def test_what_is_left_is_never_negative_nor_above_the_bound(max_grants, max_total, used, spent):
    rule = CustomerLimitRule(window_days=6, window_unit=MONTHS, max_grants=max_grants, max_total=max_total)
    room = room_left(rule, WindowUsage(grants=used, total=spent))
    if max_grants is not None:
        assert 0 <= room.grants_left <= max_grants
    if max_total is not None:
        assert Decimal(0) <= room.total_left <= max_total
    check = limits_check(
        cap=Decimal("100.00"),
        cap_reason="cap",
        customer_rules=(rule,),
        usage={rule.usage_key: WindowUsage(grants=used, total=spent)},
        budget=None,
        budget_spent=Decimal(0),
        currency="EUR",
    )
    assert Decimal(0) <= check.headroom <= Decimal("100.00")


@given(
    history,
    bounds,
    totals,
    st.integers(min_value=1, max_value=24),
    st.integers(min_value=0, max_value=24),
    st.sampled_from([None, REIMBURSE]),
)
def test_a_wider_window_never_allows_more_than_a_narrower_one_with_the_same_bounds(
    grants, max_grants, max_total, narrow, wider_by, playbook_id
):
    if max_grants is None and max_total is None:
        max_grants = 1
    now = datetime(2027, 8, 31, 18, 0, tzinfo=UTC)
    rows = [(now - timedelta(days=days), amount, "EUR", playbook) for days, amount, playbook in grants]

    def left(months: int, unit=MONTHS):
        rule = CustomerLimitRule(
            window_days=months, window_unit=unit, max_grants=max_grants, max_total=max_total, playbook_id=playbook_id
        )
        used = windows_used(rows, (rule,), window_starts((rule,), now, "Europe/London"), "EUR")[rule.usage_key]
        check = limits_check(
            cap=Decimal("1000.00"),
            cap_reason="cap",
            customer_rules=(rule,),
            usage={rule.usage_key: used},
            budget=None,
            budget_spent=Decimal(0),
            currency="EUR",
        )
        return check.headroom, room_left(rule, used)

    (narrow_headroom, narrow_room), (wide_headroom, wide_room) = left(narrow), left(narrow + wider_by)
    assert wide_headroom <= narrow_headroom
    if max_grants is not None:
        assert wide_room.grants_left <= narrow_room.grants_left
    if max_total is not None:
        assert wide_room.total_left <= narrow_room.total_left
    # A playbook's own rule never counts more than the every-playbook rule of its window.
    every = CustomerLimitRule(window_days=narrow, window_unit=MONTHS, max_grants=max_grants, max_total=max_total)
    mine = CustomerLimitRule(
        window_days=narrow, window_unit=MONTHS, max_grants=max_grants, max_total=max_total, playbook_id=REIMBURSE
    )
    used = windows_used(rows, (every, mine), window_starts((every, mine), now, "UTC"), "EUR")
    assert used[mine.usage_key].grants <= used[every.usage_key].grants
