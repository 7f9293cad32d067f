"""The monthly report's "What recovery bought" reads the figures the background job computed (a report cut of
`EffectFigures`), never the location's grant history inside the request: the same figures as computing them in
the request, asked for when missing or an hour old, polled while they are made, never queued twice in ten
minutes, and "Compute again" on the report's own permission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recovery import insights
from recovery.insights.effect import report_cut
from recovery.models import EffectFigures, Visit
from recovery.selectors.effect import effect_rows_for
from recovery.services import effect_figures as figures_service
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _history(clock, frontline, central):
    """Two playbooks' worth of cases at central in January, some of whose customers came back."""
    clock.move_to("2027-01-04T10:00:00+00:00")
    for n in range(12):
        customer = factories.make_customer(f"Figures {n}", phone=f"+4477008{n:05d}")
        factories.grant_for(frontline, central, customer)
        if n % 3:
            Visit.objects.create(
                customer=customer,
                location=central,
                visited_on=dt.date(2027, 2, 1 + n),
                amount="7",
                currency=central.currency,
                source="api",
            )


def test_the_job_s_figures_are_the_ones_the_request_used_to_compute(clock, ops, frontline, central):
    _history(clock, frontline, central)
    clock.move_to("2027-06-01T10:00:00+00:00")
    report = insights.monthly_report_for(user=ops, location=central, month=dt.date(2027, 4, 1))
    # Today's way: every grant of the location up to the month's end, read in the request.
    scope = report.scope
    in_request = effect_rows_for(
        user=ops,
        dimension="playbook",
        as_of=dt.date(2027, 4, 30),
        location_ids=scope.location_ids,
        currency=central.currency,
        logged_before=scope.end,
    )
    assert in_request and report.bought.playbooks == in_request
    assert report.bought.as_of == dt.date(2027, 4, 30) and not report.bought.computing
    [row] = report.bought.playbooks
    assert row.effect.customers == 12 and row.effect.returns[90].returned == 8
    stored = EffectFigures.objects.get(scope__startswith="report:")
    assert stored.scope == f"report:2027-04-30:{central.currency}:{central.pk}" and stored.dimension == "playbook"


def test_fresh_report_figures_are_read_and_the_grant_history_is_not(clock, manager, frontline, central, monkeypatch):
    _history(clock, frontline, central)
    clock.move_to("2027-06-01T10:00:00+00:00")
    client = client_for(manager)
    client.get(reverse("insights_report"), {"location": central.pk, "month": "2027-04"})  # the job runs (sync)
    queued = []
    monkeypatch.setattr(figures_service, "async_task", lambda *args, **kwargs: queued.append(args))
    clock.move_to("2027-06-01T10:30:00+00:00")
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("insights_report"), {"location": central.pk, "month": "2027-04"})
    assert page.status_code == 200 and queued == []
    bought = page.context["report"].bought
    assert bought.playbooks and not bought.computing
    # No query reads visits or the survey answers: those are the job's.
    assert not [q["sql"] for q in captured.captured_queries if "recovery_visit" in q["sql"]]
    assert re.search(r"Computed (29|30)\xa0minutes ago\.", page.content.decode())  # the clock ticks on


def test_without_figures_the_report_says_so_polls_and_asks_once_in_ten_minutes(
    clock, manager, frontline, central, monkeypatch
):
    _history(clock, frontline, central)
    queued = []
    monkeypatch.setattr(figures_service, "async_task", lambda *args, **kwargs: queued.append(args))  # no worker

    def page(at):
        clock.move_to(at)
        return client_for(manager).get(reverse("insights_report"), {"location": central.pk, "month": "2027-04"})

    first = page("2027-06-01T10:00:00+00:00")
    html = first.content.decode()
    assert first.status_code == 200 and first.context["report"].bought.playbooks is None
    assert "The playbook figures are not computed yet" in html  # the printed report says so too
    assert 'hx-trigger="every 5s"' in html and 'hx-select="#report-bought"' in html
    assert "Return rate per playbook" not in html and "Compute again" not in html
    assert "Root causes that cost most this month" in html  # the rollups' part is always there
    cut = report_cut(first.context["report"].scope, central.currency)
    assert queued == [(figures_service.COMPUTE_TASK, [central.pk], "playbook", cut)]
    page("2027-06-01T10:05:00+00:00")
    assert len(queued) == 1  # polled, not queued again
    page("2027-06-01T10:11:00+00:00")
    assert len(queued) == 2


def test_the_current_month_s_figures_are_as_known_today(clock, ops, frontline, central):
    _history(clock, frontline, central)
    clock.move_to("2027-04-15T10:00:00+00:00")
    report = insights.monthly_report_for(user=ops, location=central, month=dt.date(2027, 4, 1))
    assert report.bought.as_of == dt.date(2027, 4, 15)
    clock.move_to("2027-04-16T10:00:00+00:00")
    later = insights.monthly_report_for(user=ops, location=central, month=dt.date(2027, 4, 1))
    assert later.bought.as_of == dt.date(2027, 4, 16) and later.bought.computed_at > report.bought.computed_at


def test_compute_again_queues_at_once_and_returns_to_the_report(clock, manager, frontline, central, monkeypatch):
    _history(clock, frontline, central)
    clock.move_to("2027-06-01T10:00:00+00:00")
    client = client_for(manager)
    page = client.get(reverse("insights_report"), {"location": central.pk, "month": "2027-04"})
    assert "Compute again</button>" in page.content.decode()
    queued = []
    monkeypatch.setattr(figures_service, "async_task", lambda *args, **kwargs: queued.append(args))
    response = client.post(reverse("insights_report_compute"), {"location": central.pk, "month": "2027-04"})
    assert response.status_code == 302
    assert response["Location"] == f"/insights/report/?location={central.pk}&month=2027-04"
    assert len(queued) == 1
    bad = client.post(reverse("insights_report_compute"), {"location": central.pk, "month": "April"})
    assert bad.status_code == 422 and len(queued) == 1
    assert "Month:" in bad.content.decode()


def test_compute_again_is_the_report_s_own_permission(frontline, airport, manager):
    assert client_for(frontline).post(reverse("insights_report_compute"), {}).status_code == 403
    # A manager cannot ask for another location's figures: the form offers their own only.
    response = client_for(manager).post(reverse("insights_report_compute"), {"location": airport.pk})
    assert response.status_code == 422 and EffectFigures.objects.count() == 0
