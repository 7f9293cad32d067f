"""Each location grants in its own currency: caps, limits, budgets and totals never mix currencies."""

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compensation.models import CustomerLimit, LocationBudget
from compensation.money import Amounts
from recovery import insights
from recovery.models import Grant, Location
from recovery.replay import replay_rows
from recovery.selectors import budget_rows_for
from recovery.services import LimitExceeded, RecoveryError
from recovery.templatetags.desk import money
from tests.api.conftest import api_client, issue
from tests.conftest import client_for
from tests.factories import grant_for, make_customer, make_user, playbook, publish, state_amounts
from tests.recovery.test_bad_input import fresh_token
from tests.recovery.test_insights import DASHBOARD_QUERIES
from tests.recovery.test_replay_flags_budgets import grant_row, replay_document

pytestmark = pytest.mark.django_db
SPOILED = {"code": "replace-spoiled", "purchase_value": "1000"}  # cap: 300 × 1.5, then the 250 authority


@pytest.fixture
def tokyo(db):
    """A yen store, with the policy's amounts stated in yen at the same numbers (issue 17: never read as euros)."""
    location = Location.objects.create(code="tokyo", name="Tokyo Ginza", timezone="Asia/Tokyo", currency="JPY")
    state_amounts("JPY")
    publish("Amounts in yen")
    return location


@pytest.fixture
def loyal(db):
    return make_customer("Loyal Larry", since=date(2015, 1, 1))  # Loyal tier: ×1.5


def test_a_yen_location_grants_whole_yen_rounded_down(tokyo, loyal):
    clerk = make_user("kenji", "frontline", [tokyo])
    # 100% of 105 = 105 → within 0 and 300 → Loyal ×1.5 = 157.5 → 157 yen (an "at most" figure rounds down, no decimals)
    grant = grant_for(clerk, tokyo, loyal, code="replace-spoiled", purchase_value="105")
    assert (grant.amount, grant.cap, grant.currency) == (Decimal("157"), Decimal("157"), "JPY")
    assert grant.policy_snapshot["currency"] == "JPY"
    assert grant.cap_steps[2].endswith("×1.5 = 157.5 → 157")


def test_a_euro_location_is_unaffected_by_a_yen_one(tokyo, central, frontline, loyal):
    grant = grant_for(frontline, central, loyal, code="replace-spoiled", purchase_value="105")
    assert (grant.amount, grant.currency) == (Decimal("157.50"), "EUR")
    assert grant.policy_snapshot["currency"] == "EUR"


def test_a_purchase_value_finer_than_the_yen_is_refused_by_the_service(tokyo, loyal):
    clerk = make_user("kenji", "frontline", [tokyo])
    with pytest.raises(RecoveryError, match="Purchase value: JPY has no smaller unit than 1.") as error:
        grant_for(clerk, tokyo, loyal, code="replace-spoiled", purchase_value="1000.5")
    assert error.value.field == "purchase_value"
    assert not Grant.objects.exists()


def test_the_counter_refuses_1000_5_yen_on_the_purchase_value_field(tokyo, loyal):
    client = client_for(make_user("kenji", "frontline", [tokyo]))
    form = {
        "category": "waiting",
        "purchase_value": "1000.5",
        "playbook": str(playbook("replace-spoiled").pk),
        "amount": "",
        "note": "",
        "token": fresh_token(client, loyal),
    }
    response = client.post(reverse("counter_resolve", args=[loyal.pk]), form)
    assert response.status_code == 422
    assert "Purchase value: JPY has no smaller unit than 1." in response.content.decode()
    assert not Grant.objects.exists()
    quotes = client.get(reverse("counter_quotes", args=[loyal.pk]), {"purchase_value": "1000.5"})
    assert quotes.status_code == 422
    assert "Purchase value: JPY has no smaller unit than 1." in quotes.content.decode()


def test_the_yen_counter_shows_whole_yen_and_the_granted_page_shows_the_yen_sign(tokyo, loyal):
    clerk = make_user("kenji", "frontline", [tokyo])
    client = client_for(clerk)
    page = client.get(reverse("counter_resolve", args=[loyal.pk])).content.decode()
    assert 'inputmode="numeric" data-step="1"' in page and "Purchase value (JPY)" in page
    assert '<span class="money-symbol" aria-hidden="true">¥</span>' in page
    cards = client.get(reverse("counter_quotes", args=[loyal.pk]), {"purchase_value": "105"}).content.decode()
    assert "¥157" in cards
    grant = grant_for(clerk, tokyo, loyal, code="replace-spoiled", purchase_value="105")
    granted = client.get(reverse("counter_granted", args=[grant.pk])).content.decode()
    assert "¥157" in granted and "€" not in granted


