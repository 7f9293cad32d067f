"""The test clock: run the suite as if it were a chosen instant, and pin "now" in a test.

Why: grants, budgets, rolling limits, voucher expiry, insights weeks and the monthly report all
depend on "now" read in a location's time zone. A suite that only ever runs on the day CI happens
to run proves nothing about the first minute of a month, a DST change or 29 February — and once
broke CI when the calendar turned. So:

- ``--clock=2027-07-01T00:00:30+01:00`` (or ``RD_CLOCK=…``) runs every test as if it started at
  that instant; the clock ticks from there (time-machine), each test starting at the instant again.
  The test database is set up a day earlier, as a real deployment exists before its customers come.
- Without it the suite runs on the machine's clock, which ``faketime`` can move for a whole run.
- A test that needs a particular moment asks for the ``clock`` fixture and moves it:
  ``clock.move_to("2026-03-02T09:00:00+00:00")``.

``HOSTILE_INSTANTS`` lists the instants CI runs the date-sensitive tests under (marker
``date_sensitive``, applied to the files in ``DATE_SENSITIVE_FILES``).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine

#: Instants around which calendar code goes wrong; every test location lives in Europe/London
#: unless a test says otherwise, so "local" below means London.
HOSTILE_INSTANTS = {
    # 00:00:30 local on 1 July is still 30 June in UTC: "this month" differs by time zone.
    "first-minute-of-month": "2027-07-01T00:00:30+01:00",
    # The last minute of April, local: the month is about to turn.
    "last-minute-of-month": "2027-04-30T23:59:00+01:00",
    # The spring DST change in Europe: 30 minutes before London's clocks go forward; the day has 23 hours.
    "dst-change-day": "2027-03-28T00:30:00+00:00",
    # A day that exists one year in four: "a year ago" and "in 30 days" must not break.
    "leap-day": "2028-02-29T12:00:00+00:00",
    # New Year's Eve, 23:30: the month, the quarter and the year turn together.
    "new-years-eve": "2027-12-31T23:30:00+00:00",
}

#: Test files whose subject is dated: budgets, limits, vouchers, insights, reports, anomalies,
#: timeline, replay. CI runs them under every instant in HOSTILE_INSTANTS.
DATE_SENSITIVE_FILES = (
    "tests/api/test_grants.py",
    "tests/api/test_quotes.py",
    "tests/api/test_vouchers.py",
    "tests/compensation/test_limits.py",
    "tests/compensation/test_policy_versions.py",
    "tests/compensation/test_simulator.py",
    "tests/recovery/test_anomalies.py",
    "tests/recovery/test_audit_filters.py",
    "tests/recovery/test_audit_timeline.py",
    "tests/recovery/test_counter_limits.py",
    "tests/recovery/test_escalations.py",
    "tests/recovery/test_grant_issue.py",
    "tests/recovery/test_grant_limits.py",
    "tests/recovery/test_insights.py",
    "tests/recovery/test_location_currency.py",
    "tests/recovery/test_replay_flags_budgets.py",
    "tests/recovery/test_views_counter.py",
    "tests/recovery/test_vouchers.py",
    "tests/test_clock.py",
)


def parse_instant(text: str) -> dt.datetime:
    """An aware instant from ISO 8601; a clock without an offset would be read in the machine's zone."""
    try:
        instant = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise pytest.UsageError(f"--clock / RD_CLOCK: {text!r} is not an ISO 8601 date-time ({exc})") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"--clock / RD_CLOCK: {text!r} needs an offset, e.g. +00:00 or Z")
    return instant


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("RD_CLOCK", ""),
        help="run every test as if it started at this ISO 8601 instant (with offset); also RD_CLOCK",
    )


def chosen_instant(config) -> dt.datetime | None:
    text = config.getoption("--clock")
    return parse_instant(text) if text else None


def pytest_configure(config):
    config.addinivalue_line("markers", "date_sensitive: dated subject; CI runs it under every hostile instant")
    instant = chosen_instant(config)
    config._rd_clock = instant


def pytest_report_header(config):
    instant = getattr(config, "_rd_clock", None)
    return f"clock: {instant.isoformat()} (ticking)" if instant else "clock: the machine's"


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path in DATE_SENSITIVE_FILES:
            item.add_marker(pytest.mark.date_sensitive)


#: Tests that pin their own moment pin it on or after this day; the test database is set up before it.
PINNED_FLOOR = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def _setup_clock(request):
    """A clock for the test database's setup: a day before both the run's instant and PINNED_FLOOR.

    What the migrations install (policy versions in force "now") must already be in force at any
    moment a test moves to, as a real deployment exists before its customers come.
    """
    import time

    start = request.config._rd_clock or dt.datetime.fromtimestamp(time.time(), dt.UTC)
    traveller = time_machine.travel(min(start, PINNED_FLOOR) - dt.timedelta(days=1), tick=True)
    traveller.start()
    return traveller  # django_db_setup below stops it once the database is ready


@pytest.fixture(scope="session")
def django_db_setup(_setup_clock, django_db_setup):
    """pytest-django's database setup, run under the setup clock, which stops once it is done."""
    _setup_clock.stop()
    yield


@pytest.fixture(autouse=True)
def _test_clock(request):
    """Under --clock, every test starts at the chosen instant; the clock ticks from there."""
    instant = request.config._rd_clock
    if instant is None:
        yield
        return
    with time_machine.travel(instant, tick=True):
        yield


@pytest.fixture
def clock(time_machine):
    """time-machine's own fixture: ``clock.move_to(instant, tick=False)`` pins "now" for this test."""
    return time_machine
