"""Insights: every figure on hand-made grants, who sees which location, bad filters, query counts,
and the signed "case opened at" that times a resolution."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.core import signing
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery import insights, services
from recovery.case_opened import MAX_AGE, case_opened_at, case_opened_stamp
from recovery.models import AnomalyFlag, Grant, RuleFlag, ServiceFailure
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

UTC = zoneinfo.ZoneInfo("UTC")
LONDON = zoneinfo.ZoneInfo("Europe/London")


# --- hand-made grants ---------------------------------------------------------------------------


def monday(weeks_ago: int) -> dt.date:
    """The Monday `weeks_ago` weeks before this week's (UTC: the site's time zone in tests)."""
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday(), weeks=weeks_ago)


def noon(day: dt.date, *, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def grant_at(
    actor,
    location,
    customer,
    when: dt.datetime,
    *,
    amount: str,
    code: str = "replace-spoiled",
    category: str = "product_defective",
    opened_before: dt.timedelta | None = None,
) -> Grant:
    """A grant made at `when` through the service, its case opened `opened_before` earlier."""
    request = services.GrantRequest(
        customer=customer,
        location=location,
        category=category,
        purchase_value=Decimal("200.00"),
        note="",
        playbook_id=factories.playbook(code).pk,
        amount=Decimal(amount),
        token=uuid.uuid4(),
        opened_at=None if opened_before is None else when - opened_before,
    )
    return services.grant_issue(
        actor=actor, roles=roles_of(actor), request=request, policy=load_policy(), at=when
    ).grant


def void(grant: Grant, manager) -> None:
    services.grant_void(actor=manager, grant_id=grant.pk, reason="Test void", at=grant.granted_at)


def scope_of(user, *, weeks: int = 12, location=None) -> insights.InsightScope:
    start, end = insights.default_window(timezone.localdate(), weeks)
    return insights.insight_scope_for(user=user, start=start, end=end, location=location, tz=UTC)


@pytest.fixture
def people(central, airport, frontline, frontline_airport, manager, manager_airport):
    return {"frank": frontline, "fiona": frontline_airport, "maria": manager, "mark": manager_airport}


@pytest.fixture
def customers(db):
    return [
        factories.make_customer(f"Customer {letter}", phone=f"+4477009002{i:02d}") for i, letter in enumerate("ABCDE")
    ]


@pytest.fixture
def spending(central, airport, people, customers):
    """Three weeks of grants at two locations, one of them voided."""
    frank, fiona, maria, mark = people["frank"], people["fiona"], people["maria"], people["mark"]
    a, b, c = customers[:3]
    made = {
        "w3_central_spoiled": grant_at(frank, central, a, noon(monday(3)), amount="10.10"),
        "w3_central_drinks": grant_at(
            frank,
            central,
            b,
            noon(monday(3) + dt.timedelta(days=2)),
            amount="2.25",
            code="free-drinks",
            category="waiting",
        ),
        "w1_airport_spoiled": grant_at(fiona, airport, c, noon(monday(1)), amount="40.40"),
        "w1_airport_voided": grant_at(fiona, airport, a, noon(monday(1), hour=13), amount="7.00"),
        "w0_central_late": grant_at(
            maria, central, a, noon(monday(0)), amount="33.33", code="late-table", category="waiting"
        ),
    }
    void(made["w1_airport_voided"], mark)
    return made


# --- spending -----------------------------------------------------------------------------------


def test_spend_per_week_sums_active_and_voided_exactly(ops, spending):
    figures = insights.window_figures(scope=scope_of(ops))
    weeks = {week.week: week for week in figures.weeks}
    assert len(weeks) == 12 and min(weeks) == monday(11) and max(weeks) == monday(0)
    assert (weeks[monday(3)].active, weeks[monday(3)].grants) == (Decimal("12.35"), 2)
    assert (weeks[monday(1)].active, weeks[monday(1)].voided) == (Decimal("40.40"), Decimal("7.00"))
    assert (weeks[monday(1)].grants, weeks[monday(1)].voided_grants) == (1, 1)
    assert weeks[monday(0)].active == Decimal("33.33")
    assert weeks[monday(2)].active == Decimal("0.00") and weeks[monday(2)].grants == 0
    totals = figures.totals
    assert (totals.active, totals.grants, totals.voided, totals.voided_grants) == (
        Decimal("86.08"),
        4,
        Decimal("7.00"),
        1,
    )


def test_a_grant_outside_the_window_is_not_counted(ops, spending):
    weeks = insights.window_figures(scope=scope_of(ops, weeks=2)).weeks
    assert [week.week for week in weeks] == [monday(1), monday(0)]
    assert sum(week.active for week in weeks) == Decimal("73.73")


def test_spend_by_playbook_category_and_location(ops, spending):
    scope = scope_of(ops)
    by_playbook = [
        (line.label, line.active, line.grants, line.voided) for line in insights.spend_by_playbook(scope=scope)
    ]
    assert by_playbook == [
        ("Replace spoiled goods at once", Decimal("50.50"), 2, Decimal("7.00")),
        ("Appetisers and desserts on the house", Decimal("33.33"), 1, Decimal("0.00")),
        ("Free drinks while you wait", Decimal("2.25"), 1, Decimal("0.00")),
    ]
    by_category = [(line.key, line.failures, line.active) for line in insights.failures_by_category(scope=scope)]
    # Failures count voided grants too (the failure happened); the money is what stands.
    assert by_category == [("product_defective", 3, Decimal("50.50")), ("waiting", 2, Decimal("35.58"))]
    by_location = [
        (line.label, line.active, line.grants, line.voided) for line in insights.spend_by_location(scope=scope)
    ]
    assert by_location == [
        ("Central Store", Decimal("45.68"), 3, Decimal("0.00")),
        ("Airport Desk", Decimal("40.40"), 1, Decimal("7.00")),
    ]


def test_playbook_lines_carry_the_names_grants_recorded(ops, spending):
    labels = {line.label for line in insights.spend_by_playbook(scope=scope_of(ops))}
    recorded = set(Grant.objects.values_list("playbook_name", flat=True))
    assert labels == recorded and len(labels) == 3


# --- repeat failures ----------------------------------------------------------------------------


def test_repeat_failure_buckets_and_top_repeat_customers(ops, central, people, customers):
    frank = people["frank"]
    a, b, c, d, e = customers
    counts = {a: 1, b: 2, c: 3, d: 5, e: 4}
    for customer, failures in counts.items():
        for n in range(failures):
            grant_at(frank, central, customer, noon(monday(1)) + dt.timedelta(minutes=n), amount="1.00")
    scope = scope_of(ops)
    buckets = [(bucket.label, bucket.count) for bucket in insights.repeat_failure_buckets(scope=scope)]
    assert buckets == [("1 failure", 1), ("2 failures", 1), ("3 failures", 1), ("4 or more", 2)]
    top = [
        (customer.name, customer.failures, customer.active) for customer in insights.top_repeat_customers(scope=scope)
    ]
    assert top == [
        ("Customer D", 5, Decimal("5.00")),
        ("Customer E", 4, Decimal("4.00")),
        ("Customer C", 3, Decimal("3.00")),
        ("Customer B", 2, Decimal("2.00")),
    ]


# --- resolution time ----------------------------------------------------------------------------


def test_resolution_buckets_time_the_case_from_opened_to_granted(ops, central, people, customers):
    frank = people["frank"]
    openings = [
        None,  # granted at the moment it was logged (no signed opening)
        dt.timedelta(seconds=40),
        dt.timedelta(minutes=3),
        dt.timedelta(minutes=4, seconds=59),
        dt.timedelta(minutes=12),
        dt.timedelta(minutes=45),
        dt.timedelta(hours=2),
        dt.timedelta(hours=5),
    ]
    for n, opened in enumerate(openings):
        grant_at(
            frank, central, customers[0], noon(monday(1)) + dt.timedelta(hours=n), amount="1.00", opened_before=opened
        )
    counts = [(bucket.label, bucket.count) for bucket in insights.window_figures(scope=scope_of(ops)).resolution]
    assert counts == [
        ("Under 1 minute", 2),
        ("1–5 minutes", 2),
        ("5–15 minutes", 1),
        ("15–60 minutes", 1),
        ("1–4 hours", 1),
        ("Over 4 hours", 1),
    ]


def test_an_approved_escalation_counts_from_the_request(central, frontline, manager, customer):
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=factories.grant_request(customer, central, amount="400.00"),
        reason="A whole evening spoiled",
    )
    decided = services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note=""
    )
    grant = decided.grant
    assert grant.failure.logged_at == escalation.requested_at == grant.failure_logged_at
    assert grant.category == grant.failure.category == "waiting"
    assert grant.granted_at >= grant.failure_logged_at


# --- recognition ---------------------------------------------------------------------------------


def test_recognition_ranks_customers_recovered_and_needs_enough_grants_to_be_fastest(
    ops, central, airport, people, customers
):
    frank, maria, fiona = people["frank"], people["maria"], people["fiona"]
    felix = factories.make_user("felix", "frontline", [central])
    nina = factories.make_user("nina", "frontline", [central])
    nina.first_name, nina.last_name = "Nina", "Okafor"
    nina.save()
    at = noon(monday(1))
    # Customers recovered: frank 4 different customers, maria 3, felix 2, nina 1 (voided ones do not count).
    for i, customer in enumerate(customers[:4]):
        grant_at(
            frank,
            central,
            customer,
            at + dt.timedelta(minutes=i),
            amount="1.00",
            opened_before=dt.timedelta(minutes=10),
        )
    for i, customer in enumerate(customers[:3]):
        grant_at(
            maria,
            central,
            customer,
            at + dt.timedelta(hours=1, minutes=i),
            amount="1.00",
            opened_before=dt.timedelta(minutes=2),
        )
    # maria's other two grants go to customers she already recovered: 5 grants, still 3 customers.
    for i in range(2):
        grant_at(
            maria,
            central,
            customers[0],
            at + dt.timedelta(hours=2, minutes=i),
            amount="1.00",
            opened_before=dt.timedelta(minutes=4),
        )
    for i, customer in enumerate(customers[:2]):
        grant_at(felix, central, customer, at + dt.timedelta(hours=3, minutes=i), amount="1.00")
    voided = grant_at(felix, central, customers[4], at + dt.timedelta(hours=3, minutes=5), amount="1.00")
    void(voided, maria)
    # nina: one lightning-fast grant, but one grant is luck, not a habit.
    grant_at(
        nina, central, customers[4], at + dt.timedelta(hours=4), amount="1.00", opened_before=dt.timedelta(seconds=5)
    )
    # frank makes it to five grants, all ten minutes each.
    grant_at(
        frank, central, customers[0], at + dt.timedelta(hours=5), amount="1.00", opened_before=dt.timedelta(minutes=10)
    )
    grant_at(fiona, airport, customers[0], at, amount="1.00")

    panels = {panel.location_name: panel for panel in insights.recognition_for(scope=scope_of(ops))}
    assert list(panels) == ["Airport Desk", "Central Store"]
    central_panel = panels["Central Store"]
    assert [(p.rank, p.name, p.customers) for p in central_panel.most_recovered] == [
        (1, "frank", 4),
        (2, "maria", 3),
        (3, "felix", 2),
    ]
    # maria: 3×2 min + 2×4 min over 5 grants = 2 min 48 s; frank: 10 min over 5; felix and nina too few grants.
    assert [(p.rank, p.name, p.grants, p.average_resolution) for p in central_panel.fastest] == [
        (1, "maria", 5, dt.timedelta(minutes=2, seconds=48)),
        (2, "frank", 5, dt.timedelta(minutes=10)),
    ]
    assert central_panel.fastest[0].average_text == "2 min 48 s"
    assert [p.name for p in panels["Airport Desk"].most_recovered] == ["fiona"]
    assert panels["Airport Desk"].fastest == []


def test_recognition_shows_full_names_when_known(ops, central, customers):
    nina = factories.make_user("nina", "frontline", [central])
    nina.first_name, nina.last_name = "Nina", "Okafor"
    nina.save()
    grant_at(nina, central, customers[0], noon(monday(1)), amount="1.00")
    panel = insights.recognition_for(scope=scope_of(ops))[0]
    assert panel.most_recovered[0].name == "Nina Okafor"


def test_duration_text():
    assert insights.duration_text(dt.timedelta(seconds=45)) == "45 s"
    assert insights.duration_text(dt.timedelta(minutes=3, seconds=5)) == "3 min 05 s"
    assert insights.duration_text(dt.timedelta(hours=1, minutes=5)) == "1 h 05 min"
    assert insights.duration_text(None) == "—"


# --- the monthly report ----------------------------------------------------------------------------


def test_monthly_report_figures_for_one_location_in_its_own_month(central, airport, people, customers, manager):
    frank, fiona, maria = people["frank"], people["fiona"], people["maria"]
    this_month = central.month_start()
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    # 00:30 on the 1st in London is still the previous month in UTC during summer time, and vice versa:
    # the report follows the location's own calendar.
    first_minutes = last_month + dt.timedelta(minutes=30)
    grant_at(frank, central, customers[0], first_minutes, amount="11.11")
    grant_at(
        frank,
        central,
        customers[1],
        first_minutes + dt.timedelta(days=3),
        amount="2.25",
        code="free-drinks",
        category="waiting",
    )
    voided = grant_at(frank, central, customers[2], first_minutes + dt.timedelta(days=4), amount="5.00")
    void(voided, maria)
    grant_at(frank, central, customers[0], this_month + dt.timedelta(hours=1), amount="99.00")  # next month
    grant_at(fiona, airport, customers[0], first_minutes, amount="50.00")  # another location
    grant = Grant.objects.filter(amount=Decimal("11.11")).get()
    AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.AT_CAP_REPEATEDLY,
        location=central,
        grant=grant,
        reason="x",
        dedupe_key="a1",
        raised_at=first_minutes + dt.timedelta(hours=1),
    )
    AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.AT_CAP_REPEATEDLY,
        location=central,
        reason="y",
        dedupe_key="a2",
        raised_at=first_minutes + dt.timedelta(hours=2),
        outcome=AnomalyFlag.Outcome.FINE,
        reviewed_at=first_minutes + dt.timedelta(days=1),
    )
    AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.NEW_CUSTOMER,
        location=airport,
        reason="z",
        dedupe_key="a3",
        raised_at=first_minutes + dt.timedelta(hours=2),
    )
    RuleFlag.objects.create(
        rule=RuleFlag.Rule.PLAYBOOK_CAP,
        note="n",
        location=central,
        raised_by=frank,
        raised_at=first_minutes + dt.timedelta(hours=3),
    )

    report = insights.monthly_report_for(user=manager, location=central, month=last_month.date())
    assert report.scope.start == last_month and report.scope.end == this_month
    assert (report.totals.active, report.totals.grants) == (Decimal("13.36"), 2)
    assert (report.totals.voided, report.totals.voided_grants) == (Decimal("5.00"), 1)
    assert [(line.key, line.failures, line.active) for line in report.categories] == [
        ("product_defective", 2, Decimal("11.11")),
        ("waiting", 1, Decimal("2.25")),
    ]
    assert [(line.label, line.active) for line in report.top_playbooks][0][1] == Decimal("11.11")
    assert [(line.label, line.raised, line.outcomes) for line in report.anomaly_flags] == [
        ("Grants repeatedly at exactly the cap", 2, {"Not reviewed yet": 1, "Fine": 1})
    ]
    assert [(line.label, line.raised, line.outcomes) for line in report.rule_flags] == [
        ("A playbook's cap", 1, {"Open": 1})
    ]
    assert report.escalations.requested == 0
    assert [panel.location_name for panel in report.recognition] == ["Central Store"]


# --- pages: charts, scoping, bad input, query counts ---------------------------------------------


def test_dashboard_renders_charts_with_their_figures(ops_client, spending):
    response = ops_client.get(reverse("insights"))
    assert response.status_code == 200
    page = response.content.decode()
    for chart in ("weekly", "playbooks", "categories", "locations", "repeat", "resolution", "budgets"):
        assert f'data-chart="{chart}"' in page
        assert f'aria-describedby="chart-{chart}-figures"' in page  # the text alternative
    assert 'src="/static/vendor/chart.js/chart.umd.min.js"' in page
    assert 'src="/static/js/insights.js"' in page
    assert '<script id="insights-data" type="application/json">' in page
    chart_data = response.context["chart_data"]
    assert chart_data["charts"]["weekly"]["series"][0]["values"][-4] == "12.35"  # exact, as text
    assert "€40.40" in page and "Recognition" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)  # no inline code
    assert " style=" not in page and " onclick=" not in page


@pytest.fixture
def late_in_may(clock):
    """Sunday 31 May 2026: the spending fixture's four Mondays all fall in this month.

    The report opens on the location's current month, so a test of its charts states the day:
    early in a month, "three weeks ago" is last month and the default report is rightly empty.
    """
    clock.move_to(dt.datetime(2026, 5, 31, 12, tzinfo=LONDON), tick=True)


def test_report_renders_svg_charts_and_prints(late_in_may, manager_client, central, spending):
    response = manager_client.get(reverse("insights_report"), {"location": central.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<svg class="svg-bars"') == 4
    assert "data-print" in page and "Failures by category" in page and "Flags and their outcomes" in page
    assert " style=" not in page


def test_early_in_a_month_the_report_opens_on_it_and_says_it_has_no_grants_yet(clock, manager, central):
    clock.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=LONDON), tick=True)
    client = client_for(manager)
    grant_at(manager, central, factories.make_customer("Late Nov"), noon(dt.date(2026, 11, 30)), amount="9.00")
    page = client.get(reverse("insights_report"), {"location": central.pk}).content.decode()
    assert "No grants in this period yet" in page and "9.00" not in page
    november = client.get(reverse("insights_report"), {"location": central.pk, "month": "2026-11"})
    assert november.status_code == 200 and "€9.00" in november.content.decode()


def test_a_manager_sees_only_their_locations_figures(manager_client, central, airport, spending):
    page = manager_client.get(reverse("insights")).content.decode()
    assert "Central Store" in page and "€45.68" in page
    assert "Airport Desk" not in page and "40.40" not in page and "Customer C" not in page

    refused = manager_client.get(reverse("insights"), {"location": airport.pk})
    assert refused.status_code == 422
    assert "Location: choose one of your locations." in refused.content.decode()
    assert "40.40" not in refused.content.decode()


def test_a_manager_cannot_open_another_locations_report(manager_client, airport, spending):
    response = manager_client.get(reverse("insights_report"), {"location": airport.pk})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Location: choose one of your locations." in page
    assert "40.40" not in page and "Service quality — Airport Desk" not in page


def test_the_selector_refuses_a_location_the_user_does_not_see(manager, airport):
    with pytest.raises(PermissionError):
        insights.insight_scope_for(
            user=manager, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), location=airport, tz=UTC
        )


def test_ops_and_auditors_see_every_location(ops_client, auditor_client, airport, spending):
    for client in (ops_client, auditor_client):
        page = client.get(reverse("insights")).content.decode()
        assert "Central Store" in page and "Airport Desk" in page
        assert client.get(reverse("insights_report"), {"location": airport.pk}).status_code == 200


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "not-a-date"}, "From: enter a date such as 2026-03-02."),
        ({"end": "2026-02-30"}, "To: enter a date such as 2026-05-24."),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "To: must be on or after From."),
        ({"start": "2024-01-01", "end": "2025-06-30"}, "From: the window can cover at most 366 days"),
        ({"start": "1999-12-31", "end": "2000-01-31"}, "From: must be on or after 1 Jan 2000."),
        ({"end": "9999-12-31"}, "To: must not be after tomorrow"),
        ({"location": "abc"}, "Location: choose one of your locations."),
        ({"location": "999999"}, "Location: choose one of your locations."),
        ({"location": "9" * 30}, "Location: choose one of your locations."),
    ],
)
def test_bad_dashboard_filters_are_refused_by_field(ops_client, query, message):
    response = ops_client.get(reverse("insights"), query)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert "dashboard" not in response.context or response.context.get("dashboard") is None


@pytest.mark.parametrize(
    "month, message",
    [
        ("2026-13", "Month: enter a month as YYYY-MM, e.g. 2026-03."),
        ("March", "Month: enter a month as YYYY-MM, e.g. 2026-03."),
        ("2026-03-01", "Month: enter a month as YYYY-MM, e.g. 2026-03."),
        ("1999-12", "Month: must be January 2000 or later."),
        ("0000-01", "Month: must be January 2000 or later."),
        ("9999-12", "has not started yet at Central Store."),
    ],
)
def test_bad_report_months_are_refused_by_field(manager_client, central, month, message):
    response = manager_client.get(reverse("insights_report"), {"location": central.pk, "month": month})
    assert response.status_code == 422
    assert message in response.content.decode()


def test_the_report_month_follows_the_locations_clock(central, frontline, manager, customers):
    """July 2025 in London starts at 23:00 UTC on 30 June (summer time) and ends at 23:00 UTC on 31 July."""
    just_inside = dt.datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    just_outside = dt.datetime(2025, 7, 31, 23, 30, tzinfo=UTC)  # 1 August, 00:30 in London
    grant_at(frontline, central, customers[0], just_inside, amount="4.00")
    grant_at(frontline, central, customers[1], just_outside, amount="9.00")
    report = insights.monthly_report_for(user=manager, location=central, month=dt.date(2025, 7, 1))
    assert report.scope.start == dt.datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
    assert (report.totals.active, report.totals.grants) == (Decimal("4.00"), 1)
    assert [week.week for week in report.weeks][:2] == [dt.date(2025, 6, 30), dt.date(2025, 7, 7)]


def test_one_locations_dashboard_counts_weeks_on_its_clock(ops_client, central, frontline, customers):
    """Sunday 23:30 UTC in summer is Monday 00:30 in London: the next week there, this week in UTC."""
    sunday_night = dt.datetime(2025, 7, 6, 23, 30, tzinfo=UTC)
    grant_at(frontline, central, customers[0], sunday_night, amount="5.00")
    window = {"start": "2025-06-30", "end": "2025-07-13"}
    everywhere = ops_client.get(reverse("insights"), window).context["dashboard"]
    at_central = ops_client.get(reverse("insights"), {**window, "location": central.pk}).context["dashboard"]
    assert [(w.week, w.active) for w in everywhere.weeks] == [
        (dt.date(2025, 6, 30), Decimal("5.00")),
        (dt.date(2025, 7, 7), Decimal("0.00")),
    ]
    assert [(w.week, w.active) for w in at_central.weeks] == [
        (dt.date(2025, 6, 30), Decimal("0.00")),
        (dt.date(2025, 7, 7), Decimal("5.00")),
    ]


def test_report_defaults_to_this_month_at_the_first_location(manager_client, central):
    response = manager_client.get(reverse("insights_report"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.location == central and report.month == central.month_start().date()


def _grants_for_query_counts(central, airport, people, customers, count: int) -> None:
    for n in range(count):
        location, actor = (central, people["frank"]) if n % 2 else (airport, people["fiona"])
        grant_at(
            actor,
            location,
            customers[n % 5],
            noon(monday(n % 4)) + dt.timedelta(minutes=n),
            amount="1.00",
            opened_before=dt.timedelta(minutes=n % 7),
        )


# Session, user and groups, the permission names the nav reads (2), the location choices, one grouped query
# per figure (budgets: locations, policy, spending), and the session save (3). None depends on the rows.
DASHBOARD_QUERIES = 16
# The report is read by a manager: one more, the menu's count of escalations waiting for them (a COUNT),
# and one for "What recovery bought": the figures the background job stored (they were three, over the
# location's whole grant history, its visits and the follow-up answers, before the job computed them).
REPORT_QUERIES = 16


@pytest.mark.parametrize("grants", [2, 20])
def test_dashboard_query_count_does_not_grow_with_grants(
    ops_client, central, airport, people, customers, grants, django_assert_num_queries
):
    _grants_for_query_counts(central, airport, people, customers, grants)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = ops_client.get(reverse("insights"))
    assert response.status_code == 200
    assert response.context["dashboard"].totals.grants == grants


@pytest.mark.parametrize("grants", [2, 20])
def test_report_query_count_does_not_grow_with_grants(
    manager_client, central, airport, people, customers, grants, django_assert_num_queries
):
    _grants_for_query_counts(central, airport, people, customers, grants)
    manager_client.get(reverse("insights_report"), {"location": central.pk})  # the job computes the figures (sync)
    with django_assert_num_queries(REPORT_QUERIES):
        response = manager_client.get(reverse("insights_report"), {"location": central.pk})
    assert response.status_code == 200


def test_the_nav_shows_insights_to_reviewers_only(manager_client, frontline_client):
    assert 'href="/insights/"' in manager_client.get(reverse("audit")).content.decode()
    assert 'href="/insights/"' not in frontline_client.get(reverse("counter")).content.decode()


# --- the signed "case opened at" -----------------------------------------------------------------


def stamp_made(token, at: dt.datetime, monkeypatch) -> str:
    """The resolve page's stamp for `token`, as if the page had been opened at `at`."""
    monkeypatch.setattr(signing.time, "time", lambda: at.timestamp())
    stamp = case_opened_stamp(token)
    monkeypatch.undo()
    return stamp


