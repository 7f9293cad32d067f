"""Where a playbook is offered, and its own values at one location: the pure rule, then the versioned policy
(draft form, publish refusals, diff, rollback), the counter, the grant, the simulator and the API."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compensation.caps import Authority, PlaybookRule, TierRule, compute_cap
from compensation.eligibility import EVERYWHERE, Eligibility, Override, eligibility_from_entry, eligibility_problems
from compensation.models import Playbook, PlaybookLocationOverride, PolicyVersion
from compensation.policy import draft_document, load_policy, with_blank_translations
from compensation.services import PolicyError, policy_publish, policy_rollback
from compensation.versions import document_diff
from recovery.domain.errors import RecoveryError
from tests.factories import grant_for, playbook, playbook_form, publish

RULE = PlaybookRule(
    name="Free drinks",
    percent=Decimal("20"),
    floor=Decimal("5"),
    ceiling=Decimal("25"),
    tiers=(TierRule(name="Base", min_months=0, multiplier=Decimal("1")),),
)
LOCATIONS = {"central": "city-store", "airport": "airport", "mall": ""}


# --- the pure rule ---------------------------------------------------------------------


def test_a_playbook_from_before_eligibility_is_offered_everywhere_with_its_own_values():
    assert eligibility_from_entry({"name": "Old"}) is EVERYWHERE
    assert all(EVERYWHERE.applies(code, kind) for code, kind in LOCATIONS.items())
    assert EVERYWHERE.rule_at(RULE, "airport") is RULE


def test_a_set_of_locations_or_a_kind_decides_where_it_is_offered():
    some = eligibility_from_entry({"applies_to": "locations", "locations": ["airport", "mall"]})
    assert [code for code, kind in LOCATIONS.items() if some.applies(code, kind)] == ["airport", "mall"]
    kinds = eligibility_from_entry({"applies_to": "kinds", "location_kinds": ["airport", "city-store"]})
    assert [code for code, kind in LOCATIONS.items() if kinds.applies(code, kind)] == ["central", "airport"]
    # A location of no kind is never "of kind ''".
    assert not Eligibility(applies_to="kinds", kinds=frozenset({""})).applies("mall", "")


def test_an_override_changes_only_the_values_it_sets_at_its_location():
    offered = eligibility_from_entry(
        {"location_overrides": {"airport": {"percent": None, "floor": None, "ceiling": "40.00"}}}
    )
    at_airport = offered.rule_at(RULE, "airport")
    assert (at_airport.percent, at_airport.floor, at_airport.ceiling) == (RULE.percent, RULE.floor, Decimal("40.00"))
    assert offered.rule_at(RULE, "central") is RULE


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"applies_to": "locations", "locations": []}, "locations: choose at least one location"),
        ({"applies_to": "locations", "locations": ["moon"]}, "locations: moon is not an active location"),
        ({"applies_to": "kinds", "location_kinds": []}, "kinds of location: name at least one kind"),
        ({"applies_to": "kinds", "location_kinds": ["harbour"]}, "no active location is of kind harbour"),
        ({"applies_to": "somewhere"}, "offered at: choose all locations"),
        (
            {"location_overrides": {"airport": {"floor": "30.00", "ceiling": None}}},
            "override for airport: the ceiling must not be below the floor",
        ),
        ({"location_overrides": {"airport": {"floor": "-1"}}}, "override for airport: amounts must not be negative"),
        ({"location_overrides": {"airport": {"percent": "abc"}}}, "override for airport: enter numbers"),
        ({"location_overrides": {"moon": {"ceiling": "9"}}}, "override for moon: not an active location"),
        (
            {"applies_to": "locations", "locations": ["central"], "location_overrides": {"airport": {"ceiling": "9"}}},
            "override for airport: the playbook is not offered there",
        ),
    ],
)
def test_eligibility_that_names_nowhere_real_is_refused_naming_the_playbook_and_field(entry, problem):
    entry = {"name": "Free drinks", "floor": "5.00", "ceiling": "25.00"} | entry
    problems = eligibility_problems(entry, locations=LOCATIONS)
    assert len(problems) == 1
    assert problems[0].startswith("Playbook Free drinks: ")
    assert problem in problems[0]


money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@given(
    purchase=money,
    percent=st.decimals(min_value=0, max_value=1000, places=2),
    floor=money,
    extra=money,
)
def test_a_cap_at_a_location_is_never_negative_nor_above_the_location_s_ceiling(purchase, percent, floor, extra):
    ceiling = floor + extra
    offered = Eligibility(overrides={"airport": Override(percent=percent, floor=floor, ceiling=ceiling)})
    quote = compute_cap(
        offered.rule_at(RULE, "airport"),
        purchase_value=purchase,
        tenure_months=0,
        authority=Authority(role="frontline", limit=Decimal("100000")),
        currency="EUR",
    )
    assert Decimal("0") <= quote.cap <= ceiling


# --- the versioned policy, the counter, the grant ------------------------------------


def offer_only_at(code_or_kind: str, *, by: str, **override):
    drinks = playbook("free-drinks")
    if by == "locations":
        drinks.applies_to, drinks.locations = Playbook.AppliesTo.LOCATIONS, [code_or_kind]
    else:
        drinks.applies_to, drinks.location_kinds = Playbook.AppliesTo.KINDS, [code_or_kind]
    drinks.save()
    return drinks


@pytest.mark.django_db
def test_a_policy_that_never_states_it_publishes_the_same_document_as_before(installed):
    document = draft_document()
    for entry in document["playbooks"]:
        assert not {"applies_to", "locations", "location_kinds", "location_overrides"} & set(entry)
    assert with_blank_translations(document) == with_blank_translations(installed.document)


@pytest.mark.django_db
def test_a_playbook_for_airport_desks_with_a_dearer_ceiling_is_published_diffed_and_rolled_back(
    ops, installed, central, airport
):
    airport.kind = "airport"
    airport.save()
    drinks = offer_only_at("airport", by="kinds")
    PlaybookLocationOverride.objects.create(playbook=drinks, location=airport, ceiling=Decimal("40.00"))
    version = publish("Drinks at the airport only, up to 40 there")
    entry = next(e for e in version.document["playbooks"] if e["code"] == "free-drinks")
    assert entry["applies_to"] == "kinds" and entry["location_kinds"] == ["airport"]
    assert entry["location_overrides"] == {"airport": {"percent": None, "floor": None, "ceiling": "40.00"}}

    policy = load_policy()
    assert drinks.pk not in policy.at_location(central).playbooks
    at_airport = policy.at_location(airport)
    quote = at_airport.quote(
        drinks.pk,
        purchase_value=Decimal("1000"),
        tenure_months=0,
        authority=Authority(role="manager", limit=Decimal("1000")),
        currency="EUR",
    )
    assert quote.cap == Decimal("40.00")
    assert policy.at_location(airport) is at_airport  # built once per process and location

    changes = {(c.item, c.field): (c.old, c.new) for c in document_diff(installed.document, version.document)}
    assert changes[(drinks.name, "offered at")] == ("all", "kinds")
    assert changes[(drinks.name, "kinds of location")] == ("—", "airport")
    assert changes[(drinks.name, "ceiling at airport")] == ("—", "40.00")

    policy_rollback(actor=ops, version=installed, reason="Drinks everywhere again")
    assert playbook("free-drinks").applies_to == "all"
    assert not PlaybookLocationOverride.objects.exists()
    policy_rollback(actor=ops, version=version, reason="Airport again")
    assert playbook("free-drinks").location_kinds == ["airport"]
    assert PlaybookLocationOverride.objects.get().ceiling == Decimal("40.00")


@pytest.mark.django_db
def test_publishing_a_playbook_offered_at_an_empty_set_of_locations_is_refused(installed):
    document = draft_document()
    entry = next(e for e in document["playbooks"] if e["code"] == "free-drinks")
    entry |= {"applies_to": "locations", "locations": []}
    with pytest.raises(PolicyError, match="locations: choose at least one location"):
        policy_publish(actor=None, reason="Nowhere", document=document)
    assert PolicyVersion.objects.count() == installed.number


@pytest.mark.django_db
def test_the_grant_refuses_a_playbook_not_offered_at_its_location_and_prices_the_location_s_values(
    frontline, frontline_airport, customer, central, airport, installed
):
    drinks = offer_only_at("airport", by="locations")
    PlaybookLocationOverride.objects.create(playbook=drinks, location=airport, percent=Decimal("5"))
    publish("Drinks at the airport only, 5 % there")
    with pytest.raises(RecoveryError) as refused:
        grant_for(frontline, central, customer, code="free-drinks", purchase_value="200")
    assert refused.value.field == "playbook"
    assert "is not offered at Central Store" in str(refused.value)
    grant = grant_for(frontline_airport, airport, customer, code="free-drinks", purchase_value="200")
    policy = load_policy()
    authority = policy.authority_for(["frontline"])
    price = {"purchase_value": Decimal("200"), "tenure_months": grant.tenure_months, "authority": authority}
    at_airport = policy.at_location(airport).quote(drinks.pk, currency="EUR", **price)
    everywhere = policy.quote(drinks.pk, currency="EUR", **price)
    assert grant.amount == grant.cap == at_airport.cap < everywhere.cap  # 5 % of 200 there, not 20 %
    assert grant.policy_snapshot["percent"] == "5.00"


@pytest.mark.django_db
def test_the_counter_shows_only_the_playbooks_offered_at_its_location(frontline_client, customer, installed, airport):
    offer_only_at("airport", by="locations")
    publish("Drinks at the airport only")
    page = frontline_client.get(reverse("counter_resolve", args=[customer.pk]))
    names = [card.playbook.code for card in page.context["cards"] + page.context["other_cards"]]
    assert "free-drinks" not in names and names


@pytest.mark.django_db
def test_the_api_quotes_only_what_the_token_s_location_offers(installed, ops, central, airport, customer):
    from tests.api.conftest import api_client, issue

    offer_only_at("airport", by="locations")
    publish("Drinks at the airport only")
    issued = issue(central, "frontline", actor=ops)
    response = api_client(issued.secret).post(
        "/api/v1/quotes/", {"customer": customer.pk, "purchase_value": "100.00"}, format="json"
    )
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["playbooks"]]
    assert "free-drinks" not in codes and codes


@pytest.mark.django_db
def test_the_simulator_prices_a_case_as_one_location_sees_it(ops_client, installed, central, airport):
    drinks = offer_only_at("central", by="locations")
    PlaybookLocationOverride.objects.create(playbook=drinks, location=central, ceiling=Decimal("12.00"))
    question = {"purchase_value": "1000", "tenure_months": "0", "role": "manager"}
    at_central = ops_client.get(reverse("ops_simulator"), question | {"location": "central"})
    assert at_central.status_code == 200
    row = next(r for r in at_central.context["simulation"].rows if r.name == drinks.name)
    assert row.draft.cap == Decimal("12.00") and row.in_force.cap > Decimal("12.00")
    at_airport = ops_client.get(reverse("ops_simulator"), question | {"location": "airport"})
    row = next(r for r in at_airport.context["simulation"].rows if r.name == drinks.name)
    assert row.draft is None  # withdrawn there by the draft
    refused = ops_client.get(reverse("ops_simulator"), question | {"location": "moon"})
    assert refused.status_code == 422
    assert "At location: choose one of the active locations." in html.unescape(refused.content.decode())


@pytest.mark.django_db
def test_ops_state_eligibility_with_labelled_controls_and_an_empty_set_is_refused(ops_client, central, airport):
    drinks = playbook("free-drinks")
    url = reverse("ops_draft_edit", kwargs={"kind": "playbook", "pk": drinks.pk})
    page = html.unescape(ops_client.get(url).content.decode())
    assert "<legend>Offered at</legend>" in page and "<legend>Locations</legend>" in page
    assert '<label for="id_location_kinds">Kinds of location</label>' in page

    refused = ops_client.post(url, playbook_form(drinks, applies_to="locations"))
    assert refused.status_code == 422
    assert "locations: choose at least one location" in html.unescape(refused.content.decode())
    assert playbook("free-drinks").applies_to == "all"

    saved = ops_client.post(url, playbook_form(drinks, applies_to="kinds", location_kinds="Airport, City store"))
    assert saved.status_code == 422  # no active location is of either kind yet
    airport.kind = "airport"
    airport.save()
    saved = ops_client.post(url, playbook_form(drinks, applies_to="kinds", location_kinds="Airport, City store"))
    assert saved.status_code == 302
    assert playbook("free-drinks").location_kinds == ["airport", "city-store"]

    override_url = reverse("ops_draft_add", kwargs={"kind": "location-override"})
    refused = ops_client.post(override_url, {"playbook": drinks.pk, "location": airport.pk})
    assert refused.status_code == 422
    assert "Set at least one of percent, floor or ceiling" in html.unescape(refused.content.decode())
    saved = ops_client.post(override_url, {"playbook": drinks.pk, "location": airport.pk, "ceiling": "40.00"})
    assert saved.status_code == 302
    home = html.unescape(ops_client.get(reverse("ops_home")).content.decode())
    assert "locations of kind airport, city-store" in home and "airport: ceiling 40.00" in home


@pytest.mark.django_db
def test_the_replay_counts_grants_where_the_draft_withdraws_or_reprices_a_playbook(
    frontline, frontline_airport, customer, central, airport, installed
):
    from django.utils import timezone

    from compensation.policy import draft_policy
    from recovery.replay import replay_draft

    now = timezone.now
    at_central = grant_for(frontline, central, customer, code="free-drinks", purchase_value="100")
    at_airport = grant_for(frontline_airport, airport, customer, code="free-drinks", purchase_value="100")
    drinks = offer_only_at("airport", by="locations")
    PlaybookLocationOverride.objects.create(playbook=drinks, location=airport, ceiling=Decimal("6.00"))
    result = replay_draft(policy=draft_policy(), since=now() - timedelta(days=1), until=now() + timedelta(days=1))
    by_location = {line.name: line for line in result.by_location}
    assert by_location["Central Store"].withdrawn == 1 and by_location["Central Store"].draft == 0
    assert by_location["Airport Desk"].withdrawn == 0
    # The airport's own ceiling 6.00, × 1.5 for the customer's Loyal tier: below the 15.00 granted.
    assert by_location["Airport Desk"].draft == Decimal("9.00") < at_airport.amount
    assert at_central.amount > 0


@pytest.mark.django_db
def test_a_playbook_edit_that_would_put_its_floor_above_a_location_s_own_ceiling_is_refused(ops_client, airport):
    drinks = playbook("free-drinks")
    PlaybookLocationOverride.objects.create(playbook=drinks, location=airport, ceiling=Decimal("6.00"))
    url = reverse("ops_draft_edit", kwargs={"kind": "playbook", "pk": drinks.pk})
    refused = ops_client.post(url, playbook_form(drinks, floor="7.00"))
    assert refused.status_code == 422
    assert "Airport Desk has its own ceiling 6.00" in html.unescape(refused.content.decode())
    assert playbook("free-drinks").floor == drinks.floor
