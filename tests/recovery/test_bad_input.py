"""Bad input at the counter: every refusal says which field is wrong and stores nothing.

Invalid forms re-render with 422 (counter_resolve, customer_add, grant_void);
a bad location choice is a plain 400. Each case checks the status, the message
shown *in the block of the field it concerns*, and that no Grant,
ServiceFailure or Customer row was written.
"""

from __future__ import annotations

import html
import re
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from compensation.models import Playbook
from recovery.models import Customer, Grant, ServiceFailure
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

INVALID = 422
ERROR_P = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)


# --- helpers ------------------------------------------------------------------------


def counts():
    return Grant.objects.count(), ServiceFailure.objects.count(), Customer.objects.count()


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def _block(content: str, start: str, end: str) -> str:
    at = content.find(start)
    assert at != -1, f"field marker {start!r} not on the page"
    stop = content.find(end, at + len(start))
    return content[at : stop if stop != -1 else len(content)]


# Where each field's errors are rendered: from its label/legend to the end of its block.
FIELD_BLOCKS = {
    "category": ("<legend>What went wrong</legend>", "</fieldset>"),
    "purchase_value": ('<label for="id_purchase_value">', "</div>"),
    "note": ('<label for="id_note">', "</div>"),
    "playbook": ('<legend class="sr-only">Playbook</legend>', '<div id="playbook-cards"'),
    "amount": ('<label for="id_amount">', "</div>"),
    "name": ('<label for="id_name">', "</div>"),
    "phone": ('<label for="id_phone">', "</div>"),
    "email": ('<label for="id_email">', "</div>"),
    "loyalty_card": ('<label for="id_loyalty_card">', "</div>"),
    "reason": ('<label for="id_reason">', "</div>"),
}


def field_errors(response, field: str) -> list[str]:
    """The error messages rendered inside `field`'s block, unescaped."""
    block = _block(response.content.decode(), *FIELD_BLOCKS[field])
    return [html.unescape(error).strip() for error in ERROR_P.findall(block)]


def all_errors(response) -> list[str]:
    """Every error message on the page (field errors and non-field errors)."""
    content = response.content.decode()
    found = [html.unescape(error).strip() for error in ERROR_P.findall(content)]
    for box in re.findall(r'<div class="errors" role="alert">(.*?)</div>', content, re.S):
        found += [html.unescape(text).strip() for text in re.findall(r">([^<>]+)<", box) if text.strip()]
    return found


def assert_field_error(response, field: str, *fragments: str):
    errors = field_errors(response, field)
    assert errors, f"no error shown for {field}; all errors on the page: {all_errors(response)}"
    joined = " | ".join(errors)
    for fragment in fragments:
        assert fragment in joined, f"{fragment!r} not in the {field} errors: {errors}"


def fresh_token(client, customer) -> str:
    response = client.get(reverse("counter_resolve", args=[customer.pk]))
    assert response.status_code == 200
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "the resolve page has no token"
    return str(uuid.UUID(match.group(1)))


def free_drinks() -> Playbook:
    return factories.playbook("free-drinks")


def resolve_url(customer) -> str:
    return reverse("counter_resolve", args=[customer.pk])


@pytest.fixture
def payload(frontline_client, customer):
    """A valid screen-2 submission for `customer` (tenure > 36 months: Loyal ×1.5).

    Free drinks: 10% of 100.00 = 10.00, within 5.00..25.00, ×1.5 = cap 15.00.
    """
    return {
        "category": "waiting",
        "purchase_value": "100.00",
        "note": "Order was 40 minutes late",
        "playbook": str(free_drinks().pk),
        "amount": "",
        "token": fresh_token(frontline_client, customer),
    }


def post_resolve(client, customer, data):
    return client.post(resolve_url(customer), data)


def assert_refused(client, customer, data, field, *fragments):
    before = counts()
    response = post_resolve(client, customer, data)
    assert response.status_code == INVALID, response.status_code
    assert_field_error(response, field, *fragments)
    assert counts() == before
    return response


# --- sanity: the baseline payload really grants --------------------------------------


