"""The simulator: the draft's caps beside the version in force, as a pure function and as a page."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.policy import policy_from_document
from compensation.simulation import CapChange, simulate
from recovery.models import Location
from tests import factories
from tests.factories import playbook
from tests.test_messages_ru import speaking

TIERS = [
    {"id": 1, "name": "New", "min_months": 0, "multiplier": "1.00"},
    {"id": 2, "name": "Regular", "min_months": 12, "multiplier": "1.25"},
    {"id": 3, "name": "Loyal", "min_months": 36, "multiplier": "1.50"},
]


def playbook_entry(playbook_id, name, *, percent="10", floor="5.00", ceiling="25.00", active=True, order=10):
    return {
        "id": playbook_id,
        "code": name.lower().replace(" ", "-"),
        "name": name,
        "kind": "on_the_spot",
        "offer": "Something",
        "apology_script": "Sorry.",
        "percent": percent,
        "floor": floor,
        "ceiling": ceiling,
        "voucher_valid_days": None,
        "sort_order": order,
        "is_active": active,
        "multipliers": {},
    }


def document(*playbooks, frontline="250.00"):
    return {
        "tiers": TIERS,
        "playbooks": list(playbooks),
        "role_authorities": {"frontline": frontline, "manager": "1000.00"},
    }


def rows_by_name(simulation):
    return {row.name: row for row in simulation.rows}


# --- the pure function (no database) -------------------------------------------------------


def test_a_higher_ceiling_in_the_draft_shows_both_caps_and_the_difference():
    in_force = policy_from_document(document(playbook_entry(1, "Free drinks", ceiling="25.00")))
    draft = policy_from_document(document(playbook_entry(1, "Free drinks", ceiling="40.00")))
    simulation = simulate(
        in_force=in_force,
        draft=draft,
        purchase_value=Decimal("1000"),
        tenure_months=36,
        role="frontline",
        currency="EUR",
    )
    (row,) = simulation.rows
    assert row.in_force.cap == Decimal("37.50")  # 10% of 1,000 = 100 → ceiling 25 × Loyal 1.5
    assert row.draft.cap == Decimal("60.00")  # ceiling 40 × 1.5
    assert row.difference == Decimal("22.50")
    assert row.change == CapChange.HIGHER and row.change_label == "Higher in draft"
    assert "limited to ceiling 25.00" in row.in_force.explanation
    assert "limited to ceiling 40.00" in row.draft.explanation
    assert row.draft.tier == "Loyal"
    assert simulation.changed == 1


def test_new_withdrawn_lower_and_same_playbooks_are_named():
    in_force = policy_from_document(
        document(
            playbook_entry(1, "Same one", order=10),
            playbook_entry(2, "Lowered", ceiling="60.00", order=20),
            playbook_entry(3, "Withdrawn", order=30),
        )
    )
    draft = policy_from_document(
        document(
            playbook_entry(4, "Brand new", order=5),
            playbook_entry(1, "Same one", order=10),
            playbook_entry(2, "Lowered", ceiling="30.00", order=20),
            playbook_entry(3, "Withdrawn", active=False, order=30),
        )
    )
    simulation = simulate(
        in_force=in_force,
        draft=draft,
        purchase_value=Decimal("1000"),
        tenure_months=0,
        role="frontline",
        currency="EUR",
    )
    rows = rows_by_name(simulation)
    # The draft's order first, then what the draft withdraws.
    assert [row.name for row in simulation.rows] == ["Brand new", "Same one", "Lowered", "Withdrawn"]
    assert rows["Same one"].change == CapChange.SAME and rows["Same one"].difference == Decimal("0")
    assert rows["Lowered"].change == CapChange.LOWER and rows["Lowered"].difference == Decimal("-30.00")
    assert rows["Withdrawn"].change == CapChange.WITHDRAWN and rows["Withdrawn"].draft is None
    assert rows["Withdrawn"].difference is None
    assert rows["Brand new"].change == CapChange.NEW and rows["Brand new"].in_force is None
    assert rows["Brand new"].change_label == "New in draft"
    assert simulation.changed == 3


def test_each_side_uses_its_own_authority_for_the_role():
    in_force = policy_from_document(document(playbook_entry(1, "Big", percent="100", ceiling="900.00")))
    draft = policy_from_document(document(playbook_entry(1, "Big", percent="100", ceiling="900.00"), frontline="100"))
    simulation = simulate(
        in_force=in_force, draft=draft, purchase_value=Decimal("500"), tenure_months=0, role="frontline", currency="EUR"
    )
    (row,) = simulation.rows
    assert (row.in_force.cap, row.draft.cap) == (Decimal("250.00"), Decimal("100.00"))
    assert row.draft.limited_by_authority
    assert simulation.authority_draft.limit == Decimal("100")


def test_a_role_without_an_authority_in_the_policy_is_quoted_at_zero():
    policy = policy_from_document(document(playbook_entry(1, "Drinks")))
    simulation = simulate(
        in_force=policy, draft=policy, purchase_value=Decimal("100"), tenure_months=0, role="ops", currency="EUR"
    )
    assert simulation.rows[0].draft.cap == Decimal("0.00")
    assert simulation.authority_draft.limit == Decimal("0")


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@settings(max_examples=200, deadline=None)
@given(
    purchase_value=money,
    tenure=st.integers(min_value=0, max_value=1200),
    ceiling_old=money,
    ceiling_new=money,
    role=st.sampled_from(["frontline", "manager", "ops"]),
)
def test_the_change_always_agrees_with_the_sign_of_the_difference(
    purchase_value, tenure, ceiling_old, ceiling_new, role
):
    in_force = policy_from_document(document(playbook_entry(1, "Any", floor="0.00", ceiling=str(ceiling_old))))
    draft = policy_from_document(document(playbook_entry(1, "Any", floor="0.00", ceiling=str(ceiling_new))))
    (row,) = simulate(
        in_force=in_force, draft=draft, purchase_value=purchase_value, tenure_months=tenure, role=role, currency="EUR"
    ).rows
    expected = {1: CapChange.HIGHER, -1: CapChange.LOWER, 0: CapChange.SAME}[
        (row.difference > 0) - (row.difference < 0)
    ]
    assert row.change == expected
    # Same inputs under one policy never differ.
    (same,) = simulate(
        in_force=draft, draft=draft, purchase_value=purchase_value, tenure_months=tenure, role=role, currency="EUR"
    ).rows
    assert same.change == CapChange.SAME and same.difference == 0


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def drinks_ceiling_raised_in_draft(db):
    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal("40.00")
    drinks.save()
    return drinks


CASE = {"purchase_value": "1000", "tenure_months": "36", "role": "frontline"}


@pytest.mark.django_db
def test_page_shows_the_cap_in_force_and_in_the_draft_for_a_loyal_customer(ops_client, drinks_ceiling_raised_in_draft):
    response = ops_client.get(reverse("ops_simulator"), CASE)
    assert response.status_code == 200
    rows = rows_by_name(response.context["simulation"])
    drinks = rows["Free drinks while you wait"]
    assert (drinks.in_force.cap, drinks.draft.cap) == (Decimal("37.50"), Decimal("60.00"))
    page = response.content.decode()
    assert "€37.50" in page and "€60.00" in page and "+€22.50" in page
    assert "Higher in draft" in page
    # The other playbooks did not change.
    assert rows["Appetisers and desserts on the house"].change == CapChange.SAME


@pytest.mark.django_db
def test_page_shows_a_playbook_deactivated_in_the_draft_as_withdrawn(manager_client):
    drinks = playbook("free-drinks")
    drinks.is_active = False
    drinks.save()
    response = manager_client.get(reverse("ops_simulator"), CASE)
    assert response.status_code == 200
    assert rows_by_name(response.context["simulation"])["Free drinks while you wait"].change == CapChange.WITHDRAWN
    assert "Withdrawn in draft" in response.content.decode()


@pytest.mark.django_db
def test_first_visit_shows_the_form_without_errors(ops_client):
    response = ops_client.get(reverse("ops_simulator"))
    assert response.status_code == 200
    assert response.context["simulation"] is None
    assert 'role="alert"' not in response.content.decode()


BAD_INPUT = [
    ({"purchase_value": ""}, "Purchase value: enter an amount."),
    ({"purchase_value": "-5"}, "Purchase value: must not be negative (0 when nothing was bought)."),
    ({"purchase_value": "-0.01"}, "Purchase value: must not be negative (0 when nothing was bought)."),
    ({"purchase_value": "abc"}, "Purchase value: enter a number"),
    ({"purchase_value": "NaN"}, "Purchase value: enter a number"),
    ({"purchase_value": "Infinity"}, "Purchase value: enter a number"),
    ({"purchase_value": "1e30"}, "Purchase value:"),
    ({"purchase_value": "99999999999999999999"}, "Purchase value:"),
    ({"purchase_value": "10.123"}, "Purchase value: at most 2 decimal places."),
    ({"tenure_months": ""}, "Tenure in months: enter a whole number"),
    ({"tenure_months": "-1"}, "Tenure in months: must not be negative."),
    ({"tenure_months": "1201"}, "Tenure in months: must not exceed 1200."),
    ({"tenure_months": "3.5"}, "Tenure in months: enter a whole number"),
    ({"tenure_months": "lots"}, "Tenure in months: enter a whole number"),
    ({"tenure_months": "9" * 40}, "Tenure in months: must not exceed 1200."),
    ({"role": "boss"}, "Authority of: choose one of the listed roles."),
    ({"role": ""}, "Authority of: choose a role."),
]


@pytest.mark.django_db
@pytest.mark.parametrize("change, message", BAD_INPUT, ids=[repr(change) for change, _ in BAD_INPUT])
def test_bad_input_is_refused_naming_the_field(ops_client, change, message):
    response = ops_client.get(reverse("ops_simulator"), {**CASE, **change})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response.context["simulation"] is None


@pytest.mark.django_db
def test_page_reads_in_a_constant_number_of_queries(ops_client, django_assert_max_num_queries):
    ops_client.get(reverse("ops_simulator"), CASE)  # warm the session
    # 16: the active locations (the currencies, and the "At location" choice) are one query; the draft's
    # amounts in other currencies one more; the draft's customer limits one more (each row says which
    # limits would bound a grant).
    with django_assert_max_num_queries(16):
        assert ops_client.get(reverse("ops_simulator"), CASE).status_code == 200


@pytest.mark.django_db
def test_page_says_when_the_role_has_no_authority_limit(ops_client):
    response = ops_client.get(reverse("ops_simulator"), {**CASE, "role": "ops"})
    assert response.status_code == 200
    assert "Ops has no authority limit in either policy: the counter would allow 0 there." in response.content.decode()


# --- the currency: the deployment's by default, or one an active location grants in ------------------------


@pytest.fixture
def tokyo(db):
    """A yen store, the policy's amounts stated in yen at the same numbers (issue 17), published."""
    location = Location.objects.create(code="tokyo", name="Tokyo Ginza", timezone="Asia/Tokyo", currency="JPY")
    factories.state_amounts("JPY")
    factories.publish("Amounts in yen")
    return location


