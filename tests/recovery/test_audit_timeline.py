"""The audit timeline: every kind of event, filters, keyset pages, scoping, constant queries, CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.models import PolicyVersion
from compensation.predicates import roles_of
from recovery import services
from recovery.models import AnomalyFlag, Grant
from recovery.timeline import TimelineQuery, cursor_parse, timeline_page
from tests.conftest import client_for
from tests.factories import grant_for, grant_request, make_customer, make_user, playbook, publish

pytestmark = pytest.mark.django_db


def kinds_of(page):
    return [entry.kind for entry in page.entries]


@pytest.fixture
def story(frontline, frontline_airport, manager, central, airport, customer):
    """One of every event at central, and a grant at the airport that central's manager must not see."""
    grant = grant_for(frontline, central, customer, code="free-drinks", note="cold coffee")
    voided = grant_for(frontline, central, customer, code="replace-spoiled", category="product_defective")
    services.grant_void(actor=manager, grant_id=voided.pk, reason="Duplicate entry")
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=grant_request(customer, central, amount="400.00"),
        reason="Lost a whole day",
    )
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=False, note="Too much"
    )
    airport_grant = grant_for(frontline_airport, airport, make_customer("Far Away", phone="+447700900999"))
    return {"grant": grant, "voided": voided, "escalation": escalation, "airport_grant": airport_grant}


def test_a_manager_sees_every_kind_of_event_at_their_locations_only(story, manager):
    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal("20.00")
    drinks.save()
    version = publish("Lower drinks ceiling")
    page = timeline_page(user=manager, query=TimelineQuery())
    kinds = kinds_of(page)
    for kind in (
        "failure.logged",
        "grant.issued",
        "grant.voided",
        "escalation.requested",
        "escalation.decided",
        "policy.published",
    ):
        assert kind in kinds, kind
    assert all(entry.location != "Airport" for entry in page.entries)
    assert story["airport_grant"].pk not in {e.pk for e in page.entries if e.kind == "grant.issued"}
    assert page.entries[0].kind == "policy.published" and f"Version {version.number}" in page.entries[0].summary
    times = [entry.at for entry in page.entries]
    assert times == sorted(times, reverse=True)


def test_ops_and_auditors_see_every_location(story, ops, auditor):
    for user in (ops, auditor):
        grants = {e.pk for e in timeline_page(user=user, query=TimelineQuery()).entries if e.kind == "grant.issued"}
        assert story["airport_grant"].pk in grants and story["grant"].pk in grants


def test_a_failure_and_its_grant_at_the_same_instant_list_the_failure_first(story, manager):
    page = timeline_page(user=manager, query=TimelineQuery(kinds=("failure.logged", "grant.issued")))
    grant = story["grant"]
    positions = {(e.kind, e.pk): i for i, e in enumerate(page.entries)}
    # Newest first: the grant is above the failure it resolves.
    assert positions[("grant.issued", grant.pk)] < positions[("failure.logged", grant.failure_id)]


def test_filters_narrow_every_kind_they_apply_to(story, manager, customer):
    grant, voided = story["grant"], story["voided"]
    by_playbook = timeline_page(user=manager, query=TimelineQuery(playbook_id=voided.playbook_id))
    assert {e.kind for e in by_playbook.entries} == {"failure.logged", "grant.issued", "grant.voided"}
    assert {e.pk for e in by_playbook.entries if e.kind != "failure.logged"} == {voided.pk}

    by_category = timeline_page(user=manager, query=TimelineQuery(category="product_defective"))
    assert {e.pk for e in by_category.entries if e.kind == "grant.issued"} == {voided.pk}

    by_voider = timeline_page(user=manager, query=TimelineQuery(employee_id=manager.pk))
    assert set(kinds_of(by_voider)) == {"grant.voided", "escalation.decided"}

    by_amount = timeline_page(user=manager, query=TimelineQuery(amount_min=Decimal("300"), amount_max=Decimal("500")))
    assert set(kinds_of(by_amount)) == {"escalation.requested", "escalation.decided"}

    by_phone = timeline_page(user=manager, query=TimelineQuery(customer="07700 900101"))
    assert grant.pk in {e.pk for e in by_phone.entries if e.kind == "grant.issued"}
    assert "policy.published" not in kinds_of(by_phone)  # a policy change has no customer
    nobody = timeline_page(user=manager, query=TimelineQuery(customer="No Such Person"))
    assert nobody.entries == []

    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert timeline_page(user=manager, query=TimelineQuery(since=tomorrow)).entries == []
    assert kinds_of(timeline_page(user=manager, query=TimelineQuery(until=tomorrow)))


