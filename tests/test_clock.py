"""Calendar boundaries on a set clock: a location's month, a voucher's last day, the monthly report's
weeks, and the test clock itself. Every "now" here is stated; none is the machine's."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation.models import LocationBudget
from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery import insights, services
from recovery.selectors import budget_rows_for
from recovery.vouchers import VoucherError, voucher_lookup, voucher_redeem
from tests import clock as test_clock
from tests.conftest import client_for
from tests.factories import grant_request, publish

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = dt.UTC


def local(text: str) -> dt.datetime:
    """A London wall-clock time (the test locations' zone)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def grant(actor, location, customer, at, *, code="free-drinks", amount="5.00", purchase_value="100"):
    request = grant_request(customer, location, code=code, purchase_value=purchase_value, amount=amount)
    return services.grant_issue(actor=actor, roles=roles_of(actor), request=request, policy=load_policy(), at=at).grant


# --- the test clock ---------------------------------------------------------------------------------


def test_every_hostile_instant_is_an_aware_iso_instant():
    instants = [test_clock.parse_instant(text) for text in test_clock.HOSTILE_INSTANTS.values()]
    assert all(instant.utcoffset() is not None for instant in instants)
    assert len(set(instants)) == len(instants) == 5


@pytest.mark.parametrize("text", ["2027-07-01T00:00:30", "1 July 2027", ""])
def test_a_clock_without_an_offset_or_not_a_date_is_refused(text):
    with pytest.raises(pytest.UsageError):
        test_clock.parse_instant(text)


def test_the_clock_fixture_pins_now(clock):
    clock.move_to(dt.datetime(2028, 2, 29, 12, tzinfo=UTC), tick=False)
    assert timezone.now() == dt.datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert timezone.localdate(timezone=LONDON) == dt.date(2028, 2, 29)


def test_the_hostile_instants_are_what_their_names_say():
    at = {name: test_clock.parse_instant(text) for name, text in test_clock.HOSTILE_INSTANTS.items()}
    first = at["first-minute-of-month"]
    assert (first.astimezone(LONDON).day, first.astimezone(UTC).day) == (1, 30)  # local July, UTC June
    last = at["last-minute-of-month"].astimezone(LONDON)
    assert (last + dt.timedelta(minutes=1)).day == 1
    dst = at["dst-change-day"]
    assert LONDON.utcoffset(dst.replace(tzinfo=None)) == dt.timedelta(0)
    assert (dst + dt.timedelta(hours=1)).astimezone(LONDON).utcoffset() == dt.timedelta(hours=1)
    assert at["leap-day"].date() == dt.date(2028, 2, 29)
    assert at["new-years-eve"].astimezone(LONDON).timetuple()[:5] == (2027, 12, 31, 23, 30)


# --- a location's month is its own ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_locations_month_starts_at_its_own_midnight_not_utcs(clock, frontline, manager, central, customer):
    clock.move_to(local("2027-06-30T12:00:00"), tick=False)
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("100.00"))
    publish("Budget for the month boundary")
    june = grant(frontline, central, customer, local("2027-06-30T23:50:00"), amount="7.00")
    clock.move_to(local("2027-07-01T00:00:30"), tick=False)  # still 30 June in UTC
    july = grant(frontline, central, customer, timezone.now(), amount="3.00")

    row = next(row for row in budget_rows_for(user=manager) if row.location == central)
    assert row.month_start == local("2027-07-01T00:00:00")
    assert row.month_start.astimezone(UTC) == dt.datetime(2027, 6, 30, 23, tzinfo=UTC)
    assert row.spent == Decimal("3.00")  # July's grant only; June's belongs to June's budget
    assert june.granted_at.month == july.granted_at.month == 6  # both in June by UTC


@pytest.mark.django_db
def test_the_monthly_report_opens_on_the_locations_month(clock, manager, central):
    clock.move_to(local("2027-07-01T00:00:30"), tick=False)  # 30 June 23:00:30 UTC
    manager_client = client_for(manager)  # signed in at that moment, as a manager would be
    response = manager_client.get(reverse("insights_report"), {"location": central.pk})
    assert response.status_code == 200
    assert response.context["report"].month == dt.date(2027, 7, 1)
    refused = manager_client.get(reverse("insights_report"), {"location": central.pk, "month": "2027-08"})
    assert refused.status_code == 422 and "has not started yet" in refused.content.decode()


# --- the monthly report never shows weeks that have not happened -----------------------------------


@pytest.mark.django_db
def test_this_months_report_shows_only_the_weeks_so_far(clock, manager, frontline, central, customer):
    clock.move_to(local("2027-07-07T10:00:00"), tick=False)  # a Wednesday, in the month's second week
    grant(frontline, central, customer, local("2027-07-02T12:00:00"), amount="4.00")
    report = insights.monthly_report_for(user=manager, location=central, month=dt.date(2027, 7, 1))
    assert [week.week for week in report.weeks] == [dt.date(2027, 6, 28), dt.date(2027, 7, 5)]
    assert report.weeks[0].active.get("EUR") == Decimal("4.00")
    assert report.scope.end == local("2027-07-08T00:00:00")  # the end of today, not of the month

    past = insights.monthly_report_for(user=manager, location=central, month=dt.date(2027, 6, 1))
    assert past.weeks[0].week == dt.date(2027, 5, 31) and past.weeks[-1].week == dt.date(2027, 6, 28)
    assert past.scope.end == local("2027-07-01T00:00:00")


# --- a voucher's last day ends at the location's midnight -------------------------------------------


@pytest.mark.django_db
def test_a_voucher_is_valid_all_its_last_local_day_and_expired_a_minute_after(clock, frontline, central, customer):
    clock.move_to(local("2027-01-10T12:00:00"), tick=False)
    voucher = grant(
        frontline, central, customer, timezone.now(), code="repeat-repair", amount="120.00", purchase_value="1000"
    )
    assert voucher.voucher_expires_on == dt.date(2027, 7, 9)  # 180 days, counted in local days

    clock.move_to(local("2027-07-09T23:59:30"), tick=False)
    assert voucher_lookup(code=voucher.voucher_code).state == "valid"

    clock.move_to(local("2027-07-10T00:00:30"), tick=False)  # 9 July 23:00:30 in UTC
    assert voucher_lookup(code=voucher.voucher_code).state == "expired"
    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central)
    assert refused.value.code == "expired"


@pytest.mark.django_db
def test_a_voucher_granted_on_a_leap_day_expires_by_counting_days(clock, frontline, central, customer):
    clock.move_to(dt.datetime(2028, 2, 29, 12, tzinfo=UTC), tick=False)
    voucher = grant(
        frontline, central, customer, timezone.now(), code="repeat-repair", amount="120.00", purchase_value="1000"
    )
    assert voucher.voucher_expires_on == dt.date(2028, 2, 29) + dt.timedelta(days=180)
