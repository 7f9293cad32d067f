"""Tier sources in the cap engine: tenure, a status held, lifetime spend; the highest multiplier wins.

Worked examples of the wording (English, Russian, Romanian) and properties over
generated programmes (hypothesis): a cap is never negative, never above the
ceiling times the highest multiplier nor the authority, and never falls when
the status rank, the lifetime spend or the tenure rises.
"""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.caps import Authority, NothingBought, PlaybookRule, TierRule, compute_cap, steps_from_snapshot
from compensation.money import quantize
from compensation.tiers import Standing, TierSource, status_rank, tier_applied, tiers_for

TENURE = (
    TierRule("New", 0, Decimal("1")),
    TierRule("Regular", 12, Decimal("1.25")),
    TierRule("Loyal", 36, Decimal("1.5")),
)
PROGRAMME = (
    TierRule("Silver", 0, Decimal("1.2"), source=TierSource.STATUS, status="Silver"),
    TierRule("Gold", 0, Decimal("2"), source=TierSource.STATUS, status="Gold", name_ru="Золото", name_ro="Aur"),
    TierRule("Platinum", 0, Decimal("2.5"), source=TierSource.STATUS, status="Platinum"),
    TierRule("Big spender", 0, Decimal("1.5"), source=TierSource.SPEND, min_spend=Decimal("10000")),
    TierRule("Patron", 0, Decimal("1.75"), source=TierSource.SPEND, min_spend=Decimal("50000")),
)
RULE = PlaybookRule("Delay", Decimal("10"), Decimal("20"), Decimal("100"), TENURE, programme_tiers=PROGRAMME)
AUTHORITY = Authority("frontline", Decimal("1000"))


def quote(status="", spend="0", months=3, value="500", rule=RULE):
    return compute_cap(
        rule,
        purchase_value=Decimal(value),
        tenure_months=months,
        authority=AUTHORITY,
        currency="EUR",
        status=status,
        lifetime_spend=Decimal(spend),
    )


def test_a_status_tier_names_its_source_and_wins_over_a_lower_tenure_tier():
    result = quote(status="Gold", months=40)
    assert result.cap == Decimal("100.00")  # 10% of 500 = 50 × Gold 2
    assert result.tier.name == "Gold" and result.tier.source == TierSource.STATUS
    assert result.explanation == (
        "10% of 500.00 = 50.00; within floor 20.00 and ceiling 100.00; "
        "Tiers reached: Loyal (3 years 4 months) ×1.5, Gold (Gold status) ×2; the highest multiplier applies; "
        "Gold tier (Gold status) ×2 = 100.00; frontline authority 1,000.00 not reached → cap 100.00"
    )


def test_a_spend_tier_says_the_spend_and_its_threshold():
    result = quote(spend="12000", value="1000")
    assert result.cap == Decimal("150.00")
    assert "Big spender tier (lifetime spend 12,000.00 ≥ 10,000.00) ×1.5 = 150.00" in result.explanation
    # The highest threshold reached is the one that counts.
    assert quote(spend="60000", value="1000").tier.name == "Patron"


def test_the_highest_multiplier_wins_and_a_tie_keeps_the_tenure_tier():
    assert quote(status="Silver", spend="12000").tier.name == "Big spender"  # 1.5 > 1.2
    assert quote(status="Platinum", spend="60000").tier.name == "Platinum"  # 2.5 > 1.75
    tie = PlaybookRule(
        "Tie",
        Decimal("10"),
        Decimal("0"),
        Decimal("100"),
        TENURE,
        programme_tiers=(TierRule("Silver", 0, Decimal("1.5"), source=TierSource.STATUS, status="Silver"),),
    )
    assert quote(status="Silver", months=36, rule=tie).tier.name == "Loyal"


def test_no_status_and_no_spend_reads_as_before_programmes_existed():
    plain = PlaybookRule("Delay", Decimal("10"), Decimal("20"), Decimal("100"), TENURE)
    assert quote(rule=RULE).explanation == quote(rule=plain).explanation
    assert "Tiers reached" not in quote(rule=RULE).explanation
    # A status the programme does not name reaches nothing (the service refuses to store one anyway).
    assert quote(status="Bronze").tier.name == "New"


def test_status_is_matched_without_regard_to_case_or_spaces():
    assert quote(status="  gold ").tier.name == "Gold"


def test_the_step_is_worded_in_the_readers_language():
    with translation.override("ru"):
        russian = quote(status="Gold").explanation
    with translation.override("ro"):
        romanian = quote(status="Gold").explanation
    assert "Золото" in russian and "статус Gold" in russian
    assert "Aur" in romanian and "statutul Gold" in romanian


def test_nothing_bought_fixed_base_is_multiplied_by_the_status_tier():
    flight = PlaybookRule(
        "Flight delay",
        Decimal("0"),
        Decimal("0"),
        Decimal("50"),
        TENURE,
        nothing_bought=NothingBought.FIXED,
        base_amount=Decimal("50"),
        programme_tiers=PROGRAMME,
    )
    assert [quote(status=s, value="0", rule=flight).cap for s in ("", "Gold", "Platinum")] == [
        Decimal("50.00"),
        Decimal("100.00"),
        Decimal("125.00"),
    ]


