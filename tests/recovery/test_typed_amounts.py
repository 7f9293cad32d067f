"""Money typed at the counter and sent to the API: ASCII digits only, grouping as people type it."""

from decimal import Decimal

import pytest

from recovery.models import Grant
from tests.api.conftest import api_client, issue
from tests.api.test_grants import grant_body, post_grant
from tests.recovery.test_bad_input import (  # noqa: F401 (payload is a fixture)
    INVALID,
    assert_field_error,
    counts,
    field_errors,
    payload,
    post_resolve,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["2,500", "2 500", "2,500.00"])
def test_a_grouped_purchase_value_is_read_as_typed(frontline_client, customer, payload, typed):  # noqa: F811
    response = post_resolve(frontline_client, customer, {**payload, "purchase_value": typed})
    assert response.status_code == 302
    assert Grant.objects.get(token=payload["token"]).purchase_value == Decimal("2500.00")


@pytest.mark.parametrize("typed", ["１２３", "٣٠"])
def test_other_digits_are_refused_by_name(frontline_client, customer, payload, typed):  # noqa: F811
    before = counts()
    response = post_resolve(frontline_client, customer, {**payload, "purchase_value": typed})
    assert response.status_code == INVALID
    assert_field_error(response, "purchase_value", f"Purchase value: type the amount with the digits 0–9 (“{typed}”")
    assert counts() == before


def test_ten_to_the_twelfth_gets_one_message(frontline_client, customer, payload):  # noqa: F811
    response = post_resolve(frontline_client, customer, {**payload, "amount": "1000000000000"})
    assert response.status_code == INVALID
    assert field_errors(response, "amount") == ["Amount: must not exceed 1,000,000,000."]


@pytest.fixture
def pos(central, ops):
    return api_client(issue(central, "frontline", actor=ops).secret)


@pytest.mark.parametrize("typed", ["１２３", "1_000", "1e3", "12,50", " 1 000"])
def test_the_api_takes_only_what_its_schema_says(pos, customer, typed):
    before = counts()
    response = post_grant(pos, grant_body(customer, purchase_value=typed))
    assert response.status_code == 422
    assert "purchase_value" in response.json()["error"]["fields"]
    assert counts() == before


def test_the_api_names_other_digits(pos, customer):
    response = post_grant(pos, grant_body(customer, purchase_value="１２３"))
    assert response.json()["error"]["fields"]["purchase_value"] == [
        'Use the digits 0-9, as in "48.00": "１２３" has other digits.'
    ]


def test_the_api_still_takes_strings_and_numbers(pos, customer):
    assert post_grant(pos, grant_body(customer, purchase_value="48.00")).status_code == 201
    assert post_grant(pos, grant_body(customer, purchase_value=48)).status_code == 201
