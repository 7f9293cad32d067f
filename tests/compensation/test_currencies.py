"""Money in a currency (issue 17): the policy's amounts stated per currency, refused at publish when a location's
currency is not stated, and read by every reader at a location in its own currency."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.currencies import currency_problems, currency_refusal, in_currency, policy_amounts
from compensation.models import PolicyCurrencyAmount, RoleAuthority
from compensation.policy import draft_document, load_policy, policy_from_document
from compensation.services import PolicyError, policy_publish
from compensation.versions import document_diff
from recovery.models import Grant, Location
from recovery.services import RecoveryError
from tests import factories
from tests.api.conftest import api_client, issue
from tests.conftest import client_for

PLAYBOOK = {
    "id": 1,
    "name": "Free drinks",
    "code": "free-drinks",
    "kind": "on_the_spot",
    "percent": "10",
    "floor": "5.00",
    "ceiling": "50.00",
    "is_active": True,
}
DOCUMENT = {
    "currency": "EUR",
    "playbooks": [PLAYBOOK],
    "role_authorities": {"frontline": "2000.00"},
    "role_authority_bounds": {"frontline": {"case_limit": "3000.00"}},
    "employee_authorities": {"7": {"username": "kenji", "limit": "100.00"}},
    "customer_limits": [{"window_days": 30, "max_grants": 3, "max_total": "200.00"}],
}
YEN = {
    "playbooks": {"1": {"floor": "800", "ceiling": "8000"}},
    "role_authorities": {"frontline": {"limit": "300000", "case_limit": "450000"}},
    "employee_authorities": {"7": {"limit": "15000"}},
    "customer_limits": {"30": {"max_total": "30000"}},
}


def problems(document, currencies=("EUR",)):
    return currency_problems(document, default="EUR", location_currencies=set(currencies))


# --- pure: which amounts, the checks, the substitution ---------------------------------------


def test_every_money_amount_is_listed_and_no_percent_or_multiplier():
    rows = {(subject, key, field) for subject, key, field, _, _ in policy_amounts(DOCUMENT)}
    assert rows == {
        ("playbooks", "1", "floor"),
        ("playbooks", "1", "ceiling"),
        ("role_authorities", "frontline", "limit"),
        ("role_authorities", "frontline", "case_limit"),
        ("employee_authorities", "7", "limit"),
        ("customer_limits", "30", "max_total"),
    }
    fixed = DOCUMENT | {"playbooks": [PLAYBOOK | {"nothing_bought": "fixed", "base_amount": "3.00"}]}
    assert ("playbooks", "1", "base_amount") in {(s, k, f) for s, k, f, _, _ in policy_amounts(fixed)}


def test_a_single_currency_policy_has_nothing_to_state():
    assert problems(DOCUMENT) == []


def test_a_location_currency_the_policy_does_not_state_is_refused():
    (problem,) = problems(DOCUMENT, currencies=("EUR", "JPY"))
    assert problem.startswith("Locations grant in JPY, which the policy does not state")


def test_a_missing_amount_names_the_currency_the_item_and_the_field():
    partial = {**YEN, "playbooks": {"1": {"floor": "800"}}}
    assert problems(DOCUMENT | {"currency_amounts": {"JPY": partial}}, currencies=("EUR", "JPY")) == [
        "JPY: “Free drinks” ceiling is not stated."
    ]


def test_a_stated_floor_above_the_stated_ceiling_is_refused():
    upside_down = {**YEN, "playbooks": {"1": {"floor": "9000", "ceiling": "8000"}}}
    assert problems(DOCUMENT | {"currency_amounts": {"JPY": upside_down}}, currencies=("JPY",)) == [
        "JPY: “Free drinks” floor 9000 is above its ceiling 8000."
    ]


def test_a_stated_currency_no_location_uses_and_a_fraction_of_a_yen_are_refused():
    assert problems(DOCUMENT | {"currency_amounts": {"JPY": YEN}}) == [
        "JPY: no active location grants in it; remove its amounts."
    ]
    finer = {**YEN, "customer_limits": {"30": {"max_total": "30000.5"}}}
    assert problems(DOCUMENT | {"currency_amounts": {"JPY": finer}}, currencies=("JPY",)) == [
        "JPY: Customer limit (30 days) max total has more decimals than JPY has."
    ]


def test_a_stated_amount_that_is_no_number_is_refused_naming_it():
    for bad in ("NaN", "Infinity", "lots", "1E+40"):
        broken = {**YEN, "customer_limits": {"30": {"max_total": bad}}}
        assert problems(DOCUMENT | {"currency_amounts": {"JPY": broken}}, currencies=("JPY",)) == [
            "JPY: Customer limit (30 days) max total is not a number."
        ], bad


def test_in_currency_puts_every_stated_amount_in_place_of_the_policy_currencys():
    policy = policy_from_document(DOCUMENT | {"currency_amounts": {"JPY": YEN}})
    yen = in_currency(policy, "JPY")
    assert (yen.rules[1].floor, yen.rules[1].ceiling, yen.rules[1].percent) == (Decimal(800), Decimal(8000), 10)
    frontline = yen.authority_for(["frontline"])
    assert (frontline.limit, frontline.case_limit) == (Decimal(300000), Decimal(450000))
    assert yen.authority_for(["frontline"], 7).limit == Decimal(15000)
    assert yen.customer_limits[0].max_total == Decimal(30000) and yen.customer_limits[0].max_grants == 3
    assert in_currency(policy, "EUR") is policy


def test_scoped_customer_limits_are_stated_each_by_its_window_unit_playbook_and_tier():
    # Two limits share the window length 6 but not their unit or playbook: each is its own amount.
    scoped = DOCUMENT | {
        "customer_limits": [
            {"window_days": 6, "max_grants": None, "max_total": "100.00"},
            {"window_days": 6, "max_grants": 1, "max_total": "40.00", "window_unit": "months", "playbook": 1},
        ]
    }
    rows = {(key, label) for subject, key, _, label, _ in policy_amounts(scoped) if subject == "customer_limits"}
    assert rows == {("6", "Customer limit (6 days)"), ("6 months 1 *", "Customer limit (6 months, “Free drinks”)")}
    stated = {"6": {"max_total": "15000"}, "6 months 1 *": {"max_total": "6000"}}
    yen = in_currency(
        policy_from_document(scoped | {"currency_amounts": {"JPY": YEN | {"customer_limits": stated}}}), "JPY"
    )
    assert [(rule.window_unit, rule.max_total) for rule in yen.customer_limits] == [
        ("days", Decimal(15000)),
        ("months", Decimal(6000)),
    ]


def test_a_spend_tier_threshold_is_stated_in_each_currency_and_read_there():
    # Gold from €1,000 of lifetime spend; at the yen store from ¥150,000: a yen spend is never measured in euros.
    gold = {"id": 5, "name": "Gold", "source": "spend", "status": "", "min_spend": "1000.00", "multiplier": "2"}
    document = DOCUMENT | {"programme_tiers": [gold]}
    assert ("programme_tiers", "5", "min_spend", "Spend tier Gold", "1000.00") in policy_amounts(document)
    assert problems(document | {"currency_amounts": {"JPY": YEN}}, currencies=("EUR", "JPY")) == [
        "JPY: Spend tier Gold lifetime spend from is not stated."
    ]
    stated = YEN | {"programme_tiers": {"5": {"min_spend": "150000"}}}
    policy = policy_from_document(document | {"currency_amounts": {"JPY": stated}})
    yen = in_currency(policy, "JPY")
    assert [tier.min_spend for tier in yen.programme_tiers] == [Decimal(150000)]
    assert [tier.min_spend for tier in yen.rules[1].programme_tiers] == [Decimal(150000)]
    assert policy.programme_tiers[0].min_spend == Decimal(1000)  # the euro policy is untouched
    # ¥100,000 spent (what €1,000 would be read as without the statement) is not Gold in yen; ¥150,000 is.
    args = {"purchase_value": Decimal(1000), "tenure_months": 0, "currency": "JPY"}
    frontline = yen.authority_for(["frontline"])
    assert yen.quote(1, authority=frontline, lifetime_spend=Decimal(100000), **args).cap == Decimal(800)
    assert yen.quote(1, authority=frontline, lifetime_spend=Decimal(150000), **args).cap == Decimal(1600)


def test_a_draft_stating_only_part_of_a_currency_never_reads_the_rest_as_euros():
    partial = {"playbooks": {"1": {"floor": "800"}}, "role_authorities": {"frontline": {"limit": "300000"}}}
    yen = in_currency(policy_from_document(DOCUMENT | {"currency_amounts": {"JPY": partial}}), "JPY")
    assert yen.playbooks == {} and yen.rules == {}  # its ceiling is not stated: not offered in yen
    assert yen.authority_for(["frontline"]).case_limit == 0  # per case not stated: allows nothing
    assert yen.authority_for(["frontline"], 7).limit == 0
    assert yen.customer_limits[0].max_total == 0


def test_a_currency_not_stated_offers_nothing_rather_than_euros_read_as_yen():
    policy = policy_from_document(DOCUMENT)
    yen = policy.at_location(Location(code="tokyo", name="Tokyo Ginza", currency="JPY"))
    assert yen.playbooks == {} and yen.authority_for(["frontline"]).limit == 0
    assert yen.unstated_currency == "JPY"
    assert currency_refusal(yen, Location(name="Tokyo Ginza")) == (
        "Tokyo Ginza grants in JPY, and the draft does not state its amounts in JPY: "
        "nothing can be granted here until ops state them and publish."
    )


def test_a_locations_own_floor_wins_over_its_currencys_statement():
    entry = PLAYBOOK | {"location_overrides": {"tokyo": {"floor": "1000", "percent": None, "ceiling": None}}}
    policy = policy_from_document(DOCUMENT | {"playbooks": [entry], "currency_amounts": {"JPY": YEN}})
    rule = policy.at_location(Location(code="tokyo", currency="JPY")).rules[1]
    assert (rule.floor, rule.ceiling) == (Decimal(1000), Decimal(8000))


def test_the_change_list_shows_each_stated_amount():
    stated = DOCUMENT | {"currency_amounts": {"JPY": YEN}}
    added = {change.item: change for change in document_diff(DOCUMENT, stated)}
    assert added["JPY · “Free drinks”"].new == "floor 800, ceiling 8000"
    dearer = DOCUMENT | {"currency_amounts": {"JPY": YEN | {"playbooks": {"1": {"floor": "900", "ceiling": "8000"}}}}}
    (change,) = document_diff(stated, dearer)
    assert (change.section, change.item, change.field, change.old, change.new) == (
        "Amount in another currency",
        "JPY · “Free drinks”",
        "floor",
        "800",
        "900",
    )


def test_an_older_document_reads_as_the_deployments_currency():
    assert policy_from_document({k: v for k, v in DOCUMENT.items() if k != "currency"}).currency == "EUR"


# --- the draft and publishing --------------------------------------------------------------


@pytest.fixture
def tokyo(db):
    return Location.objects.create(code="tokyo", name="Tokyo Ginza", timezone="Asia/Tokyo", currency="JPY")


@pytest.mark.django_db
def test_a_single_currency_draft_states_no_other_currency():
    document = draft_document()
    assert document["currency"] == "EUR" and "currency_amounts" not in document


def test_publish_refuses_a_yen_store_the_policy_does_not_state_then_a_missing_amount(tokyo, ops):
    with pytest.raises(PolicyError, match="Locations grant in JPY, which the policy does not state"):
        policy_publish(actor=ops, reason="Tokyo opens")
    factories.state_amounts("JPY", "150")
    PolicyCurrencyAmount.objects.get(
        currency="JPY", key=str(factories.playbook("free-drinks").pk), field="ceiling"
    ).delete()
    with pytest.raises(PolicyError) as refused:
        policy_publish(actor=ops, reason="Tokyo opens")
    assert "JPY: “Free drinks while you wait” ceiling is not stated." in refused.value.message
    factories.state_amounts("JPY", "150")
    version = policy_publish(actor=ops, reason="Tokyo opens")
    assert version.document["currency_amounts"]["JPY"]["playbooks"]


def test_the_counter_refuses_to_grant_at_a_store_whose_currency_the_version_in_force_does_not_state(tokyo, customer):
    clerk = factories.make_user("kenji", "frontline", [tokyo])
    with pytest.raises(RecoveryError, match=r"Tokyo Ginza grants in JPY, and version \d+ does not state"):
        factories.grant_for(clerk, tokyo, customer, code="free-drinks", purchase_value="1000")
    assert not Grant.objects.exists()
    cards = client_for(clerk).get(reverse("counter_quotes", args=[customer.pk]), {"purchase_value": "1000"})
    assert "Tokyo Ginza grants in JPY, and version" in cards.content.decode()
    assert "does not state its amounts in JPY" in cards.content.decode()
    assert "¥" not in cards.content.decode()


# --- the page: Amounts in JPY --------------------------------------------------------------


def test_the_amounts_page_lists_each_amount_beside_its_euro_value_and_refuses_a_fraction_of_a_yen(
    tokyo, ops_client, manager_client
):
    url = reverse("ops_currency_amounts", args=["JPY"])
    page = ops_client.get(url).content.decode()
    drinks = factories.playbook("free-drinks").pk
    assert "Amounts in JPY" in page and "Tokyo Ginza" in page
    assert f'name="playbooks__{drinks}__floor"' in page and "In EUR: €5.00" in page
    refused = ops_client.post(url, {f"playbooks__{drinks}__floor": "800.5"})
    assert refused.status_code == 422
    assert "JPY has no smaller unit than 1." in refused.content.decode()
    assert not PolicyCurrencyAmount.objects.exists()
    saved = ops_client.post(url, {f"playbooks__{drinks}__floor": "800"})
    assert saved.status_code == 302
    row = PolicyCurrencyAmount.objects.get()
    assert (row.currency, row.field, row.amount, row.history.count()) == ("JPY", "floor", Decimal("800"), 1)
    assert manager_client.get(url).status_code == 200  # managers read it
    assert manager_client.post(url, {f"playbooks__{drinks}__floor": "900"}).status_code == 403
    assert ops_client.get(reverse("ops_currency_amounts", args=["EUR"])).status_code == 404  # the policy's own
    assert ops_client.get(reverse("ops_currency_amounts", args=["XXY"])).status_code == 404
    overview = ops_client.get(reverse("ops_home")).content.decode()
    assert "Amounts in JPY" in overview and "1 of" in overview


# --- the programme: one policy, a euro store and a yen store -------------------------------


def test_one_policy_in_a_euro_store_and_a_yen_store_quotes_each_as_stated(central, tokyo, ops, ops_client):
    """Free drinks: floor €5 / ¥800, ceiling €50 / ¥8,000; frontline authority €2,000 / ¥300,000."""
    drinks = factories.playbook("free-drinks")
    drinks.ceiling = Decimal("50.00")
    drinks.save()
    RoleAuthority.objects.filter(role="frontline").update(limit=Decimal("2000"))
    form = {}
    for subject, key, field, _, value in policy_amounts(draft_document()):
        form[f"{subject}__{key}__{field}"] = str((Decimal(value) * 150).quantize(Decimal(1)))
    form |= {
        f"playbooks__{drinks.pk}__floor": "800",
        f"playbooks__{drinks.pk}__ceiling": "8000",
        "role_authorities__frontline__limit": "300000",
    }
    assert ops_client.post(reverse("ops_currency_amounts", args=["JPY"]), form).status_code == 302
    published = ops_client.post(reverse("ops_publish"), {"reason": "Tokyo opens", "effective_at": ""})
    assert published.status_code == 302, published.content.decode()

    # The simulator at each store (Loyal, ×1.5): 10% of 10 = €1 → floor €5 → €7.50; 10% of ¥1,000 = ¥100 → ¥800 → ¥1,200.
    case = {"tenure_months": "120", "role": "frontline"}
    for code, purchase_value, cap, shown in (("central", "10", "7.50", "€7.50"), ("tokyo", "1000", "1200", "¥1,200")):
        answer = ops_client.get(reverse("ops_simulator"), case | {"location": code, "purchase_value": purchase_value})
        simulation = answer.context["simulation"]
        row = next(row for row in simulation.rows if row.playbook_id == drinks.pk)
        assert row.in_force.cap == Decimal(cap) and shown in answer.content.decode()
    # Above the ceiling: 10% of €1,000 → €50 → €75; 10% of ¥100,000 → ¥8,000 → ¥12,000.
    loyal = factories.make_customer("Loyal Larry", since=date(2000, 1, 1))
    for location, purchase_value, cap, limit in (
        (central, "1000", "75.00", "2000"),
        (tokyo, "100000", "12000", "300000"),
    ):
        issued = issue(location, "frontline", actor=ops)
        body = api_client(issued.secret).post(
            "/api/v1/quotes/", {"customer": loyal.pk, "purchase_value": purchase_value}
        )
        assert body.status_code == 200, body.content
        quote = body.json()
        assert quote["currency"] == location.currency
        assert Decimal(quote["authority"]["limit"]) == Decimal(limit)
        row = next(row for row in quote["playbooks"] if row["code"] == "free-drinks")
        assert Decimal(row["cap"]) == Decimal(cap)
    assert load_policy().version.document["currency_amounts"]["JPY"]["role_authorities"]["frontline"] == {
        "limit": "300000"
    }
    # The grant at the yen store: priced and recorded (its snapshot) with the yen amounts.
    clerk = factories.make_user("kenji", "frontline", [tokyo])
    grant = factories.grant_for(clerk, tokyo, loyal, code="free-drinks", purchase_value="1000")
    assert (grant.amount, grant.currency) == (Decimal("1200"), "JPY")
    snapshot = grant.policy_snapshot
    assert (snapshot["floor"], snapshot["ceiling"], snapshot["authority"]["limit"]) == (
        "800",
        "8000",
        "300000",
    )


def test_an_incident_at_a_store_whose_currency_is_not_stated_is_refused_naming_it(tokyo, ops):
    from datetime import timedelta

    from django.utils import timezone

    from recovery.services.incidents import incident_log

    with pytest.raises(RecoveryError, match="Tokyo Ginza grants in JPY") as refused:
        incident_log(
            actor=ops,
            location=tokyo,
            title="Till outage",
            category="waiting",
            happened_at=timezone.now() - timedelta(hours=1),
            playbook_id=factories.playbook("free-drinks").pk,
            purchase_value=Decimal("0"),
        )
    assert refused.value.field == "playbook"


def test_a_rollback_brings_back_the_statement_of_the_version_it_restores(tokyo, ops):
    from compensation.services import policy_rollback

    factories.state_amounts("JPY", "150")
    stated = policy_publish(actor=ops, reason="Tokyo opens")
    factories.state_amounts("JPY", "200")
    policy_publish(actor=ops, reason="Dearer yen")
    policy_rollback(actor=ops, version=stated, reason="Back to the first yen amounts")
    drinks = PolicyCurrencyAmount.objects.get(key=str(factories.playbook("free-drinks").pk), field="floor")
    assert drinks.amount == Decimal("750")  # €5 × 150
    assert draft_document()["currency_amounts"] == stated.document["currency_amounts"]


def test_a_manager_approves_a_yen_escalation_within_their_yen_authority(tokyo):
    from compensation.predicates import roles_of
    from recovery import services

    factories.state_amounts("JPY", "150")  # frontline ¥37,500 a grant, manager ¥150,000
    factories.publish("Tokyo opens")
    clerk = factories.make_user("kenji", "frontline", [tokyo])
    manager = factories.make_user("yuki", "manager", [tokyo])
    customer = factories.make_customer("Haruto", since=date(2000, 1, 1))
    escalation = services.escalation_request(
        actor=clerk,
        roles=roles_of(clerk),
        request=factories.grant_request(customer, tokyo, code="replace-spoiled", amount="50000", purchase_value="1000"),
        reason="A whole wedding cake",
    )
    # Read in euros, the manager's 1,000 would refuse ¥50,000; in yen it is within their ¥150,000.
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note="Fair"
    )
    grant = Grant.objects.get()
    assert (grant.amount, grant.currency) == (Decimal("50000"), "JPY")


def test_the_version_page_shows_each_amount_stated_in_another_currency(tokyo, ops, ops_client):
    factories.state_amounts("JPY", "150")
    version = policy_publish(actor=ops, reason="Tokyo opens")
    page = ops_client.get(reverse("ops_version", args=[version.number])).content.decode()
    assert "Amounts in other currencies" in page
    assert '<td>JPY</td><td>“Free drinks while you wait”</td><td>floor</td><td class="num">750</td>' in page