def test_the_valid_payload_grants_the_cap(frontline_client, customer, payload):
    before = counts()
    response = post_resolve(frontline_client, customer, payload)
    assert response.status_code == 302
    grant = Grant.objects.get(token=payload["token"])
    assert response["Location"] == reverse("counter_granted", args=[grant.pk])
    assert grant.amount == grant.cap == Decimal("15.00")
    assert counts() == (before[0] + 1, before[1] + 1, before[2])


# --- amount ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5", "Amount: must be more than 0."),
        ("0", "Amount: must be more than 0."),
        ("abc", "Amount: enter a number such as 24.50."),
        ("12,50", "Amount: enter a number such as 24.50."),
        ("1000000000.01", "Amount: must not exceed 1,000,000,000."),
        ("99999999999", "Amount: must not exceed 1,000,000,000."),
        ("1e30", "Amount: "),
        ("5.123", "Amount: at most 2 decimal places."),
        ("NaN", "Amount: enter a number such as 24.50."),
    ],
)
def test_bad_amount_is_refused(frontline_client, customer, payload, amount, message):
    assert_refused(frontline_client, customer, {**payload, "amount": amount}, "amount", message)


def test_amount_above_the_customers_cap_is_refused_with_the_cap(frontline_client, customer, payload):
    response = assert_refused(
        frontline_client,
        customer,
        {**payload, "amount": "20.00"},
        "amount",
        "20.00 is above what you can grant now. The cap of “Free drinks while you wait” for this customer is 15.00",
        "Free drinks while you wait",
    )
    # The form keeps what was typed so the employee can correct it.
    assert 'name="amount" id="id_amount"\n               value="20.00"' in response.content.decode()


def test_amount_just_at_the_cap_is_accepted(frontline_client, customer, payload):
    response = post_resolve(frontline_client, customer, {**payload, "amount": "15.00"})
    assert response.status_code == 302
    assert Grant.objects.get(token=payload["token"]).amount == Decimal("15.00")


# --- purchase value -------------------------------------------------------------------


@pytest.mark.parametrize(
    "purchase_value, message",
    [
        ("-10", "Purchase value: must not be negative (0 when nothing was bought)."),
        ("-0.01", "Purchase value: must not be negative (0 when nothing was bought)."),
        ("abc", "Purchase value: enter a number such as 24.50."),
        ("", "Purchase value: enter an amount."),
        ("Infinity", "Purchase value: enter a number such as 24.50."),
        ("1000000000.01", "Purchase value: must not exceed 1,000,000,000."),
        ("1e15", "Purchase value: "),
        ("9" * 40, "Purchase value: "),
    ],
)
def test_bad_purchase_value_is_refused(frontline_client, customer, payload, purchase_value, message):
    assert_refused(frontline_client, customer, {**payload, "purchase_value": purchase_value}, "purchase_value", message)


def test_purchase_value_changed_after_the_caps_were_shown_is_refused(frontline_client, customer, payload):
    data = {**payload, "purchase_value": "300.00", "quoted_purchase_value": "100.00"}
    assert_refused(
        frontline_client, customer, data, "purchase_value", "Purchase value: the caps shown were for another amount"
    )


def test_purchase_value_equal_to_the_quoted_one_is_accepted(frontline_client, customer, payload):
    data = {**payload, "quoted_purchase_value": "100", "quoted_cap_" + payload["playbook"]: "15.00"}
    assert post_resolve(frontline_client, customer, data).status_code == 302


# --- category -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, message",
    [
        (None, "What went wrong: choose a category."),
        ("", "What went wrong: choose a category."),
        ("flood", "What went wrong: choose one of the listed categories."),
        ("WAITING", "What went wrong: choose one of the listed categories."),
        ("waiting' OR '1'='1", "What went wrong: choose one of the listed categories."),
    ],
)
def test_bad_category_is_refused(frontline_client, customer, payload, category, message):
    data = {**payload, "category": category}
    if category is None:
        del data["category"]
    assert_refused(frontline_client, customer, data, "category", message)


# --- playbook -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "playbook, message",
    [
        (None, "Playbook: choose one of the cards."),
        ("", "Playbook: choose one of the cards."),
        ("abc", "Playbook: choose one of the cards."),
        ("-1", "Playbook: choose one of the cards."),
        ("0", "Playbook: choose one of the cards."),
        (str(2**31), "Playbook: choose one of the cards."),
        ("999999", "This playbook is unknown or no longer active: choose another."),
    ],
)
def test_bad_playbook_is_refused(frontline_client, customer, payload, playbook, message):
    data = {**payload, "playbook": playbook}
    if playbook is None:
        del data["playbook"]
    assert_refused(frontline_client, customer, data, "playbook", message)


