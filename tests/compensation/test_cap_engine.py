"""The cap engine: worked examples and properties over generated rules (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.caps import Authority, PlaybookRule, TierRule, compute_cap, describe_tenure
from compensation.money import quantize, round_up

TIERS = (
    TierRule("New", 0, Decimal("1")),
    TierRule("Regular", 12, Decimal("1.25")),
    TierRule("Loyal", 36, Decimal("1.5")),
)
RULE = PlaybookRule("Repair voucher", Decimal("40"), Decimal("200"), Decimal("1500"), TIERS)
FRONTLINE = Authority("frontline", Decimal("1000"))


def test_worked_example_explains_every_step():
    quote = compute_cap(RULE, purchase_value=Decimal("2500"), tenure_months=36, authority=FRONTLINE, currency="EUR")
    assert quote.cap == Decimal("1000.00")
    assert quote.explanation == (
        "40% of 2,500.00 = 1,000.00; within floor 200.00 and ceiling 1,500.00; "
        "Loyal tier (3 years) ×1.5 = 1,500.00; frontline authority 1,000.00 applies → cap 1,000.00"
    )
    assert quote.limited_by_authority


def test_floor_lifts_small_purchases_and_ceiling_limits_large_ones():
    small = compute_cap(RULE, purchase_value=Decimal("10"), tenure_months=0, authority=FRONTLINE, currency="EUR")
    assert small.cap == Decimal("200.00")
    assert "raised to floor 200.00" in small.explanation
    manager = Authority("manager", Decimal("5000"))
    large = compute_cap(RULE, purchase_value=Decimal("99999"), tenure_months=13, authority=manager, currency="EUR")
    assert large.cap == Decimal("1875.00")  # ceiling 1,500 × Regular 1.25
    assert "limited to ceiling 1,500.00" in large.explanation
    assert "Regular tier (1 year 1 month)" in large.explanation


def test_an_at_most_percentage_rounds_down_to_the_currency_minor_unit():
    rule = PlaybookRule("Drinks", Decimal("12.5"), Decimal("0"), Decimal("1000"), TIERS)
    authority = Authority("frontline", Decimal("1000"))
    # 12.5% of 0.20 = 0.025: at most that, so 0.02 (never 0.03)
    quote = compute_cap(rule, purchase_value=Decimal("0.20"), tenure_months=0, authority=authority, currency="EUR")
    assert quote.cap == Decimal("0.02")
    assert quote.steps[0] == "12.5% of 0.20 = 0.025 → 0.02"
    # Yen has no minor unit: 12.5% of 1,004 = 125.5 → 125
    assert compute_cap(
        rule, purchase_value=Decimal("1004"), tenure_months=0, authority=authority, currency="JPY"
    ).cap == Decimal("125")


def test_150_percent_of_the_order_is_never_quoted_above_150_percent():
    gift_card = PlaybookRule("Gift card", Decimal("150"), Decimal("0"), Decimal("1000"), TIERS)
    quote = compute_cap(
        gift_card, purchase_value=Decimal("33.33"), tenure_months=0, authority=FRONTLINE, currency="EUR"
    )
    assert quote.cap == Decimal("49.99")
    assert quote.steps[0] == "150% of 33.33 = 49.995 → 49.99"
    tiny = compute_cap(gift_card, purchase_value=Decimal("0.01"), tenure_months=0, authority=FRONTLINE, currency="EUR")
    assert tiny.cap == Decimal("0.01")  # 0.015 → 0.01, never 0.02
    assert tiny.steps[0] == "150% of 0.01 = 0.015 → 0.01"


def test_a_tier_multiplier_rounds_down_and_shows_the_exact_figure():
    rule = PlaybookRule("Drinks", Decimal("100"), Decimal("0"), Decimal("1000"), TIERS)
    quote = compute_cap(rule, purchase_value=Decimal("33.33"), tenure_months=12, authority=FRONTLINE, currency="EUR")
    assert quote.cap == Decimal("41.66")  # 33.33 × 1.25 = 41.6625
    assert quote.steps[2] == "Regular tier (1 year) ×1.25 = 41.6625 → 41.66"


def test_a_ceiling_finer_than_the_currency_is_rounded_down_and_a_floor_up():
    rule = PlaybookRule("Yen", Decimal("100"), Decimal("10.50"), Decimal("40.50"), TIERS)
    high = compute_cap(rule, purchase_value=Decimal("1000"), tenure_months=0, authority=FRONTLINE, currency="JPY")
    assert high.cap == Decimal("40")
    assert "limited to ceiling 40" in high.explanation
    low = compute_cap(rule, purchase_value=Decimal("1"), tenure_months=0, authority=FRONTLINE, currency="JPY")
    assert low.cap == Decimal("11")
    assert "raised to floor 11" in low.explanation


def test_authority_in_a_currency_without_cents_is_rounded_down():
    rule = PlaybookRule("Big", Decimal("100"), Decimal("0"), Decimal("100000"), TIERS)
    quote = compute_cap(
        rule,
        purchase_value=Decimal("5000"),
        tenure_months=0,
        authority=Authority("frontline", Decimal("1000.50")),
        currency="JPY",
    )
    assert quote.cap == Decimal("1000")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"percent": Decimal("-1")}, "percent"),
        ({"percent": Decimal("1000.01")}, "percent"),
        ({"floor": Decimal("-0.01")}, "floor"),
        ({"floor": Decimal("50"), "ceiling": Decimal("10")}, "ceiling"),
        ({"tiers": ()}, "first tier"),
        ({"tiers": (TierRule("Late", 3, Decimal("1")),)}, "first tier"),
        ({"tiers": (TierRule("A", 0, Decimal("2")), TierRule("B", 12, Decimal("1")))}, "lower multiplier"),
        ({"tiers": (TierRule("A", 0, Decimal("1")), TierRule("B", 0, Decimal("2")))}, "ascend"),
    ],
)
def test_inconsistent_rules_are_refused(kwargs, message):
    values = {"name": "x", "percent": Decimal("10"), "floor": Decimal("0"), "ceiling": Decimal("10"), "tiers": TIERS}
    with pytest.raises(ValueError, match=message):
        PlaybookRule(**(values | kwargs))


def test_negative_purchase_value_is_refused():
    with pytest.raises(ValueError, match="purchase value"):
        compute_cap(RULE, purchase_value=Decimal("-1"), tenure_months=0, authority=FRONTLINE, currency="EUR")


@pytest.mark.parametrize(
    "months, text", [(0, "new customer"), (1, "1 month"), (12, "1 year"), (26, "2 years 2 months"), (36, "3 years")]
)
def test_describe_tenure(months, text):
    assert describe_tenure(months) == text


# --- properties -----------------------------------------------------------------

money = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("1000000"), places=2, allow_nan=False, allow_infinity=False
)
multipliers = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10"), places=2)


@st.composite
def rules(draw):
    floor = draw(money)
    ceiling = draw(money.filter(lambda value: value >= floor))
    steps = sorted(draw(st.lists(multipliers, min_size=1, max_size=4)))
    months = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=600), min_size=len(steps) - 1, max_size=len(steps) - 1))
    )
    tiers = tuple(TierRule(f"T{i}", m, mult) for i, (m, mult) in enumerate(zip([0, *months], steps, strict=True)))
    percent = draw(st.decimals(min_value=Decimal("0"), max_value=Decimal("1000"), places=2))
    return PlaybookRule("generated", percent, floor, ceiling, tiers)


authorities = st.builds(Authority, role=st.just("frontline"), limit=money)
tenures = st.integers(min_value=0, max_value=1200)
currencies = st.sampled_from(["EUR", "JPY", "BHD", "USD"])


@settings(max_examples=400, deadline=None)
@given(rule=rules(), value=money, tenure=tenures, authority=authorities, currency=currencies)
def test_cap_is_never_negative_nor_above_authority_nor_above_ceiling_times_top_multiplier(
    rule, value, tenure, authority, currency
):
    cap = compute_cap(rule, purchase_value=value, tenure_months=tenure, authority=authority, currency=currency).cap
    assert cap >= 0
    assert cap <= authority.limit
    assert cap <= quantize(rule.ceiling * rule.highest_multiplier, currency)


@settings(max_examples=400, deadline=None)
@given(rule=rules(), a=money, b=money, tenure=tenures, authority=authorities, currency=currencies)
def test_cap_never_falls_when_the_purchase_value_grows(rule, a, b, tenure, authority, currency):
    low, high = sorted([a, b])

    def quote(value):
        return compute_cap(rule, purchase_value=value, tenure_months=tenure, authority=authority, currency=currency).cap

    assert quote(low) <= quote(high)


@settings(max_examples=400, deadline=None)
@given(rule=rules(), value=money, t1=tenures, t2=tenures, authority=authorities, currency=currencies)
def test_cap_never_falls_when_tenure_grows(rule, value, t1, t2, authority, currency):
    short, long = sorted([t1, t2])

    def quote(months):
        return compute_cap(rule, purchase_value=value, tenure_months=months, authority=authority, currency=currency).cap

    assert quote(short) <= quote(long)


@settings(max_examples=200, deadline=None)
@given(rule=rules(), value=money, tenure=tenures, authority=authorities)
def test_cap_is_a_decimal_in_the_minor_unit(rule, value, tenure, authority):
    cap = compute_cap(rule, purchase_value=value, tenure_months=tenure, authority=authority, currency="EUR").cap
    assert isinstance(cap, Decimal)
    assert cap == cap.quantize(Decimal("0.01"))


@settings(max_examples=400, deadline=None)
@given(rule=rules(), value=money, tenure=tenures, authority=authorities, currency=currencies)
def test_cap_is_never_above_the_exact_percentage_or_floor_times_the_tier_multiplier(
    rule, value, tenure, authority, currency
):
    """The "at most" bound as stated, before any rounding: rounding never lifts a cap past it."""
    quote = compute_cap(rule, purchase_value=value, tenure_months=tenure, authority=authority, currency=currency)
    multiplier = rule.tier_for(tenure).multiplier
    if value > 0:
        assert quote.cap <= max(value * rule.percent / 100, round_up(rule.floor, currency)) * multiplier
    assert quote.cap <= rule.ceiling * multiplier
    assert quote.cap <= authority.limit