@pytest.mark.django_db
def test_a_yen_simulation_rounds_caps_to_whole_yen(ops_client, tokyo):
    # 100% of 105 = 105 → Loyal ×1.5 = 157.5: at most that, so 157 yen (the exact figure shown beside it),
    # where the deployment's euros would say 157.50.
    case = {"purchase_value": "105", "tenure_months": "120", "role": "manager"}
    yen = ops_client.get(reverse("ops_simulator"), {**case, "currency": "JPY"})
    assert yen.status_code == 200
    assert yen.context["simulation"].currency == "JPY"
    assert rows_by_name(yen.context["simulation"])["Replace spoiled goods at once"].in_force.cap == Decimal("157")
    assert "¥157" in yen.content.decode()
    assert "157.5 → 157" in yen.content.decode()

    euros = ops_client.get(reverse("ops_simulator"), case)  # no currency chosen: the deployment's
    assert euros.context["simulation"].currency == "EUR"
    assert rows_by_name(euros.context["simulation"])["Replace spoiled goods at once"].in_force.cap == Decimal("157.50")


@pytest.mark.django_db
def test_the_currencies_offered_are_the_active_locations_and_the_deployments(ops_client, tokyo):
    Location.objects.create(code="zurich", name="Zurich", currency="CHF", is_active=False)
    choices = [code for code, _ in ops_client.get(reverse("ops_simulator")).context["form"].fields["currency"].choices]
    assert choices == ["EUR", "JPY"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        ({"currency": "USD"}, "Currency: choose one of the currencies the active locations use."),
        ({"currency": "JPY", "purchase_value": "1000.5"}, "Purchase value: JPY has no smaller unit than 1."),
    ],
)
def test_a_currency_not_in_use_or_a_value_finer_than_it_is_refused_naming_the_field(ops_client, tokyo, change, message):
    response = ops_client.get(reverse("ops_simulator"), {**CASE, **change})
    assert response.status_code == 422
    assert message in html.unescape(response.content.decode())
    assert response.context["simulation"] is None