def test_inactive_playbook_is_refused(frontline_client, customer, payload):
    Playbook.objects.filter(pk=free_drinks().pk).update(is_active=False)
    factories.publish("Drinks withdrawn")
    response = assert_refused(
        frontline_client, customer, payload, "playbook", "This playbook is unknown or no longer active: choose another."
    )
    # And its card is no longer offered.
    assert "Free drinks while you wait" not in response.content.decode()


def test_playbook_edited_between_screen_2_and_the_click_is_refused(frontline_client, customer, payload):
    playbook = free_drinks()
    data = {**payload, "quoted_cap_" + str(playbook.pk): "15.00"}
    # Ops lower the ceiling while the employee decides: 10% of 100 = 10, ceiling 8 → 8 × 1.5 = 12.00.
    playbook.ceiling = Decimal("8.00")
    playbook.save()
    factories.publish("Lower drinks ceiling")
    assert_refused(
        frontline_client,
        customer,
        data,
        "playbook",
        "The cap of “Free drinks while you wait” changed from 15.00 to 12.00",
        "Check the amount and grant again.",
    )


def test_quoted_cap_that_still_matches_is_accepted(frontline_client, customer, payload):
    data = {**payload, "quoted_cap_" + payload["playbook"]: "15.00"}
    assert post_resolve(frontline_client, customer, data).status_code == 302


@pytest.mark.parametrize("tampered", ["1e30", "-5", "15.001", "NaN"])
def test_tampered_quoted_cap_is_ignored_not_500(frontline, customer, payload, tampered):
    """An impossible hidden cap counts as 'no quote shown': the server's own cap decides."""
    client = Client(raise_request_exception=False)
    client.force_login(frontline)
    response = client.post(resolve_url(customer), {**payload, "quoted_cap_" + payload["playbook"]: tampered})
    assert response.status_code == 302
    assert Grant.objects.get(token=payload["token"]).amount == Decimal("15.00")


def test_tampered_garbage_quoted_cap_is_ignored(frontline_client, customer, payload):
    """A non-number in the hidden cap is treated as 'no quote shown': the server's cap applies."""
    data = {**payload, "quoted_cap_" + payload["playbook"]: "<b>lots</b>"}
    assert post_resolve(frontline_client, customer, data).status_code == 302
    assert Grant.objects.get(token=payload["token"]).amount == Decimal("15.00")


# --- token ----------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "not-a-uuid", "'; DROP TABLE recovery_grant;--", "1234"])
def test_bad_token_stores_nothing(frontline_client, customer, payload, token):
    data = {**payload, "token": token}
    if token is None:
        del data["token"]
    before = counts()
    response = post_resolve(frontline_client, customer, data)
    assert response.status_code == INVALID
    assert counts() == before
    # The form is re-rendered (not a crash page); it still offers the Grant button.
    assert 'id="resolve-form"' in response.content.decode()


@pytest.mark.parametrize(
    "token, message",
    [(None, "missing its one-time token"), ("not-a-uuid", "token is damaged")],
    ids=["missing", "garbage"],
)
def test_bad_token_explains_itself(frontline_client, customer, payload, token, message):
    data = {**payload, "token": token}
    if token is None:
        del data["token"]
    response = post_resolve(frontline_client, customer, data)
    assert response.status_code == INVALID
    assert any(message in error for error in all_errors(response)), all_errors(response)


def test_token_reused_with_other_values_is_refused(frontline_client, customer, payload):
    assert post_resolve(frontline_client, customer, payload).status_code == 302
    before = counts()
    response = post_resolve(frontline_client, customer, {**payload, "amount": "5.00"})
    assert response.status_code == INVALID
    assert any("This form was already used for grant #" in error for error in all_errors(response))
    assert counts() == before


# --- note -----------------------------------------------------------------------------


def test_overlong_note_is_refused(frontline_client, customer, payload):
    assert_refused(frontline_client, customer, {**payload, "note": "x" * 501}, "note", "500 characters")


def test_null_character_in_note_is_refused(frontline_client, customer, payload):
    assert_refused(frontline_client, customer, {**payload, "note": "late\x00order"}, "note", "Null characters")