def test_case_opened_at_accepts_only_its_own_fresh_stamp(monkeypatch):
    token = uuid.uuid4()
    now = timezone.now().replace(microsecond=0)
    five_minutes_ago = now - dt.timedelta(minutes=5)
    stamp = stamp_made(token, five_minutes_ago, monkeypatch)
    assert case_opened_at(stamp, token=token, now=now) == five_minutes_ago
    assert case_opened_at(stamp, token=uuid.uuid4(), now=now) is None  # another form's token
    assert case_opened_at(stamp[:-1] + ("A" if stamp[-1] != "A" else "B"), token=token, now=now) is None
    value, timestamp, signature = stamp.rsplit(":", 2)
    earlier = signing.b62_encode(signing.b62_decode(timestamp) - 3600)
    assert case_opened_at(f"{value}:{earlier}:{signature}", token=token, now=now) is None  # moved back in time
    stale = stamp_made(token, now - MAX_AGE - dt.timedelta(seconds=1), monkeypatch)
    assert case_opened_at(stale, token=token, now=now) is None
    future = stamp_made(token, now + dt.timedelta(minutes=1), monkeypatch)
    assert case_opened_at(future, token=token, now=now) is None
    for junk in ("", "x" * 10_000, str(token), "é:é:é", None):
        assert case_opened_at(junk, token=token, now=now) is None


