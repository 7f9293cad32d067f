"""What recovery buys is computed by the background job, never by the page: the page asks, the job computes,
the page shows the last figures with their time, asks again when they are an hour old, and never queues twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recovery.models import EffectFigures
from recovery.services import effect_figures as figures_service
from tests.conftest import client_for
from tests.factories import grant_for

pytestmark = pytest.mark.django_db


def test_the_page_asks_the_job_and_shows_its_rows_with_their_time(clock, ops, frontline, central, customer):
    # The test settings run the cluster in sync mode: the job runs when the page asks.
    clock.move_to("2027-01-04T10:00:00+00:00")
    grant_for(frontline, central, customer)
    clock.move_to("2027-06-01T10:00:00+00:00")
    page = client_for(ops).get(reverse("recovery_effect"), {"by": "location"})
    assert page.status_code == 200
    figures = EffectFigures.objects.get(scope="all", dimension="location")
    assert timedelta(0) <= timezone.now() - figures.computed_at < timedelta(minutes=1) and figures.requested_at is None
    assert [row.name for row in page.context["rows"]] == ["Central Store"]
    assert not page.context["computing"]
    assert "Computed 0\xa0minutes ago." in page.content.decode()


def test_fresh_figures_are_read_not_computed_and_hour_old_ones_are_asked_for_again(
    clock, ops, frontline, central, customer, monkeypatch
):
    def page(at):
        clock.move_to(at)
        return client_for(ops).get(reverse("recovery_effect"))  # signed in afresh: sessions expire when idle

    grant_for(frontline, central, customer)
    page("2027-06-01T10:00:00+00:00")
    queued = []
    monkeypatch.setattr(figures_service, "async_task", lambda *args, **kwargs: queued.append(args))
    assert page("2027-06-01T10:30:00+00:00").context["rows"] is not None
    assert queued == []  # half an hour old: fresh
    stale = page("2027-06-01T11:30:00+00:00")
    assert queued == [(figures_service.COMPUTE_TASK, None, "playbook")]
    assert stale.context["computing"] and stale.context["rows"] is not None  # the last figures meanwhile
    assert "Fresh figures are being computed in the background" in stale.content.decode()
    assert 'hx-trigger="every 5s"' in stale.content.decode()
    # The page polls while it waits: the job is not queued again until ten minutes have passed.
    page("2027-06-01T11:35:00+00:00")
    assert len(queued) == 1
    page("2027-06-01T11:41:00+00:00")
    assert len(queued) == 2


def test_without_figures_the_page_says_they_are_being_computed(ops, monkeypatch):
    monkeypatch.setattr(figures_service, "async_task", lambda *args, **kwargs: None)  # no worker answers
    page = client_for(ops).get(reverse("recovery_effect"))
    assert page.status_code == 200 and page.context["rows"] is None and page.context["computing"]
    assert "The figures are being computed in the background" in page.content.decode()


def test_a_manager_s_figures_are_computed_for_their_locations_only(clock, manager, frontline, central, customer):
    clock.move_to("2027-06-01T10:00:00+00:00")
    grant_for(frontline, central, customer)
    client_for(manager).get(reverse("recovery_effect"), {"by": "location"})
    assert EffectFigures.objects.get().scope == str(central.pk)


def test_compute_again_asks_at_once_even_when_a_request_is_pending(clock, ops, monkeypatch):
    clock.move_to("2027-06-01T10:00:00+00:00")
    queued = []
    monkeypatch.setattr(figures_service, "async_task", lambda *args, **kwargs: queued.append(args))
    client = client_for(ops)
    client.get(reverse("recovery_effect"), {"by": "category"})
    response = client.post(reverse("recovery_effect_compute"), {"by": "category"})
    assert response.status_code == 302 and response["Location"] == "/insights/effect/?by=category"
    assert queued == [(figures_service.COMPUTE_TASK, None, "category")] * 2
    refused = client.post(reverse("recovery_effect_compute"), {"by": "weather"})
    assert refused.status_code == 422 and len(queued) == 2


def test_figures_the_code_can_no_longer_read_are_computed_again(clock, ops, frontline, central, customer):
    clock.move_to("2027-06-01T10:00:00+00:00")
    grant_for(frontline, central, customer)
    EffectFigures.objects.create(scope="all", dimension="playbook", computed_at=timezone.now() - timedelta(minutes=5))
    EffectFigures.objects.filter(scope="all").update(rows=b"not a pickle")
    page = client_for(ops).get(reverse("recovery_effect"))
    assert page.status_code == 200
    assert [row.name for row in page.context["rows"]] == ["Free drinks while you wait"]