def test_flagged_only_shows_the_events_of_flagged_grants(story, manager, central):
    grant = story["grant"]
    AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.NEW_CUSTOMER, location=central, grant=grant, reason="New", dedupe_key="t-1"
    )
    flag = AnomalyFlag.objects.get(dedupe_key="t-1")
    page = timeline_page(user=manager, query=TimelineQuery(flagged_only=True))
    assert {(e.kind, e.pk) for e in page.entries} == {
        ("failure.logged", grant.failure_id),
        ("grant.issued", grant.pk),
        ("anomaly.raised", flag.pk),
    }
    assert all(e.flagged for e in page.entries)
    everything = timeline_page(user=manager, query=TimelineQuery())
    flagged = {e.pk for e in everything.entries if e.flagged and e.kind == "grant.issued"}
    assert flagged == {grant.pk}


def test_keyset_pages_walk_every_event_once_even_when_times_tie(frontline, manager, central, customer):
    same_instant = timezone.now().replace(microsecond=0)
    for index in range(7):
        grant = grant_for(frontline, central, customer, purchase_value=str(100 + index))
        Grant.objects.filter(pk=grant.pk).update(granted_at=same_instant, failure_logged_at=same_instant)
    expected = timeline_page(user=manager, query=TimelineQuery(), size=1000).entries
    seen, cursor = [], ""
    while True:
        page = timeline_page(user=manager, query=TimelineQuery(), cursor=cursor, size=3)
        seen.extend((e.kind, e.pk) for e in page.entries)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [(e.kind, e.pk) for e in expected]
    assert len(seen) == len(set(seen)) == 7 * 2 + PolicyVersion.objects.count()  # grants, failures, versions


def test_newer_pages_walk_back_up_to_the_first_page_when_times_tie(frontline, manager, central, customer):
    """'Newer' reads upwards from the first entry of a page (keyset, no OFFSET): walking down with 'Older'
    and back up with 'Newer' gives the same pages, and the top page has no 'Newer'."""
    same_instant = timezone.now().replace(microsecond=0)
    for index in range(7):
        grant = grant_for(frontline, central, customer, purchase_value=str(100 + index))
        Grant.objects.filter(pk=grant.pk).update(granted_at=same_instant, failure_logged_at=same_instant)
    down, cursor = [], ""
    while True:
        page = timeline_page(user=manager, query=TimelineQuery(), cursor=cursor, size=3)
        down.append([(e.kind, e.pk) for e in page.entries])
        assert bool(page.newer_cursor) == bool(cursor)  # every page but the first has newer events
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    up, before = [down[-1]], page.newer_cursor
    while before:
        page = timeline_page(user=manager, query=TimelineQuery(), before=before, size=3)
        up.append([(e.kind, e.pk) for e in page.entries])
        before = page.newer_cursor
    # Pages read upwards hold the same entries, cut from the other end: joined, they are the same list.
    assert [entry for page in reversed(up[1:]) for entry in page] == [entry for page in down[:-1] for entry in page]
    assert up[-1][0] == down[0][0] and len(up[-1]) == 3


def test_a_newer_link_leads_back_and_a_damaged_one_starts_from_the_newest(frontline, manager_client, central, customer):
    for _ in range(30):
        grant_for(frontline, central, customer)
    first = manager_client.get(reverse("audit"))
    assert "Newer events" not in first.content.decode()
    older = manager_client.get(reverse("audit"), {"after": first.context["next_cursor"]})
    body = older.content.decode()
    assert "Newer events" in body and 'aria-label="Timeline pages"' in body
    back = manager_client.get(reverse("audit"), {"before": older.context["newer_cursor"]})
    assert [(e.kind, e.pk) for e in back.context["entries"]] == [(e.kind, e.pk) for e in first.context["entries"]]
    damaged = manager_client.get(reverse("audit"), {"before": "not-a-cursor"})
    assert damaged.status_code == 200
    assert [(e.kind, e.pk) for e in damaged.context["entries"]] == [(e.kind, e.pk) for e in first.context["entries"]]


@pytest.mark.parametrize(
    "cursor", ["", "x", "2025-01-01T00:00:00_a_1", "2025-01-01T00:00:00+00:00_2", "9999-99-99_1_1"]
)
def test_damaged_cursors_start_from_the_newest(cursor):
    assert cursor_parse(cursor) is None


def test_the_page_shows_the_story_links_and_an_older_events_link(frontline, manager_client, central, customer):
    grants = [grant_for(frontline, central, customer) for _ in range(30)]
    response = manager_client.get(reverse("audit"))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("audit_detail", args=[grants[-1].pk]) in body
    assert "Older events" in body
    cursor = response.context["next_cursor"]
    older = manager_client.get(reverse("audit"), {"after": cursor})
    first_page = {(e.kind, e.pk) for e in response.context["entries"]}
    assert not first_page & {(e.kind, e.pk) for e in older.context["entries"]}