def test_the_customer_total_limit_only_adds_grants_in_the_new_grants_currency(tokyo, central, frontline, customer):
    CustomerLimit.objects.create(window_days=30, max_grants=None, max_total=Decimal("20.00"))
    state_amounts("JPY")  # ¥20 in yen: the same number, never the euro amount converted
    publish("Customer limit")
    grant_for(make_user("kenji", "frontline", [tokyo]), tokyo, customer, amount="15")  # 15 yen
    # 15 yen is not 15 euros: the euro window still has its whole 20.00.
    assert grant_for(frontline, central, customer, amount="20.00", **SPOILED).amount == Decimal("20.00")
    with pytest.raises(LimitExceeded) as error:
        grant_for(frontline, central, customer, amount="0.01")
    assert error.value.allowed == 0
    assert "already received 20.00 in the last 30 days" in error.value.message


def test_budgets_are_spent_and_shown_in_each_locations_currency(tokyo, central, frontline, customer, ops):
    LocationBudget.objects.create(location=tokyo, monthly_amount=Decimal("1000"), when_exhausted="escalate")
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("100.00"), when_exhausted="escalate")
    publish("Budgets")
    grant_for(make_user("kenji", "frontline", [tokyo]), tokyo, customer, amount="200", **SPOILED)
    grant_for(frontline, central, customer, amount="12.50")
    rows = {row.location.code: row for row in budget_rows_for(user=ops)}
    assert (rows["tokyo"].spent, rows["tokyo"].currency, rows["tokyo"].remaining) == (Decimal("200"), "JPY", 800)
    assert (rows["central"].spent, rows["central"].currency) == (Decimal("12.50"), "EUR")
    page = client_for(ops).get(reverse("budgets")).content.decode()
    assert "¥1,000" in page and "¥200" in page and "¥800" in page and "€12.50" in page and "€87.50" in page


def test_a_location_that_changes_currency_does_not_add_its_old_grants_to_the_budget(central, frontline, customer, ops):
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("1000"), when_exhausted="escalate")
    publish("Budget")
    grant_for(frontline, central, customer, amount="20.00", **SPOILED)
    central.currency = "JPY"
    central.save()
    (row,) = budget_rows_for(user=ops)
    assert (row.spent, row.currency) == (0, "JPY")


def test_insights_total_per_currency_never_one_mixed_sum(
    tokyo, central, frontline, customer, ops, django_assert_num_queries
):
    grant_for(frontline, central, customer, amount="10.00")
    grant_for(make_user("kenji", "frontline", [tokyo]), tokyo, customer, amount="200", **SPOILED)
    today = timezone.localdate()
    scope = insights.insight_scope_for(
        user=ops, start=today - dt.timedelta(days=7), end=today, location=None, tz=dt.UTC
    )
    dashboard = insights.dashboard_for(user=ops, scope=scope)
    assert dashboard.totals.active == Amounts({"EUR": Decimal("10.00"), "JPY": Decimal("200")})
    assert dashboard.totals.active != Decimal("210")
    assert dashboard.several_currencies and set(dashboard.currencies) == {"EUR", "JPY"}
    by_location = {line.label: line.active for line in dashboard.locations}
    assert by_location == {"Central Store": Decimal("10.00"), "Tokyo Ginza": Decimal("200")}
    (repeat,) = dashboard.repeat_customers
    assert repeat.active == Amounts({"EUR": Decimal("10.00"), "JPY": Decimal("200")})
    client = client_for(ops)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = client.get(reverse("insights")).content.decode()
    assert "€10.00 · ¥200" in page
    assert "210" not in page


def test_replay_totals_each_currency_apart():
    from compensation.policy import policy_from_document

    policy = policy_from_document(replay_document("20.00"))
    rows = [
        grant_row(Decimal("100"), Decimal("10.00")),
        {**grant_row(Decimal("100"), Decimal("10")), "currency": "JPY"},
    ]
    result = replay_rows(policy=policy, rows=rows, since=timezone.now(), until=timezone.now())
    assert [(line.currency, line.actual, line.grants) for line in result.total_lines] == [
        ("EUR", Decimal("10.00"), 1),
        ("JPY", Decimal("10"), 1),
    ]
    with pytest.raises(ValueError):
        result.total  # noqa: B018 - two currencies have no single total