# --- fuzzing screen 2 -------------------------------------------------------------------

NASTY = [
    "' OR 1=1 --",
    "1; DROP TABLE recovery_grant;--",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "{% debug %}",
    "NaN",
    "-Infinity",
    "sNaN",
    "1e999999",
    "-0",
    "0x10",
    "1_000",
    "１２",
    "٣",
    "12.345",
    " 10 ",
    "\u202e10",
    "10\x00",
    "9" * 400,
]
VALID_VALUES = ["10", "100", "25.50", "1000000000", "0.01", "3"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
field_value = st.one_of(text, st.sampled_from(NASTY), st.sampled_from(VALID_VALUES), st.none())
CATEGORIES = ["waiting", "order_wrong", "other"]


def mostly(valid, noisy):
    """Two draws in three from `valid`, so some examples really grant (and must redirect)."""
    return st.sampled_from([True, True, False]).flatmap(lambda ok: valid if ok else noisy)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    purchase_value=mostly(st.sampled_from(VALID_VALUES), field_value),
    amount=mostly(st.sampled_from([None, "1", "2.50"]), field_value),
    category=mostly(st.sampled_from(CATEGORIES), field_value),
    playbook=mostly(st.sampled_from(["1", "2", "3", "8", "999999"]), field_value),
    note=st.one_of(text, st.sampled_from(NASTY)),
)
def test_fuzzed_resolve_never_fails_and_only_a_redirect_stores(
    frontline_client, customer, purchase_value, amount, category, playbook, note
):
    data = {"token": str(uuid.uuid4()), "note": note}
    for name, value in {
        "purchase_value": purchase_value,
        "amount": amount,
        "category": category,
        "playbook": playbook,
    }.items():
        if value is not None:
            data[name] = value
    grants, failures, customers = counts()
    response = post_resolve(frontline_client, customer, data)
    event(f"status {response.status_code}")
    assert response.status_code < 500
    assert response.status_code in (302, INVALID)
    if response.status_code == 302:
        assert counts() == (grants + 1, failures + 1, customers)
        assert response["Location"].startswith("/counter/grants/")
    else:
        assert counts() == (grants, failures, customers)


# --- the htmx quotes fragment ------------------------------------------------------------


def quotes(client, customer, value):
    return client.get(reverse("counter_quotes", args=[customer.pk]), {"purchase_value": value})


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "Purchase value: enter a number such as 24.50."),
        ("-5", "Purchase value: must not be negative (0 when nothing was bought)."),
        ("NaN", "Purchase value: enter a number such as 24.50."),
        ("1e999999", "Purchase value: "),
        ("1000000000.01", "Purchase value: must not exceed 1,000,000,000."),
        ("<script>alert(1)</script>", "Purchase value: enter a number such as 24.50."),
        ("' OR 1=1 --", "Purchase value: enter a number such as 24.50."),
        ("12.345", "Purchase value: at most 2 decimal places."),
    ],
)
def test_quotes_with_garbage_is_422_with_a_message(frontline_client, customer, value, message):
    response = quotes(frontline_client, customer, value)
    assert response.status_code == INVALID
    errors = all_errors(response)
    assert any(message in error for error in errors), errors
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "Cap for this customer" not in content  # no cap priced from garbage


@pytest.mark.parametrize(
    "value, cap", [("20", "7.50"), ("100", "15.00"), ("100.00", "15.00"), (" 250 ", "37.50"), ("1000000000", "37.50")]
)
def test_quotes_with_a_valid_value_is_200_with_caps(frontline_client, customer, value, cap):
    """Free drinks, Loyal customer: max(min(10% of value, 25.00), 5.00) x 1.5."""
    response = quotes(frontline_client, customer, value)
    assert response.status_code == 200
    assert all_errors(response) == []
    content = response.content.decode()
    pk = free_drinks().pk
    assert f'name="quoted_cap_{pk}" value="{cap}"' in content
    assert 'name="quoted_purchase_value"' in content


def test_quotes_without_a_value_is_200_without_caps(frontline_client, customer):
    response = quotes(frontline_client, customer, "")
    assert response.status_code == 200
    assert "Enter the purchase value to see the cap." in response.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(text, st.sampled_from(NASTY)))
