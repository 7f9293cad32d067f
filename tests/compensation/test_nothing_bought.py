"""The base rule when nothing was bought (purchase value 0) and the "at most" rounding: pure engine functions."""

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compensation.caps import (
    Authority,
    NothingBought,
    PlaybookRule,
    TierRule,
    at_most,
    compute_cap,
    nothing_bought_base,
    percent_of,
)

D = Decimal
TIERS = (TierRule("New", 0, D("1")), TierRule("Loyal", 36, D("1.5")))
FRONTLINE = Authority("frontline", D("1000"))


def rule(nothing_bought=NothingBought.FLOOR, base_amount=None, **values):
    fields = {"percent": D("150"), "floor": D("5"), "ceiling": D("100")} | values
    return PlaybookRule("Wait", tiers=TIERS, nothing_bought=nothing_bought, base_amount=base_amount, **fields)


def quote(playbook, *, value="0", tenure=0, authority=FRONTLINE, currency="EUR"):
    return compute_cap(playbook, purchase_value=D(value), tenure_months=tenure, authority=authority, currency=currency)


def test_nothing_bought_with_a_fixed_base_amount_explains_it():
    result = quote(rule(NothingBought.FIXED, D("20")))
    assert result.cap == D("20.00")
    assert result.offered
    assert result.steps[0] == "Nothing bought: base amount 20.00"
    assert result.explanation.endswith("frontline authority 1,000.00 not reached → cap 20.00")


def test_nothing_bought_gives_the_floor_by_default_times_the_tier():
    result = quote(rule(), tenure=40)
    assert result.cap == D("7.50")
    assert result.steps[:2] == ("Nothing bought: floor 5.00", "Loyal tier (3 years 4 months) ×1.5 = 7.50")


def test_a_playbook_not_offered_when_nothing_was_bought_quotes_nothing():
    result = quote(rule(NothingBought.NOT_OFFERED))
    assert result.cap == D("0")
    assert not result.offered
    assert result.explanation == "Nothing bought: not offered by this playbook → cap 0.00"


def test_a_percentage_playbook_at_zero_uses_the_base_rule_not_the_percentage():
    assert quote(rule(NothingBought.FIXED, D("20"), percent=D("1000"))).cap == D("20.00")
    # Above 0 the percentage applies as before.
    assert quote(rule(NothingBought.FIXED, D("20")), value="10").cap == D("15.00")


def test_the_base_amount_is_still_limited_by_the_authority():
    result = quote(rule(NothingBought.FIXED, D("80")), authority=Authority("frontline", D("50")))
    assert result.cap == D("50.00")
    assert result.limited_by_authority


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"nothing_bought": "sometimes"}, "nothing bought"),
        ({"nothing_bought": NothingBought.FIXED}, "needs its amount"),
        ({"nothing_bought": NothingBought.FIXED, "base_amount": D("-1")}, "negative"),
        ({"nothing_bought": NothingBought.FIXED, "base_amount": D("100.01")}, "above the ceiling"),
    ],
)
def test_an_inconsistent_base_rule_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rule(**kwargs)


def test_at_most_rounds_down_in_every_currency():
    assert at_most(D("49.995"), "EUR").rounded == D("49.99")
    assert at_most(D("125.9"), "JPY").rounded == D("125")
    assert at_most(D("1.0009"), "BHD").rounded == D("1.000")
    assert not at_most(D("49.99"), "EUR").was_rounded
    assert percent_of(D("0.01"), D("150"), "EUR").rounded == D("0.01")


# --- properties -----------------------------------------------------------------

amounts = st.decimals(min_value=D("0"), max_value=D("100000"), places=2)
positive = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)
percents = st.decimals(min_value=D("0"), max_value=D("1000"), places=2)
currencies = st.sampled_from(["EUR", "JPY", "BHD", "USD"])
choices = st.sampled_from(NothingBought.VALUES)


@st.composite
def base_rules(draw):
    floor = draw(amounts)
    ceiling = draw(amounts.filter(lambda value: value >= floor))
    nothing_bought = draw(choices)
    base = draw(st.decimals(min_value=D("0"), max_value=ceiling, places=2)) if nothing_bought == "fixed" else None
    top = draw(st.decimals(min_value=D("1"), max_value=D("10"), places=2))
    tiers = (TierRule("New", 0, D("1")), TierRule("Top", 12, top))
    return PlaybookRule("generated", draw(percents), floor, ceiling, tiers, nothing_bought, base)


@settings(max_examples=300, deadline=None)
@given(playbook=base_rules(), currency=currencies)
def test_the_base_is_never_negative_nor_above_the_ceiling_nor_the_stated_amount(playbook, currency):
    base = nothing_bought_base(playbook, currency)
    if playbook.nothing_bought == NothingBought.NOT_OFFERED:
        assert base is None
        return
    assert D("0") <= base <= playbook.ceiling
    if playbook.nothing_bought == NothingBought.FIXED:
        assert base <= playbook.base_amount


@settings(max_examples=300, deadline=None)
@given(
    playbook=base_rules(),
    tenure=st.integers(min_value=0, max_value=600),
    limit=amounts,
    currency=currencies,
)
def test_a_cap_for_nothing_bought_is_never_negative_nor_above_any_stated_bound(playbook, tenure, limit, currency):
    result = quote(playbook, tenure=tenure, authority=Authority("frontline", limit), currency=currency)
    multiplier = playbook.tier_for(tenure).multiplier
    assert D("0") <= result.cap <= limit
    assert result.cap <= playbook.ceiling * multiplier
    if playbook.nothing_bought == NothingBought.FIXED:
        assert result.cap <= playbook.base_amount * multiplier
    assert result.offered == (playbook.nothing_bought != NothingBought.NOT_OFFERED)


@settings(max_examples=300, deadline=None)
@given(playbook=base_rules(), value=positive, tenure=st.integers(min_value=0, max_value=600), currency=currencies)
def test_with_the_floor_rule_or_not_offered_the_cap_never_falls_from_nothing_bought_to_a_purchase(
    playbook, value, tenure, currency
):
    """Floor and "not offered" keep the cap monotone from 0 on; a fixed base amount is its own rule at 0."""
    assume(playbook.nothing_bought != NothingBought.FIXED)
    assert (
        quote(playbook, tenure=tenure, currency=currency).cap
        <= quote(playbook, value=str(value), tenure=tenure, currency=currency).cap
    )


@settings(max_examples=300, deadline=None)
@given(value=positive, percent=percents, currency=currencies, more=positive)
def test_an_at_most_percentage_is_never_above_its_bound_and_grows_with_the_purchase(value, percent, currency, more):
    share = percent_of(value, percent, currency)
    assert D("0") <= share.rounded <= value * percent / 100
    assert share.rounded <= percent_of(value + more, percent, currency).rounded
