"""Grants through the API: exactly once per Idempotency-Key, limits named, listed for reconciliation, voided."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from compensation.journal import location_chain
from compensation.models import AuditEvent, CustomerLimit
from recovery.api.idempotency import idempotency_records_prune
from recovery.models import Grant, IdempotencyRecord, ServiceFailure
from tests import factories
from tests.api.conftest import api_client, issue

pytestmark = pytest.mark.django_db

URL = "/api/v1/grants/"


def grant_body(for_customer, code="free-drinks", **changes):
    body = {
        "customer": for_customer.pk,
        "category": "waiting",
        "purchase_value": "48.00",
        "playbook": factories.playbook(code).pk,
        "note": "Order 25 minutes late",
    }
    body.update(changes)
    return body


def post_grant(client, body, key=None):
    return client.post(URL, body, HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


# --- making a grant ---------------------------------------------------------------------------


def test_a_grant_logs_the_failure_and_grants_the_full_cap(pos, customer, central, frontline_token, installed):
    response = post_grant(pos, grant_body(customer))

    assert response.status_code == 201
    body = response.json()
    grant = Grant.objects.get()
    assert body["id"] == grant.pk and body["status"] == "active"
    assert body["amount"] == body["cap"] == "7.50"  # the full cap when no amount is sent
    assert body["granted_by"] == frontline_token.token.user.username
    assert body["location"] == {"code": "central", "name": "Central Store"}
    assert body["failure"]["category"] == "waiting" and body["failure"]["note"] == "Order 25 minutes late"
    assert body["cap_steps"][-1].endswith("cap 7.50") and body["policy_version"] == installed.number
    assert body["offer"] and body["apology_script"] and body["voucher"] is None
    assert grant.granted_by == frontline_token.token.user and grant.location == central
    assert ServiceFailure.objects.get().logged_by == frontline_token.token.user
    # The hash-chained journal has it, as for a counter grant.
    assert AuditEvent.objects.filter(
        chain=location_chain(central.pk), kind="grant.issued", subject_id=grant.pk
    ).exists()


def test_a_voucher_playbook_returns_its_code(pos, customer):
    response = post_grant(pos, grant_body(customer, code="free-month", purchase_value="40.00"))

    voucher = response.json()["voucher"]
    assert response.status_code == 201 and voucher["code"] == Grant.objects.get().voucher_code
    assert voucher["expires_on"] == Grant.objects.get().voucher_expires_on.isoformat()


def test_a_lower_amount_is_granted_as_asked(pos, customer):
    response = post_grant(pos, grant_body(customer, amount="5.00"))
    assert response.status_code == 201 and response.json()["amount"] == "5.00"


def test_above_the_cap_the_refusal_names_the_limit_and_what_may_be_granted(pos, customer):
    response = post_grant(pos, grant_body(customer, amount="20.00"))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert error["allowed"] == "7.50" and error["requested"] == "20.00"
    assert [stop["limit"] for stop in error["stops"]] == ["cap"]
    assert "amount" in error["fields"] and "7.50" in error["message"]
    assert Grant.objects.count() == ServiceFailure.objects.count() == IdempotencyRecord.objects.count() == 0


def test_the_customer_limit_refusal_names_it(pos, customer):
    CustomerLimit.objects.create(window_days=30, max_grants=1)
    factories.publish("One grant a month")
    assert post_grant(pos, grant_body(customer)).status_code == 201

    error = post_grant(pos, grant_body(customer)).json()["error"]

    assert error["code"] == "limit_exceeded" and error["allowed"] == "0.00"
    assert [stop["limit"] for stop in error["stops"]] == ["customer_limit"]


def test_a_changed_cap_since_the_quote_is_refused(pos, customer):
    response = post_grant(pos, grant_body(customer, quoted_cap="9.99"))

    assert response.status_code == 422
    assert "changed" in response.json()["error"]["fields"]["playbook"][0]
    assert Grant.objects.count() == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"category": "alien_abduction"}, "category"),
        ({"purchase_value": "-1"}, "purchase_value"),
        ({"purchase_value": None}, "purchase_value"),
        ({"playbook": 999999}, "playbook"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"note": "x" * 501}, "note"),
        ({"customer": 999999}, "customer"),
        ({"customer": 2**70}, "customer"),
    ],
    ids=["category", "negative", "null-value", "playbook", "zero", "text-amount", "long-note", "customer", "huge-id"],
)
def test_a_bad_grant_names_the_field_and_stores_nothing(pos, customer, changes, field):
    response = post_grant(pos, grant_body(customer, **changes))

    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert Grant.objects.count() == IdempotencyRecord.objects.count() == 0


# --- idempotency ------------------------------------------------------------------------------------


def test_the_same_key_and_body_twice_returns_the_first_answer_and_grants_once(pos, customer):
    key = str(uuid.uuid4())
    first = post_grant(pos, grant_body(customer), key)
    second = post_grant(pos, grant_body(customer), key)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Grant.objects.count() == 1


def test_the_key_does_not_care_about_key_order_in_the_body(pos, customer):
    key = str(uuid.uuid4())
    body = grant_body(customer)
    first = post_grant(pos, body, key)
    second = post_grant(pos, dict(reversed(list(body.items()))), key)
    assert second.json()["id"] == first.json()["id"] and Grant.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(pos, customer):
    key = str(uuid.uuid4())
    post_grant(pos, grant_body(customer), key)

    response = post_grant(pos, grant_body(customer, amount="5.00"), key)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused" and "Idempotency-Key" in error["fields"]
    assert Grant.objects.count() == 1


def test_keys_belong_to_their_token(pos, customer, central, ops):
    """Another integration using the same key makes its own grant (keys are per token)."""
    other = api_client(issue(central, "frontline", "Till 2", actor=ops).secret)
    key = str(uuid.uuid4())
    assert post_grant(pos, grant_body(customer), key).status_code == 201
    assert post_grant(other, grant_body(customer), key).status_code == 201
    assert Grant.objects.count() == 2


def test_a_refusal_stores_nothing_so_the_same_key_can_succeed_later(pos, customer):
    key = str(uuid.uuid4())
    assert post_grant(pos, grant_body(customer, amount="20.00"), key).status_code == 422
    assert post_grant(pos, grant_body(customer, amount="20.00", purchase_value="200.00"), key).status_code == 201


def test_after_the_key_is_pruned_a_retry_still_finds_the_first_grant(pos, customer):
    key = str(uuid.uuid4())
    first = post_grant(pos, grant_body(customer), key)
    assert idempotency_records_prune(now=timezone.now() + timedelta(hours=25)) == 1

    again = post_grant(pos, grant_body(customer), key)
    other = post_grant(pos, grant_body(customer, amount="5.00"), key)

    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Grant.objects.count() == 1


def test_keys_are_kept_at_least_a_day(pos, customer, settings):
    settings.API_IDEMPOTENCY_KEY_HOURS = 1  # a setting below 24 hours is raised to 24
    post_grant(pos, grant_body(customer))
    assert idempotency_records_prune(now=timezone.now() + timedelta(hours=23)) == 0
    assert idempotency_records_prune(now=timezone.now() + timedelta(hours=24, minutes=1)) == 1


@pytest.mark.parametrize(
    "key, code",
    [
        (None, "idempotency_key_required"),
        ("has space", "idempotency_key_invalid"),
        ("k" * 256, "idempotency_key_invalid"),
    ],
    ids=["missing", "space", "too-long"],
)
def test_a_grant_needs_a_good_key(pos, customer, key, code):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    response = pos.post(URL, grant_body(customer), **headers)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and "Idempotency-Key" in response.json()["error"]["fields"]
    assert Grant.objects.count() == 0


# --- one grant and voids ---------------------------------------------------------------------------


def test_a_frontline_token_reads_its_own_grant_but_not_a_colleagues(pos, customer, central, frontline):
    own = post_grant(pos, grant_body(customer)).json()
    colleagues = factories.grant_for(frontline, central, customer)

    assert pos.get(f"{URL}{own['id']}/").json() == own
    assert pos.get(f"{URL}{colleagues.pk}/").status_code == 403
    assert pos.get(f"{URL}{colleagues.pk + 100}/").status_code == 404


def test_a_manager_token_voids_a_grant_of_its_location(back_office, customer, central, frontline, manager_token):
    grant = factories.grant_for(frontline, central, customer)

    response = back_office.post(f"{URL}{grant.pk}/void/", {"reason": "Entered twice"})

    assert response.status_code == 200
    assert response.json()["status"] == "voided" and response.json()["void_reason"] == "Entered twice"
    grant.refresh_from_db()
    assert grant.is_voided and grant.voided_by == manager_token.token.user
    again = back_office.post(f"{URL}{grant.pk}/void/", {"reason": "Again"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_voided"


def test_a_void_needs_a_reason(back_office, customer, central, frontline):
    grant = factories.grant_for(frontline, central, customer)
    response = back_office.post(f"{URL}{grant.pk}/void/", {"reason": "   "})
    assert response.status_code == 422 and "reason" in response.json()["error"]["fields"]
    grant.refresh_from_db()
    assert not grant.is_voided


def test_a_manager_token_of_another_location_can_neither_see_nor_void(customer, central, airport, frontline, ops):
    grant = factories.grant_for(frontline, central, customer)
    elsewhere = api_client(issue(airport, "manager", actor=ops).secret)

    assert elsewhere.get(f"{URL}{grant.pk}/").status_code == 403
    assert elsewhere.post(f"{URL}{grant.pk}/void/", {"reason": "Not mine"}).status_code == 403
    assert grant.pk not in [row["id"] for row in elsewhere.get(URL).json()["results"]]
    grant.refresh_from_db()
    assert not grant.is_voided


# --- the reconciliation list ----------------------------------------------------------------------


def make_grants(user, location, customer, count):
    return [factories.grant_for(user, location, customer, amount="1.00") for _ in range(count)]


def test_a_manager_token_lists_its_locations_grants_a_frontline_token_its_own(
    pos, back_office, customer, central, airport, frontline, frontline_airport, frontline_token
):
    counter = make_grants(frontline, central, customer, 2)
    own = make_grants(frontline_token.token.user, central, customer, 2)
    make_grants(frontline_airport, airport, customer, 2)

    managed = [row["id"] for row in back_office.get(URL).json()["results"]]
    mine = [row["id"] for row in pos.get(URL).json()["results"]]

    assert managed == sorted(grant.pk for grant in counter + own)  # oldest first, no other location's
    assert mine == [grant.pk for grant in own]


def test_pages_follow_the_cursor_without_gaps_or_repeats(back_office, customer, central, frontline):
    grants = make_grants(frontline, central, customer, 7)
    # Several grants in the same instant: the id breaks the tie.
    Grant.objects.filter(pk__in=[g.pk for g in grants[2:5]]).update(
        granted_at=grants[2].granted_at, failure_logged_at=grants[2].granted_at
    )

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = back_office.get(URL, query).json()
        seen += [row["id"] for row in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(g.pk for g in grants) and pages == 3


def test_since_and_until_bound_the_list(back_office, customer, central, frontline):
    old, middle, new = make_grants(frontline, central, customer, 3)
    now = timezone.now()
    Grant.objects.filter(pk=old.pk).update(
        granted_at=now - timedelta(days=3), failure_logged_at=now - timedelta(days=3)
    )
    Grant.objects.filter(pk=middle.pk).update(
        granted_at=now - timedelta(days=2), failure_logged_at=now - timedelta(days=2)
    )

    body = back_office.get(
        URL, {"since": (now - timedelta(days=2, hours=1)).isoformat(), "until": (now - timedelta(hours=1)).isoformat()}
    ).json()

    assert [row["id"] for row in body["results"]] == [middle.pk]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "2026-01-01T00:00:00+00:00_99999999999999999999"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
        ({"page": "2"}, "page"),
    ],
    ids=["cursor", "cursor-id", "limit-0", "limit-501", "since", "until-before-since", "unknown"],
)
def test_a_bad_list_query_names_the_parameter(back_office, query, field):
    response = back_office.get(URL, query)
    assert response.status_code == 422 and field in response.json()["error"]["fields"]


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_costs_the_same_queries_for_2_or_20_grants(
    back_office, customer, central, frontline, count, django_assert_num_queries
):
    make_grants(frontline, central, customer, count)
    # Token + its user (1), rate count (update + read, in a transaction: 4), groups (1), locations (1), page (1).
    with django_assert_num_queries(8):
        response = back_office.get(URL)
    assert len(response.json()["results"]) == count


def test_amounts_are_exact_strings(back_office, customer, central, frontline):
    factories.grant_for(frontline, central, customer, amount="7.30")
    [row] = back_office.get(URL).json()["results"]
    assert row["amount"] == "7.30" and Decimal(row["amount"]) == Decimal("7.30")