def test_fuzzed_quotes_is_never_5xx(frontline_client, customer, value):
    before = counts()
    response = quotes(frontline_client, customer, value)
    assert response.status_code in (200, INVALID)
    assert counts() == before


# --- walk-in customers ---------------------------------------------------------------------


def add_customer(client, **fields):
    data = {"name": "", "phone": "", "email": "", "loyalty_card": ""} | fields
    return client.post(reverse("customer_add"), data)


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"name": ""}, "name", "Name: enter the customer's name."),
        ({"name": "    "}, "name", "Name: enter the customer's name."),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
        ({"name": "Bob", "phone": "abc"}, "phone", "Phone: not a valid phone number"),
        ({"name": "Bob", "phone": "12"}, "phone", "Phone: not a valid phone number"),
        ({"name": "Bob", "phone": "+44 7700 900 101 999 999"}, "phone", "Phone: "),
        ({"name": "Bob", "email": "bob@"}, "email", "Email: not a valid address."),
        ({"name": "Bob", "email": "not an email"}, "email", "Email: not a valid address."),
    ],
)
def test_bad_walk_in_is_refused(frontline_client, customer, fields, field, message):
    before = counts()
    response = add_customer(frontline_client, **fields)
    assert response.status_code == INVALID
    assert_field_error(response, field, message)
    assert counts() == before


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"phone": "+447700900101"}, "phone"),
        ({"phone": "07700 900101"}, "phone"),  # same number, national format: normalized before the check
        ({"email": "ALICE@example.com"}, "email"),
        ({"loyalty_card": "lc-1"}, "loyalty_card"),
    ],
)
def test_walk_in_duplicating_an_existing_customer_is_refused(frontline_client, customer, fields, field):
    before = counts()
    response = add_customer(frontline_client, name="Alice Again", **fields)
    assert response.status_code == INVALID
    label = {"phone": "Phone", "email": "Email", "loyalty_card": "Loyalty card"}[field]
    assert_field_error(response, field, f"{label}: Alice Moreau already has this", "open that customer instead.")
    assert f'<a href="{reverse("counter_resolve", args=[customer.pk])}">Open Alice Moreau</a>' in (
        response.content.decode()
    )
    assert counts() == before
    assert not Customer.objects.filter(name="Alice Again").exists()


def test_valid_walk_in_starts_with_zero_tenure(frontline, frontline_client, central):
    before = counts()
    response = add_customer(
        frontline_client,
        name="  Walter Walkin ",
        phone="07700 900777",
        email="Walter@Example.com",
        loyalty_card="lc-77",
    )
    assert response.status_code == 302
    created = Customer.objects.get(phone="+447700900777")
    assert response["Location"] == reverse("counter_resolve", args=[created.pk])
    assert counts() == (before[0], before[1], before[2] + 1)
    assert created.name == "Walter Walkin"
    assert created.email == "walter@example.com"
    assert created.loyalty_card == "LC-77"
    assert created.customer_since == central.today()
    assert created.created_by == frontline
    assert created.created_at_location == central
    # Zero tenure shows on screen 2 as the "New" tier.
    page = frontline_client.get(response["Location"]).content.decode()
    assert 'class="tier tier-new">New</span>' in page


# --- location choice ---------------------------------------------------------------------


@pytest.mark.parametrize("location", [None, "", "abc", "-1", "999999", "1 OR 1=1", "1.5"])
def test_bad_location_choice_is_400(frontline_client, airport, location):
    data = {} if location is None else {"location": location}
    response = frontline_client.post(reverse("counter_location_choose"), data)
    assert response.status_code == 400
    assert "Location: choose one of your locations." in response.content.decode()
    assert "counter_location_id" not in frontline_client.session


def test_location_of_another_site_is_400(frontline_client, airport):
    response = frontline_client.post(reverse("counter_location_choose"), {"location": airport.pk})
    assert response.status_code == 400
    assert "Location: choose one of your locations." in response.content.decode()


# --- voiding -------------------------------------------------------------------------------


@pytest.fixture
def grant(frontline, central, customer):
    return factories.grant_for(frontline, central, customer)


