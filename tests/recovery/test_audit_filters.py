"""The audit timeline's date filters: whole days in the page's time zone, on an indexable column."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.predicates import roles_of
from recovery.services import grant_issue
from tests.conftest import client_for
from tests.factories import grant_request


def grant_for(actor, location, customer, *, amount, at):
    request = grant_request(customer, location, amount=amount)
    return grant_issue(actor=actor, roles=roles_of(actor), request=request, at=at).grant


pytestmark = pytest.mark.django_db


def test_from_and_to_take_whole_days_at_both_ends(frontline, manager_client, central, customer):
    midnight = timezone.make_aware(datetime(2026, 3, 10))
    first_second = grant_for(frontline, central, customer, amount="1", at=midnight)
    last_second = grant_for(frontline, central, customer, amount="1", at=midnight + timedelta(days=1, seconds=-1))
    next_day = grant_for(frontline, central, customer, amount="1", at=midnight + timedelta(days=1))
    day_before = grant_for(frontline, central, customer, amount="1", at=midnight - timedelta(seconds=1))

    page = manager_client.get(
        reverse("audit"), {"date_from": "2026-03-10", "date_to": "2026-03-10", "kinds": "grant.issued"}
    )

    shown = {entry.pk for entry in page.context["entries"]}
    assert shown == {first_second.pk, last_second.pk}
    assert next_day.pk not in shown and day_before.pk not in shown


def test_the_date_filters_compare_the_column_itself(frontline, manager_client, central, customer):
    """`granted_at >= …` can walk the (location, granted_at) index; `granted_at::date >= …` cannot."""
    with CaptureQueriesContext(connection) as context:
        manager_client.get(
            reverse("audit"), {"date_from": "2026-03-10", "date_to": "2026-03-11", "kinds": "grant.issued"}
        )
    grant_query = next(q["sql"] for q in context.captured_queries if 'FROM "recovery_grant"' in q["sql"])
    assert '"recovery_grant"."granted_at" >=' in grant_query and '"recovery_grant"."granted_at" <' in grant_query
    assert "cast_date" not in grant_query.lower() and "::date" not in grant_query


def test_quick_chips_name_today_and_this_week_in_the_readers_calendar(manager, clock):
    # Sunday 11 July 2027: its week began on Monday the 5th (a Sunday is the week's last day, not a new week).
    clock.move_to(timezone.make_aware(datetime(2027, 7, 11, 9, 0)))
    manager_client = client_for(manager)  # signed in at that moment (a session ends 30 idle minutes later)

    page = manager_client.get(reverse("audit")).content.decode()
    assert 'href="?date_from=2027-07-11&amp;date_to=2027-07-11">Today</a>' in page
    assert 'href="?date_from=2027-07-05&amp;date_to=2027-07-11">This week</a>' in page

    chosen = manager_client.get(reverse("audit"), {"date_from": "2027-07-05", "date_to": "2027-07-11"})
    assert 'date_to=2027-07-11" aria-current="page">This week</a>' in chosen.content.decode()


def test_browsers_get_the_favicon_at_the_root_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