def _resolve_post(token, opened=None) -> dict:
    data = {
        "category": "waiting",
        "purchase_value": "100.00",
        "playbook": factories.playbook("free-drinks").pk,
        "token": str(token),
        "note": "",
    }
    if opened is not None:
        data["opened"] = opened
    return data


def test_the_resolve_page_embeds_a_stamp_bound_to_its_token(frontline_client, customer):
    page = frontline_client.get(reverse("counter_resolve", args=[customer.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    stamp = re.search(r'<input type="hidden" name="opened" value="([^"]+)"', page)[1]
    opened = case_opened_at(stamp, token=uuid.UUID(token), now=timezone.now())
    assert opened is not None and timezone.now() - opened < dt.timedelta(seconds=5)


def test_a_grant_logs_its_failure_when_the_case_was_opened(frontline_client, customer, monkeypatch):
    token = uuid.uuid4()
    opened = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=7)
    response = frontline_client.post(
        reverse("counter_resolve", args=[customer.pk]), _resolve_post(token, stamp_made(token, opened, monkeypatch))
    )
    assert response.status_code == 302
    grant = Grant.objects.get(token=token)
    assert grant.failure.logged_at == opened == grant.failure_logged_at
    assert dt.timedelta(minutes=7) <= grant.granted_at - opened < dt.timedelta(minutes=7, seconds=5)


@pytest.mark.parametrize("damage", ["tampered", "expired", "another_token", "missing", "garbage", "future"])
def test_a_bad_stamp_falls_back_to_the_grant_time_never_an_error(frontline_client, customer, monkeypatch, damage):
    token = uuid.uuid4()
    now = timezone.now()
    stamps = {
        "tampered": stamp_made(token, now - dt.timedelta(minutes=7), monkeypatch)[:-2] + "zz",
        "expired": stamp_made(token, now - dt.timedelta(hours=13), monkeypatch),
        "another_token": stamp_made(uuid.uuid4(), now - dt.timedelta(minutes=7), monkeypatch),
        "missing": None,
        "garbage": "\x00" * 5000,
        "future": stamp_made(token, now + dt.timedelta(hours=1), monkeypatch),
    }
    response = frontline_client.post(
        reverse("counter_resolve", args=[customer.pk]), _resolve_post(token, stamps[damage])
    )
    assert response.status_code == 302
    grant = Grant.objects.get(token=token)
    assert grant.failure.logged_at == grant.granted_at == grant.failure_logged_at


def test_a_retry_with_another_stamp_still_replays_the_first_grant(frontline_client, customer, monkeypatch):
    token = uuid.uuid4()
    url = reverse("counter_resolve", args=[customer.pk])
    first = frontline_client.post(url, _resolve_post(token, stamp_made(token, timezone.now(), monkeypatch)))
    again = frontline_client.post(
        url, _resolve_post(token, stamp_made(token, timezone.now() - dt.timedelta(minutes=3), monkeypatch))
    )
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Grant.objects.filter(token=token).count() == 1


def test_the_stamp_survives_a_form_sent_back_with_errors(frontline_client, customer, monkeypatch):
    token = uuid.uuid4()
    stamp = stamp_made(token, timezone.now() - dt.timedelta(minutes=2), monkeypatch)
    data = _resolve_post(token, stamp)
    data["purchase_value"] = "-5"
    response = frontline_client.post(reverse("counter_resolve", args=[customer.pk]), data)
    assert response.status_code == 422
    assert f'name="opened" value="{stamp}"' in response.content.decode()


def test_grant_what_is_allowed_keeps_the_case_opened_stamp(frontline_client, customer, monkeypatch):
    """Above a limit, the "grant instead" and "ask a manager" forms carry the stamp along with the case."""
    token = uuid.uuid4()
    stamp = stamp_made(token, timezone.now() - dt.timedelta(minutes=4), monkeypatch)
    data = _resolve_post(token, stamp) | {"amount": "24.00"}  # drinks cap for 100.00: 10.00 × 1.5 (loyal) = 15.00
    response = frontline_client.post(reverse("counter_resolve", args=[customer.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert page.count(f'<input type="hidden" name="opened" value="{stamp}">') == 2
    allowed = _resolve_post(token, stamp) | {"amount": "15.00"}
    assert frontline_client.post(reverse("counter_resolve", args=[customer.pk]), allowed).status_code == 302
    grant = Grant.objects.get(token=token)
    assert dt.timedelta(minutes=4) <= grant.granted_at - grant.failure_logged_at < dt.timedelta(minutes=4, seconds=5)


def test_a_failure_logged_after_its_grant_is_refused_by_the_database(central, frontline, customer):
    grant = factories.grant_for(frontline, central, customer)
    with pytest.raises(IntegrityError):
        Grant.objects.filter(pk=grant.pk).update(failure_logged_at=grant.granted_at + dt.timedelta(seconds=1))


def test_the_migration_copies_each_failures_facts_onto_its_grant(central, frontline, customer):
    from importlib import import_module

    from django.apps import apps

    grant = factories.grant_for(frontline, central, customer, category="billing")
    ServiceFailure.objects.filter(pk=grant.failure_id).update(logged_at=grant.granted_at - dt.timedelta(minutes=3))
    Grant.objects.filter(pk=grant.pk).update(category="other")
    import_module("recovery.migrations.0007_grant_failure_facts").copy_failure_facts(apps, None)
    grant.refresh_from_db()
    assert grant.category == "billing"
    assert grant.failure_logged_at == grant.granted_at - dt.timedelta(minutes=3)
