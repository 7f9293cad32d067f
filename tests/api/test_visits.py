"""Visits in through the API: matched like the counter, refused per line, never stored twice."""

import uuid
from decimal import Decimal

import pytest

from recovery.models import Visit
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

URL = "/api/v1/visits/"
NOON = "2027-03-10T12:00:00+00:00"


@pytest.fixture
def pinned(clock):
    clock.move_to(NOON)


def post(client, lines, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, {"visits": lines}, format="json", **headers)


@pytest.mark.parametrize(
    "identifier",
    [{"phone": "07700 900101"}, {"phone": "+44 (7700) 900-101"}, {"email": "ALICE@example.com"}, {"card": "lc-1"}],
    ids=["local-phone", "formatted-phone", "email-any-case", "card-any-case"],
)
def test_a_line_is_matched_like_the_counter_matches(pinned, pos, customer, central, identifier):
    response = post(pos, [{**identifier, "visited_on": "2027-03-09", "amount": "24.50"}], key=str(uuid.uuid4()))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["stored"], body["duplicates"], body["refused"]) == (1, 0, 0)
    [line] = body["lines"]
    assert line["status"] == "stored" and line["customer"] == customer.pk and line["errors"] == {}
    visit = Visit.objects.get(pk=line["visit"])
    assert (visit.customer, visit.location, str(visit.visited_on)) == (customer, central, "2027-03-09")
    assert visit.amount == Decimal("24.50") and visit.source == "api" and visit.currency == central.currency


def test_bad_lines_are_refused_alone_with_field_and_reason(pinned, pos, customer):
    lines = [
        {"phone": "+447700900999", "visited_on": "2027-03-09", "amount": "5", "external_id": "r1"},
        {"phone": "+447700900101", "visited_on": "2027-03-11", "amount": "5", "external_id": "r2"},
        {"phone": "+447700900101", "visited_on": "2027-03-09", "amount": "-1", "external_id": "r3"},
        {"phone": "+447700900101", "visited_on": "9 March", "amount": "1.234", "external_id": "r4"},
        {"visited_on": "2027-03-09", "amount": "5", "external_id": "r5"},
        {"phone": "+447700900101", "visited_on": "2027-03-08", "amount": 12, "external_id": "r6"},
    ]
    response = post(pos, lines)

    assert response.status_code == 201
    body = response.json()
    assert (body["stored"], body["refused"]) == (1, 5)
    errors = {line["index"]: line["errors"] for line in body["lines"]}
    assert errors[0] == {"phone": ["No customer has this phone number."]}
    assert errors[1] == {"visited_on": ["In the future: a visit is recorded after it happened."]}
    assert errors[2] == {"amount": ["Must not be negative."]}
    assert errors[3] == {
        "visited_on": ["Not a date: write it as YYYY-MM-DD."],
        "amount": ["At most 2 decimal places."],
    }
    assert errors[4] == {"customer": ["Send the customer's phone, email or loyalty card."]}
    assert errors[5] == {}
    assert list(Visit.objects.values_list("external_id", "amount")) == [("r6", Decimal("12.00"))]


def test_identifiers_of_two_customers_are_refused_never_guessed(pinned, pos, customer):
    factories.make_customer("Bob", phone="+447700900202", email="bob@example.com")
    response = post(pos, [{"phone": "+447700900101", "email": "bob@example.com", "visited_on": "2027-03-09"}], "k1")

    assert response.status_code == 200
    [line] = response.json()["lines"]
    assert line["status"] == "refused" and line["customer"] is None
    assert set(line["errors"]) == {"phone", "email"} and "different customers" in line["errors"]["phone"][0]
    assert not Visit.objects.exists()


def test_a_batch_sent_twice_with_external_ids_stores_nothing_twice(pinned, pos, customer):
    lines = [
        {"card": "LC-1", "visited_on": f"2027-03-0{day}", "amount": "10", "external_id": f"r{day}"} for day in (1, 2)
    ]
    first = post(pos, lines)
    again = post(pos, lines + [{"card": "LC-1", "visited_on": "2027-03-03", "external_id": "r3"}])

    assert first.status_code == 201 and first.json()["stored"] == 2
    assert again.status_code == 201
    assert [line["status"] for line in again.json()["lines"]] == ["duplicate", "duplicate", "stored"]
    assert Visit.objects.count() == 3


def test_a_line_repeated_inside_one_batch_is_a_duplicate(pinned, pos, customer):
    line = {"card": "LC-1", "visited_on": "2027-03-01", "external_id": "same"}
    response = post(pos, [line, line])
    assert [entry["status"] for entry in response.json()["lines"]] == ["stored", "duplicate"]
    assert Visit.objects.count() == 1


def test_the_same_idempotency_key_replays_the_first_answer(pinned, pos, customer):
    lines = [{"phone": "+447700900101", "visited_on": "2027-03-09", "amount": "3"}]
    first = post(pos, lines, key="batch-1")
    again = post(pos, lines, key="batch-1")
    other = post(pos, lines + lines, key="batch-1")

    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Visit.objects.count() == 1


def test_lines_without_external_ids_need_an_idempotency_key(pinned, pos, customer):
    response = post(pos, [{"phone": "+447700900101", "visited_on": "2027-03-09"}])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"visits": []}, "visits"),
        ({"visits": "x"}, "visits"),
        ({"visits": [{"phone": 447700900101, "visited_on": "2027-03-09"}]}, "visits.0.phone"),
        ({"visits": [{"phone": "+447700900101", "visited_on": "2027-03-09", "amount": True}]}, "visits.0.amount"),
        ({"visits": [{"phone": "+447700900101", "visited_on": "2027-03-09"}] * 1001}, "visits"),
    ],
    ids=["empty", "not-a-list", "number-for-text", "bool-amount", "too-many"],
)
def test_a_malformed_batch_is_refused_whole(pinned, pos, customer, body, field):
    response = pos.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Visit.objects.exists()


def test_visits_are_recorded_at_the_tokens_location(pinned, airport_frontline_token, customer, airport):
    from tests.api.conftest import api_client

    response = post(api_client(airport_frontline_token.secret), [{"card": "LC-1", "visited_on": "2027-03-09"}], "k")
    assert response.status_code == 201
    assert Visit.objects.get().location == airport


def test_the_schema_describes_the_visits_endpoint(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/visits/"]["post"]
    assert operation["operationId"] == "visits_record"
    assert {"200", "201", "422"} <= set(operation["responses"])


def test_an_amount_in_other_digits_is_refused_as_the_schema_says(pinned, pos, customer):
    """Python's Decimal reads "１２" as 12; the schema promises ASCII digits, as the counter's money fields do."""
    lines = [{"phone": "+447700900101", "visited_on": "2027-03-09", "amount": "１２.00", "external_id": "w1"}]
    response = post(pos, lines)

    assert response.status_code == 200
    assert response.json()["lines"][0]["errors"] == {
        "amount": ["Amount: type the amount with the digits 0–9 (“１２.00” has other digits)."]
    }
    assert not Visit.objects.exists()
