"""Quotes: every playbook's cap for a customer and purchase value, exactly as the counter prices it."""

from decimal import Decimal

import pytest

from compensation.caps import Authority
from compensation.policy import load_policy, tenure_in_months
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/quotes/"


def test_every_active_playbook_is_priced_like_the_counter(pos, customer, central):
    response = pos.post(URL, {"customer": customer.pk, "purchase_value": "48.00"})

    assert response.status_code == 200
    body = response.json()
    policy = load_policy()
    tenure = tenure_in_months(customer.customer_since, central.today())
    authority = Authority(role="frontline", limit=Decimal("250.00"))
    # Per case: the per-grant limit, as every policy before it existed; no daily or monthly bound.
    assert body["authority"] == {
        "role": "frontline",
        "limit": "250.00",
        "per_case": "250.00",
        "daily": None,
        "monthly": None,
    }
    assert body["case"] is None and body["authority_limits"] == []
    assert body["policy_version"] == policy.version.number and body["currency"] == "EUR"
    assert [row["id"] for row in body["playbooks"]] == list(policy.playbooks)
    for row in body["playbooks"]:
        expected = policy.quote(
            row["id"], purchase_value=Decimal("48.00"), tenure_months=tenure, authority=authority, currency="EUR"
        )
        assert Decimal(row["cap"]) == expected.cap
        assert row["explanation"] == expected.explanation
    drinks = next(row for row in body["playbooks"] if row["code"] == "free-drinks")
    # 10% of 48.00 = 4.80 → floor 5.00 → Loyal ×1.5 = 7.50
    assert drinks["cap"] == "7.50" and not drinks["limited_by_authority"]


def test_the_cap_is_limited_by_the_tokens_role(pos, back_office, customer):
    """A frontline token's authority (250) stops a big cap; a manager token's (1,000) does not."""
    body = {"customer": customer.pk, "purchase_value": "900.00"}
    frontline = {row["code"]: row for row in pos.post(URL, body).json()["playbooks"]}
    manager = {row["code"]: row for row in back_office.post(URL, body).json()["playbooks"]}

    # replace-spoiled: 100% of 900 → ceiling 300 → Loyal ×1.5 = 450
    assert frontline["replace-spoiled"]["cap"] == "250.00" and frontline["replace-spoiled"]["limited_by_authority"]
    assert manager["replace-spoiled"]["cap"] == "450.00"


def test_a_json_number_is_read_exactly(pos, customer):
    response = pos.post(URL, {"customer": customer.pk, "purchase_value": 48.1}, format="json")
    assert response.status_code == 200 and response.json()["purchase_value"] == "48.10"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"purchase_value": "10.00"}, "customer"),
        ({"customer": 999999, "purchase_value": "10.00"}, "customer"),
        ({"customer": "1", "purchase_value": "10.00"}, "customer"),
        ({"customer": None, "purchase_value": "-1"}, "purchase_value"),
        ({"customer": None, "purchase_value": "1.005"}, "purchase_value"),
        ({"customer": None, "purchase_value": "2000000000"}, "purchase_value"),
        ({"customer": None, "purchase_value": 0.005}, "purchase_value"),
        ({"customer": None, "purchase_value": True}, "purchase_value"),
    ],
    ids=[
        "no-customer",
        "unknown-customer",
        "id-as-text",
        "negative",
        "three-decimals",
        "too-big",
        "number-three-decimals",
        "boolean",
    ],
)
def test_a_bad_quote_names_the_field(pos, customer, body, field):
    if "customer" in body and body["customer"] is None:
        body["customer"] = customer.pk
    response = pos.post(URL, body, format="json")

    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]


def test_quotes_reflect_the_version_in_force_not_the_draft(pos, customer):
    drinks = factories.playbook("free-drinks")
    drinks.floor = Decimal("20.00")
    drinks.save()  # a draft edit: not published

    rows = pos.post(URL, {"customer": customer.pk, "purchase_value": "48.00"}).json()["playbooks"]
    assert {row["code"]: row["cap"] for row in rows}["free-drinks"] == "7.50"
    factories.publish("Higher floor for drinks")
    rows = pos.post(URL, {"customer": customer.pk, "purchase_value": "48.00"}).json()["playbooks"]
    assert {row["code"]: row["cap"] for row in rows}["free-drinks"] == "30.00"  # 20.00 × 1.5


def test_a_quote_at_a_yen_location_is_in_yen_and_refuses_fractions_of_a_yen(pos, customer, central):
    central.currency = "JPY"
    central.save()
    # The version in force states no yen: refused, never its euro amounts read as yen (issue 17).
    unstated = pos.post(URL, {"customer": customer.pk, "purchase_value": "48"})
    assert unstated.status_code == 422
    assert "Central Store grants in JPY, and version" in unstated.json()["error"]["message"]
    factories.state_amounts("JPY")  # the same numbers, in yen
    factories.publish("Amounts in yen")
    body = pos.post(URL, {"customer": customer.pk, "purchase_value": "48"}).json()
    assert body["currency"] == "JPY"
    drinks = next(row for row in body["playbooks"] if row["code"] == "free-drinks")
    # 10% of 48 = 4.8 → 4 yen (at most: down to whole yen) → floor 5 → Loyal ×1.5 = 7.5 → 7 (down)
    assert Decimal(drinks["cap"]) == Decimal("7")
    refused = pos.post(URL, {"customer": customer.pk, "purchase_value": "1000.5"})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["purchase_value"] == ["Purchase value: JPY has no smaller unit than 1."]


def test_each_playbook_says_what_can_be_granted_now_and_which_limit_decides(pos, customer, central):
    """The counter's 'available now', additively: the customer's allowance lowers it, a used-up count zeroes it."""
    from compensation.models import CustomerLimit
    from recovery.services import grant_issue

    CustomerLimit.objects.create(window_days=30, max_grants=2, max_total=Decimal("100.00"))
    factories.publish("Customer limit")
    clerk = factories.make_user("clara", "frontline", [central])
    grant_issue(
        actor=clerk,
        roles=["frontline"],
        request=factories.grant_request(customer, central, code="replace-spoiled", amount="69.50"),
    )
    body = {"customer": customer.pk, "purchase_value": "120.00"}

    rows = {row["code"]: row for row in pos.post(URL, body).json()["playbooks"]}
    assert rows["replace-spoiled"]["cap"] == "180.00"
    assert rows["replace-spoiled"]["available_now"] == "30.50"
    assert rows["replace-spoiled"]["limited_by"] == "customer_total"
    assert rows["replace-spoiled"]["limited_by_text"] == "Limited by: €30.50 left for this customer in 30 days"
    assert rows["free-drinks"]["available_now"] == "18.00" and rows["free-drinks"]["limited_by"] == "cap"

    grant_issue(
        actor=clerk,
        roles=["frontline"],
        request=factories.grant_request(customer, central, code="free-drinks", amount="1.00"),
    )
    rows = pos.post(URL, body).json()["playbooks"]
    assert {(row["available_now"], row["limited_by"]) for row in rows} == {("0.00", "customer_grants")}