def test_amounts_add_per_currency_and_show_one_figure_each():
    both = Amounts.of("EUR", Decimal("1.50")) + Amounts.of("JPY", Decimal("200")) + Amounts.of("EUR", Decimal("1"))
    assert both.items() == [("EUR", Decimal("2.50")), ("JPY", Decimal("200"))]
    assert both != Decimal("202.50") and sum([both], 0) == both
    assert Amounts.of("EUR", Decimal("2.50")) == Decimal("2.50") and Amounts() == 0 and not Amounts()
    assert money(both, "EUR") == "€2.50 · ¥200"
    assert money(Amounts(), "JPY") == "¥0"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XYZ", "Currency: “XYZ” is not an ISO 4217 currency code (e.g. EUR, JPY)."),
        ("eur", "Currency: “eur” is not an ISO 4217 currency code (e.g. EUR, JPY)."),
        ("KWD", "Currency: KWD has 3 decimal places; amounts are stored with at most 2."),
    ],
)
def test_an_unknown_or_too_fine_currency_is_refused_in_the_admin(ops_client, code, message):
    form = {"code": "osaka", "name": "Osaka", "timezone": "Asia/Tokyo", "currency": code, "is_active": "on"}
    response = ops_client.post(reverse("admin:compensation_location_add"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Location.objects.filter(code="osaka").exists()
    with pytest.raises(ValidationError) as error:
        Location(code="osaka", name="Osaka", timezone="Asia/Tokyo", currency=code).full_clean()
    assert "currency" in error.value.message_dict


def test_ops_set_a_currency_in_the_admin_and_the_change_is_in_the_history(ops_client, central):
    form = {
        "code": "central",
        "name": "Central Store",
        "timezone": "Europe/London",
        "currency": "JPY",
        "is_active": "on",
    }
    response = ops_client.post(reverse("admin:compensation_location_change", args=[central.pk]), form)
    assert response.status_code == 302
    central.refresh_from_db()
    assert central.currency == "JPY"
    assert [record.currency for record in central.history.order_by("history_id")] == ["EUR", "JPY"]


def test_the_migration_gives_existing_locations_the_deployments_currency(transactional_db, settings):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.RECOVERY_CURRENCY = "CHF"
    # Since issue 19 the currency column is compensation 0011's (recovery 0010 is empty): Location moved there.
    before = [("compensation", "0010_default_playbooks_in_russian")]
    after = [("compensation", "0011_location_moved_from_recovery")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("compensation", "Location").objects.create(code="basel", name="Basel", timezone="Europe/Zurich")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    try:
        # Read through the migrated state's model: today's has columns later migrations add (e.g. its kind).
        migrated = executor.loader.project_state(after).apps.get_model("compensation", "Location")
        assert migrated.objects.get(code="basel").currency == "CHF"
    finally:
        # Back to the latest migrations: later tests (a backup's `migrate --check`) need the full schema.
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_new_location_defaults_to_the_deployments_currency(settings):
    settings.RECOVERY_CURRENCY = "CHF"
    assert Location.objects.create(code="zurich", name="Zurich").currency == "CHF"


# --- the integration API writes each amount with its currency's decimals ---------------------------------


def test_the_api_writes_yen_without_decimals_and_euros_with_two(tokyo, loyal, central, ops):
    till = api_client(issue(tokyo, "frontline", "Ginza till", actor=ops).secret)
    spoiled = playbook("replace-spoiled")

    quote = till.post("/api/v1/quotes/", {"customer": loyal.pk, "purchase_value": "105"}).json()
    assert (quote["currency"], quote["purchase_value"]) == ("JPY", "105")
    assert {row["code"]: row["cap"] for row in quote["playbooks"]}["replace-spoiled"] == "157"
    assert quote["authority"]["limit"] == "250"

    body = {"customer": loyal.pk, "category": "waiting", "purchase_value": "105", "playbook": spoiled.pk}
    grant = till.post("/api/v1/grants/", body, HTTP_IDEMPOTENCY_KEY="yen-1").json()
    assert (grant["amount"], grant["cap"], grant["currency"]) == ("157", "157", "JPY")
    assert (grant["failure"]["purchase_value"], grant["authority"]["limit"]) == ("105", "250")
    assert till.get(f"/api/v1/grants/{grant['id']}/").json()["amount"] == "157"

    # Above the cap: the refusal's amounts are yen too.
    refused = till.post("/api/v1/grants/", {**body, "amount": "500"}, HTTP_IDEMPOTENCY_KEY="yen-2").json()["error"]
    assert refused["code"] == "limit_exceeded"
    assert "." not in refused["allowed"] and "." not in refused["requested"]
    assert all("." not in stop["allows"] for stop in refused["stops"])

    euro_till = api_client(issue(central, "frontline", "Central till", actor=ops).secret)
    euros = euro_till.post("/api/v1/grants/", {**body, "purchase_value": "25"}, HTTP_IDEMPOTENCY_KEY="eur-1")
    assert (euros.json()["amount"], euros.json()["currency"]) == ("37.50", "EUR")  # 25 × 1.5


def test_a_yen_vouchers_status_is_in_whole_yen(tokyo, loyal, ops):
    clerk = make_user("kenji", "frontline", [tokyo])
    voucher = grant_for(clerk, tokyo, loyal, code="repeat-repair", purchase_value="1000")
    till = api_client(issue(tokyo, "frontline", "Ginza till", actor=ops).secret)
    status = till.get(f"/api/v1/vouchers/{voucher.voucher_code}/").json()
    assert (status["amount"], status["currency"]) == (f"{voucher.amount:.0f}", "JPY")