def void(client, grant, reason):
    return client.post(reverse("grant_void", args=[grant.pk]), {"reason": reason})


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_void_without_a_reason_is_refused(manager_client, grant, reason):
    before = counts()
    response = void(manager_client, grant, reason)
    assert response.status_code == INVALID
    assert_field_error(response, "reason", "Reason: say why the grant is voided.")
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACTIVE
    assert grant.voided_at is None and grant.voided_by is None and grant.void_reason == ""
    assert counts() == before


def test_void_with_an_overlong_reason_is_refused(manager_client, grant):
    response = void(manager_client, grant, "r" * 501)
    assert response.status_code == INVALID
    assert_field_error(response, "reason", "at most 500 characters")
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACTIVE


def test_voiding_twice_changes_nothing(manager, manager_client, grant):
    assert void(manager_client, grant, "Duplicate of another grant").status_code == 302
    grant.refresh_from_db()
    first = (grant.status, grant.voided_at, grant.voided_by_id, grant.void_reason)
    history = grant.history.count()

    response = void(manager_client, grant, "Second attempt")
    assert response.status_code == INVALID
    grant.refresh_from_db()
    assert (grant.status, grant.voided_at, grant.voided_by_id, grant.void_reason) == first
    assert grant.history.count() == history
    text = page_text(response)
    # The page says the grant is voided, by whom and why, and offers no second void form.
    assert "Voided " in text and "by maria" in text and "“Duplicate of another grant”" in text
    assert 'name="reason"' not in response.content.decode()
    assert "Second attempt" not in text


def test_voiding_twice_says_it_was_already_voided(manager_client, grant):
    assert void(manager_client, grant, "Duplicate of another grant").status_code == 302
    response = void(manager_client, grant, "Second attempt")
    assert response.status_code == INVALID
    assert any("already voided" in error for error in all_errors(response)), all_errors(response)


def test_a_second_manager_voiding_a_voided_grant_changes_nothing(central, manager_client, grant):
    other = client_for(factories.make_user("mona", "manager", [central]))
    assert void(manager_client, grant, "First").status_code == 302
    response = void(other, grant, "Second")
    assert response.status_code == INVALID
    grant.refresh_from_db()
    assert grant.void_reason == "First"
    assert grant.voided_by.username == "maria"


# --- stored HTML is escaped -------------------------------------------------------------------

SCRIPT_NAME = "<script>alert(1)</script>"
SCRIPT_NOTE = '<script>alert("note")</script><img src=x onerror=alert(2)>'


def test_stored_html_is_escaped_on_the_audit_detail(frontline_client, manager_client):
    hostile = factories.make_customer(SCRIPT_NAME, phone="+447700900888")
    data = {
        "category": "other",
        "purchase_value": "100",
        "playbook": str(free_drinks().pk),
        "token": fresh_token(frontline_client, hostile),
        "note": SCRIPT_NOTE,
    }
    response = post_resolve(frontline_client, hostile, data)
    assert response.status_code == 302
    grant = Grant.objects.get(token=data["token"])
    assert grant.failure.note == SCRIPT_NOTE  # stored as typed, escaped only on output

    void(manager_client, grant, "<b>bold</b> reason")
    content = manager_client.get(reverse("audit_detail", args=[grant.pk])).content.decode()
    assert SCRIPT_NAME not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(" not in content
    assert "<img src=x" not in content
    assert "&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in content
    assert "<b>bold</b>" not in content
    assert "&lt;b&gt;bold&lt;/b&gt; reason" in content


@pytest.mark.parametrize("page", ["audit", "counter_granted", "grant_slip", "counter_resolve"])
def test_stored_html_name_is_escaped_on_other_pages(frontline, central, manager_client, page):
    hostile = factories.make_customer(SCRIPT_NAME, phone="+447700900889")
    grant = factories.grant_for(frontline, central, hostile)
    url = {
        "audit": reverse("audit"),
        "counter_granted": reverse("counter_granted", args=[grant.pk]),
        "grant_slip": reverse("grant_slip", args=[grant.pk]),
        "counter_resolve": reverse("counter_resolve", args=[hostile.pk]),
    }[page]
    response = manager_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert SCRIPT_NAME not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_search_echo_is_escaped(frontline_client):
    response = frontline_client.get(reverse("counter"), {"q": SCRIPT_NAME})
    assert response.status_code == 200
    content = response.content.decode()
    assert SCRIPT_NAME not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
