"""The counter's first screen: a customer found by the last digits of their phone, and today's customers here."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from recovery.models import Visit
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FIELD = "Phone, loyalty card, email or name"


@pytest.fixture
def namesakes(db):
    """Three customers whose phones end in 0101, and one that does not."""
    return [
        factories.make_customer("Alice Moreau", phone="+447700900101"),
        factories.make_customer("Bob Ng", phone="+447700911101"),
        factories.make_customer("Cleo Park", phone="+447700950101"),
        factories.make_customer("Dan Roe", phone="+447700900222"),
    ]


def test_the_last_four_digits_list_every_customer_whose_phone_ends_with_them(frontline, namesakes):
    page = client_for(frontline).get(reverse("counter"), {"q": "0101"}).content.decode()
    for customer in namesakes[:3:2]:
        assert reverse("counter_resolve", args=[customer.pk]) in page
    assert reverse("counter_resolve", args=[namesakes[1].pk]) not in page  # ends in 1101
    assert reverse("counter_resolve", args=[namesakes[3].pk]) not in page
    # Phones are masked in the list, the tier shown.
    assert "•••• 0101" in page and "+447700900101" not in page and "7700 900101" not in page
    assert 'class="tier tier-loyal"' in page
    assert "2 customers match: choose the one in front of you." in page


def test_digits_that_only_one_phone_ends_with_open_that_customer(frontline, namesakes):
    client = client_for(frontline)
    for query in ("1101", "911 101", "07700 900222"):
        response = client.get(reverse("counter"), {"q": query})
        expected = namesakes[1] if "1101" in query.replace(" ", "") else namesakes[3]
        assert response.status_code == 302, query
        assert response["Location"] == reverse("counter_resolve", args=[expected.pk])


def test_a_single_name_match_still_lists_the_customer(frontline, namesakes):
    response = client_for(frontline).get(reverse("counter"), {"q": "Cleo"})
    assert response.status_code == 200
    assert reverse("counter_resolve", args=[namesakes[2].pk]) in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("010", f"{FIELD}: type at least the last 4 digits of the phone."),
        ("1", f"{FIELD}: type at least the last 4 digits of the phone."),
        ("+44 77OO 900101", f"{FIELD}: a phone number has only digits; “+44 77OO 900101” has other signs."),
        ("0101a", f"{FIELD}: nothing matches “0101a”; a phone number has only digits"),
    ],
)
def test_a_bad_phone_is_refused_with_the_field_named(frontline, namesakes, query, message):
    response = client_for(frontline).get(reverse("counter"), {"q": query})
    assert response.status_code == 200
    page = response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”").replace("&#x27;", "'")
    assert message in page
    assert 'class="customer-row"' not in page
    assert "No customer matches" not in page


def test_a_loyalty_card_with_digits_is_still_found(frontline, namesakes):
    card = factories.make_customer("Eve Card", loyalty_card="LC-0101")
    page = client_for(frontline).get(reverse("counter"), {"q": "lc-0101"}).content.decode()
    assert reverse("counter_resolve", args=[card.pk]) in page


@pytest.mark.date_sensitive
def test_todays_customers_are_those_opened_or_granted_here_since_local_midnight(
    clock, frontline, frontline_airport, central, airport, namesakes
):
    alice, bob, cleo, dan = namesakes
    central.timezone = "Asia/Tokyo"  # UTC+9: its day began at 15:00 UTC the day before
    central.save()
    clock.move_to(datetime(2026, 3, 10, 14, 30, tzinfo=UTC))  # 23:30 in Tokyo, 9 March
    client = client_for(frontline)
    client.get(reverse("counter_resolve", args=[dan.pk]))  # yesterday in Tokyo
    clock.move_to(datetime(2026, 3, 10, 15, 30, tzinfo=UTC))  # 00:30 in Tokyo, 10 March
    client = client_for(frontline)
    client.get(reverse("counter_resolve", args=[alice.pk]))
    clock.move_to(datetime(2026, 3, 10, 15, 35, tzinfo=UTC))  # 00:35 in Tokyo
    factories.grant_for(frontline, central, bob, amount="5")
    client_for(frontline_airport).get(reverse("counter_resolve", args=[cleo.pk]))  # another counter
    clock.move_to(datetime(2026, 3, 10, 15, 40, tzinfo=UTC))
    client = client_for(frontline)
    client.get(reverse("counter_resolve", args=[alice.pk]))  # again: still one visit today, as first found

    page = client.get(reverse("counter")).content.decode()
    today = page[page.index("Today's customers at this counter") :]
    assert [name for name in ("Alice Moreau", "Bob Ng", "Cleo Park", "Dan Roe") if name in today] == [
        "Alice Moreau",
        "Bob Ng",
    ]
    assert today.index("Bob Ng") < today.index("Alice Moreau")  # the latest first: Bob's grant came after
    assert "00:35" in today and "00:30" in today  # the location's wall clock
    assert reverse("counter_resolve", args=[alice.pk]) in today
    # The counter wrote one row for Alice: her visit of the day, which the return rates read too.
    assert Visit.objects.filter(customer=alice, source=Visit.Source.COUNTER).count() == 1


def test_the_first_screen_costs_the_same_with_2_or_20_customers_today(
    frontline, central, django_assert_max_num_queries
):
    client = client_for(frontline)
    client.get(reverse("counter"))

    made = []

    def first_screen_queries(count):
        for number in range(len(made), len(made) + count):
            made.append(number)
            customer = factories.make_customer(f"Paul Moreau {number}", phone=f"+4477009{number:05d}")
            client.get(reverse("counter_resolve", args=[customer.pk]))
            factories.grant_for(frontline, central, customer, amount="1")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("counter"), {"q": "0000"}).status_code in (200, 302)
        return len(captured)

    few = first_screen_queries(2)
    assert first_screen_queries(18) == few
    with django_assert_max_num_queries(
        10
    ):  # session, user, roles, locations (2), permissions (2), policy, search, today
        client.get(reverse("counter"), {"q": "Moreau"})