@pytest.mark.parametrize(
    "params, field, words",
    [
        ({"date_from": "2024-05-02", "date_to": "2024-05-01"}, "date_to", "on or after"),
        ({"amount_min": "50", "amount_max": "10"}, "amount_max", "at least"),
        ({"amount_min": "-1"}, "amount_min", "greater than or equal to 0"),
        ({"date_from": "0001-01-01"}, "date_from", "between 2000-01-01"),
        ({"kinds": "grant.exploded"}, "kinds", "not one of the available choices"),
    ],
)
def test_bad_filters_name_the_field_and_show_everything_meanwhile(manager_client, params, field, words):
    response = manager_client.get(reverse("audit"), params)
    assert response.status_code == 400
    errors = response.context["filter"].errors[field]
    assert any(words in error for error in errors), errors
    label = str(response.context["filter"].fields[field].label)
    assert errors[0].startswith(label)
    assert manager_client.get(reverse("audit_timeline_export"), params).status_code == 400


def test_the_page_shows_every_filter_with_its_label(manager_client):
    content = manager_client.get(reverse("audit")).content.decode()
    for name, label in [
        ("location", "Location"),
        ("employee", "Employee"),
        ("playbook", "Playbook"),
        ("customer", "Customer"),
        ("amount_min", "Amount from"),
        ("flagged", "Flagged only"),
    ]:
        assert f'<label for="id_{name}">{label}</label>' in content, name
        assert f'name="{name}"' in content, name
    assert '<input type="checkbox" name="kinds" value="grant.voided"' in content


def test_the_page_runs_the_same_queries_for_few_and_many_events(frontline, manager, central, customer):
    client = client_for(manager)
    client.get(reverse("audit"))

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("audit"), {"location": central.pk, "flagged": "on"}).status_code == 200
            assert client.get(reverse("audit")).status_code == 200
        return len(context)

    grant_for(frontline, central, customer)
    few = queries()
    for _ in range(25):
        grant_for(frontline, central, customer)
    assert queries() == few
    # Two pages: session, user, perms, one query per kind of event (10), and the choices of the three
    # select filters (location, employee, playbook), which the page renders.
    assert few <= 38


def test_timeline_csv_streams_the_filtered_events_of_the_managers_locations(story, manager):
    response = client_for(manager).get(reverse("audit_timeline_export"), {"kinds": ["grant.issued", "grant.voided"]})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at_utc", "event", "location"]
    assert {row[1] for row in rows[1:]} == {"grant.issued", "grant.voided"}
    assert {row[2] for row in rows[1:]} == {"Central Store"}
    assert len(rows) == 1 + 2 + 1  # two grants and one void
    stamps = [row[0] for row in rows[1:]]
    assert stamps == sorted(stamps, reverse=True)


def test_grant_csv_follows_the_timeline_filters(story, manager):
    response = client_for(manager).get(reverse("audit_export"), {"category": "product_defective"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [str(story["voided"].pk)]


def test_an_auditor_reads_the_timeline_but_cannot_void(story, auditor_client):
    assert auditor_client.get(reverse("audit")).status_code == 200
    detail = auditor_client.get(reverse("audit_detail", args=[story["airport_grant"].pk]))
    assert detail.status_code == 200 and not detail.context["can_void"]
    response = auditor_client.post(reverse("grant_void", args=[story["grant"].pk]), {"reason": "no"})
    assert response.status_code == 403


def test_a_manager_cannot_filter_to_another_location(story, manager_client, airport):
    response = manager_client.get(reverse("audit"), {"location": airport.pk})
    assert response.status_code == 400
    assert "location" in response.context["filter"].errors


def test_frontline_of_a_location_is_an_employee_choice_for_its_manager(story, manager_client, frontline):
    other = make_user("stranger", "frontline", [])
    choices = {user.pk for user in manager_client.get(reverse("audit")).context["filter"].fields["employee"].queryset}
    assert frontline.pk in choices and other.pk not in choices


def test_the_whole_story_shows_the_journal_entries_and_the_policy_version(story, manager_client):
    voided = story["voided"]
    response = manager_client.get(reverse("audit_detail", args=[voided.pk]))
    kinds = [event.kind for event in response.context["journal"]]
    assert kinds == ["grant.issued", "grant.voided"]
    body = response.content.decode()
    assert reverse("ops_version", args=[voided.policy_version.number]) in body
    assert response.context["journal"][1].hash[:12] in body


def test_anomaly_flags_and_their_reviews_are_on_the_timeline(story, manager, central):
    from recovery.anomalies import anomaly_review

    flag = AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.NEW_CUSTOMER, location=central, grant=story["grant"], reason="Brand new", dedupe_key="t-2"
    )
    other_manager = make_user("mia", "manager", [central])
    anomaly_review(actor=other_manager, flag_id=flag.pk, outcome="fine", note="Known regular")
    page = timeline_page(user=manager, query=TimelineQuery(flagged_only=True))
    kinds = kinds_of(page)
    assert "anomaly.raised" in kinds and "anomaly.reviewed" in kinds
    reviewed = next(e for e in page.entries if e.kind == "anomaly.reviewed")
    assert reviewed.actor == "mia" and "Fine" in reviewed.summary and "Known regular" in reviewed.summary
    by_reviewer = timeline_page(user=manager, query=TimelineQuery(employee_id=other_manager.pk))
    assert kinds_of(by_reviewer) == ["anomaly.reviewed"]