@pytest.mark.django_db
def test_a_russian_ops_person_is_refused_a_currency_in_russian(ops, tokyo):
    response = speaking(ops, "ru").get(reverse("ops_simulator"), {**CASE, "currency": "USD"})
    assert response.status_code == 422
    assert "Валюта: выберите одну из валют, в которых работают действующие точки." in html.unescape(
        response.content.decode()
    )


def test_the_simulator_explains_the_per_case_room_on_each_side():
    """A case with 1,500 granted: in force the per-case authority is the per-grant one (2,000); the draft
    gives a frontline 2,000 and says what is left on the case, step by step."""
    playbooks = [playbook_entry(1, "Refund", percent="100", floor="0", ceiling="5000")]
    in_force = policy_from_document({"playbooks": playbooks, "role_authorities": {"frontline": "3000"}})
    draft = policy_from_document(
        {
            "playbooks": playbooks,
            "role_authorities": {"frontline": "2000"},
            "role_authority_bounds": {"frontline": {"case_limit": "2000"}},
        }
    )
    simulation = simulate(
        in_force=in_force,
        draft=draft,
        purchase_value=Decimal("3000"),
        tenure_months=0,
        role="frontline",
        currency="EUR",
        case_granted=Decimal("1500"),
    )
    (row,) = simulation.rows
    assert simulation.case_room_in_force == (
        "This case has 1,500.00 granted; frontline per-case authority 3,000.00 → 1,500.00 left."
    )
    assert simulation.case_room_draft == (
        "This case has 1,500.00 granted; frontline per-case authority 2,000.00 → 500.00 left."
    )
    assert (row.in_force.cap, row.in_force.grantable) == (Decimal("3000.00"), Decimal("1500.00"))
    assert (row.draft.cap, row.draft.grantable) == (Decimal("2000.00"), Decimal("500.00"))
    assert row.draft.steps[-1] == simulation.case_room_draft
    # Without a case, nothing changes: no step, nothing grantable apart from the cap.
    plain = simulate(
        in_force=in_force,
        draft=draft,
        purchase_value=Decimal("3000"),
        tenure_months=0,
        role="frontline",
        currency="EUR",
    )
    assert plain.rows[0].draft.grantable is None and plain.case_room_draft == ""
