"""Amounts as people type them: ASCII digits only, grouping in threes, the decimal separator of the form's language."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from compensation.forms import SimulatorForm
from compensation.forms.money_input import TypedMoneyField, separators
from compensation.typed_money import DIGITS, FORMAT, TypedAmountError, parse_typed_amount
from recovery.forms.money import money_field

EN, RU, RO = (".", ","), (",", "\u00a0"), (",", ".")


def read(text, locale):
    decimal_symbol, group_symbol = locale
    return parse_typed_amount(text, decimal_symbol=decimal_symbol, group_symbol=group_symbol)


@pytest.mark.parametrize(
    "text, locale, amount",
    [
        ("2500", EN, "2500"),
        ("2,500", EN, "2500"),
        ("2 500", EN, "2500"),
        ("1,000,000.50", EN, "1000000.50"),
        ("24.50", EN, "24.50"),
        ("2 500,50", RU, "2500.50"),
        ("2\u00a0500,50", RU, "2500.50"),
        ("2,50", RU, "2.50"),
        ("24.50", RU, "24.50"),  # a point from the keypad
        ("2,50", RO, "2.50"),
        ("2.500", RO, "2500"),
        ("2.500,50", RO, "2500.50"),
        ("100.00", RO, "100.00"),  # a stored amount as the form renders it
        ("-5", EN, "-5"),  # the field's minimum refuses it by name
    ],
)
def test_what_a_person_types_is_read_as_they_meant(text, locale, amount):
    assert read(text, locale) == Decimal(amount)


@pytest.mark.parametrize(
    "text, locale, kind",
    [
        ("１２３", EN, DIGITS),
        ("٣٠", RU, DIGITS),
        ("12³", EN, DIGITS),
        ("2,50", EN, FORMAT),  # English has no decimal comma; never read as 250
        ("12,5", EN, FORMAT),
        ("1,0000", EN, FORMAT),
        ("1_000", EN, FORMAT),
        ("1e3", EN, FORMAT),
        ("NaN", EN, FORMAT),
        ("Infinity", RU, FORMAT),
        ("1.2.3", EN, FORMAT),
        ("2.500,50", EN, FORMAT),
        ("1,000.5", RU, FORMAT),
        ("", EN, FORMAT),
    ],
)
def test_anything_else_is_refused_with_its_kind(text, locale, kind):
    with pytest.raises(TypedAmountError) as refused:
        read(text, locale)
    assert refused.value.kind == kind


@given(st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2))
def test_what_str_writes_reads_back_in_every_language(amount):
    for locale in (EN, RU, RO):
        assert read(str(amount), locale) == amount


def test_the_separators_come_from_the_language():
    assert separators("en") == (".", ",")
    assert separators("ru") == (",", "\u00a0")


def test_the_counter_field_follows_the_language_of_the_page():
    field = money_field("Purchase value")
    assert field.clean("2,500") == Decimal("2500")
    with translation.override("ru"):
        assert field.clean("2,50") == Decimal("2.50")
        assert field.clean("2 500") == Decimal("2500")


@pytest.mark.parametrize("typed", ["１２３", "١٢٣"])
def test_other_digits_get_a_message_of_their_own(typed):
    form = SimulatorForm(
        {"purchase_value": typed, "tenure_months": "0", "role": "frontline", "currency": "EUR"},
        currencies=["EUR"],
        default_currency="EUR",
    )
    assert not form.is_valid()
    assert form.errors["purchase_value"] == [
        f"Purchase value: type the amount with the digits 0–9 (“{typed}” has other digits)."
    ]


def test_ten_to_the_twelfth_says_one_thing():
    field = money_field("Amount")
    with pytest.raises(Exception) as refused:
        field.clean("1000000000000")
    assert refused.value.messages == ["Amount: must not exceed 1,000,000,000."]


def test_a_field_a_model_form_built_reads_the_same_way():
    field = TypedMoneyField(max_digits=12, decimal_places=2)
    assert field.clean("1,250.50") == Decimal("1250.50")
