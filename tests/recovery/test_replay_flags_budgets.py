"""Ops pages over the case data: the draft replayed over past grants, rule flags, location budgets."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.caps import Authority
from compensation.models import LocationBudget
from compensation.policy import policy_from_document
from compensation.predicates import roles_of
from recovery import services
from recovery.models import Grant, RuleFlag
from recovery.replay import DraftCaps, replay_rows
from recovery.selectors import budget_rows_for
from tests.conftest import client_for
from tests.factories import grant_for, grant_request, make_customer, make_location, make_user, playbook, publish

DRINKS = "Free drinks while you wait"
TABLE = "Appetisers and desserts on the house"


def queries_of(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params or {}).status_code == 200
    return len(context.captured_queries)


def backdated_grant(actor, location, customer, at, **fields):
    return services.grant_issue(
        actor=actor, roles=roles_of(actor), request=grant_request(customer, location, **fields), at=at
    ).grant


# --- replay: the pure part ------------------------------------------------------------------


def replay_document(ceiling):
    return {
        "tiers": [{"id": 1, "name": "New", "min_months": 0, "multiplier": "1.00"}],
        "playbooks": [
            {
                "id": 7,
                "code": "p",
                "name": "P",
                "kind": "on_the_spot",
                "offer": "o",
                "apology_script": "s",
                "percent": "10",
                "floor": "0.00",
                "ceiling": str(ceiling),
                "voucher_valid_days": None,
                "sort_order": 1,
                "is_active": True,
                "multipliers": {},
            }
        ],
        "role_authorities": {"frontline": "250.00"},
    }


def grant_row(purchase_value, amount, *, location_id=1, playbook_id=7, cap=None):
    return {
        "granted_by_id": 1,
        "playbook_id": playbook_id,
        "playbook_name": "P (as granted)",
        "location_id": location_id,
        "location__name": f"Location {location_id}",
        "currency": "EUR",
        "amount": amount,
        "cap": cap if cap is not None else amount,
        "purchase_value": purchase_value,
        "tenure_months": 5,
        "authority_role": "frontline",
        "authority_limit": Decimal("250.00"),
    }


NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


def test_replay_rows_caps_lower_never_raises_and_counts_withdrawn_playbooks():
    policy = policy_from_document(replay_document("20.00"))
    rows = [
        grant_row(Decimal("1000"), Decimal("30.00")),  # draft cap 20: capped lower
        grant_row(Decimal("100"), Decimal("10.00")),  # draft cap 10: same
        grant_row(Decimal("100"), Decimal("5.00"), cap=Decimal("5.00"), location_id=2),  # draft allows 10: not raised
        grant_row(Decimal("100"), Decimal("8.00"), playbook_id=99, location_id=2),  # not in the draft
    ]
    result = replay_rows(policy=policy, rows=rows, since=NOW - timedelta(days=90), until=NOW)
    assert (result.total.actual, result.total.draft) == (Decimal("53.00"), Decimal("35.00"))
    assert result.total.difference == Decimal("-18.00")
    assert (result.total.capped_lower, result.total.withdrawn, result.total.allowed_more) == (1, 1, 1)
    by_playbook = {line.name: line for line in result.by_playbook}
    assert by_playbook["P"].draft == Decimal("35.00") and by_playbook["P"].grants == 3
    assert by_playbook["P (as granted)"].withdrawn == 1 and by_playbook["P (as granted)"].draft == Decimal("0")
    by_location = {line.key: line for line in result.by_location}
    assert (by_location[1].actual, by_location[1].draft) == (Decimal("40.00"), Decimal("30.00"))
    assert (by_location[2].actual, by_location[2].draft) == (Decimal("13.00"), Decimal("5.00"))


def test_a_grant_approved_above_its_cap_keeps_its_amount_unless_the_playbook_is_withdrawn():
    policy = policy_from_document(replay_document("20.00"))
    approved = grant_row(Decimal("1000"), Decimal("80.00"), cap=Decimal("25.00"))
    result = replay_rows(policy=policy, rows=[approved], since=NOW, until=NOW)
    assert result.total.draft == Decimal("80.00")
    assert (result.total.approved_above_cap, result.total.capped_lower) == (1, 0)
    withdrawn = replay_rows(policy=policy, rows=[{**approved, "playbook_id": 99}], since=NOW, until=NOW)
    assert withdrawn.total.draft == Decimal("0")


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)


@settings(max_examples=100, deadline=None)
@given(
    ceiling=amounts,
    grants=st.lists(st.tuples(amounts, amounts, st.integers(1, 3)), max_size=30),
)
def test_replay_never_raises_an_amount_and_the_groups_add_up(ceiling, grants):
    policy = policy_from_document(replay_document(ceiling))
    rows = [grant_row(value, amount, location_id=location) for value, amount, location in grants]
    result = replay_rows(policy=policy, rows=rows, since=NOW, until=NOW)
    assert result.total.draft <= result.total.actual
    assert result.total.grants == len(rows)
    for lines in (result.by_playbook, result.by_location):
        assert sum((line.actual for line in lines), Decimal("0")) == result.total.actual
        assert sum((line.draft for line in lines), Decimal("0")) == result.total.draft
        assert sum(line.capped_lower for line in lines) == result.total.capped_lower


@settings(max_examples=100, deadline=None)
@given(
    ceiling=amounts,
    grants=st.lists(st.tuples(amounts, st.sampled_from(["cap", "less", "approved above"])), max_size=30),
)
def test_replaying_the_policy_grants_were_made_under_changes_nothing(ceiling, grants):
    policy = policy_from_document(replay_document(ceiling))
    authority = Authority(role="frontline", limit=Decimal("250.00"))
    rows = []
    for purchase_value, how in grants:
        cap = policy.quote(7, purchase_value=purchase_value, tenure_months=5, authority=authority, currency="EUR").cap
        amount = {"cap": cap, "less": cap / 2, "approved above": cap + Decimal("10")}[how]
        rows.append(grant_row(purchase_value, amount, cap=cap))
    result = replay_rows(policy=policy, rows=rows, since=NOW, until=NOW)
    assert result.total.difference == 0
    assert result.total.capped_lower == result.total.allowed_more == 0


TIERED = {
    **replay_document("0"),
    "tiers": [
        {"id": 1, "name": "New", "min_months": 0, "multiplier": "1.00"},
        {"id": 2, "name": "Loyal", "min_months": 36, "multiplier": "1.50"},
    ],
}


@settings(max_examples=150, deadline=None)
@given(
    percent=st.decimals(min_value=Decimal("0"), max_value=Decimal("200"), places=2),
    floor=amounts,
    extra=amounts,
    grants=st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
            st.integers(0, 100),
            st.sampled_from([Decimal("0"), Decimal("50"), Decimal("250.00"), Decimal("100000")]),
        ),
        max_size=40,
    ),
)
def test_draft_caps_shortcut_always_equals_the_engines_quote(percent, floor, extra, grants):
    """The monotone shortcut answers exactly what the engine would, in any order of grants."""
    entry = {**TIERED["playbooks"][0], "percent": str(percent), "floor": str(floor), "ceiling": str(floor + extra)}
    policy = policy_from_document({**TIERED, "playbooks": [entry]})
    caps = DraftCaps(policy)
    for purchase_value, tenure, limit in grants:
        authority = Authority(role="frontline", limit=limit)
        expected = policy.quote(
            7, purchase_value=purchase_value, tenure_months=tenure, authority=authority, currency="EUR"
        ).cap
        assert (
            caps.cap(7, purchase_value=purchase_value, tenure_months=tenure, authority=authority, currency="EUR")
            == expected
        )


# --- replay: the page -------------------------------------------------------------------------


@pytest.fixture
def recent_grants(central, airport, frontline, frontline_airport, customer):
    """Three grants at Central and one at the Airport, all for a Loyal customer (×1.5)."""
    return [
        grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000"),  # 25 × 1.5 = 37.50
        grant_for(frontline, central, customer, code="free-drinks", purchase_value="100"),  # 10 × 1.5 = 15.00
        grant_for(frontline, central, customer, code="late-table", purchase_value="200"),  # 30 × 1.5 = 45.00
        grant_for(frontline_airport, airport, customer, code="free-drinks", purchase_value="1000"),  # 37.50
    ]


def lower_drinks_ceiling_in_draft(ceiling="20.00"):
    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal(ceiling)
    drinks.save()


@pytest.mark.django_db
def test_replay_totals_after_lowering_a_ceiling_in_the_draft(ops_client, recent_grants):
    assert [grant.amount for grant in recent_grants] == [Decimal(a) for a in ("37.50", "15.00", "45.00", "37.50")]
    lower_drinks_ceiling_in_draft("20.00")  # 20 × 1.5 = 30.00 at a purchase of 1,000
    response = ops_client.get(reverse("ops_replay"))
    assert response.status_code == 200
    result = response.context["comparison"].pending
    assert result.total.grants == 4
    assert result.total.actual == Decimal("135.00")
    assert result.total.draft == Decimal("120.00")  # 30 + 15 + 45 + 30
    assert result.total.difference == Decimal("-15.00")
    assert result.total.capped_lower == 2
    assert result.total.withdrawn == 0
    by_playbook = {line.name: line for line in result.by_playbook}
    assert (by_playbook[DRINKS].actual, by_playbook[DRINKS].draft) == (Decimal("90.00"), Decimal("75.00"))
    assert by_playbook[DRINKS].capped_lower == 2
    assert (by_playbook[TABLE].actual, by_playbook[TABLE].draft) == (Decimal("45.00"), Decimal("45.00"))
    by_location = {line.name: line for line in result.by_location}
    assert (by_location["Central Store"].actual, by_location["Central Store"].draft) == (
        Decimal("97.50"),
        Decimal("90.00"),
    )
    assert (by_location["Airport Desk"].actual, by_location["Airport Desk"].draft) == (
        Decimal("37.50"),
        Decimal("30.00"),
    )
    page = response.content.decode()
    assert "€135.00" in page and "€120.00" in page and "-€15.00" in page
    assert "A past amount is never raised" in page


@pytest.mark.django_db
def test_replay_counts_a_playbook_withdrawn_in_the_draft_as_zero(ops_client, recent_grants):
    table = playbook("late-table")
    table.is_active = False
    table.save()
    result = ops_client.get(reverse("ops_replay")).context["comparison"].pending
    assert result.total.withdrawn == 1
    assert result.total.draft == Decimal("90.00")  # 135 − 45
    assert {line.name: line for line in result.by_playbook}[TABLE].draft == Decimal("0")


@pytest.mark.django_db
def test_a_higher_draft_cap_does_not_raise_past_amounts(ops_client, recent_grants):
    lower_drinks_ceiling_in_draft("40.00")
    result = ops_client.get(reverse("ops_replay")).context["comparison"].pending
    assert result.total.draft == result.total.actual == Decimal("135.00")
    assert result.total.capped_lower == 0
    assert result.total.allowed_more == 2


@pytest.mark.django_db
def test_replay_leaves_out_older_and_voided_grants(ops_client, manager, frontline, central, customer, recent_grants):
    old = backdated_grant(frontline, central, customer, timezone.now() - timedelta(days=100), purchase_value="1000")
    services.grant_void(actor=manager, grant_id=recent_grants[1].pk, reason="Duplicate")
    lower_drinks_ceiling_in_draft("20.00")
    result = ops_client.get(reverse("ops_replay")).context["comparison"].pending
    assert result.total.grants == 3
    assert (result.total.actual, result.total.draft) == (Decimal("120.00"), Decimal("105.00"))
    # A longer window reaches the older grant.
    longer = ops_client.get(reverse("ops_replay"), {"days": "120"}).context["comparison"].pending
    assert longer.total.grants == 4
    assert longer.total.actual == Decimal("120.00") + old.amount


@pytest.mark.django_db
def test_an_unchanged_draft_replays_to_no_difference_even_with_an_approved_escalation(
    ops_client, manager, frontline, central, customer, recent_grants
):
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=grant_request(customer, central, amount="100.00"),
        reason="Lost a whole afternoon",
    )
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note="Fair"
    )
    comparison = ops_client.get(reverse("ops_replay")).context["comparison"]
    assert comparison.draft_is_in_force and comparison.pending is None
    result = comparison.in_force
    assert result.total.grants == 5
    assert result.total.actual == result.total.draft == Decimal("235.00")
    assert (result.total.approved_above_cap, result.total.capped_lower) == (1, 0)


@pytest.mark.django_db
def test_manager_replays_only_their_own_locations(manager_client, recent_grants):
    lower_drinks_ceiling_in_draft("20.00")
    response = manager_client.get(reverse("ops_replay"))
    assert response.status_code == 200
    result = response.context["comparison"].pending
    assert [line.name for line in result.by_location] == ["Central Store"]
    assert (result.total.actual, result.total.draft) == (Decimal("97.50"), Decimal("90.00"))
    assert "Airport Desk" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "367", "-3", "ninety", "1.5", "9" * 30])
def test_replay_refuses_a_bad_window_naming_the_field(ops_client, days):
    response = ops_client.get(reverse("ops_replay"), {"days": days})
    assert response.status_code == 422
    assert "Days back:" in response.content.decode()
    assert response.context["comparison"] is None


@pytest.mark.django_db
def test_replay_reads_grants_in_a_constant_number_of_queries(
    ops_client, frontline, central, customer, django_assert_max_num_queries
):
    url = reverse("ops_replay")
    grant_for(frontline, central, customer)
    few = queries_of(ops_client, url)
    for value in range(20, 60):
        grant_for(frontline, central, customer, purchase_value=str(value))
    many = queries_of(ops_client, url)
    assert many == few
    with django_assert_max_num_queries(few):
        ops_client.get(url)


# --- rule flags -------------------------------------------------------------------------------


@pytest.fixture
def flags(central, airport, frontline, frontline_airport, ops):
    drinks = playbook("free-drinks").pk
    raised = [
        services.rule_flag_raise(
            actor=frontline, location=central, rule="playbook_cap", note="Drinks cap too low", playbook_id=drinks
        ),
        services.rule_flag_raise(
            actor=frontline, location=central, rule="playbook_cap", note="Again the drinks", playbook_id=drinks
        ),
        services.rule_flag_raise(actor=frontline, location=central, rule="authority", note="Needed 300"),
        services.rule_flag_raise(
            actor=frontline_airport, location=airport, rule="customer_limit", note="Airport: limit hit"
        ),
        services.rule_flag_raise(actor=frontline, location=central, rule="other", note="Old, dealt with"),
    ]
    services.rule_flag_handle(actor=ops, flag_id=raised[-1].pk, note="Explained the rule")
    return raised


def counts(rows):
    return {row.label: row.count for row in rows}


@pytest.mark.django_db
def test_ops_see_open_flags_counted_by_rule_and_by_playbook(ops_client, flags):
    response = ops_client.get(reverse("ops_flags"))
    assert response.status_code == 200
    assert counts(response.context["by_rule"]) == {
        "A playbook's cap": 2,
        "My authority limit": 1,
        "The per-customer limit": 1,
    }
    assert counts(response.context["by_playbook"]) == {DRINKS: 2, "No playbook named": 2}
    assert [flag.note for flag in response.context["flags"]] == [
        "Airport: limit hit",
        "Needed 300",
        "Again the drinks",
        "Drinks cap too low",
    ]
    page = response.content.decode()
    assert "Old, dealt with" not in page  # open only by default
    assert page.count('name="handled_note"') == 4
    assert "frank at Central Store" in page


@pytest.mark.django_db
def test_flag_list_filters_by_status(ops_client, flags):
    handled = ops_client.get(reverse("ops_flags"), {"status": "handled"})
    assert [flag.note for flag in handled.context["flags"]] == ["Old, dealt with"]
    assert "Handled by olga" in handled.content.decode()
    assert "Explained the rule" in handled.content.decode()
    everything = ops_client.get(reverse("ops_flags"), {"status": "all"})
    assert len(everything.context["flags"]) == 5
    bad = ops_client.get(reverse("ops_flags"), {"status": "someday"})
    assert bad.status_code == 422
    assert "Show: choose open, handled or all." in bad.content.decode()


@pytest.mark.django_db
def test_managers_read_their_locations_flags_without_forms(manager_client, flags):
    response = manager_client.get(reverse("ops_flags"), {"status": "all"})
    assert response.status_code == 200
    notes = [flag.note for flag in response.context["flags"]]
    assert "Airport: limit hit" not in notes
    assert len(notes) == 4
    assert counts(response.context["by_rule"]) == {"A playbook's cap": 2, "My authority limit": 1}
    page = response.content.decode()
    assert 'name="handled_note"' not in page
    assert "Airport: limit hit" not in page


@pytest.mark.django_db
def test_ops_handle_a_flag_and_the_history_names_them(ops, ops_client, flags):
    flag = flags[0]
    response = ops_client.post(reverse("ops_flag_handle", args=[flag.pk]), {"handled_note": "Raised the ceiling"})
    assert response.status_code == 302 and response["Location"] == reverse("ops_flags")
    flag.refresh_from_db()
    assert flag.status == RuleFlag.Status.HANDLED
    assert (flag.handled_by, flag.handled_note) == (ops, "Raised the ceiling")
    latest = flag.history.latest("history_date")
    assert latest.history_user == ops and latest.history_change_reason == "Raised the ceiling"
    page = ops_client.get(response["Location"]).content.decode()
    assert f"Flag #{flag.pk} marked handled." in page


@pytest.mark.django_db
@pytest.mark.parametrize("note", ["", "   "])
def test_handling_without_saying_what_was_done_is_refused(ops_client, flags, note):
    flag = flags[0]
    response = ops_client.post(reverse("ops_flag_handle", args=[flag.pk]), {"handled_note": note})
    assert response.status_code == 422
    assert "What was done: say how the flag was handled." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == RuleFlag.Status.OPEN


@pytest.mark.django_db
def test_handling_a_flag_twice_says_who_handled_it(ops_client, flags):
    flag = flags[0]
    url = reverse("ops_flag_handle", args=[flag.pk])
    assert ops_client.post(url, {"handled_note": "First"}).status_code == 302
    response = ops_client.post(url, {"handled_note": "Second"})
    assert response.status_code == 422
    assert f"Flag #{flag.pk}: This flag was already handled by olga." in response.content.decode()
    flag.refresh_from_db()
    assert flag.handled_note == "First"


@pytest.mark.django_db
def test_handling_an_unknown_flag_is_404(ops_client, flags):
    missing = max(flag.pk for flag in flags) + 1000
    assert ops_client.post(reverse("ops_flag_handle", args=[missing]), {"handled_note": "x"}).status_code == 404


@pytest.mark.django_db
def test_a_manager_cannot_handle_a_flag(manager_client, flags):
    flag = flags[0]
    response = manager_client.post(reverse("ops_flag_handle", args=[flag.pk]), {"handled_note": "Me"})
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.status == RuleFlag.Status.OPEN


@pytest.mark.django_db
def test_flags_page_reads_in_a_constant_number_of_queries(ops_client, frontline, central, flags):
    url = reverse("ops_flags")
    few = queries_of(ops_client, url, {"status": "all"})
    customer = make_customer("Flag Customer", phone="+447700900777")
    for number in range(30):
        services.rule_flag_raise(
            actor=make_user(f"staff{number}", "frontline", [central]),
            location=central,
            rule="playbook_cap" if number % 2 else "location_budget",
            note=f"Flag {number}",
            playbook_id=playbook("late-table").pk if number % 3 else None,
            customer=customer,
        )
    assert queries_of(ops_client, url, {"status": "all"}) == few


# --- budgets ----------------------------------------------------------------------------------


@pytest.fixture
def budgets_published(central, airport):
    LocationBudget.objects.create(
        location=central, monthly_amount=Decimal("100.00"), when_exhausted=LocationBudget.WhenExhausted.ESCALATE
    )
    LocationBudget.objects.create(
        location=airport, monthly_amount=Decimal("40.00"), when_exhausted=LocationBudget.WhenExhausted.WARN
    )
    return publish("Budgets for the test")


def rows_by_location(response):
    return {row.location.name: row for row in response.context["rows"]}


@pytest.mark.django_db
def test_budgets_show_spent_remaining_and_state_per_location(ops_client, budgets_published, recent_grants):
    response = ops_client.get(reverse("budgets"))
    assert response.status_code == 200
    rows = rows_by_location(response)
    central, airport = rows["Central Store"], rows["Airport Desk"]
    assert (central.spent, central.remaining, central.percent_used, central.state) == (
        Decimal("97.50"),
        Decimal("2.50"),
        98,
        "low",
    )
    assert central.when_exhausted == "Require a manager's approval"
    assert (airport.spent, airport.remaining, airport.percent_used, airport.state) == (
        Decimal("37.50"),
        Decimal("2.50"),
        94,
        "low",
    )
    assert airport.when_exhausted == "Only warn (grants go through)"
    page = response.content.decode()
    assert "€97.50" in page and "€2.50" in page and "98%" in page


@pytest.mark.django_db
def test_budgets_count_only_active_grants_of_this_month(
    ops_client, manager, frontline, central, customer, budgets_published, recent_grants
):
    services.grant_void(actor=manager, grant_id=recent_grants[2].pk, reason="Wrong table")  # −45.00
    month_start = budget_rows_for(user=manager)[0].month_start
    backdated_grant(frontline, central, customer, month_start - timedelta(minutes=5), purchase_value="1000")
    central_row = rows_by_location(ops_client.get(reverse("budgets")))["Central Store"]
    assert (central_row.spent, central_row.remaining, central_row.state) == (Decimal("52.50"), Decimal("47.50"), "ok")


@pytest.mark.django_db
def test_a_used_up_budget_and_a_location_without_budget(ops_client, frontline, central, customer, recent_grants):
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("90.00"))
    publish("Central budget only")
    rows = rows_by_location(ops_client.get(reverse("budgets")))
    assert (rows["Central Store"].state, rows["Central Store"].remaining, rows["Central Store"].percent_used) == (
        "exhausted",
        Decimal("0"),
        108,
    )
    assert rows["Central Store"].bar_percent == 100
    assert rows["Airport Desk"].state == "none" and rows["Airport Desk"].spent == Decimal("37.50")


@pytest.mark.django_db
def test_a_draft_budget_is_not_shown_before_it_is_published(ops_client, central, recent_grants):
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("500.00"))
    assert rows_by_location(ops_client.get(reverse("budgets")))["Central Store"].budget is None


@pytest.mark.django_db
def test_manager_sees_only_their_locations_budget(manager_airport, budgets_published, recent_grants):
    response = client_for(manager_airport).get(reverse("budgets"))
    assert response.status_code == 200
    assert list(rows_by_location(response)) == ["Airport Desk"]
    assert "Central Store" not in response.content.decode()


@pytest.mark.django_db
def test_each_location_counts_its_month_in_its_own_time_zone(frontline, central, customer):
    """At 05:00 UTC on 1 March it is already March in Auckland: a grant at 20:00 UTC on 28 Feb counts there only."""
    auckland = make_location("auckland", "Auckland Quay", timezone="Pacific/Auckland")
    kiwi = make_user("kiri", "frontline", [auckland])
    ops = make_user("oscar", "ops")
    before_midnight = datetime(2025, 2, 28, 20, tzinfo=UTC)
    backdated_grant(frontline, central, customer, before_midnight, purchase_value="100")
    backdated_grant(kiwi, auckland, customer, before_midnight, purchase_value="100")
    now = datetime(2025, 3, 1, 5, tzinfo=UTC)
    rows = {row.location.code: row for row in budget_rows_for(user=ops, now=now)}
    assert rows["central"].spent == Decimal("0")
    assert rows["auckland"].spent == Decimal("15.00")
    for location in (central, auckland):
        assert rows[location.code].spent == services.budget_spent(location=location, now=now, currency="EUR")


@pytest.mark.django_db
def test_budgets_page_reads_in_a_constant_number_of_queries(ops_client, budgets_published, recent_grants):
    url = reverse("budgets")
    few = queries_of(ops_client, url)
    zones = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Pacific/Auckland", "UTC"]
    for number in range(12):
        location = make_location(f"shop-{number}", f"Shop {number}", timezone=zones[number % len(zones)])
        employee = make_user(f"clerk{number}", "frontline", [location])
        grant_for(employee, location, make_customer(f"C{number}", since=date(2021, 1, 1)), token=uuid.uuid4())
    assert queries_of(ops_client, url) == few
    assert Grant.objects.count() == 16


def test_replay_applies_the_drafts_authority_limits(frontline, central, customer):
    """Cutting the frontline role's authority in the draft lowers the replayed grants it binds."""
    from compensation.models import RoleAuthority
    from compensation.policy import draft_policy
    from recovery.replay import replay_draft

    grant_for(frontline, central, customer, code="repeat-repair", purchase_value="1000")  # cap 250 (authority)
    RoleAuthority.objects.filter(role="frontline").update(limit=Decimal("50.00"))
    result = replay_draft(policy=draft_policy(), since=timezone.now() - timedelta(days=1))
    assert (result.total.actual, result.total.draft, result.total.capped_lower) == (
        Decimal("250.00"),
        Decimal("50.00"),
        1,
    )