@pytest.mark.parametrize(
    "tiers, problem",
    [
        ((TierRule("X", 0, Decimal("2"), source=TierSource.STATUS),), "a status tier needs its status"),
        ((TierRule("X", 0, Decimal("2"), source=TierSource.SPEND),), "a spend tier needs a threshold of 0 or more"),
        (
            (
                TierRule("A", 0, Decimal("2"), source=TierSource.SPEND, min_spend=Decimal("10")),
                TierRule("B", 0, Decimal("1.5"), source=TierSource.SPEND, min_spend=Decimal("20")),
            ),
            "a larger spend must never earn a lower multiplier",
        ),
        (
            (
                TierRule("A", 0, Decimal("2"), source=TierSource.STATUS, status="Gold"),
                TierRule("B", 0, Decimal("3"), source=TierSource.STATUS, status="gold"),
            ),
            "a status can give one tier only",
        ),
        ((TierRule("X", 0, Decimal("2")),), "a programme tier's source must be status or spend"),
    ],
)
def test_programme_tiers_without_their_values_are_refused(tiers, problem):
    with pytest.raises(ValueError, match=problem):
        PlaybookRule("P", Decimal("10"), Decimal("0"), Decimal("10"), TENURE, programme_tiers=tiers)


def test_a_stored_snapshot_is_worded_again_with_the_status_it_was_granted_under():
    snapshot = {
        "playbook": "Delay",
        "percent": "10",
        "floor": "20",
        "ceiling": "100",
        "tiers": [{"name": t.name, "min_months": t.min_months, "multiplier": str(t.multiplier)} for t in TENURE],
        "programme_tiers": [
            {"name": "Gold", "source": "status", "status": "Gold", "min_spend": None, "multiplier": "2"}
        ],
        "customer_status": "Gold",
        "lifetime_spend": "0",
        "authority": {"role": "frontline", "limit": "1000"},
        "currency": "EUR",
    }
    steps = steps_from_snapshot(snapshot, purchase_value=Decimal("500"), tenure_months=3, cap=Decimal("100.00"))
    assert steps is not None and "Gold tier (Gold status) ×2 = 100.00" in steps


# --- properties ----------------------------------------------------------------------------

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2)
multipliers = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10"), places=2)


@st.composite
def programmes(draw):
    floor = draw(money)
    ceiling = draw(money.filter(lambda value: value >= floor))
    status_mults = draw(st.lists(multipliers, min_size=0, max_size=4))
    spend_mults = sorted(draw(st.lists(multipliers, min_size=0, max_size=4)))
    thresholds = sorted(draw(st.sets(money, min_size=len(spend_mults), max_size=len(spend_mults))))
    programme = tuple(
        TierRule(f"S{i}", 0, m, source=TierSource.STATUS, status=f"S{i}") for i, m in enumerate(status_mults)
    ) + tuple(
        TierRule(f"L{i}", 0, m, source=TierSource.SPEND, min_spend=t)
        for i, (m, t) in enumerate(zip(spend_mults, thresholds, strict=True))
    )
    percent = draw(st.decimals(min_value=Decimal("0"), max_value=Decimal("1000"), places=2))
    return PlaybookRule("generated", percent, floor, ceiling, TENURE, programme_tiers=programme)


authorities = st.builds(Authority, role=st.just("frontline"), limit=money)
currencies = st.sampled_from(["EUR", "JPY", "USD"])
tenures = st.integers(min_value=0, max_value=600)


def cap_of(rule, value, tenure, authority, currency, status="", spend=Decimal("0")):
    return compute_cap(
        rule,
        purchase_value=value,
        tenure_months=tenure,
        authority=authority,
        currency=currency,
        status=status,
        lifetime_spend=spend,
    ).cap


@settings(max_examples=300, deadline=None)
@given(rule=programmes(), value=money, tenure=tenures, authority=authorities, currency=currencies, spend=money)
def test_cap_is_never_negative_nor_above_the_ceiling_times_the_highest_multiplier(
    rule, value, tenure, authority, currency, spend
):
    for status in ["", *status_rank(rule.programme_tiers)]:
        cap = cap_of(rule, value, tenure, authority, currency, status, spend)
        assert Decimal("0") <= cap <= authority.limit
        assert cap <= quantize(rule.ceiling * rule.highest_multiplier, currency)


@settings(max_examples=300, deadline=None)
@given(rule=programmes(), value=money, tenure=tenures, authority=authorities, currency=currencies, spend=money)
def test_cap_never_falls_when_the_status_rank_rises(rule, value, tenure, authority, currency, spend):
    ranked = ["", *status_rank(rule.programme_tiers)]  # no status, then lowest to highest
    caps = [cap_of(rule, value, tenure, authority, currency, status, spend) for status in ranked]
    assert caps == sorted(caps)


@settings(max_examples=300, deadline=None)
@given(rule=programmes(), value=money, tenure=tenures, authority=authorities, currency=currencies, a=money, b=money)
def test_cap_never_falls_when_the_lifetime_spend_grows(rule, value, tenure, authority, currency, a, b):
    low, high = sorted([a, b])
    assert cap_of(rule, value, tenure, authority, currency, spend=low) <= cap_of(
        rule, value, tenure, authority, currency, spend=high
    )


@settings(max_examples=200, deadline=None)
@given(rule=programmes(), months=tenures, spend=money, data=st.data())
def test_the_tier_applied_has_the_highest_multiplier_of_every_tier_reached(rule, months, spend, data):
    statuses = ["", *status_rank(rule.programme_tiers)]
    standing = Standing(tenure_months=months, status=data.draw(st.sampled_from(statuses)), lifetime_spend=spend)
    reached = tiers_for(rule.tiers, rule.programme_tiers, standing)
    assert tier_applied(reached).multiplier == max(tier.multiplier for tier in reached)
    assert len({tier.source for tier in reached}) == len(reached)  # one tier per source at most
